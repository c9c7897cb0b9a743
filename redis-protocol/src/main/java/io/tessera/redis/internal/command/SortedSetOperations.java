package io.tessera.redis.internal.command;

import io.tessera.grid.internal.store.LiveOperation;
import io.tessera.redis.internal.store.Bytes;
import io.tessera.redis.internal.store.LiveSortedSet;
import io.tessera.redis.internal.store.SortedSetView;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The live operations of sorted sets (see {@link LiveSortedSet}): what ZADD, ZREM and the removals by range ship to
 * the backups instead of the set, each O(log n) per member it touches. Every choice that depends on more than the
 * members' scores is made on the primary and shipped as its outcome: a removal by score or lex range, or a pop,
 * travels as the ranks it covers. Fields are primitives and packed byte arrays, so Kryo needs no registration beyond
 * these classes.
 */
public final class SortedSetOperations {
    /** ZADD's options, as {@link Add} carries them. */
    static final int NX = 1;
    static final int XX = 1 << 1;
    static final int GT = 1 << 2;
    static final int LT = 1 << 3;
    static final int INCR = 1 << 4;

    private SortedSetOperations() {
    }

    /** What every sorted-set operation shares: how a stored set becomes live, and an empty one. */
    private abstract static class SortedSetOperation<R> implements LiveOperation<LiveSortedSet, R> {
        @Override
        public final LiveSortedSet decode(byte[] stored) {
            return LiveSortedSet.decode(stored);
        }

        @Override
        public final LiveSortedSet create() {
            return new LiveSortedSet();
        }
    }

    /**
     * What a ZADD did: members added, members whose score changed, members it did not skip (NX, XX, GT, LT), the
     * score of the last member it did not skip (ZADD INCR answers it), and whether an increment came to NaN.
     */
    record AddResult(int added, int updated, int processed, double lastScore, boolean nan) {
    }

    /**
     * The score ZADD gives a member under {@code flags}: {@code current} is its score (NaN if it is not a member),
     * {@code score} the argument. NaN when ZADD leaves the member alone.
     */
    static double target(int flags, double current, double score) {
        if (Double.isNaN(current)) {
            return (flags & XX) != 0 ? Double.NaN : score;
        }
        if ((flags & NX) != 0) {
            return Double.NaN;
        }
        double target = (flags & INCR) != 0 ? current + score : score;
        if ((flags & LT) != 0 && target >= current || (flags & GT) != 0 && target <= current) {
            return Double.NaN;
        }
        return target;
    }

    /**
     * What {@link Add} would do to {@code set}, without doing it: the primary asks first, so that a ZADD that changes
     * nothing writes nothing, and an increment to NaN is refused before anything changed.
     */
    static AddResult plan(SortedSetView set, int flags, double[] scores, byte[][] members) {
        Map<Bytes, Double> planned = members.length > 1 ? new HashMap<>() : null;
        int added = 0;
        int updated = 0;
        int processed = 0;
        double last = Double.NaN;
        for (int i = 0; i < members.length; i++) {
            Double earlier = planned == null ? null : planned.get(Bytes.of(members[i]));
            double current = earlier != null ? earlier : set.score(members[i]);
            if ((flags & INCR) != 0 && !Double.isNaN(current) && Double.isNaN(current + scores[i])) {
                return new AddResult(0, 0, 0, Double.NaN, true);
            }
            double target = target(flags, current, scores[i]);
            if (Double.isNaN(target)) {
                continue;
            }
            processed++;
            last = target;
            if (Double.isNaN(current)) {
                added++;
            } else if (target != current) {
                updated++;
            }
            if (planned != null) {
                planned.put(Bytes.of(members[i]), target);
            }
        }
        return new AddResult(added, updated, processed, last, false);
    }

    /** ZADD and ZINCRBY: each (score, member) in order under ZADD's options; answers what it did. */
    public static final class Add extends SortedSetOperation<AddResult> {
        private int flags;
        private double[] scores;
        private byte[] packedMembers;

        @SuppressWarnings("unused") // Kryo
        private Add() {
        }

        Add(int flags, double[] scores, byte[][] members) {
            this.flags = flags;
            this.scores = scores;
            this.packedMembers = PackedArgs.pack(members);
        }

        @Override
        public AddResult apply(LiveSortedSet set) {
            byte[][] members = PackedArgs.unpack(packedMembers);
            int added = 0;
            int updated = 0;
            int processed = 0;
            double last = Double.NaN;
            for (int i = 0; i < members.length; i++) {
                double current = set.score(members[i]);
                double target = target(flags, current, scores[i]);
                if (Double.isNaN(target)) {
                    continue; // skipped; an increment to NaN never gets here, the primary refused it first
                }
                processed++;
                last = target;
                if (Double.isNaN(current)) {
                    set.put(members[i], target);
                    added++;
                } else if (target != current) {
                    set.put(members[i], target);
                    updated++;
                }
            }
            return new AddResult(added, updated, processed, last, false);
        }
    }

    /** ZREM: removes the members; answers how many were there. */
    public static final class Remove extends SortedSetOperation<Integer> {
        private byte[] packedMembers;

        @SuppressWarnings("unused") // Kryo
        private Remove() {
        }

        Remove(byte[][] members) {
            this.packedMembers = PackedArgs.pack(members);
        }

        @Override
        public Integer apply(LiveSortedSet set) {
            int removed = 0;
            for (byte[] member : PackedArgs.unpack(packedMembers)) {
                if (!Double.isNaN(set.remove(member))) {
                    removed++;
                }
            }
            return removed;
        }
    }

    /** A member taken out of a set, with its score. */
    record Scored(byte[] member, double score) {
    }

    /**
     * The removals by rank, score and lex range, and the pops: removes {@code count} members from rank {@code from}
     * on; answers them in ascending order.
     */
    public static final class RemoveRange extends SortedSetOperation<List<Scored>> {
        private long from;
        private long count;

        @SuppressWarnings("unused") // Kryo
        private RemoveRange() {
        }

        RemoveRange(long from, long count) {
            this.from = from;
            this.count = count;
        }

        @Override
        public List<Scored> apply(LiveSortedSet set) {
            List<Scored> removed = new ArrayList<>((int) Math.min(count, 1 << 16));
            if (from >= 0 && from < set.size()) {
                set.removeRange(from, count, (member, score) -> removed.add(new Scored(member, score)));
            }
            return removed;
        }
    }
}
