package io.tessera.grid;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The entry an {@link EntryProcessor} works on: its key, its current value (or none), and the changes the
 * processor makes, which are applied and replicated when {@code process} returns.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public interface MutableEntry<K, V> {
    /**
     * Returns the entry's key.
     *
     * @return the key, never {@code null}
     */
    K getKey();

    /**
     * Returns the current value, or {@code null} if the entry does not exist.
     *
     * @return the value as the processor last set it, or {@code null}
     */
    V getValue();

    /**
     * Tells whether the entry exists.
     *
     * @return whether the entry has a value
     */
    boolean exists();

    /**
     * Sets the value (creating the entry if needed); the entry keeps its remaining time to live.
     *
     * @param value the new value, not {@code null} ({@link #remove()} deletes the entry)
     * @throws NullPointerException if {@code value} is {@code null}
     */
    void setValue(V value);

    /**
     * Sets the value with a new time to live ({@code null} or zero for none).
     *
     * @param value the new value, not {@code null}
     * @param ttl how long the entry lives from the instant the processor started, on the primary's clock;
     *     {@code null}, zero or negative for no expiry
     * @throws NullPointerException if {@code value} is {@code null}
     */
    void setValue(V value, Duration ttl);

    /** Removes the entry. */
    void remove();

    /**
     * When the entry expires by its time to live, read on the primary's clock; empty if the entry does not exist or
     * lives forever. It does not reflect max-idle, which restarts on every access.
     *
     * @return the instant of expiry, or empty
     */
    Optional<Instant> getExpiresAt();

    /**
     * Changes only the entry's expiry and keeps its value: {@code null} makes it live forever, an instant that has
     * passed removes it as expired. Does nothing if the entry does not exist.
     *
     * @param expiresAt the new instant of expiry, or {@code null} for none
     */
    void setExpiresAt(Instant expiresAt);
}
