package io.tessera.grid;

/**
 * A change to one entry, as delivered to an {@link EntryListener}.
 *
 * @param type what happened
 * @param mapName the map
 * @param key the key
 * @param oldValue the value before, or {@code null} (also when the listener did not ask for values)
 * @param value the value after, or {@code null} for removals (also when the listener did not ask for values)
 * @param <K> the key type
 * @param <V> the value type
 */
public record EntryEvent<K, V>(EntryEventType type, String mapName, K key, V oldValue, V value) {
}
