package io.tessera.redis.internal.command;

import io.tessera.redis.internal.protocol.Reply;
import io.tessera.redis.internal.store.Bytes;
import io.tessera.redis.internal.store.LiveSortedSet;
import io.tessera.redis.internal.store.ScoredConsumer;
import io.tessera.redis.internal.store.SortedSetView;
import io.tessera.redis.internal.store.StoredValue;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The sorted-set commands on several keys: ZUNION, ZINTER, ZDIFF and their *STORE forms, ZINTERCARD, ZRANGESTORE and
 * ZMPOP. Their keys must share a hash slot, as in Redis Cluster ({@code CROSSSLOT} otherwise, checked as soon as the
 * keys are known, before the other arguments, as a cluster node does); the command is then one atomic step on the
 * slot's primary, which checks everything else in Redis's order (ZUNION looks at its keys' types before its options).
 * Sources may be sets, whose members count with score 1, as in Redis.
 *
 * <p>A result is stored whole (a set the size of the result goes to the backups), replacing the destination whatever
 * its type, without a time to live; an empty result deletes it. ZMPOP pops through the same live operation as
 * ZPOPMIN.
 */
final class SortedSetMultiKeyCommands {
    private static final Reply.Error WEIGHT_NOT_A_FLOAT = new Reply.Error("ERR weight value is not a float");

    private enum Op { UNION, INTER, DIFF }

    private SortedSetMultiKeyCommands() {
    }

    static void register(CommandTable.Builder table) {
        combine(table, "zunion", -3, "readonly movablekeys", "Add multiple sorted sets", Op.UNION, false);
        combine(table, "zinter", -3, "readonly movablekeys", "Intersect multiple sorted sets", Op.INTER, false);
        combine(table, "zdiff", -3, "readonly movablekeys", "Subtract multiple sorted sets", Op.DIFF, false);
        combine(table, "zunionstore", -4, "write denyoom movablekeys",
                "Add multiple sorted sets and store the resulting sorted set in a new key", Op.UNION, true);
        combine(table, "zinterstore", -4, "write denyoom movablekeys",
                "Intersect multiple sorted sets and store the resulting sorted set in a new key", Op.INTER, true);
        combine(table, "zdiffstore", -4, "write denyoom movablekeys",
                "Subtract multiple sorted sets and store the resulting sorted set in a new key", Op.DIFF, true);
        register(table, "zintercard", -3, "readonly movablekeys", 0, 0, 0,
                "Intersect multiple sorted sets and return the cardinality of the result",
                args -> numkeyKeys(args, 1, "zintercard"),
                (byKey, args) -> combine("zintercard", byKey, args, Op.INTER, false, true));
        register(table, "zrangestore", -5, "write denyoom", 1, 2, 1,
                "Store a range of members from sorted set into another key", args -> List.of(args[1], args[2]),
                SortedSetMultiKeyCommands::zrangestore);
        register(table, "zmpop", -4, "write movablekeys", 0, 0, 0,
                "Remove and return members with scores in a sorted set",
                SortedSetMultiKeyCommands::zmpopKeys, SortedSetMultiKeyCommands::zmpop);
    }

    /** What runs on the slot's primary, with the entries by key. */
    @FunctionalInterface
    private interface Combined {
        Reply apply(Map<Bytes, KeyEntry> byKey, byte[][] args);
    }

    /** The keys of a command from its arguments; throws Redis's error when they cannot be found. */
    @FunctionalInterface
    private interface Keys {
        List<byte[]> of(byte[][] args);
    }

    private static void combine(CommandTable.Builder table, String name, int arity, String flags, String summary,
                                Op op, boolean store) {
        int numkeys = store ? 2 : 1;
        register(table, name, arity, flags, store ? 1 : 0, store ? 1 : 0, store ? 1 : 0, summary, args -> {
            List<byte[]> keys = new ArrayList<>(numkeyKeys(args, numkeys, name));
            if (store) {
                keys.add(0, args[1]);
            }
            return keys;
        }, (byKey, args) -> combine(name, byKey, args, op, store, false));
    }

    /**
     * One command whose keys must share a slot: the handler finds the keys (or answers the error that keeps them
     * from being found), refuses CROSSSLOT and runs the rest on the slot's primary; a transaction finds the keys the
     * same way, and runs the same step, as a slot operation or, when every key is the same one, a key operation.
     */
    private static void register(CommandTable.Builder table, String name, int arity, String flags, int firstKey,
                                 int lastKey, int step, String summary, Keys keys, Combined combined) {
        table.command(name, arity, flags, firstKey, lastKey, step, SortedSetCommands.GROUP, summary, call -> {
            List<byte[]> distinct;
            try {
                distinct = CommandCall.distinct(keys.of(call.args()));
            } catch (RedisException e) {
                return CommandCall.done(e.reply());
            }
            if (!CommandCall.sameSlot(distinct)) {
                return CompletableFuture.completedFuture(Multi.CROSSSLOT);
            }
            return call.onSlot(distinct, name, call.args());
        }, (entry, args) -> combined.apply(Multi.byKey(List.of(entry)), args));
        table.slotOperation(name, (entries, args) -> combined.apply(Multi.byKey(entries), args));
        table.movableKeys(name, args -> {
            try {
                return keys.of(args);
            } catch (RedisException e) {
                return List.of(); // the command answers the error itself, outside the transaction's step
            }
        });
    }

    /**
     * The keys after a numkeys argument at {@code index}, with ZUNION's errors: not an integer, below 1 ("at least 1
     * input key is needed"), more than the arguments left (syntax error).
     */
    private static List<byte[]> numkeyKeys(byte[][] args, int index, String name) {
        long n = numkeys(args, index, name);
        return Arrays.asList(args).subList(index + 1, index + 1 + (int) n);
    }

    private static long numkeys(byte[][] args, int index, String name) {
        long n = Arguments.parseLong(args[index]);
        if (n < 1) {
            throw new RedisException("ERR at least 1 input key is needed for '" + name + "' command");
        }
        if (n > args.length - (index + 1)) {
            throw RedisException.syntax();
        }
        return n;
    }

    /** A source of ZUNION and its kin: a sorted set, or a set (every member scored 1), or nothing. */
    private record Source(SortedSetView sorted, Set<Bytes> plain, double weight) {
        int size() {
            return sorted != null ? sorted.size() : plain != null ? plain.size() : 0;
        }

        /** The member's score, unweighted (NaN if it is not a member). */
        double score(byte[] member) {
            if (sorted != null) {
                return sorted.score(member);
            }
            return plain != null && plain.contains(Bytes.of(member)) ? 1 : Double.NaN;
        }

        void forEach(ScoredConsumer consumer) {
            if (sorted != null) {
                sorted.forEach(0, sorted.size(), false, consumer);
            } else if (plain != null) {
                for (Bytes member : plain) {
                    consumer.accept(member.bytes(), 1);
                }
            }
        }

        Source weighted(double w) {
            return new Source(sorted, plain, w);
        }
    }

    /**
     * ZUNION/ZINTER/ZDIFF numkeys key ... [WEIGHTS w ...] [AGGREGATE SUM|MIN|MAX] [WITHSCORES], their *STORE forms
     * (destination first, no WITHSCORES) and ZINTERCARD numkeys key ... [LIMIT n], as Redis's
     * {@code zunionInterDiffGenericCommand}: the keys' types are checked before the options are read.
     */
    private static Reply combine(String name, Map<Bytes, KeyEntry> byKey, byte[][] args, Op op, boolean store,
                                 boolean cardOnly) {
        int numkeysIndex = store ? 2 : 1;
        int n = (int) numkeys(args, numkeysIndex, name);
        List<Source> sources = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            KeyEntry entry = Multi.entry(byKey, args[numkeysIndex + 1 + i]);
            byte type = entry.type();
            if (type == 0) {
                sources.add(new Source(null, null, 1));
            } else if (type == StoredValue.ZSET) {
                sources.add(new Source(entry.sortedSet(), null, 1));
            } else if (type == StoredValue.SET) {
                sources.add(new Source(null, entry.setView(), 1));
            } else {
                throw RedisException.wrongType();
            }
        }
        char aggregate = 'S';
        boolean withScores = false;
        long limit = 0;
        int j = numkeysIndex + 1 + n;
        while (j < args.length) {
            int remaining = args.length - j;
            String option = SortedSetArguments.word(args[j]);
            if (op != Op.DIFF && !cardOnly && remaining >= n + 1 && option.equals("WEIGHTS")) {
                j++;
                for (int i = 0; i < n; i++, j++) {
                    sources.set(i, sources.get(i).weighted(SortedSetArguments.number(args[j], WEIGHT_NOT_A_FLOAT)));
                }
            } else if (op != Op.DIFF && !cardOnly && remaining >= 2 && option.equals("AGGREGATE")) {
                switch (SortedSetArguments.word(args[j + 1])) {
                    case "SUM" -> aggregate = 'S';
                    case "MIN" -> aggregate = 'm';
                    case "MAX" -> aggregate = 'M';
                    default -> throw RedisException.syntax();
                }
                j += 2;
            } else if (!store && !cardOnly && option.equals("WITHSCORES")) {
                withScores = true;
                j++;
            } else if (cardOnly && remaining >= 2 && option.equals("LIMIT")) {
                Long value = Arguments.tryParseLong(args[j + 1]);
                if (value == null || value < 0) {
                    throw new RedisException("ERR LIMIT can't be negative");
                }
                limit = value;
                j += 2;
            } else {
                throw RedisException.syntax();
            }
        }
        if (op != Op.DIFF) {
            // Redis walks the sources smallest first (a stable sort); a sum adds up in that order.
            sources.sort(Comparator.comparingInt(Source::size));
        }
        if (cardOnly) {
            return Reply.integer(intersectionSize(sources, limit));
        }
        LiveSortedSet result = switch (op) {
            case UNION -> union(sources, aggregate);
            case INTER -> intersection(sources, aggregate);
            case DIFF -> difference(sources);
        };
        if (store) {
            Multi.entry(byKey, args[1]).replaceWithSortedSet(result);
            return Reply.integer(result.size());
        }
        boolean scores = withScores;
        List<Reply> items = new ArrayList<>(scores ? result.size() * 2 : result.size());
        result.forEach(0, result.size(), false, (member, score) -> {
            items.add(Reply.bulk(member));
            if (scores) {
                items.add(new Reply.Double(score));
            }
        });
        return scores ? new Reply.Pairs(Collections.unmodifiableList(items)) : Reply.array(items);
    }

    private static double aggregate(double target, double value, char aggregate) {
        return switch (aggregate) {
            case 'm' -> value < target ? value : target;
            case 'M' -> value > target ? value : target;
            default -> {
                double sum = target + value;
                yield Double.isNaN(sum) ? 0 : sum; // inf + -inf: Redis's convention is 0
            }
        };
    }

    private static double weighted(Source source, double score) {
        double value = source.weight() * score;
        return Double.isNaN(value) ? 0 : value; // 0 * inf
    }

    private static LiveSortedSet union(List<Source> sources, char aggregate) {
        Map<Bytes, double[]> scores = new HashMap<>();
        List<byte[]> order = new ArrayList<>();
        for (Source source : sources) {
            source.forEach((member, score) -> {
                double value = weighted(source, score);
                double[] total = scores.get(Bytes.of(member));
                if (total == null) {
                    scores.put(Bytes.of(member), new double[] {value});
                    order.add(member);
                } else {
                    total[0] = aggregate(total[0], value, aggregate);
                }
            });
        }
        LiveSortedSet result = new LiveSortedSet();
        for (byte[] member : order) {
            result.put(member, scores.get(Bytes.of(member))[0]);
        }
        return result;
    }

    private static LiveSortedSet intersection(List<Source> sources, char aggregate) {
        LiveSortedSet result = new LiveSortedSet();
        Source smallest = sources.get(0);
        smallest.forEach((member, score) -> {
            double total = weighted(smallest, score);
            for (int j = 1; j < sources.size(); j++) {
                double other = sources.get(j).score(member);
                if (Double.isNaN(other)) {
                    return;
                }
                total = aggregate(total, weighted(sources.get(j), other), aggregate);
            }
            result.put(member, total);
        });
        return result;
    }

    private static LiveSortedSet difference(List<Source> sources) {
        LiveSortedSet result = new LiveSortedSet();
        sources.get(0).forEach((member, score) -> {
            for (int j = 1; j < sources.size(); j++) {
                if (!Double.isNaN(sources.get(j).score(member))) {
                    return;
                }
            }
            result.put(member, score);
        });
        return result;
    }

    /** How many members every source has, counting at most {@code limit} (0: no limit). */
    private static long intersectionSize(List<Source> sources, long limit) {
        long[] count = {0};
        sources.get(0).forEach((member, score) -> {
            if (limit > 0 && count[0] >= limit) {
                return;
            }
            for (int j = 1; j < sources.size(); j++) {
                if (Double.isNaN(sources.get(j).score(member))) {
                    return;
                }
            }
            count[0]++;
        });
        return count[0];
    }

    /** ZRANGESTORE dst src min max [BYSCORE|BYLEX] [REV] [LIMIT offset count]: the size of the stored range. */
    private static Reply zrangestore(Map<Bytes, KeyEntry> byKey, byte[][] args) {
        SortedSetRange range = SortedSetRange.parse(args, 2, true, null, null);
        SortedSetView source = Multi.entry(byKey, args[2]).sortedSet();
        LiveSortedSet result = new LiveSortedSet();
        range.run(source, result::put);
        Multi.entry(byKey, args[1]).replaceWithSortedSet(result);
        return Reply.integer(result.size());
    }

    static List<byte[]> zmpopKeys(byte[][] args) {
        long n = zmpopNumkeys(args);
        if (n > args.length - 3) {
            throw RedisException.syntax(); // no MIN|MAX after the keys: the error Redis gives, before any CROSSSLOT
        }
        return Arrays.asList(args).subList(2, 2 + (int) n);
    }

    private static long zmpopNumkeys(byte[][] args) {
        Long n = Arguments.tryParseLong(args[1]);
        if (n == null || n < 1) {
            throw new RedisException("ERR numkeys should be greater than 0");
        }
        return n;
    }

    /**
     * ZMPOP numkeys key [key ...] MIN|MAX [COUNT count]: pops from the first key that exists, answering
     * {@code [key, [[member, score] ...]]} in either protocol, or a null array when no key exists.
     */
    private static Reply zmpop(Map<Bytes, KeyEntry> byKey, byte[][] args) {
        long n = zmpopNumkeys(args);
        long whereIndex = 1 + n + 1;
        if (whereIndex >= args.length) {
            throw RedisException.syntax();
        }
        boolean max = switch (SortedSetArguments.word(args[(int) whereIndex])) {
            case "MIN" -> false;
            case "MAX" -> true;
            default -> throw RedisException.syntax();
        };
        long count = -1;
        for (int j = (int) whereIndex + 1; j < args.length; j++) {
            if (count == -1 && SortedSetArguments.word(args[j]).equals("COUNT") && j < args.length - 1) {
                Long value = Arguments.tryParseLong(args[++j]);
                if (value == null || value < 1) {
                    throw new RedisException("ERR count should be greater than 0");
                }
                count = value;
            } else {
                throw RedisException.syntax();
            }
        }
        count = Math.max(count, 1);
        for (int i = 2; i < whereIndex; i++) {
            KeyEntry entry = Multi.entry(byKey, args[i]);
            if (!entry.exists()) {
                continue;
            }
            entry.requireType(StoredValue.ZSET);
            List<Reply> flat = SortedSetCommands.pop(entry, count, max);
            List<Reply> pairs = new ArrayList<>(flat.size() / 2);
            for (int k = 0; k + 1 < flat.size(); k += 2) {
                pairs.add(Reply.array(List.of(flat.get(k), flat.get(k + 1))));
            }
            return Reply.array(List.of(Reply.bulk(args[i]), Reply.array(pairs)));
        }
        return Reply.NULL_ARRAY;
    }
}
