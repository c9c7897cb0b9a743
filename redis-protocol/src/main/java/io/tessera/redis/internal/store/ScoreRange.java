package io.tessera.redis.internal.store;

/**
 * A range of scores as ZRANGEBYSCORE and its kin take it: each end inclusive, or exclusive when written with a
 * leading {@code (}; infinities allowed, never NaN.
 *
 * @param min the lower end
 * @param minExclusive whether a score equal to {@code min} is outside
 * @param max the upper end
 * @param maxExclusive whether a score equal to {@code max} is outside
 */
public record ScoreRange(double min, boolean minExclusive, double max, boolean maxExclusive) {
    /** Whether {@code score} is at or past the lower end. */
    public boolean aboveMin(double score) {
        return minExclusive ? score > min : score >= min;
    }

    /** Whether {@code score} is at or before the upper end. */
    public boolean belowMax(double score) {
        return maxExclusive ? score < max : score <= max;
    }
}
