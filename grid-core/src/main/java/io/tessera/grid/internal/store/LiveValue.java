package io.tessera.grid.internal.store;

/**
 * A value a replica keeps as a live structure (a list, a hash, a sorted set) and changes in place with
 * {@link LiveOperation}s, so that a change of one element costs what the structure's operation costs, not a copy of
 * the value; the stream ships the operations, which every replica applies to its own copy in sequence.
 *
 * <p>Owned by the partition's thread like the store that holds it. A record keeps either bytes or a live value; the
 * bytes of a live value ({@link #toBytes()}) are what snapshots, merges, digests and whole-value reads see, and a
 * live value made from them ({@link LiveOperation#decode}) must behave exactly as the one they came from.
 */
public interface LiveValue {
    /**
     * The value in its stored form, as the map's serializer would have written it (format byte included): a new
     * array, which later operations do not change.
     */
    byte[] toBytes();

    /**
     * The heap this value takes, estimated without walking it (a bounded map compares the sum with its bound): its
     * elements' bytes plus their headers and slots. Kept up to date by the operations that change the value.
     */
    long estimatedBytes();
}
