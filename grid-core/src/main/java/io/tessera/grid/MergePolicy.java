package io.tessera.grid;

/**
 * Decides, key by key, what a map keeps when two sides of a split cluster meet again (JGroups delivers a
 * {@code MergeView}): the entries of the side that merges in meet the entries of the side that is kept, and for every
 * key the policy chooses the value that survives.
 *
 * <p>Which side is kept: the one with more members (on a tie, the one whose partition table is newer). Deletions and
 * expiries take part as {@linkplain MergingEntry#isDeleted() deleted entries}, so a key deleted on one side does not
 * come back from the other unless the policy wants it to. A side that was apart for longer than the grid's tombstone
 * retention ({@link GridBuilder#tombstoneRetention}) may have forgotten a deletion; its entries older than the
 * forgotten deletions are dropped instead of merged, so a deleted key is never resurrected by a merge.
 *
 * <p>The built-in policies compare the hybrid-logical-clock stamps of writes, which order writes across members even
 * when their clocks disagree. Set one per map with {@link MapConfig.Builder#mergePolicy(MergePolicy)}. A policy of the
 * application's own is a class registered with {@link SerializationConfig} on every member (it travels to the member
 * that applies the merge), must be deterministic, and may see the same pair more than once when a merge is retried,
 * so it must return the same answer again.
 */
@FunctionalInterface
public interface MergePolicy {

    /** The default: the entry written (or deleted) last wins; on a tie the kept side's entry stays. */
    MergePolicy LATEST_UPDATE = BuiltInMergePolicy.LATEST_UPDATE;

    /** The entry read and written more often on its primary wins; on a tie, {@link #LATEST_UPDATE} decides. */
    MergePolicy HIGHER_HITS = BuiltInMergePolicy.HIGHER_HITS;

    /**
     * The merging entry is taken only where the kept side has no entry (or deleted it before the merging entry was
     * written); otherwise the kept side's entry stays.
     */
    MergePolicy PUT_IF_ABSENT = BuiltInMergePolicy.PUT_IF_ABSENT;

    /** The kept side's entries stay and the merging side's are dropped. */
    MergePolicy DISCARD = BuiltInMergePolicy.DISCARD;

    /**
     * Chooses what survives for one key.
     *
     * @param merging the key's entry on the side that merges in; never {@code null}, but it may be
     *     {@linkplain MergingEntry#isDeleted() deleted}
     * @param existing the key's entry on the side that is kept, possibly deleted, or {@code null} when that side has
     *     no trace of the key
     * @return {@code merging.value()} to take the merging entry as it is (with its expiry and time stamp),
     *     {@code existing.value()} to keep the existing one, {@code null} to have no value (a deleted entry stays
     *     deleted, a live one is deleted), or any other value to store it as a new write
     */
    Object merge(MergingEntry merging, MergingEntry existing);

    /**
     * One side's view of a key during a merge. Values are decoded when first asked for and the same instance is
     * returned every time.
     */
    interface MergingEntry {
        /**
         * Returns the key.
         *
         * @return the deserialized key
         */
        Object key();

        /**
         * Returns the value, or {@code null} when the entry is deleted.
         *
         * @return the deserialized value, or {@code null}
         */
        Object value();

        /**
         * Tells whether this side deleted the key (or it expired) and remembers the deletion.
         *
         * @return {@code true} for a remembered deletion or expiry (a tombstone)
         */
        boolean isDeleted();

        /**
         * Returns when the key was last written or deleted on this side.
         *
         * @return the time of the last write or deletion, in epoch milliseconds
         */
        long lastUpdateTime();

        /**
         * Returns when the key was first written; 0 for a deleted entry.
         *
         * @return the time of the first write in epoch milliseconds, or 0
         */
        long creationTime();

        /**
         * Returns how often the key was read or written on its primary since it was last written there.
         *
         * @return the number of reads and writes on the primary
         */
        long hits();

        /**
         * Returns when the entry expires by its time to live, or 0 for never.
         *
         * @return the time of expiry in epoch milliseconds, or 0
         */
        long expirationTime();
    }
}

/** The policies Tessera ships; the merge code recognizes them by identity and compares stamps directly. */
enum BuiltInMergePolicy implements MergePolicy {
    LATEST_UPDATE {
        @Override
        public Object merge(MergingEntry merging, MergingEntry existing) {
            if (existing == null || merging.lastUpdateTime() > existing.lastUpdateTime()) {
                return merging.value();
            }
            return existing.value();
        }
    },
    HIGHER_HITS {
        @Override
        public Object merge(MergingEntry merging, MergingEntry existing) {
            if (existing != null && !merging.isDeleted() && !existing.isDeleted()
                    && merging.hits() != existing.hits()) {
                return merging.hits() > existing.hits() ? merging.value() : existing.value();
            }
            return LATEST_UPDATE.merge(merging, existing);
        }
    },
    PUT_IF_ABSENT {
        @Override
        public Object merge(MergingEntry merging, MergingEntry existing) {
            if (existing == null || (existing.isDeleted() && merging.lastUpdateTime() > existing.lastUpdateTime())) {
                return merging.value();
            }
            return existing.value();
        }
    },
    DISCARD {
        @Override
        public Object merge(MergingEntry merging, MergingEntry existing) {
            return existing == null ? null : existing.value();
        }
    };

    @Override
    public String toString() {
        return "MergePolicy." + name();
    }
}
