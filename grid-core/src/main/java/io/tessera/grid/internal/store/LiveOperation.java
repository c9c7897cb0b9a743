package io.tessera.grid.internal.store;

/**
 * A change of a {@link LiveValue} that replicates as itself: the primary applies it inside an entry processor, the
 * backups apply the same operation, deserialized, to their own copy of the value, in the stream's order. It must be
 * deterministic (no clock, no randomness, no iteration order that differs between copies): the same operation on
 * equal values gives equal values and the same result. Serialized with the grid's serializer, so its class must be
 * registered like any value class.
 *
 * @param <V> the live value type
 * @param <R> the result the processor gets back
 */
public interface LiveOperation<V extends LiveValue, R> {
    /** The live form of a stored value of this operation's type (a record that holds bytes). */
    V decode(byte[] stored);

    /** A new, empty value, for a key that does not exist. */
    V create();

    /** Applies the change to {@code value} in place and answers the result. */
    R apply(V value);
}
