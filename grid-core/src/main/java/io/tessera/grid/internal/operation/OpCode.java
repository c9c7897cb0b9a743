package io.tessera.grid.internal.operation;

/**
 * The single-key operations a primary executes, with their stable wire ids and whether repeating one after an
 * unknown outcome is harmless (the invoker retries those transparently).
 */
public enum OpCode {
    GET(1, true, false),
    PUT(2, true, true),
    SET(3, true, true),
    PUT_IF_ABSENT(4, false, true),
    REPLACE(5, false, true),
    REPLACE_IF_SAME(6, false, true),
    REMOVE(7, true, true),
    DELETE(8, true, true),
    REMOVE_IF_SAME(9, false, true),
    CONTAINS_KEY(10, true, false),
    EXECUTE(11, false, true),
    EXPIRE(12, true, true),
    PERSIST(13, true, true),
    TTL(14, true, false),
    /** Split-brain merge (LATEST_UPDATE): write if the key is absent or the incoming stamp is newer. */
    MERGE(15, true, true),
    /** A {@code MultiKeyProcessor} over several keys of one partition; the other keys travel in the value. */
    EXECUTE_MULTI(16, false, true);

    private static final OpCode[] BY_ID = new OpCode[32];

    static {
        for (OpCode code : values()) {
            BY_ID[code.id] = code;
        }
    }

    private final int id;
    private final boolean idempotent;
    private final boolean write;

    OpCode(int id, boolean idempotent, boolean write) {
        this.id = id;
        this.idempotent = idempotent;
        this.write = write;
    }

    /** The wire id. */
    public int id() {
        return id;
    }

    /** Whether running it twice has the effect of running it once. */
    public boolean idempotent() {
        return idempotent;
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
