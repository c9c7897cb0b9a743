package io.tessera.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.redis.testing.RedisParityTestBase;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisProtocol;

/**
 * LCS, SINTERCARD, OBJECT and MOVE answer as a real {@code redis-server} 7.0 does, command by command, errors
 * included.
 */
class RedisParityTest extends RedisParityTestBase {
    private static void same(Jedis tessera, Jedis real, String... command) {
        assertThat(reply(tessera, command)).as(String.join(" ", command)).isEqualTo(reply(real, command));
    }

    private static String word(SplittableRandom random, int maxLength) {
        StringBuilder text = new StringBuilder();
        int length = random.nextInt(maxLength + 1);
        for (int i = 0; i < length; i++) {
            text.append("abcd".charAt(random.nextInt(4)));
        }
        return text.toString();
    }

    @Test
    void lcs_matchesRedis_forRandomStrings_withEveryOption() {
        SplittableRandom random = new SplittableRandom(7);
        try (Jedis tessera = jedis(0, RedisProtocol.RESP2); Jedis real = redis.client()) {
            for (int round = 0; round < 300; round++) {
                String[] keys = round % 3 == 0 ? new String[] {"{l}a", "{l}b"} : new String[] {"la", "lb"};
                String first = word(random, 30);
                String second = word(random, 30);
                for (Jedis j : List.of(tessera, real)) {
                    j.set(keys[0], first);
                    j.set(keys[1], second);
                }
                List<String> command = new ArrayList<>(List.of("LCS", keys[0], keys[1]));
                switch (round % 6) {
                    case 1 -> command.add("LEN");
                    case 2 -> command.add("IDX");
                    case 3 -> command.addAll(List.of("IDX", "MINMATCHLEN", Integer.toString(random.nextInt(4)),
                            "WITHMATCHLEN"));
                    case 4 -> command.addAll(List.of("IDX", "WITHMATCHLEN"));
                    default -> { }
                }
                same(tessera, real, command.toArray(String[]::new));
            }
            for (Jedis j : List.of(tessera, real)) {
                j.set("ohmy", "ohmytext");
                j.rpush("alist", "x");
            }
            same(tessera, real, "LCS", "ohmy", "missing");
            same(tessera, real, "LCS", "ohmy", "ohmy", "IDX");
            same(tessera, real, "LCS", "ohmy", "alist");
            same(tessera, real, "LCS", "ohmy", "la", "LEN", "IDX");
            same(tessera, real, "LCS", "ohmy", "la", "MINMATCHLEN");
            same(tessera, real, "LCS", "ohmy", "la", "MINMATCHLEN", "x");
            same(tessera, real, "LCS", "ohmy", "la", "FOO");
        }
    }

    @Test
    void sintercard_matchesRedis_inOneSlotAndAcrossSlots() {
        try (Jedis tessera = jedis(1, RedisProtocol.RESP2); Jedis real = redis.client()) {
            for (Jedis j : List.of(tessera, real)) {
                j.del("{s}1", "{s}2", "other", "{s}str");
                j.sadd("{s}1", "a", "b", "c", "d", "e");
                j.sadd("{s}2", "b", "c", "d", "x");
                j.sadd("other", "c", "d", "y");
                j.set("{s}str", "v");
            }
            for (String[] command : List.of(new String[] {"SINTERCARD", "2", "{s}1", "{s}2"},
                    new String[] {"SINTERCARD", "3", "{s}1", "{s}2", "other"},
                    new String[] {"SINTERCARD", "2", "{s}1", "{s}2", "LIMIT", "2"},
                    new String[] {"SINTERCARD", "2", "{s}1", "{s}2", "LIMIT", "0"},
                    new String[] {"SINTERCARD", "2", "{s}1", "missing"},
                    new String[] {"SINTERCARD", "2", "missing", "{s}str"},
                    new String[] {"SINTERCARD", "1", "{s}1", "{s}2"},
                    new String[] {"SINTERCARD", "0", "{s}1"}, new String[] {"SINTERCARD", "x", "{s}1"},
                    new String[] {"SINTERCARD", "3", "{s}1", "{s}2"},
                    new String[] {"SINTERCARD", "2", "{s}1", "{s}2", "LIMIT", "-1"},
                    new String[] {"SINTERCARD", "2", "{s}1", "{s}2", "LIMIT"})) {
                same(tessera, real, command);
            }
        }
    }

    @Test
    void objectAndMove_matchRedis() {
        try (Jedis tessera = jedis(2, RedisProtocol.RESP2); Jedis real = redis.client()) {
            for (Jedis j : List.of(tessera, real)) {
                j.flushAll();
                j.set("int", "123");
                j.set("bigint", "99999");
                j.set("padded", "0123");
                j.set("huge", "12345678901234567890");
                j.set("short", "x".repeat(44));
                j.set("long", "x".repeat(45));
                j.rpush("list", "a");
                j.sadd("ints", "1", "2", "3");
                j.sadd("words", "1", "a");
                j.hset("small", "f", "v");
                j.hset("wide", "f", "v".repeat(65));
            }
            for (String key : List.of("int", "bigint", "padded", "huge", "short", "long", "list", "ints", "words",
                    "small", "wide", "missing")) {
                same(tessera, real, "OBJECT", "ENCODING", key);
                same(tessera, real, "OBJECT", "REFCOUNT", key);
            }
            for (Jedis j : List.of(tessera, real)) {
                j.configSet("hash-max-listpack-value", "100");
                j.hset("wider", "f", "v".repeat(65)); // Redis keeps "wide" a hashtable: it never converts back
            }
            same(tessera, real, "OBJECT", "ENCODING", "wider");
            same(tessera, real, "OBJECT", "FREQ", "int");
            same(tessera, real, "OBJECT", "HELP");
            same(tessera, real, "OBJECT", "NOPE", "int");
            same(tessera, real, "OBJECT", "ENCODING");
            same(tessera, real, "OBJECT", "IDLETIME", "missing");
            assertThat(Long.parseLong(reply(tessera, "OBJECT", "IDLETIME", "int"))).isBetween(0L, 5L);

            for (Jedis j : List.of(tessera, real)) {
                j.select(1);
                j.set("taken", "there");
                j.select(0);
                j.set("taken", "here");
                j.setex("ttl", 500, "v");
            }
            for (String[] command : List.of(new String[] {"MOVE", "int", "1"}, new String[] {"EXISTS", "int"},
                    new String[] {"MOVE", "int", "1"}, new String[] {"MOVE", "taken", "1"},
                    new String[] {"GET", "taken"}, new String[] {"MOVE", "missing", "1"},
                    new String[] {"MOVE", "short", "0"}, new String[] {"MOVE", "short", "16"},
                    new String[] {"MOVE", "short", "x"}, new String[] {"MOVE", "ttl", "2"})) {
                same(tessera, real, command);
            }
            for (Jedis j : List.of(tessera, real)) {
                j.select(1);
            }
            same(tessera, real, "GET", "int");
            same(tessera, real, "GET", "taken");
            for (Jedis j : List.of(tessera, real)) {
                j.select(2);
            }
            same(tessera, real, "GET", "ttl");
            assertThat(Long.parseLong(reply(tessera, "TTL", "ttl"))).isBetween(490L, 500L);
            for (Jedis j : List.of(tessera, real)) {
                j.select(0);
                j.configSet("hash-max-listpack-value", "64");
            }
        }
    }
}
