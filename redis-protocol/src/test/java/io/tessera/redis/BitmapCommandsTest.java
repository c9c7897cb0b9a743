package io.tessera.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.redis.testing.RedisParityTestBase;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisProtocol;

/**
 * SETBIT, GETBIT, BITCOUNT, BITPOS and BITOP answer exactly as a real {@code redis-server} does: the same random
 * script (valid and invalid offsets, bits, ranges in bytes and bits, negative indexes, every BITOP, wrong types)
 * runs against both, reply by reply. Needs Debian's {@code redis-server} (installed by {@code .ci/run}).
 */
class BitmapCommandsTest extends RedisParityTestBase {
    private static final String[] KEYS = {"{b}1", "{b}2", "{b}3", "other", "{b}list"};
    private static String number(SplittableRandom random) {
        return switch (random.nextInt(12)) {
            case 0 -> "-" + random.nextInt(40);
            case 1 -> "abc";
            case 2 -> Long.toString(random.nextInt(3) - 100);
            default -> Integer.toString(random.nextInt(40));
        };
    }

    private static String offset(SplittableRandom random) {
        return switch (random.nextInt(20)) {
            case 0 -> "-1";
            case 1 -> "4294967296";
            case 2 -> "x1";
            default -> Integer.toString(random.nextInt(random.nextBoolean() ? 64 : 300));
        };
    }

    private static String unit(SplittableRandom random) {
        return switch (random.nextInt(7)) {
            case 0 -> "bit";
            case 1 -> "BYTE";
            case 2 -> "bits";
            default -> random.nextBoolean() ? "BIT" : "byte";
        };
    }

    private static String fieldType(SplittableRandom random) {
        return switch (random.nextInt(14)) {
            case 0 -> "u64";
            case 1 -> "i65";
            case 2 -> "x8";
            case 3 -> "i64";
            case 4 -> "u63";
            default -> (random.nextBoolean() ? "i" : "u") + (1 + random.nextInt(random.nextBoolean() ? 8 : 40));
        };
    }

    private static String fieldValue(SplittableRandom random) {
        return switch (random.nextInt(8)) {
            case 0 -> Long.toString(Long.MAX_VALUE);
            case 1 -> Long.toString(Long.MIN_VALUE);
            case 2 -> "1x";
            default -> Long.toString(random.nextLong(-1000, 1000) << random.nextInt(40));
        };
    }

    /** A BITFIELD or BITFIELD_RO with a few random subcommands. */
    private static String[] bitfield(SplittableRandom random, String key) {
        List<String> args = new ArrayList<>(List.of(random.nextInt(6) == 0 ? "BITFIELD_RO" : "BITFIELD", key));
        int count = random.nextInt(5);
        for (int i = 0; i < count; i++) {
            String offset = random.nextInt(6) == 0 ? "#" + random.nextInt(8) : offset(random);
            switch (random.nextInt(9)) {
                case 0, 1 -> args.addAll(List.of("GET", fieldType(random), offset));
                case 2, 3 -> args.addAll(List.of("SET", fieldType(random), offset, fieldValue(random)));
                case 4, 5, 6 -> args.addAll(List.of("INCRBY", fieldType(random), offset, fieldValue(random)));
                case 7 -> args.addAll(List.of("OVERFLOW", new String[] {"WRAP", "sat", "FAIL", "nope"}[
                        random.nextInt(4)]));
                default -> args.add(random.nextBoolean() ? "GET" : "FROB");
            }
        }
        return args.toArray(String[]::new);
    }

    /** One random command of the script. */
    private static String[] command(SplittableRandom random) {
        String key = KEYS[random.nextInt(KEYS.length)];
        if (random.nextInt(5) == 0) {
            return bitfield(random, key);
        }
        switch (random.nextInt(12)) {
            case 0, 1, 2 -> {
                return new String[] {"SETBIT", key, offset(random),
                    random.nextInt(10) == 0 ? "2" : Integer.toString(random.nextInt(2))};
            }
            case 3 -> {
                return new String[] {"GETBIT", key, offset(random)};
            }
            case 4, 5 -> {
                List<String> args = new ArrayList<>(List.of("BITCOUNT", key));
                int extra = random.nextInt(5);
                for (int i = 0; i < Math.min(extra, 2); i++) {
                    args.add(number(random));
                }
                if (extra >= 3) {
                    args.add(unit(random));
                }
                if (extra == 4) {
                    args.add("1");
                }
                return args.toArray(String[]::new);
            }
            case 6, 7 -> {
                List<String> args = new ArrayList<>(List.of("BITPOS", key, random.nextInt(10) == 0 ? "2"
                        : "" + random.nextInt(2)));
                int extra = random.nextInt(5);
                for (int i = 0; i < Math.min(extra, 2); i++) {
                    args.add(number(random));
                }
                if (extra >= 3) {
                    args.add(unit(random));
                }
                return args.toArray(String[]::new);
            }
            case 8 -> {
                String op = new String[] {"AND", "or", "XOR", "NOT", "nand"}[random.nextInt(5)];
                List<String> args = new ArrayList<>(List.of("BITOP", op, KEYS[random.nextInt(4)]));
                int sources = op.equals("NOT") && random.nextInt(4) != 0 ? 1 : 1 + random.nextInt(3);
                for (int i = 0; i < sources; i++) {
                    args.add(KEYS[random.nextInt(KEYS.length)]);
                }
                return args.toArray(String[]::new);
            }
            case 9 -> {
                byte[] bytes = new byte[random.nextInt(6)];
                random.nextBytes(bytes);
                return new String[] {"SET", key, new String(bytes, StandardCharsets.ISO_8859_1)};
            }
            case 10 -> {
                return new String[] {"GET", key};
            }
            default -> {
                return new String[] {"DEL", key};
            }
        }
    }

    @Test
    void aRandomScriptOfBitCommands_answersAsRedisServerDoes_replyByReply() {
        SplittableRandom random = new SplittableRandom(20261207);
        try (Jedis tessera = jedis(0, RedisProtocol.RESP2); Jedis real = redis.client()) {
            real.flushAll();
            for (Jedis j : List.of(tessera, real)) {
                j.del(KEYS);
                j.rpush("{b}list", "not a string");
            }
            java.util.Map<String, java.util.Set<String>> seen = new java.util.TreeMap<>();
            for (int i = 0; i < 4_000; i++) {
                String[] command = command(random);
                if (command[1].equals("{b}list") && (command[0].equals("SET") || command[0].equals("DEL"))) {
                    continue; // keep one key of another type for WRONGTYPE
                }
                String expected = reply(real, command);
                assertThat(reply(tessera, command)).as("step %d: %s", i, String.join(" ", command))
                        .isEqualTo(expected);
                seen.computeIfAbsent(command[0] + (expected.startsWith("error") ? " error" : " ok"),
                        k -> new java.util.HashSet<>()).add(expected);
            }
            // The script must reach more than the error paths: many distinct answers of every command.
            for (String command : List.of("BITCOUNT", "BITPOS", "BITOP", "GET", "BITFIELD")) {
                assertThat(seen.get(command + " ok")).as(command).hasSizeGreaterThan(20);
            }
            for (String key : KEYS) {
                assertThat(reply(tessera, "TYPE", key)).isEqualTo(reply(real, "TYPE", key));
                assertThat(reply(tessera, "TTL", key)).isEqualTo(reply(real, "TTL", key));
            }
        }
    }

    @Test
    void bitfieldOverflow_everyTypeAndMode_atTheLimits_matchesRedis() {
        List<String> values = List.of("0", "1", "-1", "127", "128", "-128", "-129", "255", "256", "1000", "-1000",
                Long.toString(Long.MAX_VALUE), Long.toString(Long.MIN_VALUE), Long.toString(Long.MAX_VALUE / 2),
                "9223372036854775806", "-9223372036854775807");
        try (Jedis tessera = jedis(2, RedisProtocol.RESP2); Jedis real = redis.client()) {
            for (String type : List.of("i1", "u1", "i8", "u8", "i13", "u31", "i63", "u63", "i64")) {
                for (String mode : List.of("WRAP", "SAT", "FAIL")) {
                    for (String start : values) {
                        for (String increment : values) {
                            String[] command = {"BITFIELD", "{bf}", "OVERFLOW", mode, "SET", type, "3", start,
                                "INCRBY", type, "3", increment, "GET", type, "3", "INCRBY", type, "#1", increment};
                            assertThat(reply(tessera, command)).as(String.join(" ", command))
                                    .isEqualTo(reply(real, command));
                        }
                    }
                }
            }
            assertThat(reply(tessera, "GET", "{bf}")).isEqualTo(reply(real, "GET", "{bf}"));
        }
    }

    @Test
    void bitopAcrossSlots_andSetbitOnAKeyWithATtl_matchRedis() {
        try (Jedis tessera = jedis(1, RedisProtocol.RESP2); Jedis real = redis.client()) {
            for (Jedis j : List.of(tessera, real)) {
                j.set("a", "foobar");
                j.set("b", "abcdef");
                j.setex("c", 100, "x");
            }
            for (String[] command : List.of(new String[] {"BITOP", "AND", "dest", "a", "b"},
                    new String[] {"GET", "dest"}, new String[] {"BITOP", "NOT", "dest", "a"},
                    new String[] {"GET", "dest"}, new String[] {"BITOP", "OR", "dest", "missing"},
                    new String[] {"EXISTS", "dest"}, new String[] {"SETBIT", "c", "100", "1"},
                    new String[] {"TTL", "c"}, new String[] {"BITCOUNT", "c", "0", "-1", "BIT"},
                    new String[] {"BITPOS", "c", "1", "2", "-1", "BYTE"})) {
                assertThat(reply(tessera, command)).as(String.join(" ", command)).isEqualTo(reply(real, command));
            }
        }
    }
}
