package io.tessera.grid;

/**
 * Code that reads and changes one entry atomically on the entry's primary: nothing else touches the entry while
 * {@link #process} runs, and what it changes is replicated to the backups like any write.
 *
 * <p>The processor travels to the primary serialized with Kryo, so its class (and the classes of its fields and
 * result) must be registered with {@link SerializationConfig} on every member; a lambda cannot travel. When the
 * primary is the calling member, the processor is still serialized (so an unregistered class fails wherever the key
 * lives) but the instance passed in is the one that runs: keep processors free of state that changes in
 * {@link #process}. It may run more than once only if the caller retries after an
 * {@link IndeterminateOutcomeException}. It runs on a partition thread: keep it short and never block in it.
 *
 * @param <K> the key type
 * @param <V> the value type
 * @param <R> the result type
 */
@FunctionalInterface
public interface EntryProcessor<K, V, R> {
    /**
     * Processes {@code entry} and returns a result for the caller (which may be {@code null}).
     *
     * @param entry the entry, which the processor reads and changes
     * @return the result for the caller, or {@code null}
     */
    R process(MutableEntry<K, V> entry);
}
