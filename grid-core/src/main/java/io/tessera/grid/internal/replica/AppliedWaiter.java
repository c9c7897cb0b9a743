package io.tessera.grid.internal.replica;

/**
 * Something that waits until a replica has applied certain mutations: a backup's acknowledgement held back while the
 * replica buffers (it resyncs, or fills maps it lacks). Called on the partition's thread.
 */
public interface AppliedWaiter {
    /** Whether {@code replica} now holds what this waiter waits for. */
    boolean satisfiedBy(PartitionReplica replica);

    /** The replica holds it: acknowledge. */
    void applied();

    /** The replica dropped its data and will never hold it. */
    void abandoned();
}
