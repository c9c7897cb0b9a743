package io.tessera.redis.internal.command;

import io.tessera.redis.internal.protocol.Reply;
import io.tessera.redis.internal.store.Bytes;
import io.tessera.redis.internal.store.LexRange;
import io.tessera.redis.internal.store.ScoreRange;
import io.tessera.redis.internal.store.SortedSetView;
import io.tessera.redis.internal.store.StoredValue;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Commands on one sorted set, each one atomic step on its key's primary with Redis 7.0's replies and errors. Reads
 * look at the live set where it is (no copy); writes are live operations ({@link SortedSetOperations}), so a ZADD to
 * a set of a million members costs O(log n) on the primary and ships the (score, member) pairs, not the set. A write
 * that would change nothing (ZADD NX of a member already there, ZREM of absent members) writes nothing, as Redis
 * neither notifies nor touches the key then. The commands on several keys are in {@link SortedSetMultiKeyCommands}.
 */
final class SortedSetCommands {
    static final String GROUP = "sorted-set";
    private static final Reply.Error NAN_SCORE = new Reply.Error("ERR resulting score is not a number (NaN)");
    private static final Reply.Error MUST_BE_POSITIVE = new Reply.Error("ERR value is out of range, must be positive");

    private SortedSetCommands() {
    }

    static void register(CommandTable.Builder table) {
        table.keyCommand("zadd", -4, "write denyoom fast", GROUP,
                "Add one or more members to a sorted set, or update its score if it already exists",
                (entry, args) -> zadd(entry, args, 0));
        table.keyCommand("zincrby", 4, "write denyoom fast", GROUP,
                "Increment the score of a member in a sorted set",
                (entry, args) -> zadd(entry, args, SortedSetOperations.INCR));
        table.keyCommand("zrem", -3, "write fast", GROUP, "Remove one or more members from a sorted set",
                SortedSetCommands::zrem);
        table.keyCommand("zcard", 2, "readonly fast", GROUP, "Get the number of members in a sorted set",
                (entry, args) -> Reply.integer(entry.sortedSet().size()));
        table.keyCommand("zscore", 3, "readonly fast", GROUP,
                "Get the score associated with the given member in a sorted set",
                (entry, args) -> score(entry.sortedSet().score(args[2])));
        table.keyCommand("zmscore", -3, "readonly fast", GROUP,
                "Get the score associated with the given members in a sorted set", SortedSetCommands::zmscore);
        table.keyCommand("zrank", 3, "readonly fast", GROUP, "Determine the index of a member in a sorted set",
                (entry, args) -> rank(entry.sortedSet(), args[2], false));
        table.keyCommand("zrevrank", 3, "readonly fast", GROUP,
                "Determine the index of a member in a sorted set, with scores ordered from high to low",
                (entry, args) -> rank(entry.sortedSet(), args[2], true));
        table.keyCommand("zrange", -4, "readonly", GROUP, "Return a range of members in a sorted set",
                (entry, args) -> range(entry, args, null, null));
        table.keyCommand("zrevrange", -4, "readonly", GROUP,
                "Return a range of members in a sorted set, by index, with scores ordered from high to low",
                (entry, args) -> range(entry, args, SortedSetRange.By.RANK, true));
        table.keyCommand("zrangebyscore", -4, "readonly", GROUP, "Return a range of members in a sorted set, by score",
                (entry, args) -> range(entry, args, SortedSetRange.By.SCORE, false));
        table.keyCommand("zrevrangebyscore", -4, "readonly", GROUP,
                "Return a range of members in a sorted set, by score, with scores ordered from high to low",
                (entry, args) -> range(entry, args, SortedSetRange.By.SCORE, true));
        table.keyCommand("zrangebylex", -4, "readonly", GROUP,
                "Return a range of members in a sorted set, by lexicographical range",
                (entry, args) -> range(entry, args, SortedSetRange.By.LEX, false));
        table.keyCommand("zrevrangebylex", -4, "readonly", GROUP,
                "Return a range of members in a sorted set, by lexicographical range, ordered from higher to lower "
                        + "strings.", (entry, args) -> range(entry, args, SortedSetRange.By.LEX, true));
        table.keyCommand("zcount", 4, "readonly fast", GROUP,
                "Count the members in a sorted set with scores within the given values", (entry, args) -> {
                    ScoreRange range = SortedSetArguments.scoreRange(args[2], args[3]);
                    return Reply.integer(entry.sortedSet().count(range));
                });
        table.keyCommand("zlexcount", 4, "readonly fast", GROUP,
                "Count the number of members in a sorted set between a given lexicographical range", (entry, args) -> {
                    LexRange range = SortedSetArguments.lexRange(args[2], args[3]);
                    return Reply.integer(entry.sortedSet().count(range));
                });
        table.keyCommand("zremrangebyrank", 4, "write", GROUP,
                "Remove all members in a sorted set within the given indexes", SortedSetCommands::zremrangebyrank);
        table.keyCommand("zremrangebyscore", 4, "write", GROUP,
                "Remove all members in a sorted set within the given scores", (entry, args) -> {
                    ScoreRange range = SortedSetArguments.scoreRange(args[2], args[3]);
                    SortedSetView set = entry.sortedSet();
                    return removeRange(entry, set.firstInRange(range), set.count(range));
                });
        table.keyCommand("zremrangebylex", 4, "write", GROUP,
                "Remove all members in a sorted set between the given lexicographical range", (entry, args) -> {
                    LexRange range = SortedSetArguments.lexRange(args[2], args[3]);
                    SortedSetView set = entry.sortedSet();
                    return removeRange(entry, set.firstInRange(range), set.count(range));
                });
        table.keyCommand("zpopmin", -2, "write fast", GROUP,
                "Remove and return members with the lowest scores in a sorted set", (entry, args) -> zpop(entry, args,
                        false));
        table.keyCommand("zpopmax", -2, "write fast", GROUP,
                "Remove and return members with the highest scores in a sorted set", (entry, args) -> zpop(entry, args,
                        true));
        table.keyCommand("zrandmember", -2, "readonly", GROUP,
                "Get one or multiple random elements from a sorted set", SortedSetCommands::zrandmember);
        table.keyCommand("zscan", -3, "readonly", GROUP,
                "Incrementally iterate sorted sets elements and associated scores", SortedSetCommands::zscan);
    }

    /** A score, or null for a missing member. */
    private static Reply score(double score) {
        return Double.isNaN(score) ? Reply.NULL : new Reply.Double(score);
    }

    /**
     * ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...], and ZINCRBY (ZADD with INCR preset):
     * options, then every score, then the key's type, as Redis checks them, so a bad argument changes nothing.
     */
    private static Reply zadd(KeyEntry entry, byte[][] args, int presetFlags) {
        int flags = presetFlags;
        boolean changed = false;
        int first = 2;
        options:
        for (; first < args.length; first++) {
            if (args[first].length < 2 || args[first].length > 4) {
                break; // no option is shorter or longer: a score, read without building a word
            }
            switch (SortedSetArguments.word(args[first])) {
                case "NX" -> flags |= SortedSetOperations.NX;
                case "XX" -> flags |= SortedSetOperations.XX;
                case "CH" -> changed = true;
                case "INCR" -> flags |= SortedSetOperations.INCR;
                case "GT" -> flags |= SortedSetOperations.GT;
                case "LT" -> flags |= SortedSetOperations.LT;
                default -> {
                    break options;
                }
            }
        }
        int pairs = args.length - first;
        if (pairs == 0 || pairs % 2 != 0) {
            throw RedisException.syntax();
        }
        pairs /= 2;
        boolean nx = (flags & SortedSetOperations.NX) != 0;
        boolean gt = (flags & SortedSetOperations.GT) != 0;
        boolean lt = (flags & SortedSetOperations.LT) != 0;
        boolean incr = (flags & SortedSetOperations.INCR) != 0;
        if (nx && (flags & SortedSetOperations.XX) != 0) {
            return Reply.error("ERR XX and NX options at the same time are not compatible");
        }
        if (gt && nx || lt && nx || gt && lt) {
            return Reply.error("ERR GT, LT, and/or NX options at the same time are not compatible");
        }
        if (incr && pairs > 1) {
            return Reply.error("ERR INCR option supports a single increment-element pair");
        }
        double[] scores = new double[pairs];
        byte[][] members = new byte[pairs][];
        for (int i = 0; i < pairs; i++) {
            scores[i] = SortedSetArguments.score(args[first + 2 * i]);
            members[i] = args[first + 2 * i + 1];
        }
        entry.requireType(StoredValue.ZSET);
        SortedSetOperations.AddResult result;
        if (!entry.exists() && (flags & SortedSetOperations.XX) != 0) {
            result = new SortedSetOperations.AddResult(0, 0, 0, Double.NaN, false);
        } else {
            result = SortedSetOperations.plan(entry.sortedSet(), flags, scores, members);
            if (result.nan()) {
                return NAN_SCORE;
            }
            if (result.added() + result.updated() > 0) {
                result = entry.apply(new SortedSetOperations.Add(flags, scores, members));
            }
        }
        if (incr) {
            return result.processed() > 0 ? new Reply.Double(result.lastScore()) : Reply.NULL;
        }
        return Reply.integer(changed ? result.added() + result.updated() : result.added());
    }

    private static Reply zrem(KeyEntry entry, byte[][] args) {
        SortedSetView set = entry.sortedSet();
        Set<Bytes> present = new HashSet<>();
        for (int i = 2; i < args.length; i++) {
            if (!Double.isNaN(set.score(args[i]))) {
                present.add(Bytes.of(args[i]));
            }
        }
        if (present.isEmpty()) {
            return Reply.ZERO;
        }
        int removed = entry.apply(new SortedSetOperations.Remove(Arrays.copyOfRange(args, 2, args.length)));
        deleteIfEmpty(entry);
        return Reply.integer(removed);
    }

    /** Redis keeps no empty sorted set. */
    private static void deleteIfEmpty(KeyEntry entry) {
        if (entry.sortedSet().size() == 0) {
            entry.remove();
        }
    }

    private static Reply zmscore(KeyEntry entry, byte[][] args) {
        SortedSetView set = entry.sortedSet();
        List<Reply> scores = new ArrayList<>(args.length - 2);
        for (int i = 2; i < args.length; i++) {
            scores.add(score(set.score(args[i])));
        }
        return Reply.array(scores);
    }

    private static Reply rank(SortedSetView set, byte[] member, boolean reverse) {
        long rank = set.rank(member);
        if (rank < 0) {
            return Reply.NULL;
        }
        return Reply.integer(reverse ? set.size() - 1 - rank : rank);
    }

    private static Reply range(KeyEntry entry, byte[][] args, SortedSetRange.By by, Boolean reverse) {
        SortedSetRange range = SortedSetRange.parse(args, 1, false, by, reverse);
        return range.reply(entry.sortedSet());
    }

    private static Reply zremrangebyrank(KeyEntry entry, byte[][] args) {
        long start = Arguments.parseLong(args[2]);
        long stop = Arguments.parseLong(args[3]);
        SortedSetView set = entry.sortedSet();
        long size = set.size();
        if (start < 0) {
            start = Math.max(0, size + start);
        }
        if (stop < 0) {
            stop += size;
        }
        if (start > stop || start >= size) {
            return Reply.ZERO;
        }
        return removeRange(entry, start, Math.min(stop, size - 1) - start + 1);
    }

    /** Removes {@code count} members from rank {@code from} on, shipping the ranks; answers how many. */
    private static Reply removeRange(KeyEntry entry, long from, long count) {
        if (from < 0 || count <= 0) {
            return Reply.ZERO;
        }
        List<SortedSetOperations.Scored> removed = entry.apply(new SortedSetOperations.RemoveRange(from, count));
        deleteIfEmpty(entry);
        return Reply.integer(removed.size());
    }

    /** ZPOPMIN/ZPOPMAX key [count]: one member and its score flat, or with a count in pairs. */
    private static Reply zpop(KeyEntry entry, byte[][] args, boolean max) {
        if (args.length > 3) {
            throw RedisException.syntax();
        }
        long count = 1;
        if (args.length == 3) {
            Long parsed = Arguments.tryParseLong(args[2]);
            if (parsed == null || parsed < 0) {
                return MUST_BE_POSITIVE;
            }
            count = parsed;
        }
        SortedSetView set = entry.sortedSet();
        if (set.size() == 0 || count == 0) {
            return Reply.EMPTY_ARRAY;
        }
        List<Reply> flat = pop(entry, count, max);
        return args.length == 3 ? new Reply.Pairs(List.copyOf(flat)) : Reply.array(flat);
    }

    /**
     * Pops up to {@code count} members of a set that exists, lowest or highest first, deleting the key when it
     * empties; answers them and their scores, flat.
     */
    static List<Reply> pop(KeyEntry entry, long count, boolean max) {
        long size = entry.sortedSet().size();
        long n = Math.min(count, size);
        List<SortedSetOperations.Scored> popped = entry.apply(
                new SortedSetOperations.RemoveRange(max ? size - n : 0, n));
        deleteIfEmpty(entry);
        List<Reply> flat = new ArrayList<>(popped.size() * 2);
        for (int i = 0; i < popped.size(); i++) {
            SortedSetOperations.Scored scored = popped.get(max ? popped.size() - 1 - i : i);
            flat.add(Reply.bulk(scored.member()));
            flat.add(new Reply.Double(scored.score()));
        }
        return flat;
    }

    /**
     * ZRANDMEMBER key [count [WITHSCORES]]: a member; or with a count that many distinct members (the whole set,
     * highest first, when the count reaches its size, as Redis walks it), or with a negative count that many picks
     * that may repeat. Nothing is written: the randomness stays on the primary.
     */
    private static Reply zrandmember(KeyEntry entry, byte[][] args) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        if (args.length == 2) {
            SortedSetView set = entry.sortedSet();
            return set.size() == 0 ? Reply.NULL : Reply.bulk(set.memberAt(random.nextInt(set.size())));
        }
        long count = RandomSupport.parseCount(args[2]);
        if (args.length > 4 || args.length == 4 && !SortedSetArguments.word(args[3]).equals("WITHSCORES")) {
            throw RedisException.syntax();
        }
        boolean withScores = args.length == 4;
        if (withScores && count < -Long.MAX_VALUE / 2) {
            throw new RedisException("ERR value is out of range"); // the reply would have twice as many items
        }
        SortedSetView set = entry.sortedSet();
        int size = set.size();
        if (size == 0 || count == 0) {
            return Reply.EMPTY_ARRAY;
        }
        List<Reply> items = new ArrayList<>();
        if (count < 0 || count == 1) {
            long picks = Math.abs(count);
            if (picks > Integer.MAX_VALUE - 8) {
                throw new RedisException("ERR value is out of range");
            }
            for (long i = 0; i < picks; i++) {
                add(items, set, random.nextInt(size), withScores);
            }
        } else if (count >= size) {
            for (int rank = size - 1; rank >= 0; rank--) {
                add(items, set, rank, withScores);
            }
        } else {
            for (int rank : distinctRanks(size, (int) count, random)) {
                add(items, set, rank, withScores);
            }
        }
        return withScores ? new Reply.Pairs(List.copyOf(items)) : Reply.array(items);
    }

    private static void add(List<Reply> items, SortedSetView set, int rank, boolean withScores) {
        items.add(Reply.bulk(set.memberAt(rank)));
        if (withScores) {
            items.add(new Reply.Double(set.scoreAt(rank)));
        }
    }

    /** {@code count} distinct ranks below {@code size} (count < size), in random order. */
    private static int[] distinctRanks(int size, int count, ThreadLocalRandom random) {
        if ((long) count * 3 > size) {
            int[] all = new int[size];
            for (int i = 0; i < size; i++) {
                all[i] = i;
            }
            for (int i = 0; i < count; i++) {
                int j = i + random.nextInt(size - i);
                int swap = all[i];
                all[i] = all[j];
                all[j] = swap;
            }
            return Arrays.copyOf(all, count);
        }
        Set<Integer> chosen = new HashSet<>();
        int[] ranks = new int[count];
        int n = 0;
        while (n < count) {
            int rank = random.nextInt(size);
            if (chosen.add(rank)) {
                ranks[n++] = rank;
            }
        }
        return ranks;
    }

    /** ZSCAN key cursor [MATCH pattern] [COUNT count]: members and their scores (as text, as Redis sends them). */
    private static Reply zscan(KeyEntry entry, byte[][] args) {
        long cursor = ScanSupport.parseCursor(args[2]);
        SortedSetView set = entry.sortedSet();
        int size = set.size();
        if (size == 0) {
            return ScanSupport.emptyScan();
        }
        ScanSupport.Options options = ScanSupport.parseOptions(args, 3, true);
        if (options.noValues()) {
            throw RedisException.syntax(); // HSCAN's alone, and only from Redis 7.4 on
        }
        List<Bytes> members = new ArrayList<>(size);
        boolean[] compact = {size <= ScanSupport.SMALL};
        set.forEach(0, size, false, (member, score) -> {
            members.add(Bytes.of(member));
            compact[0] &= member.length <= COMPACT_MEMBER_BYTES;
        });
        return ScanSupport.scan(members, member -> Arguments.utf8(
                SortedSetArguments.scanText(set.score(member.bytes()), compact[0])), cursor, options);
    }

    /** Redis's default zset-max-listpack-value: ZSCAN shows the scores of a small set as its compact encoding does. */
    private static final int COMPACT_MEMBER_BYTES = 64;
}
