package io.tessera.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.tessera.grid.testing.MemberProcesses;
import io.tessera.redis.testing.RealRedis;
import io.tessera.redis.testing.ServerProcesses;
import io.tessera.redis.testing.ServerProcesses.ServerNode;
import io.tessera.redis.testing.ServerProcessesTestBase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * {@code maxmemory} on a standalone node, a real process with a 384 MB heap: a gigabyte of SETs through an
 * {@code allkeys-lru} node bounded to 64 MB leaves it serving, within its bound by the grid's accounting, with a heap
 * after a full GC well under twice the bound; {@code noeviction} refuses writes with Redis's own error; the settings
 * round-trip through {@code CONFIG} and an eviction publishes {@code evicted}.
 *
 * <p>The heap bound: the grid's estimate covers the entries (key, value, record, array headers, table slot); the
 * rest of a node's heap is the server itself (Netty's pools, JGroups, the command table, class metadata is off-heap),
 * about 20 MB when idle. Twice the bound leaves that room and tolerates an estimate off by a quarter.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class MaxmemoryTest extends ServerProcessesTestBase {
    private static final long MB = 1024 * 1024;
    private static final String OOM = "OOM command not allowed when used memory > 'maxmemory'.";

    private ServerNode node(String name, String... extra) {
        int gridPort = MemberProcesses.freePortBase(1);
        List<String> args = new ArrayList<>(List.of("--name", name, "--port", "0", "--cluster-name",
                name + "-" + ProcessHandle.current().pid(), "--grid-port", Integer.toString(gridPort), "--members",
                "127.0.0.1:" + gridPort));
        args.addAll(Arrays.asList(extra));
        return processes.start(name, args.toArray(String[]::new));
    }

    private static Map<String, String> info(Jedis jedis, String section) {
        Map<String, String> fields = new HashMap<>();
        for (String line : jedis.info(section).split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                fields.put(line.substring(0, colon), line.substring(colon + 1));
            }
        }
        return fields;
    }

    private static final Pattern USED = Pattern.compile("used (\\d+)K");

    /** The heap {@code pid} uses right after a full GC, in bytes, by {@code jcmd} (SerialGC's generations summed). */
    private static long heapAfterFullGc(long pid) {
        Path jcmd = Path.of(MemberProcesses.javaBinary()).resolveSibling("jcmd");
        ServerProcesses.run(List.of(jcmd.toString(), Long.toString(pid), "GC.run"), null, Map.of(),
                Duration.ofSeconds(60));
        String heap = ServerProcesses.run(List.of(jcmd.toString(), Long.toString(pid), "GC.heap_info"), null,
                Map.of(), Duration.ofSeconds(60)).stdout();
        long used = 0;
        for (String line : heap.split("\n")) {
            if (line.contains("generation") && !line.contains("Metaspace")) {
                Matcher m = USED.matcher(line);
                if (m.find()) {
                    used += Long.parseLong(m.group(1)) * 1024;
                }
            }
        }
        assertThat(used).as("jcmd GC.heap_info:\n" + heap).isPositive();
        return used;
    }

    @Test
    void allkeysLru_64mb_takesAGigabyteOfSets_staysWithinItsBound_andKeepsServing() {
        ServerNode node = node("lru64", "--maxmemory", "64mb", "--maxmemory-policy", "allkeys-lru");
        long idleHeap = heapAfterFullGc(node.process().pid());
        byte[] value = new byte[1024];
        Arrays.fill(value, (byte) 'v');
        int keys = 1_000_000;
        long started = System.nanoTime();
        try (Jedis jedis = new Jedis("127.0.0.1", node.port(), 60_000)) {
            for (int batch = 0; batch < keys; batch += 1000) {
                Pipeline pipeline = jedis.pipelined();
                for (int i = batch; i < batch + 1000; i++) {
                    pipeline.set(("key:" + i).getBytes(), value);
                }
                pipeline.sync();
            }
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);

            Map<String, String> memory = info(jedis, "memory");
            long used = Long.parseLong(memory.get("used_memory"));
            assertThat(memory).containsEntry("maxmemory", Long.toString(64 * MB))
                    .containsEntry("maxmemory_human", "64.00M").containsEntry("maxmemory_policy", "allkeys-lru");
            assertThat(used).as("the grid's accounting").isLessThanOrEqualTo(64 * MB).isGreaterThan(56 * MB);
            long evicted = Long.parseLong(info(jedis, "stats").get("evicted_keys"));
            long held = jedis.dbSize();
            assertThat(evicted).isGreaterThan(900_000);
            assertThat(held + evicted).isEqualTo(keys);
            for (int i = keys - 100; i < keys; i++) {
                assertThat(jedis.get(("key:" + i).getBytes())).as("a key among the last written").isNotNull();
            }
            assertThat(jedis.set("after", "the flood")).isEqualTo("OK");
            assertThat(jedis.get("after")).isEqualTo("the flood");

            long heap = heapAfterFullGc(node.process().pid());
            String figures = "1M x 1 kB SETs in " + seconds + " s; used_memory " + used / MB + " MB, " + held
                    + " keys held, " + evicted + " evicted; heap after a full GC " + heap / MB + " MB (idle: "
                    + idleHeap / MB + " MB)";
            node.note(figures);
            System.out.println("MaxmemoryTest: " + figures);
            assertThat(heap).as("heap after a full GC").isLessThan(2 * 64 * MB);
        }
    }

    @Test
    void noeviction_refusesGrowingWritesWithRedisError_butDeletesAndReadsWork() throws Exception {
        String redisError;
        try (RealRedis real = RealRedis.start(); Jedis redis = real.client()) {
            long baseline = Long.parseLong(info(redis, "memory").get("used_memory"));
            redis.configSet("maxmemory", Long.toString(baseline + 200_000));
            redis.configSet("maxmemory-policy", "noeviction");
            redisError = fillUntilRefused(redis);
        }
        assertThat(redisError).isEqualTo(OOM);

        ServerNode node = node("noevict", "--maxmemory", "1mb");
        try (Jedis jedis = new Jedis("127.0.0.1", node.port(), 60_000)) {
            // The grid refuses the SET that would go beyond the bound, so the node stays within it.
            assertThat(fillUntilRefused(jedis)).isEqualTo(redisError);
            assertThat(Long.parseLong(info(jedis, "memory").get("used_memory"))).isLessThanOrEqualTo(MB);
            // A push grows a list in place, beyond what the grid can refuse up front; once the node is beyond its
            // bound, the server refuses every command that may grow the data, as Redis does.
            String pushed = null;
            for (int i = 0; i < 10 && pushed == null; i++) {
                try {
                    jedis.lpush("list", "x".repeat(1000));
                } catch (JedisDataException e) {
                    pushed = e.getMessage();
                }
            }
            assertThat(pushed).isEqualTo(OOM);
            assertThat(jedis.get("fill:0")).hasSize(1000);
            assertThat(jedis.del("list", "fill:0")).isEqualTo(2);
            assertThat(jedis.set("fill:0", "y".repeat(1000))).as("room made by a DEL").isEqualTo("OK");
            assertThat(info(jedis, "stats")).containsEntry("evicted_keys", "0");
        }
    }

    /** SETs 1 kB values until the server refuses one; returns its error (and fails if none comes). */
    private static String fillUntilRefused(Jedis jedis) {
        String value = "x".repeat(1000);
        for (int i = 0; i < 100_000; i++) {
            try {
                jedis.set("fill:" + i, value);
            } catch (JedisDataException e) {
                return e.getMessage();
            }
        }
        throw new AssertionError("100,000 SETs of 1 kB were all taken");
    }

    @Test
    void configSet_roundTripsTheBoundAndPolicy_andAnEvictionPublishesEvicted() throws Exception {
        ServerNode node = node("configured");
        try (Jedis jedis = new Jedis("127.0.0.1", node.port(), 60_000);
             Jedis subscriber = new Jedis("127.0.0.1", node.port(), 60_000)) {
            assertThat(jedis.configGet("maxmemory*")).containsEntry("maxmemory", "0")
                    .containsEntry("maxmemory-policy", "noeviction");
            assertThat(jedis.configSet("maxmemory", "2mb")).isEqualTo("OK");
            assertThat(jedis.configSet("maxmemory-policy", "allkeys-lfu")).isEqualTo("OK");
            assertThat(jedis.configGet("maxmemory")).containsEntry("maxmemory", Long.toString(2 * MB));
            assertThat(jedis.configGet("maxmemory-policy")).containsEntry("maxmemory-policy", "allkeys-lfu");
            assertThat(info(jedis, "memory")).containsEntry("maxmemory_human", "2.00M")
                    .containsEntry("maxmemory_policy", "allkeys-lfu");
            assertThatThrownBy(() -> jedis.configSet("maxmemory-policy", "lru"))
                    .hasMessage("ERR CONFIG SET failed (possibly related to argument 'maxmemory-policy') - argument(s)"
                            + " must be one of the following: volatile-lru, volatile-lfu, volatile-random,"
                            + " volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction");
            assertThatThrownBy(() -> jedis.configSet("maxmemory", "lots"))
                    .hasMessage("ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be"
                            + " a memory value");

            jedis.configSet("notify-keyspace-events", "Ee");
            List<String> evicted = Collections.synchronizedList(new ArrayList<>());
            JedisPubSub listener = new JedisPubSub() {
                @Override
                public void onMessage(String channel, String message) {
                    evicted.add(message);
                }
            };
            Thread thread = new Thread(() -> subscriber.subscribe(listener, "__keyevent@0__:evicted"));
            thread.setDaemon(true);
            thread.start();
            await().atMost(Duration.ofSeconds(10)).until(listener::isSubscribed);
            String value = "z".repeat(1000);
            for (int i = 0; i < 3000; i++) {
                jedis.set("k" + i, value);
            }
            long evictedKeys = Long.parseLong(info(jedis, "stats").get("evicted_keys"));
            assertThat(evictedKeys).isGreaterThan(1000);
            await().atMost(Duration.ofSeconds(20)).until(() -> evicted.size() == evictedKeys);
            assertThat(evicted).doesNotHaveDuplicates().allSatisfy(key -> assertThat(jedis.exists(key)).isFalse());
            listener.unsubscribe();

            jedis.get("k2999");
            assertThat(jedis.objectFreq("k2999")).as("OBJECT FREQ under an LFU policy").isGreaterThanOrEqualTo(2);
            assertThatThrownBy(() -> jedis.objectIdletime("k2999")).hasMessageStartingWith("ERR An LFU maxmemory"
                    + " policy is selected, idle time not tracked.");
        }
    }
}
