package io.tessera.grid;

import java.time.Duration;
import java.util.Objects;

/**
 * A bounded, member-local Caffeine cache in front of a map's reads.
 *
 * <p>Guarantee: a write's future completes only after every member with a near cache of the map has dropped its
 * copy of the key, so once {@code put} returns on any member, a {@code get} on any member returns the new value
 * (or newer). A member that crashes needs no invalidation; a member that joins starts with an empty cache. An
 * entry with a time to live is not served past its deadline. A map with a max-idle span gets no near cache: every
 * read must reach the primary to count as an access.
 */
public final class NearCacheConfig {
    /**
     * The number of entries {@link #defaults()} caches at most per member: {@value}.
     */
    public static final long DEFAULT_MAX_SIZE = 10_000;

    private final long maxSize;
    private final Duration expireAfterWrite;

    private NearCacheConfig(long maxSize, Duration expireAfterWrite) {
        this.maxSize = maxSize;
        this.expireAfterWrite = expireAfterWrite;
    }

    /**
     * Returns a near cache config of at most {@code maxSize} entries, kept until invalidated or evicted.
     *
     * @param maxSize the most entries the cache holds; positive
     * @return a config that keeps entries until invalidated or evicted
     * @throws IllegalArgumentException if {@code maxSize} is zero or negative
     */
    public static NearCacheConfig ofMaxSize(long maxSize) {
        if (maxSize <= 0) {
            throw new IllegalArgumentException("maxSize: " + maxSize + " (expected > 0)");
        }
        return new NearCacheConfig(maxSize, Duration.ZERO);
    }

    /**
     * Returns a near cache config with the default size ({@link #DEFAULT_MAX_SIZE}) and no expiry after write.
     *
     * @return a config of {@value #DEFAULT_MAX_SIZE} entries without expiry
     */
    public static NearCacheConfig defaults() {
        return ofMaxSize(DEFAULT_MAX_SIZE);
    }

    /**
     * Returns a copy that also drops entries {@code duration} after they were cached (zero: never).
     *
     * @param duration how long an entry stays cached at most; zero for no limit
     * @return a new config; this one is unchanged
     * @throws IllegalArgumentException if {@code duration} is negative
     */
    public NearCacheConfig expireAfterWrite(Duration duration) {
        Objects.requireNonNull(duration, "expireAfterWrite");
        if (duration.isNegative()) {
            throw new IllegalArgumentException("expireAfterWrite: " + duration + " (expected zero or positive)");
        }
        return new NearCacheConfig(maxSize, duration);
    }

    /**
     * Returns the maximum number of entries the cache holds on a member.
     *
     * @return the bound, positive
     */
    public long maxSize() {
        return maxSize;
    }

    /**
     * Returns how long an entry stays cached at most, or zero for no limit.
     *
     * @return the span, or {@link Duration#ZERO} (the default)
     */
    public Duration expireAfterWrite() {
        return expireAfterWrite;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NearCacheConfig c && c.maxSize == maxSize && c.expireAfterWrite.equals(expireAfterWrite);
    }

    @Override
    public int hashCode() {
        return Objects.hash(maxSize, expireAfterWrite);
    }

    @Override
    public String toString() {
        return "NearCacheConfig{maxSize=" + maxSize + ", expireAfterWrite=" + expireAfterWrite + "}";
    }
}
