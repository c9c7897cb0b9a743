package io.tessera.grid;

import java.time.Duration;
import java.util.Objects;

/**
 * How a map is replicated and expires: an immutable value made with {@link #builder()}.
 *
 * <p>Defaults: one synchronous backup, no TTL, no max-idle, no near cache, reads from the primary, no minimum cluster
 * size, and {@link MergePolicy#LATEST_UPDATE} after a split.
 */
public final class MapConfig {
    /** The default number of backups. */
    public static final int DEFAULT_BACKUPS = 1;
    /** The most backups a map may keep. */
    public static final int MAX_BACKUPS = 6;

    private static final MapConfig DEFAULT = builder().build();

    private final int backups;
    private final boolean asyncBackups;
    private final Duration ttl;
    private final Duration maxIdle;
    private final NearCacheConfig nearCache;
    private final boolean readFromBackup;
    private final int minClusterSize;
    private final MergePolicy mergePolicy;

    private MapConfig(Builder b) {
        this.backups = b.backups;
        this.asyncBackups = b.asyncBackups;
        this.ttl = b.ttl;
        this.maxIdle = b.maxIdle;
        this.nearCache = b.nearCache;
        this.readFromBackup = b.readFromBackup;
        this.minClusterSize = b.minClusterSize;
        this.mergePolicy = b.mergePolicy;
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** The default config. */
    public static MapConfig defaults() {
        return DEFAULT;
    }

    /** A builder that starts from this config. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.backups = backups;
        b.asyncBackups = asyncBackups;
        b.ttl = ttl;
        b.maxIdle = maxIdle;
        b.nearCache = nearCache;
        b.readFromBackup = readFromBackup;
        b.minClusterSize = minClusterSize;
        b.mergePolicy = mergePolicy;
        return b;
    }

    /** How many backups every partition of the map keeps on other members. */
    public int backups() {
        return backups;
    }

    /** Whether writes are answered before the backups acknowledged them. */
    public boolean asyncBackups() {
        return asyncBackups;
    }

    /** The time to live of entries written without one, or {@link Duration#ZERO} for none. */
    public Duration ttl() {
        return ttl;
    }

    /** How long an entry may go unread and unwritten before it expires, or {@link Duration#ZERO} for ever. */
    public Duration maxIdle() {
        return maxIdle;
    }

    /** The near cache, or {@code null} when the map has none. */
    public NearCacheConfig nearCache() {
        return nearCache;
    }

    /** Whether reads may be served by a backup on this member, which may lag the primary. */
    public boolean readFromBackup() {
        return readFromBackup;
    }

    /**
     * The fewest members a member must see for this map's operations to run there, or 0 for no minimum: below it,
     * operations fail fast with {@link QuorumException} instead of running on a side of a split cluster that a merge
     * would overrule.
     */
    public int minClusterSize() {
        return minClusterSize;
    }

    /** What survives, key by key, when two sides of a split cluster merge. */
    public MergePolicy mergePolicy() {
        return mergePolicy;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MapConfig c && c.backups == backups && c.asyncBackups == asyncBackups
                && c.ttl.equals(ttl) && c.maxIdle.equals(maxIdle) && Objects.equals(c.nearCache, nearCache)
                && c.readFromBackup == readFromBackup && c.minClusterSize == minClusterSize
                && c.mergePolicy.equals(mergePolicy);
    }

    @Override
    public int hashCode() {
        return Objects.hash(backups, asyncBackups, ttl, maxIdle, nearCache, readFromBackup, minClusterSize,
                mergePolicy);
    }

    @Override
    public String toString() {
        return "MapConfig{backups=" + backups + ", asyncBackups=" + asyncBackups + ", ttl=" + ttl + ", maxIdle="
                + maxIdle + ", nearCache=" + nearCache + ", readFromBackup=" + readFromBackup + ", minClusterSize="
                + minClusterSize + ", mergePolicy=" + mergePolicy + "}";
    }

    /** Builds a {@link MapConfig}; every setter validates at once. */
    public static final class Builder {
        private int backups = DEFAULT_BACKUPS;
        private boolean asyncBackups;
        private Duration ttl = Duration.ZERO;
        private Duration maxIdle = Duration.ZERO;
        private NearCacheConfig nearCache;
        private boolean readFromBackup;
        private int minClusterSize;
        private MergePolicy mergePolicy = MergePolicy.LATEST_UPDATE;

        private Builder() {
        }

        /** Sets the number of backups (0..{@value #MAX_BACKUPS}). */
        public Builder backups(int backups) {
            if (backups < 0 || backups > MAX_BACKUPS) {
                throw new IllegalArgumentException("backups: " + backups + " (expected 0.." + MAX_BACKUPS + ")");
            }
            this.backups = backups;
            return this;
        }

        /** Answers writes before backups acknowledge them; a crash may then lose the last writes. */
        public Builder asyncBackups(boolean asyncBackups) {
            this.asyncBackups = asyncBackups;
            return this;
        }

        /** Sets the default time to live; zero means none. */
        public Builder ttl(Duration ttl) {
            this.ttl = nonNegative("ttl", ttl);
            return this;
        }

        /** Sets the max-idle span; zero means none. */
        public Builder maxIdle(Duration maxIdle) {
            this.maxIdle = nonNegative("maxIdle", maxIdle);
            return this;
        }

        /** Adds a near cache on every member that uses the map; {@code null} removes it. */
        public Builder nearCache(NearCacheConfig nearCache) {
            this.nearCache = nearCache;
            return this;
        }

        /** Lets reads be served by a local backup, which may lag the primary. */
        public Builder readFromBackup(boolean readFromBackup) {
            this.readFromBackup = readFromBackup;
            return this;
        }

        /**
         * Sets the fewest members a member must see for this map's operations to run (0, the default, for no
         * minimum). With a majority of the cluster's intended size (3 of 5, say), the smaller side of a split refuses
         * operations with {@link QuorumException}, so it takes no writes that the merge would discard.
         */
        public Builder minClusterSize(int minClusterSize) {
            if (minClusterSize < 0) {
                throw new IllegalArgumentException("minClusterSize: " + minClusterSize
                        + " (expected 0 for no minimum, or a positive member count)");
            }
            this.minClusterSize = minClusterSize;
            return this;
        }

        /** Sets what survives, key by key, when two sides of a split cluster merge (default LATEST_UPDATE). */
        public Builder mergePolicy(MergePolicy mergePolicy) {
            this.mergePolicy = Objects.requireNonNull(mergePolicy, "mergePolicy");
            return this;
        }

        /** Builds the config. */
        public MapConfig build() {
            return new MapConfig(this);
        }

        private static Duration nonNegative(String name, Duration value) {
            Objects.requireNonNull(value, name);
            if (value.isNegative()) {
                throw new IllegalArgumentException(name + ": " + value + " (expected zero or positive)");
            }
            return value;
        }
    }
}
