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
    /** The default maximum number of cached entries. */
    public static final long DEFAULT_MAX_SIZE = 10_000;

    private final long maxSize;
    private final Duration expireAfterWrite;

    private NearCacheConfig(long maxSize, Duration expireAfterWrite) {
        this.maxSize = maxSize;
        this.expireAfterWrite = expireAfterWrite;
    }

    /** A near cache of at most {@code maxSize} entries, kept until invalidated or evicted. */
    public static NearCacheConfig ofMaxSize(long maxSize) {
        if (maxSize <= 0) {
            throw new IllegalArgumentException("maxSize: " + maxSize + " (expected > 0)");
        }
        return new NearCacheConfig(maxSize, Duration.ZERO);
    }

    /** A near cache with the default size. */
    public static NearCacheConfig defaults() {
        return ofMaxSize(DEFAULT_MAX_SIZE);
    }

    /** A copy that also drops entries {@code duration} after they were cached (zero: never). */
    public NearCacheConfig expireAfterWrite(Duration duration) {
        Objects.requireNonNull(duration, "expireAfterWrite");
        if (duration.isNegative()) {
            throw new IllegalArgumentException("expireAfterWrite: " + duration + " (expected zero or positive)");
        }
        return new NearCacheConfig(maxSize, duration);
    }

    /** The maximum number of cached entries. */
    public long maxSize() {
        return maxSize;
    }

    /** How long an entry stays cached at most, or zero for no limit. */
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
