package io.tessera.grid;

/**
 * Receives the changes of a map's entries, wherever they were made, on the member that registered it.
 *
 * <p>Events of one key arrive in the order the key's primary applied them (while the primary does not change);
 * events are delivered on a listener thread of this member, never on a partition thread. A listener that throws
 * is logged and keeps receiving events.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public interface EntryListener<K, V> {
    /**
     * Called when a key was added.
     *
     * @param event the key, with the old and new values if the listener asked for them
     */
    default void entryAdded(EntryEvent<K, V> event) {
    }

    /**
     * Called when a key got a new value.
     *
     * @param event the key, with the old and new values if the listener asked for them
     */
    default void entryUpdated(EntryEvent<K, V> event) {
    }

    /**
     * Called when a key was removed.
     *
     * @param event the key, with the old and new values if the listener asked for them
     */
    default void entryRemoved(EntryEvent<K, V> event) {
    }

    /**
     * Called when a key expired.
     *
     * @param event the key, with the old and new values if the listener asked for them
     */
    default void entryExpired(EntryEvent<K, V> event) {
    }

    /**
     * Called once for every key evicted from a bounded map.
     *
     * @param event the key, with the old and new values if the listener asked for them
     */
    default void entryEvicted(EntryEvent<K, V> event) {
    }
}
