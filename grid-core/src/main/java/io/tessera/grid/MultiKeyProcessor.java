package io.tessera.grid;

import java.util.List;

/**
 * Code that reads and changes several entries of one partition atomically on its primary: nothing else touches
 * those entries while {@link #process} runs, and every change it makes is applied and replicated together. The keys
 * must live in one partition: give them a common hash tag ({@code {user42}.profile}, {@code {user42}.cart}).
 *
 * <p>Travels like an {@link EntryProcessor} (serialized with Kryo: register its class), runs on a partition thread
 * (keep it short, never block), and may run again only if the caller retries after an
 * {@link IndeterminateOutcomeException}.
 *
 * @param <K> the key type
 * @param <V> the value type
 * @param <R> the result type
 */
@FunctionalInterface
public interface MultiKeyProcessor<K, V, R> {
    /**
     * Processes the entries, one per key in the order the keys were given, and returns a result for the caller.
     *
     * @param entries one entry per key, in the order the keys were given
     * @return the result for the caller, or {@code null}
     */
    R process(List<MutableEntry<K, V>> entries);
}
