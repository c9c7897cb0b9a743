package io.tessera.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.redis.testing.RedisParityTestBase;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.RedisProtocol;

/**
 * SLOWLOG, INFO commandstats and INFO stats's counters, held to a real redis-server: the same commands logged with the
 * same (truncated, redacted) arguments, the same calls, rejected and failed calls per command.
 */
class SlowLogAndStatsTest extends RedisParityTestBase {

    /** SLOWLOG GET's entries as [arguments...] lists (ids, times and durations differ between servers). */
    private static List<List<String>> loggedArguments(Jedis jedis) {
        List<List<String>> logged = new ArrayList<>();
        for (Object entry : (List<?>) send(jedis, "SLOWLOG", "GET", "-1")) {
            List<?> fields = (List<?>) entry;
            assertThat(fields).hasSize(6);
            List<String> args = new ArrayList<>();
            for (Object arg : (List<?>) fields.get(3)) {
                args.add(new String((byte[]) arg, StandardCharsets.UTF_8));
            }
            logged.add(args);
        }
        return logged;
    }

    private static void logEverything(Jedis jedis) {
        assertThat(send(jedis, "CONFIG", "SET", "slowlog-log-slower-than", "0", "slowlog-max-len", "128"))
                .isEqualTo("OK".getBytes(StandardCharsets.UTF_8));
        send(jedis, "SLOWLOG", "RESET");
    }

    @Test
    void slowlog_logsWhatRedisLogs_truncatedAndRedactedAsRedisDoes() {
        try (Jedis tessera = jedis(0, RedisProtocol.RESP2); Jedis real = redis.client()) {
            Function<Jedis, List<List<String>>> run = jedis -> {
                logEverything(jedis);
                send(jedis, "SET", "{slow}k", "x".repeat(200));
                List<String> del = new ArrayList<>(List.of("DEL"));
                for (int i = 0; i < 40; i++) {
                    del.add("{slow}k" + i);
                }
                send(jedis, del.toArray(String[]::new));
                reply(jedis, "AUTH", "not-the-password");
                send(jedis, "GET", "{slow}k");
                return loggedArguments(jedis);
            };
            List<List<String>> fromTessera = run.apply(tessera);
            assertThat(fromTessera).isEqualTo(run.apply(real));
            assertThat(fromTessera).hasSize(5); // GET, AUTH, DEL, SET, and the SLOWLOG RESET before them
            assertThat(fromTessera.get(1)).containsExactly("AUTH", "(redacted)");
            assertThat(fromTessera.get(2)).hasSize(32).endsWith("... (10 more arguments)");
            assertThat(fromTessera.get(3).get(2)).endsWith("... (72 more bytes)");

            List<?> newest = (List<?>) ((List<?>) send(tessera, "SLOWLOG", "GET", "1")).get(0);
            assertThat((Long) newest.get(0)).as("ids count up").isGreaterThan(0);
            assertThat((Long) newest.get(2)).as("microseconds").isNotNegative();
            assertThat(new String((byte[]) newest.get(4), StandardCharsets.UTF_8)).startsWith("127.0.0.1:");

            assertThat(send(tessera, "SLOWLOG", "LEN")).isEqualTo(7L); // and the two SLOWLOG GETs since
            send(tessera, "CONFIG", "SET", "slowlog-max-len", "2");
            assertThat(send(tessera, "SLOWLOG", "LEN")).isEqualTo(2L);
            send(tessera, "CONFIG", "SET", "slowlog-log-slower-than", "-1");
            send(tessera, "SLOWLOG", "RESET");
            send(tessera, "SET", "{slow}k", "v");
            assertThat(send(tessera, "SLOWLOG", "LEN")).as("-1 logs nothing").isEqualTo(0L);
            for (Jedis jedis : List.of(tessera, real)) {
                assertThat(reply(jedis, "CONFIG", "SET", "slowlog-log-slower-than", "soon"))
                        .startsWith("error: ERR CONFIG SET failed (possibly related to argument "
                                + "'slowlog-log-slower-than')");
                assertThat(reply(jedis, "SLOWLOG", "GET", "-2")).isEqualTo(reply(real, "SLOWLOG", "GET", "-2"));
                send(jedis, "CONFIG", "SET", "slowlog-log-slower-than", "10000", "slowlog-max-len", "128");
            }
            // Redis lists its parameters in its dictionary's (random) order: compare them as maps.
            assertThat(tessera.configGet("slowlog-*")).isEqualTo(real.configGet("slowlog-*"))
                    .containsEntry("slowlog-max-len", "128");
        }
    }

    /** {@code cmdstat_<command>} → the value without its timings. */
    private static Map<String, String> callCounts(Jedis jedis, String... commands) {
        String info = jedis.info("commandstats");
        Map<String, String> counts = new TreeMap<>();
        for (String line : info.split("\r\n")) {
            for (String command : commands) {
                if (line.startsWith("cmdstat_" + command + ":")) {
                    counts.put(command, line.replaceAll("usec=\\d+,usec_per_call=[\\d.]+,", ""));
                }
            }
        }
        return counts;
    }

    @Test
    void commandstats_countCallsRejectionsAndFailures_asRedisDoes() {
        try (Jedis tessera = jedis(1, RedisProtocol.RESP2); Jedis real = redis.client()) {
            for (Jedis jedis : List.of(tessera, real)) {
                send(jedis, "CONFIG", "RESETSTAT");
                send(jedis, "SET", "{stats}a", "1");
                send(jedis, "SET", "{stats}b", "text");
                send(jedis, "GET", "{stats}a");
                reply(jedis, "GET"); // wrong arity: rejected
                reply(jedis, "INCR", "{stats}b"); // not an integer: failed
                send(jedis, "INCR", "{stats}a");
                reply(jedis, "NOSUCHCOMMAND");
            }
            assertThat(callCounts(tessera, "set", "get", "incr"))
                    .isEqualTo(callCounts(real, "set", "get", "incr"))
                    .containsEntry("get", "cmdstat_get:calls=1,rejected_calls=1,failed_calls=0")
                    .containsEntry("incr", "cmdstat_incr:calls=2,rejected_calls=0,failed_calls=1");
            String stats = tessera.info("stats");
            assertThat(stats).contains("total_error_replies:3\r\n");
            assertThat(real.info("stats")).contains("total_error_replies:3\r\n");
            assertThat(tessera.info("errorstats")).isEqualTo(real.info("errorstats"))
                    .isEqualTo("# Errorstats\r\nerrorstat_ERR:count=3\r\n");
            reply(tessera, "LPUSH", "{stats}b", "x");
            assertThat(tessera.info()).contains("errorstat_WRONGTYPE:count=1\r\n");
            assertThat(tessera.info()).as("commandstats is not a default section").doesNotContain("cmdstat_");
            assertThat(tessera.info("everything")).contains("cmdstat_set:calls=2,usec=");
        }
    }

    @Test
    void instantaneousOpsPerSec_followsTheLoad() {
        try (Jedis tessera = jedis(2, RedisProtocol.RESP2)) {
            long deadline = System.nanoTime() + 1_000_000_000L;
            while (System.nanoTime() < deadline) {
                Pipeline pipeline = tessera.pipelined();
                for (int i = 0; i < 200; i++) {
                    pipeline.get("{ops}" + i);
                }
                pipeline.sync();
            }
            assertThat(opsPerSecond(tessera)).isGreaterThan(500);
        }
    }

    private static long opsPerSecond(Jedis jedis) {
        for (String line : jedis.info("stats").split("\r\n")) {
            if (line.startsWith("instantaneous_ops_per_sec:")) {
                return Long.parseLong(line.substring(line.indexOf(':') + 1));
            }
        }
        throw new AssertionError("no instantaneous_ops_per_sec in INFO stats");
    }
}
