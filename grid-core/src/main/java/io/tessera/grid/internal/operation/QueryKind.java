package io.tessera.grid.internal.operation;

/** The per-partition queries and bulk operations of {@code PARTITION_QUERY}, by wire id (their ordinal). */
public enum QueryKind {
    /** The number of live entries of a map in each partition (primary only). */
    SIZE,
    /** Removes every entry of a map in each partition, replicated (primary only). */
    CLEAR,
    /** The live entries of a map in one partition (primary only). */
    ENTRIES,
    /** Sequence, count and digest of a map in each partition, from whatever replica this member holds. */
    DIGEST
}
