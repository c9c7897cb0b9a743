package io.tessera.grid;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The entry an {@link EntryProcessor} works on: its key, its current value (or none), and the changes the
 * processor makes, which are applied and replicated when {@code process} returns.
 */
public interface MutableEntry<K, V> {
    /** The key. */
    K getKey();

    /** The current value, or {@code null} if the entry does not exist. */
    V getValue();

    /** Whether the entry exists. */
    boolean exists();

    /** Sets the value (creating the entry if needed); the entry keeps its remaining time to live. */
    void setValue(V value);

    /** Sets the value with a new time to live ({@code null} or zero for none). */
    void setValue(V value, Duration ttl);

    /** Removes the entry. */
    void remove();

    /**
     * When the entry expires by its time to live, read on the primary's clock; empty if the entry does not exist or
     * lives forever. It does not reflect max-idle, which restarts on every access.
     */
    Optional<Instant> getExpiresAt();

    /**
     * Changes only the entry's expiry and keeps its value: {@code null} makes it live forever, an instant that has
     * passed removes it as expired. Does nothing if the entry does not exist.
     */
    void setExpiresAt(Instant expiresAt);
}
