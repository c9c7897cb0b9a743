package io.tessera.redis.internal.store;

/**
 * A sorted set as commands read it: members ordered by score, then by their bytes (unsigned), each with one score.
 * Ranks are 0-based in that order. Reads cost what Redis's skip list costs: a score or a rank O(log n), a range
 * O(log n) plus what it returns. The arrays handed out must not be modified.
 */
public interface SortedSetView {
    /** The number of members. */
    int size();

    /** The score of {@code member}, or NaN if it is not a member (a score is never NaN). */
    double score(byte[] member);

    /** The 0-based rank of {@code member}, or -1 if it is not a member. */
    long rank(byte[] member);

    /** The member at 0-based {@code rank} (which must be in range). */
    byte[] memberAt(long rank);

    /** The score of the member at 0-based {@code rank} (which must be in range). */
    double scoreAt(long rank);

    /** How many members have a score in {@code range}. */
    long count(ScoreRange range);

    /** How many members follow the first one in {@code range} while they are in it (see {@link LexRange}). */
    long count(LexRange range);

    /** The rank of the first member with a score in {@code range}, or -1 if none. */
    long firstInRange(ScoreRange range);

    /** The rank of the last member with a score in {@code range}, or -1 if none. */
    long lastInRange(ScoreRange range);

    /** The rank where a walk up through {@code range} starts, or -1 if none (see {@link LexRange}). */
    long firstInRange(LexRange range);

    /** The rank where a walk down through {@code range} starts, or -1 if none (see {@link LexRange}). */
    long lastInRange(LexRange range);

    /**
     * Hands out {@code count} members from rank {@code from} on, ascending, or descending from {@code from} when
     * {@code reverse}; stops early at either end.
     */
    void forEach(long from, long count, boolean reverse, ScoredConsumer consumer);

    /** Visits members from rank {@code from} on, ascending or descending, for as long as {@code visitor} says. */
    void walk(long from, boolean reverse, Walker visitor);

    /** A visitor of a walk: answers whether to go on. */
    @FunctionalInterface
    interface Walker {
        boolean visit(byte[] member, double score);
    }
}
