package io.tessera.grid.internal.operation;

import io.tessera.grid.internal.wire.MalformedMessageException;

/** The per-partition queries and bulk operations of {@code PARTITION_QUERY}, with stable wire ids. */
public enum QueryKind {
    /** The number of live entries of a map in each partition (primary only). */
    SIZE(1),
    /** Removes every entry of a map in each partition, replicated (primary only). */
    CLEAR(2),
    /** The live entries of a map in one partition (primary only). */
    ENTRIES(3),
    /** Sequence, count and digest of a map in each partition, from whatever replica this member holds. */
    DIGEST(4),
    /**
     * The live entries of a map in each partition, how many of them expire, and the sum of their remaining times to
     * live in milliseconds (primary only): Redis's {@code INFO keyspace} figures.
     */
    KEYSPACE(5);

    private final int id;

    QueryKind(int id) {
        this.id = id;
    }

    /** The wire id. */
    public int id() {
        return id;
    }

    /** The kind with wire id {@code id}. */
    public static QueryKind of(int id) {
        for (QueryKind k : values()) {
            if (k.id == id) {
                return k;
            }
        }
        throw new MalformedMessageException("unknown query kind " + id);
    }
}
