package io.tessera.grid.internal.store;

/** Turns a live operation as the stream carries it back into the operation (the member's serializer does it). */
@FunctionalInterface
public interface LiveOperationDecoder {
    /** A decoder for a member that cannot apply live operations: every one makes the replica resync. */
    LiveOperationDecoder NONE = encoded -> {
        throw new IllegalStateException("this replica has no decoder for live operations");
    };

    /** The operation {@code encoded} holds. */
    LiveOperation<?, ?> decode(byte[] encoded);
}
