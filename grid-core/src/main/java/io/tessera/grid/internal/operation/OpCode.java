package io.tessera.grid.internal.operation;

/**
 * The single-key operations a primary executes, with their stable wire ids and whether they may change the entry.
 * Every write carries a call id, so that a retry after an unknown outcome is answered with the first attempt's result
 * instead of being applied again.
 */
public enum OpCode {
    GET(1, false, Kind.GET),
    PUT(2, true, Kind.PUT),
    SET(3, true, Kind.PUT),
    PUT_IF_ABSENT(4, true, Kind.PUT),
    REPLACE(5, true, Kind.PUT),
    REPLACE_IF_SAME(6, true, Kind.PUT),
    REMOVE(7, true, Kind.REMOVE),
    DELETE(8, true, Kind.REMOVE),
    REMOVE_IF_SAME(9, true, Kind.REMOVE),
    CONTAINS_KEY(10, false, Kind.GET),
    EXECUTE(11, true, Kind.PROCESS),
    EXPIRE(12, true, Kind.EXPIRE),
    PERSIST(13, true, Kind.EXPIRE),
    TTL(14, false, Kind.GET),
    // 15 was MERGE (one merged entry per operation), retired: merges travel as MERGE_ENTRIES batches. Never reuse it.
    /** A {@code MultiKeyProcessor} over several keys of one partition; the other keys travel in the value. */
    EXECUTE_MULTI(16, true, Kind.PROCESS);

    private static final OpCode[] BY_ID = new OpCode[32];

    static {
        for (OpCode code : values()) {
            BY_ID[code.id] = code;
        }
    }

    /**
     * The few kinds the operation meters count and time by ({@code kind} tag): one meter per code would make fifteen
     * latency series per member, most of them empty.
     */
    public enum Kind {
        /** Reads of one key: get, containsKey, ttl. */
        GET,
        /** Writes of a value: put, set, putIfAbsent, replace. */
        PUT,
        /** Removals: remove, delete, remove-if-same. */
        REMOVE,
        /** Entry processors over one key or several keys of one partition. */
        PROCESS,
        /** Changes of an entry's deadline: expire, persist. */
        EXPIRE;

        /** The tag value. */
        public String tag() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final int id;
    private final boolean write;
    private final Kind kind;

    OpCode(int id, boolean write, Kind kind) {
        this.id = id;
        this.write = write;
        this.kind = kind;
    }

    /** What the meters count it as. */
    public Kind kind() {
        return kind;
    }

    /** The wire id. */
    public int id() {
        return id;
    }

    /** Whether it may change the entry. */
    public boolean write() {
        return write;
    }

    /** The op with this wire id. */
    public static OpCode of(int id) {
        OpCode code = id > 0 && id < BY_ID.length ? BY_ID[id] : null;
        if (code == null) {
            throw new io.tessera.grid.internal.wire.MalformedMessageException("unknown operation " + id);
        }
        return code;
    }
}
