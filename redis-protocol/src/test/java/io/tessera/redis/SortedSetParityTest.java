package io.tessera.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tessera.redis.testing.RawRespClient;
import io.tessera.redis.testing.RedisParityTestBase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.RedisProtocol;

/**
 * Every sorted-set command answers as a real {@code redis-server} 7.0 does, reply for reply and error for error: the
 * same command sequences run against both, through RESP2 (rendered by Jedis) and RESP3 (compared as raw bytes). The
 * keys of multi-key commands share a hash tag, as Redis Cluster needs.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class SortedSetParityTest extends RedisParityTestBase {
    private static void same(Jedis tessera, Jedis real, String... command) {
        assertThat(reply(tessera, command)).as(String.join(" ", command)).isEqualTo(reply(real, command));
    }

    private static void script(Jedis tessera, Jedis real, String[]... commands) {
        for (String[] command : commands) {
            same(tessera, real, command);
        }
    }

    private static String[] c(String... args) {
        return args;
    }

    @BeforeEach
    void flush() {
        try (Jedis tessera = jedis(0, RedisProtocol.RESP2); Jedis real = redis.client()) {
            tessera.flushAll();
            real.flushAll();
        }
    }

    @Test
    void zadd_withEveryOptionScoreSyntaxAndError_matchesRedis() {
        try (Jedis tessera = jedis(0, RedisProtocol.RESP2); Jedis real = redis.client()) {
            script(tessera, real,
                    c("ZADD", "z", "1", "a", "2", "b", "3", "c"), c("ZADD", "z", "NX", "5", "a", "4", "d"),
                    c("ZADD", "z", "XX", "5", "a", "6", "e"), c("ZADD", "z", "XX", "CH", "6", "a", "6", "b"),
                    c("ZADD", "z", "GT", "CH", "1", "a", "7", "b", "9", "f"),
                    c("ZADD", "z", "lt", "ch", "1", "a", "8", "b"),
                    c("ZADD", "z", "XX", "GT", "100", "c"), c("ZADD", "z", "INCR", "2.5", "a"),
                    c("ZADD", "z", "INCR", "NX", "1", "a"), c("ZADD", "z", "INCR", "XX", "1", "nope"),
                    c("ZADD", "z", "INCR", "GT", "-1", "a"), c("ZADD", "z", "INCR", "LT", "-1", "a"),
                    c("ZADD", "z", "CH", "1", "x", "1", "x", "2", "x"), c("ZADD", "z", "NX", "1", "y", "2", "y"),
                    c("ZADD", "z", "NX", "XX", "1", "a"), c("ZADD", "z", "GT", "LT", "1", "a"),
                    c("ZADD", "z", "NX", "GT", "1", "a"), c("ZADD", "z", "INCR", "1", "a", "2", "b"),
                    c("ZADD", "z", "1"), c("ZADD", "z", "1", "a", "2"), c("ZADD", "z", "x", "a"),
                    c("ZADD", "z", "nx"), c("ZADD", "z", "NX", "CH"), c("ZADD", "z", "1", "a", "x", "b"),
                    c("ZADD", "nokey", "XX", "1", "a"), c("EXISTS", "nokey"),
                    c("ZADD", "nokey", "XX", "INCR", "1", "a"),
                    c("ZRANGE", "z", "0", "-1", "WITHSCORES"));
            String[] scores = {"0x10", "0x1p-2", "0X1.8P1", "-0x.8p1", "inf", "-Infinity", "+INF", "1e400", "-1e400",
                "1e-400", "4.9e-324", "2e-324", ".5", "5.", "+1", " 1", "1 ", "", "nan", "-nan", "1e5x", "0x", "1.5f",
                "1d", "-0", "1e308", "0e-999", "123456789012345678901234567890", "0.1", "-1.5e-7", "1e17", "1e16",
                "9007199254740993", "4611686018427387904", "1.7976931348623157e308", "1,5", "0b1", "--1", "1e+5",
                "1E-5", "00012", "١"};
            for (int i = 0; i < scores.length; i++) {
                same(tessera, real, "ZADD", "f", scores[i], "m" + i);
            }
            script(tessera, real, c("ZRANGE", "f", "0", "-1", "WITHSCORES"), c("ZSCAN", "f", "0"),
                    c("ZINCRBY", "z", "1.5", "a"), c("ZINCRBY", "z", "x", "a"), c("ZINCRBY", "z", "1", "new"),
                    c("ZINCRBY", "z", "nx", "a"), c("ZADD", "z", "inf", "infm"), c("ZINCRBY", "z", "-inf", "infm"),
                    c("ZADD", "z", "INCR", "-inf", "infm"), c("ZSCORE", "z", "infm"), c("ZINCRBY", "z", "1", "infm"),
                    c("ZADD", "z", "INCR", "-0", "negzero"), c("ZINCRBY", "z", "-0", "negzero2"),
                    c("ZADD", "z", "INCR", "0.1", "tenth"), c("ZINCRBY", "z", "0.2", "tenth"),
                    c("ZSCORE", "z", "a"), c("ZSCORE", "z", "nope"), c("ZSCORE", "nokey", "a"),
                    c("ZMSCORE", "z", "a", "nope", "b"), c("ZMSCORE", "nokey", "a"), c("ZCARD", "z"),
                    c("ZCARD", "nokey"), c("ZRANK", "z", "a"), c("ZREVRANK", "z", "a"), c("ZRANK", "z", "nope"),
                    c("ZRANK", "nokey", "a"), c("ZREVRANK", "nokey", "a"), c("ZREM", "z", "a", "nope", "a"),
                    c("ZREM", "z", "nope"), c("ZREM", "nokey", "a"), c("ZRANGE", "z", "0", "-1", "WITHSCORES"),
                    c("SET", "str", "v"), c("ZADD", "str", "1", "a"), c("ZADD", "str", "x", "a"),
                    c("ZADD", "str", "NX", "XX", "1", "a"), c("ZSCORE", "str", "a"), c("ZMSCORE", "str", "a"),
                    c("ZCARD", "str"), c("ZRANK", "str", "a"), c("ZREM", "str", "a"), c("ZINCRBY", "str", "1", "a"),
                    c("GET", "z"), c("LPUSH", "z", "x"), c("SADD", "z", "x"), c("TYPE", "z"), c("TYPE", "str"),
                    c("ZADD", "one", "1", "a"), c("ZREM", "one", "a"), c("EXISTS", "one"),
                    c("ZADD", "z", "1", "a", "1", "b"), c("ZRANK", "z"), c("ZSCORE", "z"), c("ZCARD", "z", "x"));
        }
    }

    @Test
    void rangesByRankScoreAndLex_withLimitRevAndScores_matchRedis() {
        SplittableRandom random = new SplittableRandom(11);
        try (Jedis tessera = jedis(1, RedisProtocol.RESP2); Jedis real = redis.client()) {
            for (Jedis j : List.of(tessera, real)) {
                send(j, "ZADD", "r", "-inf", "ninf", "-2.5", "a", "0", "b", "0", "c", "1", "d", "1.5", "e", "2", "f",
                        "3", "g", "3", "h", "3", "i", "10", "j", "1e20", "k", "inf", "pinf");
                send(j, "ZADD", "lex", "0", "", "0", "a", "0", "aa", "0", "ab", "0", "b", "0", "ba", "0", "c", "0",
                        "\u00ff", "0", "\u00ff\u00ff");
            }
            String[] ranks = {"-100", "-13", "-5", "-1", "0", "1", "3", "12", "13", "100", "x", "1.5", "-0"};
            String[] scores = {"-inf", "+inf", "(-inf", "(+inf", "0", "(0", "1.5", "(1.5", "3", "(3", "10", "x", "(",
                "", " 2", "inf", "(5", "1e400", "(x", "-2.5", "2 "};
            String[] lex = {"-", "+", "[a", "(a", "[b", "(ab", "[", "(", "a", "[\u00ff", "(c", "[zz", "+x", "-x", ""};
            String[] limits = {"-1", "0", "1", "2", "5", "100"};
            for (int i = 0; i < 600; i++) {
                List<String> command = new ArrayList<>();
                String key = random.nextInt(8) == 0 ? "nokey" : "r";
                switch (random.nextInt(10)) {
                    case 0, 1 -> {
                        command.addAll(List.of("ZRANGE", key, pick(random, ranks), pick(random, ranks)));
                        options(random, command, true, false, false, limits);
                    }
                    case 2 -> command.addAll(List.of("ZREVRANGE", key, pick(random, ranks), pick(random, ranks)));
                    case 3, 4 -> {
                        command.addAll(List.of("ZRANGE", key, pick(random, scores), pick(random, scores), "BYSCORE"));
                        options(random, command, true, true, true, limits);
                    }
                    case 5 -> {
                        command.addAll(List.of(random.nextBoolean() ? "ZRANGEBYSCORE" : "ZREVRANGEBYSCORE", key,
                                pick(random, scores), pick(random, scores)));
                        options(random, command, true, true, false, limits);
                    }
                    case 6 -> {
                        command.addAll(List.of("ZRANGE", key.equals("r") ? "lex" : key, pick(random, lex),
                                pick(random, lex), "BYLEX"));
                        options(random, command, random.nextInt(6) == 0, true, true, limits);
                    }
                    case 7 -> {
                        command.addAll(List.of(random.nextBoolean() ? "ZRANGEBYLEX" : "ZREVRANGEBYLEX",
                                key.equals("r") ? "lex" : key, pick(random, lex), pick(random, lex)));
                        options(random, command, random.nextInt(6) == 0, true, false, limits);
                    }
                    case 8 -> command.addAll(List.of("ZCOUNT", key, pick(random, scores), pick(random, scores)));
                    default -> command.addAll(List.of("ZLEXCOUNT", key.equals("r") ? "lex" : key, pick(random, lex),
                            pick(random, lex)));
                }
                if (random.nextInt(10) == 0) {
                    command.set(1, "str");
                    for (Jedis j : List.of(tessera, real)) {
                        j.set("str", "v");
                    }
                }
                same(tessera, real, command.toArray(String[]::new));
            }
            script(tessera, real, c("ZRANGE", "r", "0", "-1", "LIMIT", "0", "1"),
                    c("ZRANGE", "r", "0", "-1", "LIMIT", "0", "-1"),
                    c("ZRANGE", "lex", "-", "+", "BYLEX", "WITHSCORES"),
                    c("ZRANGE", "r", "0", "1", "BYLEX", "BYSCORE"), c("ZRANGE", "r", "0", "1", "REV", "REV"),
                    c("ZRANGE", "r", "0", "1", "LIMIT", "1"), c("ZRANGE", "r", "0", "1", "BYSCORE", "LIMIT", "x", "1"),
                    c("ZRANGEBYSCORE", "r", "0", "1", "REV"), c("ZRANGEBYSCORE", "r", "0", "1", "BYSCORE"),
                    c("ZREVRANGE", "r", "0", "1", "BYSCORE"), c("ZREVRANGE", "r", "0", "1", "LIMIT", "0", "1"),
                    c("ZRANGEBYSCORE", "r", "-inf", "inf", "WITHSCORES", "WITHSCORES"), c("ZRANGE", "r", "0"),
                    c("ZRANGEBYLEX", "lex", "-", "+", "WITHSCORES"), c("ZRANGESTORE", "{r}d", "r", "0", "-1"));
        }
    }

    private static String pick(SplittableRandom random, String[] choices) {
        return choices[random.nextInt(choices.length)];
    }

    /** Adds, in random order, some of WITHSCORES, LIMIT offset count and REV. */
    private static void options(SplittableRandom random, List<String> command, boolean scores, boolean limit,
                                boolean rev, String[] limits) {
        List<List<String>> options = new ArrayList<>();
        if (scores && random.nextBoolean()) {
            options.add(List.of("WITHSCORES"));
        }
        if (limit && random.nextBoolean()) {
            options.add(List.of("LIMIT", pick(random, limits), pick(random, limits)));
        }
        if (rev && random.nextBoolean()) {
            options.add(List.of("REV"));
        }
        Collections.shuffle(options, new java.util.Random(random.nextLong()));
        options.forEach(command::addAll);
    }

    @Test
    void randomWrites_removalsAndPops_leaveTheSameSets_asRedis() {
        SplittableRandom random = new SplittableRandom(23);
        String[] keys = {"{w}1", "{w}2", "{w}3"};
        String[] members = {"a", "b", "c", "d", "e", "f", "g", "h"};
        String[] scores = {"0", "1", "1", "2.5", "-3", "inf", "-inf", "(1", "0.1", "x"};
        try (Jedis tessera = jedis(2, RedisProtocol.RESP2); Jedis real = redis.client()) {
            for (int i = 0; i < 1500; i++) {
                String key = pick(random, keys);
                String[] command = switch (random.nextInt(14)) {
                    case 0, 1, 2 -> c("ZADD", key, pick(random, new String[] {"NX", "XX", "GT", "LT", "CH", "0"}),
                            pick(random, scores), pick(random, members), pick(random, scores), pick(random, members));
                    case 3 -> c("ZINCRBY", key, pick(random, scores), pick(random, members));
                    case 4 -> c("ZREM", key, pick(random, members), pick(random, members));
                    case 5 -> c("ZREMRANGEBYRANK", key, Integer.toString(random.nextInt(10) - 5),
                            Integer.toString(random.nextInt(10) - 5));
                    case 6 -> c("ZREMRANGEBYSCORE", key, pick(random, scores), pick(random, scores));
                    case 7 -> c("ZREMRANGEBYLEX", key, pick(random, new String[] {"-", "[b", "(c", "[a"}),
                            pick(random, new String[] {"+", "[d", "(e", "[a"}));
                    case 8 -> c(random.nextBoolean() ? "ZPOPMIN" : "ZPOPMAX", key);
                    case 9 -> c(random.nextBoolean() ? "ZPOPMIN" : "ZPOPMAX", key,
                            Integer.toString(random.nextInt(5) - 1));
                    case 10 -> c("ZMPOP", Integer.toString(1 + random.nextInt(3)), keys[0], keys[1], keys[2],
                            random.nextBoolean() ? "MIN" : "MAX", "COUNT", Integer.toString(1 + random.nextInt(3)));
                    case 11 -> c("ZADD", key, "INCR", pick(random, scores), pick(random, members));
                    case 12 -> c("EXISTS", key);
                    default -> c("ZRANGE", key, "0", "-1", "WITHSCORES");
                };
                if (command[0].equals("ZMPOP")) {
                    int n = Integer.parseInt(command[1]);
                    List<String> trimmed = new ArrayList<>(List.of("ZMPOP", command[1]));
                    trimmed.addAll(List.of(keys).subList(0, n));
                    trimmed.addAll(List.of(command).subList(5, command.length));
                    command = trimmed.toArray(String[]::new);
                }
                same(tessera, real, command);
            }
            for (String key : keys) {
                same(tessera, real, "ZRANGE", key, "0", "-1", "WITHSCORES");
            }
            script(tessera, real, c("ZPOPMIN", "z", "-1"), c("ZPOPMIN", "z", "x"), c("ZPOPMIN", "z", "1", "2"),
                    c("ZMPOP", "0", "z", "MIN"), c("ZMPOP", "x", "z", "MIN"), c("ZMPOP", "1", "z"),
                    c("ZMPOP", "2", "z", "MIN"), c("ZMPOP", "1", "z", "MID"), c("ZMPOP", "1", "z", "MIN", "COUNT", "0"),
                    c("ZMPOP", "1", "z", "MIN", "COUNT", "1", "COUNT", "1"), c("ZMPOP", "1", "z", "MIN", "COUNT"),
                    c("ZMPOP", "1", "nokey", "MAX"), c("SET", "{w}s", "v"), c("ZMPOP", "2", "{w}none", "{w}s", "MIN"),
                    c("ZPOPMIN", "{w}s"), c("ZREMRANGEBYRANK", "{w}s", "x", "1"),
                    c("ZREMRANGEBYRANK", "{w}s", "0", "1"),
                    c("ZREMRANGEBYSCORE", "{w}s", "x", "1"), c("ZREMRANGEBYLEX", "{w}s", "x", "1"),
                    c("ZREMRANGEBYLEX", "nokey", "[a", "[b"));
        }
    }

    @Test
    void unionInterDiffAndTheirStores_withWeightsAggregatesAndSets_matchRedis() {
        try (Jedis tessera = jedis(0, RedisProtocol.RESP2); Jedis real = redis.client()) {
            for (Jedis j : List.of(tessera, real)) {
                send(j, "ZADD", "{u}1", "1", "a", "2", "b", "3", "c", "inf", "i", "-inf", "n");
                send(j, "ZADD", "{u}2", "10", "b", "20", "c", "30", "d", "-inf", "i", "inf", "n");
                send(j, "ZADD", "{u}3", "0.1", "a", "0.2", "c", "0.3", "e");
                send(j, "SADD", "{u}set", "a", "c", "x", "1", "2");
                send(j, "SET", "{u}str", "v");
            }
            List<String[]> commands = new ArrayList<>();
            for (String op : List.of("ZUNION", "ZINTER", "ZDIFF")) {
                commands.add(c(op, "2", "{u}1", "{u}2"));
                commands.add(c(op, "2", "{u}1", "{u}2", "WITHSCORES"));
                commands.add(c(op, "3", "{u}1", "{u}2", "{u}3", "WITHSCORES"));
                commands.add(c(op, "2", "{u}1", "{u}set", "WITHSCORES"));
                commands.add(c(op, "2", "{u}set", "{u}1", "WITHSCORES"));
                commands.add(c(op, "2", "{u}1", "{u}none", "WITHSCORES"));
                commands.add(c(op, "1", "{u}none"));
                commands.add(c(op, "2", "{u}1", "{u}1", "WITHSCORES"));
                commands.add(c(op, "2", "{u}1", "{u}2", "WEIGHTS", "2", "0.5", "WITHSCORES"));
                commands.add(c(op, "2", "{u}1", "{u}2", "WEIGHTS", "0", "1", "WITHSCORES"));
                commands.add(c(op, "2", "{u}1", "{u}2", "WEIGHTS", "-1", "inf", "withscores"));
                commands.add(c(op, "2", "{u}1", "{u}2", "AGGREGATE", "MIN", "WITHSCORES"));
                commands.add(c(op, "2", "{u}1", "{u}2", "AGGREGATE", "max", "WITHSCORES", "WEIGHTS", "1", "2"));
                commands.add(c(op, "2", "{u}1", "{u}2", "AGGREGATE", "SUM", "AGGREGATE", "MAX", "WITHSCORES"));
                commands.add(c(op, "2", "{u}1", "{u}2", "AGGREGATE", "AVG"));
                commands.add(c(op, "2", "{u}1", "{u}2", "WEIGHTS", "1"));
                commands.add(c(op, "2", "{u}1", "{u}2", "WEIGHTS", "1", "x"));
                commands.add(c(op, "2", "{u}1", "{u}2", "WEIGHTS"));
                commands.add(c(op, "2", "{u}1", "{u}2", "LIMIT", "1"));
                commands.add(c(op, "2", "{u}str", "{u}1", "WEIGHTS", "x"));
                commands.add(c(op, "0", "{u}1"));
                commands.add(c(op, "-1", "{u}1"));
                commands.add(c(op, "x", "{u}1"));
                commands.add(c(op, "3", "{u}1", "{u}2"));
                String store = op + "STORE";
                commands.add(c(store, "{u}dst", "2", "{u}1", "{u}2"));
                commands.add(c("ZRANGE", "{u}dst", "0", "-1", "WITHSCORES"));
                commands.add(c(store, "{u}dst", "2", "{u}1", "{u}2", "WEIGHTS", "1", "2", "AGGREGATE", "MAX"));
                commands.add(c("ZRANGE", "{u}dst", "0", "-1", "WITHSCORES"));
                commands.add(c(store, "{u}dst", "2", "{u}1", "{u}2", "WITHSCORES"));
                commands.add(c(store, "{u}str", "1", "{u}1"));
                commands.add(c("TYPE", "{u}str"));
                commands.add(c("SET", "{u}str", "v"));
                commands.add(c(store, "{u}dst", "1", "{u}none"));
                commands.add(c("EXISTS", "{u}dst"));
                commands.add(c(store, "{u}1", "2", "{u}1", "{u}3"));
                commands.add(c("ZRANGE", "{u}1", "0", "-1", "WITHSCORES"));
                commands.add(c(store, "{u}dst", "0", "{u}1"));
                commands.add(c(store, "{u}dst", "2", "{u}1"));
                commands.add(c("DEL", "{u}1"));
                commands.add(c("ZADD", "{u}1", "1", "a", "2", "b", "3", "c", "inf", "i", "-inf", "n"));
            }
            commands.addAll(List.of(c("ZINTERCARD", "2", "{u}1", "{u}2"), c("ZINTERCARD", "2", "{u}1", "{u}set"),
                    c("ZINTERCARD", "2", "{u}1", "{u}2", "LIMIT", "2"),
                    c("ZINTERCARD", "2", "{u}1", "{u}2", "LIMIT", "0"),
                    c("ZINTERCARD", "2", "{u}1", "{u}none"), c("ZINTERCARD", "0", "{u}1"),
                    c("ZINTERCARD", "2", "{u}1"), c("ZINTERCARD", "1", "{u}1", "LIMIT", "-1"),
                    c("ZINTERCARD", "1", "{u}1", "LIMIT", "x"), c("ZINTERCARD", "1", "{u}1", "WITHSCORES"),
                    c("ZINTERCARD", "1", "{u}str"), c("ZINTERCARD", "1", "{u}1", "LIMIT")));
            for (String[] command : commands) {
                same(tessera, real, command);
            }
        }
    }

    @Test
    void zrangestore_andCopyRenameMoveExpire_ofSortedSets_matchRedis() {
        try (Jedis tessera = jedis(1, RedisProtocol.RESP2); Jedis real = redis.client()) {
            script(tessera, real, c("ZADD", "{s}src", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e"),
                    c("ZRANGESTORE", "{s}dst", "{s}src", "1", "-2"), c("ZRANGE", "{s}dst", "0", "-1", "WITHSCORES"),
                    c("ZRANGESTORE", "{s}dst", "{s}src", "(1", "4", "BYSCORE", "REV", "LIMIT", "1", "2"),
                    c("ZRANGESTORE", "{s}dst", "{s}src", "4", "(1", "BYSCORE", "REV", "LIMIT", "1", "2"),
                    c("ZRANGE", "{s}dst", "0", "-1", "WITHSCORES"),
                    c("ZRANGESTORE", "{s}dst", "{s}src", "[b", "[d", "BYLEX"),
                    c("ZRANGESTORE", "{s}dst", "{s}src", "0", "-1", "WITHSCORES"),
                    c("ZRANGESTORE", "{s}dst", "{s}src", "0", "-1", "LIMIT", "0", "1"),
                    c("ZRANGESTORE", "{s}dst", "{s}none", "0", "-1"), c("EXISTS", "{s}dst"),
                    c("SET", "{s}str", "v"), c("ZRANGESTORE", "{s}dst", "{s}str", "0", "-1"),
                    c("ZRANGESTORE", "{s}str", "{s}src", "0", "0"), c("TYPE", "{s}str"),
                    c("ZRANGESTORE", "{s}src", "{s}src", "0", "1"), c("ZRANGE", "{s}src", "0", "-1", "WITHSCORES"),
                    c("ZRANGESTORE", "{s}dst", "{s}src", "x", "1"), c("ZRANGESTORE", "{s}dst", "{s}src", "0"),
                    c("ZADD", "big", "1", "a", "2", "b"), c("EXPIRE", "big", "1000"), c("COPY", "big", "big2"),
                    c("ZRANGE", "big2", "0", "-1", "WITHSCORES"), c("TTL", "big2"), c("RENAME", "big", "big3"),
                    c("ZADD", "big3", "3", "c"), c("ZRANGE", "big3", "0", "-1", "WITHSCORES"), c("TYPE", "big3"),
                    c("MOVE", "big3", "1"), c("EXISTS", "big3"), c("SELECT", "1"), c("ZCARD", "big3"),
                    c("ZADD", "big3", "4", "d"), c("SELECT", "0"), c("PERSIST", "big2"), c("TTL", "big2"));
            for (Jedis j : List.of(tessera, real)) {
                j.select(0);
            }
        }
    }

    @Test
    void zrandmemberAndZscan_matchRedis_whereRedisIsDeterministic() {
        try (Jedis tessera = jedis(2, RedisProtocol.RESP2); Jedis real = redis.client()) {
            script(tessera, real, c("ZADD", "z", "1", "a", "2", "b", "3", "c", "1.5", "d", "123456789012345678", "g",
                            "4611686018427387904", "x1", "4611686018427388928", "x2", "-4611686018427387904", "x3",
                            "-4611686018427388928", "x4", "1e18", "x5", "0.1", "t"),
                    c("ZRANDMEMBER", "z", "11"), c("ZRANDMEMBER", "z", "100", "WITHSCORES"), c("ZRANDMEMBER", "z", "0"),
                    c("ZRANDMEMBER", "nokey"), c("ZRANDMEMBER", "nokey", "3"), c("ZRANDMEMBER", "z", "x"),
                    c("ZRANDMEMBER", "z", "1", "withscore"), c("ZRANDMEMBER", "z", "1", "WITHSCORES", "x"),
                    c("ZRANDMEMBER", "z", "-9223372036854775808"),
                    c("ZRANDMEMBER", "z", "-4611686018427387904", "WITHSCORES"),
                    c("ZRANDMEMBER", "nokey", "-4611686018427387904", "WITHSCORES"), c("SET", "str", "v"),
                    c("ZRANDMEMBER", "str"), c("ZRANDMEMBER", "str", "2"), c("ZSCAN", "z", "0"),
                    c("ZSCAN", "z", "0", "MATCH", "x*"), c("ZSCAN", "z", "0", "COUNT", "1"), c("ZSCAN", "z", "x"),
                    c("ZSCAN", "z", "0", "COUNT", "0"), c("ZSCAN", "z", "0", "NOVALUES"), c("ZSCAN", "nokey", "0"),
                    c("ZSCAN", "nokey", "0", "COUNT", "0"), c("ZSCAN", "str", "0"));
            Set<String> members = Set.of("a", "b", "c", "d", "g", "x1", "x2", "x3", "x4", "x5", "t");
            assertThat(tessera.zrandmember("z")).isIn(members);
            assertThat(tessera.zrandmember("z", 5)).hasSize(5).doesNotHaveDuplicates().allMatch(members::contains);
            assertThat(tessera.zrandmember("z", 8)).hasSize(8).doesNotHaveDuplicates().allMatch(members::contains);
            assertThat(tessera.zrandmember("z", -30)).hasSize(30).allMatch(members::contains);
            assertThat(tessera.zrandmemberWithScores("z", -3)).hasSize(3)
                    .allMatch(t -> t.getScore() == tessera.zscore("z", t.getElement()));

            // A large set (not compact in Redis): scanned to the end, every member once with Redis's text of its score.
            for (Jedis j : List.of(tessera, real)) {
                List<String> args = new ArrayList<>(List.of("ZADD", "large"));
                for (int i = 0; i < 300; i++) {
                    args.add(i % 7 == 0 ? Double.toString(i / 3.0) : Long.toString(i * 1_000_000_000_000_000L));
                    args.add("m" + i);
                }
                send(j, args.toArray(String[]::new));
            }
            assertThat(scanAll(tessera, "large")).isEqualTo(scanAll(real, "large")).hasSize(300);
            same(tessera, real, "ZRANDMEMBER", "large", "300", "WITHSCORES");
        }
    }

    private static Set<String> scanAll(Jedis jedis, String key) {
        Set<String> seen = new HashSet<>();
        String cursor = "0";
        do {
            @SuppressWarnings("unchecked")
            List<Object> page = (List<Object>) send(jedis, "ZSCAN", key, cursor, "COUNT", "50");
            cursor = new String((byte[]) page.get(0));
            @SuppressWarnings("unchecked")
            List<byte[]> items = (List<byte[]>) page.get(1);
            for (int i = 0; i + 1 < items.size(); i += 2) {
                seen.add(new String(items.get(i)) + "=" + new String(items.get(i + 1)));
            }
        } while (!cursor.equals("0"));
        return seen;
    }

    @Test
    void resp3AndResp2Shapes_areRedissByteForByte() {
        for (boolean resp3 : List.of(true, false)) {
            try (RawRespClient tessera = new RawRespClient(cluster.port(0), resp3);
                 RawRespClient real = new RawRespClient(redis.port(), resp3)) {
                String[][] commands = {
                    {"ZADD", "{p}z", "1.1", "a", "2", "b", "3", "c", "1e20", "d", "inf", "e", "-0.5", "f"},
                    {"ZSCORE", "{p}z", "a"}, {"ZSCORE", "{p}z", "nope"}, {"ZSCORE", "{p}none", "a"},
                    {"ZMSCORE", "{p}z", "a", "nope", "e"}, {"ZRANGE", "{p}z", "0", "-1"},
                    {"ZRANGE", "{p}z", "0", "-1", "WITHSCORES"}, {"ZRANGE", "{p}z", "5", "1", "WITHSCORES"},
                    {"ZRANGE", "{p}none", "0", "-1", "WITHSCORES"}, {"ZREVRANGE", "{p}z", "0", "1", "WITHSCORES"},
                    {"ZRANGEBYSCORE", "{p}z", "-inf", "+inf", "WITHSCORES", "LIMIT", "1", "2"},
                    {"ZRANK", "{p}z", "a"}, {"ZRANK", "{p}z", "nope"}, {"ZRANK", "{p}none", "a"},
                    {"ZINCRBY", "{p}z", "0.1", "a"}, {"ZADD", "{p}z", "INCR", "1", "a"},
                    {"ZADD", "{p}z", "XX", "INCR", "1", "nope"}, {"ZRANDMEMBER", "{p}z", "10", "WITHSCORES"},
                    {"ZRANDMEMBER", "{p}z", "10"}, {"ZRANDMEMBER", "{p}none"}, {"ZRANDMEMBER", "{p}none", "1"},
                    {"ZUNION", "2", "{p}z", "{p}none", "WITHSCORES"}, {"ZINTER", "1", "{p}none", "WITHSCORES"},
                    {"ZSCAN", "{p}z", "0"}, {"ZINTERCARD", "1", "{p}z"}, {"ZPOPMIN", "{p}z"},
                    {"ZPOPMAX", "{p}z", "2"}, {"ZPOPMIN", "{p}z", "0"}, {"ZPOPMIN", "{p}none"},
                    {"ZPOPMIN", "{p}none", "2"}, {"ZMPOP", "2", "{p}none", "{p}z", "MAX"},
                    {"ZMPOP", "1", "{p}z", "MIN", "COUNT", "10"}, {"ZMPOP", "1", "{p}z", "MIN"},
                    {"ZMPOP", "1", "{p}none", "MIN"}, {"ZADD", "{p}z", "-0", "zero"},
                    {"ZRANGE", "{p}z", "0", "-1", "WITHSCORES"}, {"ZCARD", "{p}z"}};
                for (String[] command : commands) {
                    assertThat(tessera.call(command)).as((resp3 ? "RESP3 " : "RESP2 ") + String.join(" ", command))
                            .isEqualTo(real.call(command));
                }
                tessera.call("DEL", "{p}z");
                real.call("DEL", "{p}z");
            }
        }
    }

    @Test
    void objectEncodingTypeAndScanType_matchRedis() {
        try (Jedis tessera = jedis(0, RedisProtocol.RESP2); Jedis real = redis.client()) {
            for (Jedis j : List.of(tessera, real)) {
                List<String> args = new ArrayList<>(List.of("ZADD", "at128"));
                for (int i = 0; i < 128; i++) {
                    args.addAll(List.of(Integer.toString(i), "m" + i));
                }
                send(j, args.toArray(String[]::new));
                args.set(1, "at129");
                args.addAll(List.of("129", "m129"));
                send(j, args.toArray(String[]::new));
                send(j, "ZADD", "wide", "1", "x".repeat(64), "2", "y");
                send(j, "ZADD", "wider", "1", "x".repeat(65));
                send(j, "SADD", "plain", "a");
            }
            for (String key : List.of("at128", "at129", "wide", "wider", "plain", "missing")) {
                same(tessera, real, "OBJECT", "ENCODING", key);
                same(tessera, real, "TYPE", key);
            }
            for (Jedis j : List.of(tessera, real)) {
                j.configSet("zset-max-listpack-entries", "200");
                j.configSet("zset-max-listpack-value", "100");
                send(j, "ZADD", "later", "1", "x".repeat(65));
            }
            same(tessera, real, "OBJECT", "ENCODING", "later");
            for (Jedis j : List.of(tessera, real)) {
                j.configSet("zset-max-listpack-entries", "128");
                j.configSet("zset-max-listpack-value", "64");
            }
            assertThat(scanTypes(tessera)).isEqualTo(scanTypes(real)).contains("at128", "wider")
                    .doesNotContain("plain");
        }
    }

    private static Set<String> scanTypes(Jedis jedis) {
        Set<String> keys = new HashSet<>();
        String cursor = "0";
        do {
            @SuppressWarnings("unchecked")
            List<Object> page = (List<Object>) send(jedis, "SCAN", cursor, "TYPE", "zset", "COUNT", "100");
            cursor = new String((byte[]) page.get(0));
            @SuppressWarnings("unchecked")
            List<byte[]> items = (List<byte[]>) page.get(1);
            items.forEach(k -> keys.add(new String(k)));
        } while (!cursor.equals("0"));
        return keys;
    }

    @Test
    void transactions_ofSortedSetCommands_matchRedis_evenAfterTheKeyWasReplacedInTheSameExec() {
        try (Jedis tessera = jedis(1, RedisProtocol.RESP2); Jedis real = redis.client()) {
            script(tessera, real, c("ZADD", "{t}a", "1", "x", "2", "y"), c("SADD", "{t}set", "x", "q"),
                    c("MULTI"), c("ZADD", "{t}a", "3", "z"), c("DEL", "{t}a"), c("ZADD", "{t}a", "5", "w"),
                    c("ZINCRBY", "{t}a", "1", "w"), c("ZUNIONSTORE", "{t}b", "2", "{t}a", "{t}set"),
                    c("ZADD", "{t}b", "9", "v"), c("ZPOPMIN", "{t}b", "10"), c("ZADD", "{t}b", "1", "again"),
                    c("SET", "{t}s", "v"), c("ZADD", "{t}s", "1", "x"), c("ZRANGE", "{t}b", "0", "-1", "WITHSCORES"),
                    c("ZUNION", "1", "{t}a", "WITHSCORES"), c("ZMPOP", "2", "{t}none", "{t}a", "MIN"),
                    c("ZRANGESTORE", "{t}c", "{t}b", "0", "-1"), c("ZINTERCARD", "2", "{t}b", "{t}c"),
                    c("ZUNIONSTORE", "{t}a", "1", "{t}a"), c("RPUSH", "{t}l", "1"), c("DEL", "{t}l"),
                    c("RPUSH", "{t}l", "2"), c("LPOP", "{t}l"), c("RPUSH", "{t}l", "3"), c("EXEC"),
                    c("LRANGE", "{t}l", "0", "-1"),
                    c("ZRANGE", "{t}a", "0", "-1", "WITHSCORES"), c("ZRANGE", "{t}b", "0", "-1", "WITHSCORES"),
                    c("ZRANGE", "{t}c", "0", "-1", "WITHSCORES"), c("MULTI"), c("ZADD", "{t}a", "x", "y"),
                    c("ZRANGE", "{t}a", "0", "-1"), c("EXEC"), c("MULTI"), c("ZADD", "{t}a", "1"), c("EXEC"));
        }
    }

    /** A subscriber to every keyspace and keyevent channel, recording "channel message" in arrival order. */
    private static final class Listener extends JedisPubSub {
        final List<String> messages = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void onPMessage(String pattern, String channel, String message) {
            messages.add(channel + " " + message);
        }

        static Listener on(Jedis connection) {
            Listener listener = new Listener();
            Thread thread = new Thread(() -> connection.psubscribe(listener, "__key*@*__:*"));
            thread.setDaemon(true);
            thread.start();
            await().atMost(Duration.ofSeconds(10)).until(listener::isSubscribed);
            return listener;
        }
    }

    @Test
    void keyspaceEvents_ofSortedSetCommands_matchRedis() {
        try (Jedis tessera = jedis(0, RedisProtocol.RESP2); Jedis real = redis.client();
             Jedis tesseraSubscriber = jedis(1, RedisProtocol.RESP2); Jedis realSubscriber = redis.client()) {
            for (Jedis j : List.of(tessera, real)) {
                j.configSet("notify-keyspace-events", "KEA");
            }
            Listener onTessera = Listener.on(tesseraSubscriber);
            Listener onRedis = Listener.on(realSubscriber);
            script(tessera, real, c("ZADD", "{e}z", "1", "a", "2", "b", "3", "c"), c("ZADD", "{e}z", "NX", "5", "a"),
                    c("ZADD", "{e}z", "XX", "1", "a"), c("ZADD", "{e}z", "CH", "7", "a"),
                    c("ZADD", "{e}z", "INCR", "1", "a"),
                    c("ZINCRBY", "{e}z", "2", "b"), c("ZREM", "{e}z", "nope"), c("ZREM", "{e}z", "c"),
                    c("ZADD", "{e}z", "4", "d", "5", "e", "6", "f"), c("ZREMRANGEBYRANK", "{e}z", "0", "0"),
                    c("ZREMRANGEBYSCORE", "{e}z", "100", "200"), c("ZREMRANGEBYSCORE", "{e}z", "5", "5"),
                    c("ZREMRANGEBYLEX", "{e}z", "[f", "[f"), c("ZPOPMIN", "{e}z"), c("ZPOPMAX", "{e}z", "0"),
                    c("ZADD", "{e}y", "1", "q", "2", "r"), c("ZUNIONSTORE", "{e}u", "2", "{e}z", "{e}y"),
                    c("ZINTERSTORE", "{e}u", "2", "{e}z", "{e}y"), c("ZDIFFSTORE", "{e}d", "1", "{e}y"),
                    c("ZRANGESTORE", "{e}r", "{e}y", "0", "0"), c("ZRANGESTORE", "{e}r", "{e}y", "5", "6"),
                    c("ZMPOP", "2", "{e}none", "{e}y", "MAX", "COUNT", "1"), c("ZPOPMAX", "{e}y", "5"),
                    c("ZPOPMIN", "{e}z", "5"), c("ZADD", "{e}last", "1", "x"), c("ZREM", "{e}last", "x"),
                    c("SET", "{e}marker", "end"));
            String last = "__keyevent@0__:set {e}marker";
            await().atMost(Duration.ofSeconds(10)).until(() -> onRedis.messages.contains(last)
                    && onTessera.messages.contains(last));
            assertThat(onTessera.messages).containsExactlyElementsOf(onRedis.messages);
            assertThat(onRedis.messages).hasSizeGreaterThan(40);
            onTessera.punsubscribe();
            onRedis.punsubscribe();
            for (Jedis j : List.of(tessera, real)) {
                j.configSet("notify-keyspace-events", "");
            }
        }
    }
}
