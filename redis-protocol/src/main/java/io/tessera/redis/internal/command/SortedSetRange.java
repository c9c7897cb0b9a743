package io.tessera.redis.internal.command;

import io.tessera.redis.internal.protocol.Reply;
import io.tessera.redis.internal.store.LexRange;
import io.tessera.redis.internal.store.ScoreRange;
import io.tessera.redis.internal.store.ScoredConsumer;
import io.tessera.redis.internal.store.SortedSetView;
import java.util.ArrayList;
import java.util.List;

/**
 * One ZRANGE as Redis 7.0's {@code zrangeGenericCommand} reads it, for ZRANGE, ZRANGESTORE and the older
 * Z[REV]RANGE[BYSCORE|BYLEX]: {@code <key> <min> <max> [BYSCORE|BYLEX] [REV] [WITHSCORES] [LIMIT offset count]}, the
 * options in any order, with Redis's errors in Redis's order (options, their conflicts, then the range). Running it
 * hands out the members it selects, in reply order.
 *
 * @param by what min and max are: ranks, scores or members
 * @param reverse whether the range runs from the highest
 * @param withScores whether WITHSCORES was given
 * @param start the first rank (by rank)
 * @param stop the last rank, inclusive (by rank)
 * @param scores the score range (by score)
 * @param lex the lex range (by lex)
 * @param offset LIMIT's offset (0 without LIMIT)
 * @param limit LIMIT's count (-1: no limit)
 */
record SortedSetRange(By by, boolean reverse, boolean withScores, long start, long stop, ScoreRange scores,
                      LexRange lex, long offset, long limit) {

    /** What the two ends of the range are. */
    enum By { RANK, SCORE, LEX }

    /**
     * Parses the range whose key is at {@code keyIndex}; {@code store} for ZRANGESTORE (no WITHSCORES),
     * {@code fixedBy} and {@code fixedReverse} for the commands that name them ({@code null}: the options decide).
     */
    static SortedSetRange parse(byte[][] args, int keyIndex, boolean store, By fixedBy, Boolean fixedReverse) {
        By by = fixedBy;
        Boolean reverse = fixedReverse;
        boolean withScores = false;
        long offset = 0;
        long limit = -1;
        for (int j = keyIndex + 3; j < args.length; j++) {
            String option = SortedSetArguments.word(args[j]);
            int left = args.length - j - 1;
            if (!store && option.equals("WITHSCORES")) {
                withScores = true;
            } else if (option.equals("LIMIT") && left >= 2) {
                offset = SortedSetArguments.integer(args[j + 1]);
                limit = SortedSetArguments.integer(args[j + 2]);
                j += 2;
            } else if (fixedReverse == null && option.equals("REV")) {
                reverse = true; // repeated REV is a syntax error only once the direction is fixed, as in Redis
                fixedReverse = true;
            } else if (fixedBy == null && option.equals("BYLEX")) {
                by = By.LEX;
                fixedBy = By.LEX;
            } else if (fixedBy == null && option.equals("BYSCORE")) {
                by = By.SCORE;
                fixedBy = By.SCORE;
            } else {
                throw RedisException.syntax();
            }
        }
        by = by == null ? By.RANK : by;
        boolean backwards = reverse != null && reverse;
        if (limit != -1 && by == By.RANK) {
            throw new RedisException("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or "
                    + "BYLEX");
        }
        if (withScores && by == By.LEX) {
            throw new RedisException("ERR syntax error, WITHSCORES not supported in combination with BYLEX");
        }
        byte[] min = args[keyIndex + 1];
        byte[] max = args[keyIndex + 2];
        if (backwards && by != By.RANK) {
            byte[] swap = min; // the reversed commands name the range max first
            min = max;
            max = swap;
        }
        return switch (by) {
            case RANK -> new SortedSetRange(by, backwards, withScores, Arguments.parseLong(min),
                    Arguments.parseLong(max), null, null, offset, limit);
            case SCORE -> new SortedSetRange(by, backwards, withScores, 0, 0,
                    SortedSetArguments.scoreRange(min, max), null, offset, limit);
            case LEX -> new SortedSetRange(by, backwards, false, 0, 0, null,
                    SortedSetArguments.lexRange(min, max), offset, limit);
        };
    }

    /** Hands the selected members of {@code set} to {@code out}, in reply order. */
    void run(SortedSetView set, ScoredConsumer out) {
        long size = set.size();
        if (by == By.RANK) {
            long first = start < 0 ? Math.max(0, size + start) : start;
            long last = stop < 0 ? size + stop : stop;
            if (first > last || first >= size) {
                return;
            }
            last = Math.min(last, size - 1);
            long count = last - first + 1;
            set.forEach(reverse ? size - 1 - first : first, count, reverse, out);
            return;
        }
        if (offset < 0 || (offset > 0 && offset >= size)) {
            return; // Redis steps a negative offset off the end of the list
        }
        long first;
        if (by == By.SCORE) {
            first = reverse ? set.lastInRange(scores) : set.firstInRange(scores);
        } else {
            first = reverse ? set.lastInRange(lex) : set.firstInRange(lex);
        }
        if (first < 0) {
            return;
        }
        // As Redis: step over the offset without looking, then hand out members while they are in range.
        long[] left = {limit};
        set.walk(reverse ? first - offset : first + offset, reverse, (member, score) -> {
            boolean inRange = by == By.SCORE ? reverse ? scores.aboveMin(score) : scores.belowMax(score)
                    : reverse ? lex.aboveMin(member) : lex.belowMax(member);
            if (left[0] == 0 || !inRange) {
                return false;
            }
            out.accept(member, score);
            left[0]--;
            return true;
        });
    }

    /** The reply to ZRANGE and its kin: the members, or with WITHSCORES members and scores in pairs. */
    Reply reply(SortedSetView set) {
        List<Reply> items = new ArrayList<>();
        run(set, (member, score) -> {
            items.add(Reply.bulk(member));
            if (withScores) {
                items.add(new Reply.Double(score));
            }
        });
        return withScores ? new Reply.Pairs(List.copyOf(items)) : Reply.array(items);
    }
}
