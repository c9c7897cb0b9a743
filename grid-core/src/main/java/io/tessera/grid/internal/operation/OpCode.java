package io.tessera.grid.internal.operation;

/**
 * The single-key operations a primary executes, with their stable wire ids and whether they may change the entry.
 * Every write carries a call id, so that a retry after an unknown outcome is answered with the first attempt's result
 * instead of being applied again.
 */
public enum OpCode {
    GET(1, false),
    PUT(2, true),
    SET(3, true),
    PUT_IF_ABSENT(4, true),
    REPLACE(5, true),
    REPLACE_IF_SAME(6, true),
    REMOVE(7, true),
    DELETE(8, true),
    REMOVE_IF_SAME(9, true),
    CONTAINS_KEY(10, false),
    EXECUTE(11, true),
    EXPIRE(12, true),
    PERSIST(13, true),
    TTL(14, false),
    // 15 was MERGE (one merged entry per operation), retired: merges travel as MERGE_ENTRIES batches. Never reuse it.
    /** A {@code MultiKeyProcessor} over several keys of one partition; the other keys travel in the value. */
    EXECUTE_MULTI(16, true);

    private static final OpCode[] BY_ID = new OpCode[32];

    static {
        for (OpCode code : values()) {
            BY_ID[code.id] = code;
        }
    }

    private final int id;
    private final boolean write;

    OpCode(int id, boolean write) {
        this.id = id;
        this.write = write;
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
