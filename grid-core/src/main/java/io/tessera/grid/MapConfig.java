package io.tessera.grid;

import java.time.Duration;
import java.util.Objects;

/**
 * How a map is replicated, expires and is bounded: an immutable value made with {@link #builder()}.
 *
 * <p>Defaults: one synchronous backup, no TTL, no max-idle, no near cache, reads from the primary, no minimum cluster
 * size, {@link MergePolicy#LATEST_UPDATE} after a split, and no bound.
 *
 * <p>Bounds are per member: each member keeps what it holds of the map, its backup copies included, within
 * {@link #maxSize()} entries and {@link #maxMemory()} bytes, and its primaries evict by {@link #evictionPolicy()}
 * (see {@link EvictionPolicy}). With {@code b} backups and {@code n} members a map so keeps about
 * {@code n * maxSize / (b + 1)} distinct entries. A member applies the bound of its own config of the map (the one
 * it opened the map with, or {@link GridMap#reconfigure} set); a member that never opened the map applies the bound of
 * the operations it executes. A write that takes the member beyond its bound is followed, in the same step, by the
 * evictions that bring it back (from the primaries of the partition thread that ran it; when those have nothing to
 * evict, the other threads evict at once); copies the member receives as a backup may leave it beyond its bound until
 * its maintenance ticks evict from its primaries (within about 200 ms). Sampling is approximate, as Redis's is, and
 * two threads evicting at once may evict an entry or two more than needed. An evicted key leaves no tombstone: a cache
 * entry another side of a split still holds may come back in the merge.
 */
public final class MapConfig {
    /**
     * The number of backups a map keeps unless {@link Builder#backups} sets another: {@value}.
     */
    public static final int DEFAULT_BACKUPS = 1;
    /**
     * The most backups a map may keep: {@value}.
     */
    public static final int MAX_BACKUPS = 6;
    /** The default eviction policy: a bounded map refuses writes beyond its bound. */
    public static final EvictionPolicy DEFAULT_EVICTION_POLICY = EvictionPolicy.NONE;

    private static final MapConfig DEFAULT = builder().build();

    private final int backups;
    private final boolean asyncBackups;
    private final Duration ttl;
    private final Duration maxIdle;
    private final NearCacheConfig nearCache;
    private final boolean readFromBackup;
    private final int minClusterSize;
    private final MergePolicy mergePolicy;
    private final long maxSize;
    private final long maxMemory;
    private final EvictionPolicy evictionPolicy;
    private final boolean evictOnlyExpiring;

    private MapConfig(Builder b) {
        this.backups = b.backups;
        this.asyncBackups = b.asyncBackups;
        this.ttl = b.ttl;
        this.maxIdle = b.maxIdle;
        this.nearCache = b.nearCache;
        this.readFromBackup = b.readFromBackup;
        this.minClusterSize = b.minClusterSize;
        this.mergePolicy = b.mergePolicy;
        this.maxSize = b.maxSize;
        this.maxMemory = b.maxMemory;
        this.evictionPolicy = b.evictionPolicy;
        this.evictOnlyExpiring = b.evictOnlyExpiring;
    }

    /**
     * Returns a builder that starts from the defaults.
     *
     * @return a new builder holding the defaults listed above
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns the config with every default, which {@link Grid#map(String)} uses.
     *
     * @return the shared default config, equal to {@code builder().build()}
     */
    public static MapConfig defaults() {
        return DEFAULT;
    }

    /**
     * Returns a builder that starts from this config, to derive a changed copy.
     *
     * @return a new builder holding this config's settings
     */
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
        b.maxSize = maxSize;
        b.maxMemory = maxMemory;
        b.evictionPolicy = evictionPolicy;
        b.evictOnlyExpiring = evictOnlyExpiring;
        return b;
    }

    /**
     * Returns how many backups every partition of the map keeps on other members.
     *
     * @return the number of backups, 0 to {@value #MAX_BACKUPS} (default {@value #DEFAULT_BACKUPS})
     */
    public int backups() {
        return backups;
    }

    /**
     * Tells whether writes are answered before the backups acknowledged them.
     *
     * @return {@code true} if writes do not wait for backups (default {@code false})
     */
    public boolean asyncBackups() {
        return asyncBackups;
    }

    /**
     * Returns the time to live of entries written without one, or {@link Duration#ZERO} for none (the default).
     *
     * @return the default time to live, never negative
     */
    public Duration ttl() {
        return ttl;
    }

    /**
     * Returns how long an entry may go unread and unwritten before it expires, or {@link Duration#ZERO} for ever (the
     * default).
     *
     * @return the max-idle span, never negative
     */
    public Duration maxIdle() {
        return maxIdle;
    }

    /**
     * Returns the config of the map's near cache, or {@code null} when the map has none (the default).
     *
     * @return the near cache's config, or {@code null}
     */
    public NearCacheConfig nearCache() {
        return nearCache;
    }

    /**
     * Tells whether reads may be served by a backup on this member, which may lag the primary.
     *
     * @return {@code true} if a local backup may answer reads (default {@code false})
     */
    public boolean readFromBackup() {
        return readFromBackup;
    }

    /**
     * The fewest members a member must see for this map's operations to run there, or 0 for no minimum: below it,
     * operations fail fast with {@link QuorumException} instead of running on a side of a split cluster that a merge
     * would overrule.
     *
     * @return the minimum number of members, or 0
     */
    public int minClusterSize() {
        return minClusterSize;
    }

    /**
     * Returns what survives, key by key, when two sides of a split cluster merge.
     *
     * @return the merge policy (default {@link MergePolicy#LATEST_UPDATE})
     */
    public MergePolicy mergePolicy() {
        return mergePolicy;
    }

    /**
     * Returns the most entries of the map a member holds (its backup copies included), or 0 for no bound (the default).
     *
     * @return the bound in entries, or 0
     */
    public long maxSize() {
        return maxSize;
    }

    /**
     * The most memory the map's entries may take on a member (its backup copies included), in bytes, or 0 for no
     * bound. The grid's estimate of an entry is its key and value bytes plus 136 bytes (the record, the headers of
     * the key and value arrays with their padding, and its share of the table); an entry with a time to live or a
     * max-idle span counts 136 bytes more (its place in the expiry queue), and a live value (the RESP server's lists)
     * counts its elements' bytes plus about 20 bytes each. {@link GridMap#localStats()} reports the sum. The heap the
     * map takes is about that; the JVM needs room beyond it for everything else.
     *
     * @return the bound in bytes, or 0
     */
    public long maxMemory() {
        return maxMemory;
    }

    /**
     * Tells whether the map has a bound ({@link #maxSize()} or {@link #maxMemory()}).
     *
     * @return whether {@link #maxSize()} or {@link #maxMemory()} is positive
     */
    public boolean bounded() {
        return maxSize > 0 || maxMemory > 0;
    }

    /**
     * Returns what a member evicts beyond its bound; see {@link EvictionPolicy}.
     *
     * @return the eviction policy (default {@link #DEFAULT_EVICTION_POLICY})
     */
    public EvictionPolicy evictionPolicy() {
        return evictionPolicy;
    }

    /**
     * Whether only entries with a time to live or max-idle span are evicted (Redis's {@code volatile-*}): a member
     * whose candidates have none refuses growing writes as {@link EvictionPolicy#NONE} does.
     *
     * @return {@code true} if only expiring entries are evicted (default {@code false})
     */
    public boolean evictOnlyExpiring() {
        return evictOnlyExpiring;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MapConfig c && c.backups == backups && c.asyncBackups == asyncBackups
                && c.ttl.equals(ttl) && c.maxIdle.equals(maxIdle) && Objects.equals(c.nearCache, nearCache)
                && c.readFromBackup == readFromBackup && c.minClusterSize == minClusterSize
                && c.mergePolicy.equals(mergePolicy) && c.maxSize == maxSize && c.maxMemory == maxMemory
                && c.evictionPolicy == evictionPolicy && c.evictOnlyExpiring == evictOnlyExpiring;
    }

    @Override
    public int hashCode() {
        return Objects.hash(backups, asyncBackups, ttl, maxIdle, nearCache, readFromBackup, minClusterSize,
                mergePolicy, maxSize, maxMemory, evictionPolicy, evictOnlyExpiring);
    }

    @Override
    public String toString() {
        return "MapConfig{backups=" + backups + ", asyncBackups=" + asyncBackups + ", ttl=" + ttl + ", maxIdle="
                + maxIdle + ", nearCache=" + nearCache + ", readFromBackup=" + readFromBackup + ", minClusterSize="
                + minClusterSize + ", mergePolicy=" + mergePolicy + ", maxSize=" + maxSize + ", maxMemory="
                + maxMemory + ", evictionPolicy=" + evictionPolicy + ", evictOnlyExpiring=" + evictOnlyExpiring + "}";
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
        private long maxSize;
        private long maxMemory;
        private EvictionPolicy evictionPolicy = DEFAULT_EVICTION_POLICY;
        private boolean evictOnlyExpiring;

        private Builder() {
        }

        /**
         * Sets the number of backups (0..{@value #MAX_BACKUPS}, default {@value #DEFAULT_BACKUPS}). A map may keep at
         * most the grid's {@link GridBuilder#maxBackups(int)}.
         *
         * @param backups the number of backups, 0 to {@value #MAX_BACKUPS}
         * @return this builder
         * @throws IllegalArgumentException if {@code backups} is out of range
         */
        public Builder backups(int backups) {
            if (backups < 0 || backups > MAX_BACKUPS) {
                throw new IllegalArgumentException("backups: " + backups + " (expected 0.." + MAX_BACKUPS + ")");
            }
            this.backups = backups;
            return this;
        }

        /**
         * Sets whether writes are answered before backups acknowledge them (default {@code false}); a crash may then
         * lose the last writes.
         *
         * @param asyncBackups {@code true} to answer writes before backups acknowledge them
         * @return this builder
         */
        public Builder asyncBackups(boolean asyncBackups) {
            this.asyncBackups = asyncBackups;
            return this;
        }

        /**
         * Sets the time to live of entries written without one; zero (the default) means none.
         *
         * @param ttl the default time to live; zero or positive
         * @return this builder
         * @throws IllegalArgumentException if {@code ttl} is negative
         */
        public Builder ttl(Duration ttl) {
            this.ttl = nonNegative("ttl", ttl);
            return this;
        }

        /**
         * Sets the max-idle span after which an entry that nobody read or wrote expires; zero (the default) means none.
         * A map with a max-idle span has no near cache, since every read must reach the primary to count as an access.
         *
         * @param maxIdle how long an entry may go unread and unwritten; zero or positive
         * @return this builder
         * @throws IllegalArgumentException if {@code maxIdle} is negative
         */
        public Builder maxIdle(Duration maxIdle) {
            this.maxIdle = nonNegative("maxIdle", maxIdle);
            return this;
        }

        /**
         * Sets the near cache every member that uses the map keeps; {@code null} (the default) means none.
         *
         * @param nearCache the near cache's config, or {@code null} for none
         * @return this builder
         */
        public Builder nearCache(NearCacheConfig nearCache) {
            this.nearCache = nearCache;
            return this;
        }

        /**
         * Sets whether reads may be served by a backup on the reading member (default {@code false}), which may lag the
         * primary.
         *
         * @param readFromBackup {@code true} to let a local backup answer reads
         * @return this builder
         */
        public Builder readFromBackup(boolean readFromBackup) {
            this.readFromBackup = readFromBackup;
            return this;
        }

        /**
         * Sets the fewest members a member must see for this map's operations to run (0, the default, for no
         * minimum). With a majority of the cluster's intended size (3 of 5, say), the smaller side of a split refuses
         * operations with {@link QuorumException}, so it takes no writes that the merge would discard.
         *
         * @param minClusterSize the fewest members, or 0 for no minimum
         * @return this builder
         * @throws IllegalArgumentException if {@code minClusterSize} is negative
         */
        public Builder minClusterSize(int minClusterSize) {
            if (minClusterSize < 0) {
                throw new IllegalArgumentException("minClusterSize: " + minClusterSize
                        + " (expected 0 for no minimum, or a positive member count)");
            }
            this.minClusterSize = minClusterSize;
            return this;
        }

        /**
         * Sets what survives, key by key, when two sides of a split cluster merge (default
         * {@link MergePolicy#LATEST_UPDATE}).
         *
         * @param mergePolicy the merge policy
         * @return this builder
         */
        public Builder mergePolicy(MergePolicy mergePolicy) {
            this.mergePolicy = Objects.requireNonNull(mergePolicy, "mergePolicy");
            return this;
        }

        /**
         * Bounds the entries each member holds of the map, backup copies included (0, the default: no bound).
         *
         * @param maxSize the most entries, or 0 for no bound
         * @return this builder
         * @throws IllegalArgumentException if {@code maxSize} is negative
         */
        public Builder maxSize(long maxSize) {
            if (maxSize < 0) {
                throw new IllegalArgumentException("maxSize: " + maxSize
                        + " (expected 0 for no bound, or a positive entry count)");
            }
            this.maxSize = maxSize;
            return this;
        }

        /**
         * Bounds the estimated memory of the entries each member holds of the map, backup copies included, in bytes
         * (0, the default: no bound); see {@link MapConfig#maxMemory()} for the estimate.
         *
         * @param maxMemory the most bytes, or 0 for no bound
         * @return this builder
         * @throws IllegalArgumentException if {@code maxMemory} is negative
         */
        public Builder maxMemory(long maxMemory) {
            if (maxMemory < 0) {
                throw new IllegalArgumentException("maxMemory: " + maxMemory
                        + " (expected 0 for no bound, or a positive number of bytes)");
            }
            this.maxMemory = maxMemory;
            return this;
        }

        /**
         * Sets what a member evicts beyond its bound (default {@link EvictionPolicy#NONE}: refuse the write).
         *
         * @param evictionPolicy the eviction policy
         * @return this builder
         */
        public Builder evictionPolicy(EvictionPolicy evictionPolicy) {
            this.evictionPolicy = Objects.requireNonNull(evictionPolicy, "evictionPolicy");
            return this;
        }

        /**
         * Sets whether only entries with a time to live or max-idle span are evicted (Redis's {@code volatile-*}
         * policies; default {@code false}); it needs an {@link #evictionPolicy} other than {@link EvictionPolicy#NONE}.
         *
         * @param evictOnlyExpiring {@code true} to evict only expiring entries
         * @return this builder
         */
        public Builder evictOnlyExpiring(boolean evictOnlyExpiring) {
            this.evictOnlyExpiring = evictOnlyExpiring;
            return this;
        }

        /**
         * Builds the config.
         *
         * @return the immutable config
         * @throws IllegalArgumentException if {@code evictOnlyExpiring} is set without an eviction policy
         */
        public MapConfig build() {
            if (evictOnlyExpiring && evictionPolicy == EvictionPolicy.NONE) {
                throw new IllegalArgumentException("evictOnlyExpiring: true (expected an evictionPolicy other than"
                        + " NONE, which evicts nothing)");
            }
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
