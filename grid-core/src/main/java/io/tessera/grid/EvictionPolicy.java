package io.tessera.grid;

/**
 * What a bounded map gives up when a member holds more of it than its {@link MapConfig#maxSize()} or
 * {@link MapConfig#maxMemory()} allow.
 *
 * <p>The member's primaries choose the entry by sampling, as Redis does: a handful of candidates from a few random
 * partitions of the partition thread that found the member over its bound, and the worst of them by the policy goes.
 * The removal is replicated to the backups like any other and fires {@link EntryEventType#EVICTED}. With
 * {@link MapConfig#evictOnlyExpiring()}, only entries with a time to live or a max-idle span are candidates (Redis's
 * {@code volatile-*} policies).
 */
public enum EvictionPolicy {
    /** Evicts nothing: a write that would take the member beyond its bound fails with {@link MapFullException}. */
    NONE,
    /** Least recently used: the candidate read or written longest ago on its primary. */
    LRU,
    /**
     * Least frequently used: the candidate with the smallest access count, a saturating counter per entry that every
     * read and write on the primary raises and that halves for the whole partition once its map-partition counted ten
     * accesses per entry (the aging of Caffeine's TinyLFU sketch, so yesterday's favourite does not stay forever).
     * Ties go to the least recently used.
     */
    LFU,
    /** Nearest expiry first: the entry whose time to live or max-idle span ends soonest; entries without one last. */
    TTL,
    /** Any candidate. */
    RANDOM
}
