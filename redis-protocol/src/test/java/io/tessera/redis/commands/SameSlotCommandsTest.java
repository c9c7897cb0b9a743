package io.tessera.redis.commands;

import static io.tessera.redis.commands.Clients.assertError;
import static io.tessera.redis.commands.Clients.jedis;
import static io.tessera.redis.commands.Clients.putStored;
import static io.tessera.redis.commands.Clients.raw;
import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.grid.Grid;
import io.tessera.grid.GridMap;
import io.tessera.redis.internal.command.ServerContext;
import io.tessera.redis.internal.store.Bytes;
import io.tessera.redis.internal.store.StoredValue;
import io.tessera.redis.testing.RespCluster;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.args.ListDirection;
import redis.clients.jedis.params.SetParams;

/**
 * Multi-key commands whose keys share a hash slot ({@code {tag}.name}): exact Redis replies, and atomicity seen by
 * concurrent clients on other members, as Redis Cluster gives it.
 */
@Timeout(90)
class SameSlotCommandsTest {
    private static final String WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value";
    private static RespCluster cluster;
    private static ExecutorService threads;

    @BeforeAll
    static void start() {
        cluster = RespCluster.start(3);
        threads = Executors.newCachedThreadPool();
    }

    @AfterAll
    static void stop() {
        if (threads != null) {
            threads.shutdownNow();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    private static void putHash(String key) {
        putStored(cluster, key, StoredValue.encodeHash(Map.of(Bytes.of("f"), "v".getBytes(StandardCharsets.UTF_8))));
    }

    @Test
    void mset_mget_msetnx_inOneSlot_followRedis() {
        try (Jedis one = jedis(cluster, 0, RedisProtocol.RESP2); Jedis two = jedis(cluster, 1, RedisProtocol.RESP3)) {
            one.set("{s1}.ttl", "old", SetParams.setParams().ex(1000));
            assertThat(one.mset("{s1}.a", "1", "{s1}.b", "2", "{s1}.a", "3", "{s1}.ttl", "new")).isEqualTo("OK");
            putHash("{s1}.hash");
            assertThat(two.mget("{s1}.a", "{s1}.b", "{s1}.a", "{s1}.missing", "{s1}.hash", "{s1}.ttl"))
                    .containsExactly("3", "2", "3", null, null, "new");
            assertThat(two.ttl("{s1}.ttl")).isEqualTo(-1); // MSET drops the time to live, as SET does
            assertError(() -> raw(one, "MSET", "{s1}.a", "1", "{s1}.b"),
                    "ERR wrong number of arguments for 'mset' command");

            assertThat(two.msetnx("{s1}.n1", "x", "{s1}.a", "y")).isZero(); // {s1}.a exists: nothing is set
            assertThat(one.exists("{s1}.n1")).isFalse();
            assertThat(two.msetnx("{s1}.n1", "x", "{s1}.hash", "y")).isZero(); // any type counts
            assertThat(two.msetnx("{s1}.n1", "1", "{s1}.n2", "2", "{s1}.n1", "3")).isOne();
            assertThat(one.mget("{s1}.n1", "{s1}.n2")).containsExactly("3", "2");
            assertError(() -> two.msetnx("{s1}.x", "1", "{s2}.x", "2"),
                    "CROSSSLOT Keys in request don't hash to the same slot");
            assertThat(one.exists("{s1}.x")).isFalse();
        }
    }

    @Test
    void del_unlink_exists_touch_inOneSlot_countRepeatedKeysAsRedis() {
        try (Jedis one = jedis(cluster, 1, RedisProtocol.RESP3); Jedis two = jedis(cluster, 2, RedisProtocol.RESP2)) {
            one.mset("{g1}.a", "1", "{g1}.b", "2", "{g1}.c", "3");
            putHash("{g1}.h");
            assertThat(two.exists("{g1}.a", "{g1}.a", "{g1}.h", "{g1}.missing")).isEqualTo(3);
            assertThat(two.touch("{g1}.a", "{g1}.b", "{g1}.b", "{g1}.missing")).isEqualTo(3);
            assertThat(two.del("{g1}.a", "{g1}.a", "{g1}.h", "{g1}.missing")).isEqualTo(2);
            assertThat(one.exists("{g1}.a", "{g1}.h", "{g1}.b")).isOne();
            assertThat(two.unlink("{g1}.b", "{g1}.c", "{g1}.b")).isEqualTo(2);
            assertThat(one.exists("{g1}.b", "{g1}.c")).isZero();
        }
    }

    @Test
    void rename_renamenx_copy_inOneSlot_followRedis() {
        try (Jedis one = jedis(cluster, 0, RedisProtocol.RESP2); Jedis two = jedis(cluster, 2, RedisProtocol.RESP3)) {
            one.set("{r1}.src", "v", SetParams.setParams().ex(1000));
            one.set("{r1}.dst", "old");
            assertThat(two.rename("{r1}.src", "{r1}.dst")).isEqualTo("OK");
            assertThat(one.get("{r1}.dst")).isEqualTo("v");
            assertThat(one.ttl("{r1}.dst")).isBetween(990L, 1000L);
            assertThat(one.exists("{r1}.src")).isFalse();
            assertError(() -> two.rename("{r1}.src", "{r1}.dst"), "ERR no such key");
            assertError(() -> two.renamenx("{r1}.src", "{r1}.dst"), "ERR no such key");
            assertThat(two.rename("{r1}.dst", "{r1}.dst")).isEqualTo("OK");
            assertThat(two.renamenx("{r1}.dst", "{r1}.dst")).isZero();

            putHash("{r1}.hash");
            assertThat(two.renamenx("{r1}.dst", "{r1}.hash")).isZero();
            assertThat(one.get("{r1}.dst")).isEqualTo("v");
            assertThat(one.type("{r1}.hash")).isEqualTo("hash");
            assertThat(two.rename("{r1}.hash", "{r1}.moved")).isEqualTo("OK");
            assertThat(one.type("{r1}.moved")).isEqualTo("hash");
            assertThat(two.renamenx("{r1}.dst", "{r1}.fresh")).isOne();
            assertThat(one.get("{r1}.fresh")).isEqualTo("v");
            assertThat(one.ttl("{r1}.fresh")).isBetween(990L, 1000L);

            one.set("{r1}.copied", "other");
            assertThat(two.copy("{r1}.fresh", "{r1}.copied", false)).isFalse();
            assertThat(one.get("{r1}.copied")).isEqualTo("other");
            assertThat(two.copy("{r1}.fresh", "{r1}.copied", true)).isTrue();
            assertThat(one.get("{r1}.copied")).isEqualTo("v");
            assertThat(one.ttl("{r1}.copied")).isBetween(990L, 1000L);
            assertThat(two.copy("{r1}.moved", "{r1}.hashcopy", 0, false)).isTrue(); // DB of the client: one slot
            assertThat(one.type("{r1}.hashcopy")).isEqualTo("hash");
            assertThat(one.type("{r1}.moved")).isEqualTo("hash");
            assertThat(two.copy("{r1}.missing", "{r1}.copy2", true)).isFalse();
            assertThat(one.exists("{r1}.copy2")).isFalse();
            assertError(() -> two.copy("{r1}.fresh", "{r1}.fresh", true),
                    "ERR source and destination objects are the same");
        }
    }

    @Test
    void lmove_rpoplpush_inOneSlot_followRedis() {
        try (Jedis one = jedis(cluster, 0, RedisProtocol.RESP3); Jedis two = jedis(cluster, 1, RedisProtocol.RESP2)) {
            one.rpush("{l1}.src", "a", "b", "c");
            assertThat(two.lmove("{l1}.src", "{l1}.dst", ListDirection.LEFT, ListDirection.RIGHT)).isEqualTo("a");
            assertThat(two.rpoplpush("{l1}.src", "{l1}.dst")).isEqualTo("c");
            assertThat(one.lrange("{l1}.dst", 0, -1)).containsExactly("c", "a");
            assertThat(two.lmove("{l1}.src", "{l1}.dst", ListDirection.RIGHT, ListDirection.LEFT)).isEqualTo("b");
            assertThat(one.exists("{l1}.src")).isFalse(); // the last move deletes the source
            assertThat(one.lrange("{l1}.dst", 0, -1)).containsExactly("b", "c", "a");
            assertThat(two.lmove("{l1}.src", "{l1}.dst", ListDirection.LEFT, ListDirection.LEFT)).isNull();
            assertThat(two.lmove("{l1}.dst", "{l1}.dst", ListDirection.LEFT, ListDirection.RIGHT)).isEqualTo("b");
            assertThat(one.lrange("{l1}.dst", 0, -1)).containsExactly("c", "a", "b");

            one.set("{l1}.string", "x");
            assertError(() -> two.lmove("{l1}.dst", "{l1}.string", ListDirection.LEFT, ListDirection.LEFT),
                    WRONGTYPE);
            assertThat(one.lrange("{l1}.dst", 0, -1)).containsExactly("c", "a", "b");
            assertError(() -> two.rpoplpush("{l1}.string", "{l1}.dst"), WRONGTYPE);
            assertThat(two.rpoplpush("{l1}.missing", "{l1}.string")).isNull(); // the source is looked at first
            assertError(() -> raw(two, "LMOVE", "{l1}.dst", "{l1}.other", "UP", "LEFT"), "ERR syntax error");
        }
    }

    @Test
    void smove_and_setAlgebra_inOneSlot_followRedis() {
        try (Jedis one = jedis(cluster, 2, RedisProtocol.RESP2); Jedis two = jedis(cluster, 0, RedisProtocol.RESP3)) {
            one.sadd("{e1}.x", "a", "b", "c", "d");
            one.sadd("{e1}.y", "c", "d", "e");
            assertThat(two.sinter("{e1}.x", "{e1}.y", "{e1}.x")).containsExactlyInAnyOrder("c", "d");
            assertThat(two.sunion("{e1}.x", "{e1}.y", "{e1}.missing")).containsExactlyInAnyOrder("a", "b", "c", "d",
                    "e");
            assertThat(two.sdiff("{e1}.x", "{e1}.y")).containsExactlyInAnyOrder("a", "b");
            assertThat(two.sinter("{e1}.x", "{e1}.missing")).isEmpty();
            one.set("{e1}.str", "v", SetParams.setParams().ex(1000));
            assertError(() -> two.sinter("{e1}.missing", "{e1}.str"), WRONGTYPE);
            assertError(() -> two.sdiff("{e1}.x", "{e1}.str"), WRONGTYPE);
            assertError(() -> two.sunionstore("{e1}.x", "{e1}.y", "{e1}.str"), WRONGTYPE);
            assertThat(one.scard("{e1}.x")).isEqualTo(4); // nothing changed

            assertThat(two.sinterstore("{e1}.str", "{e1}.x", "{e1}.y")).isEqualTo(2); // any type of destination
            assertThat(one.smembers("{e1}.str")).containsExactlyInAnyOrder("c", "d");
            assertThat(one.ttl("{e1}.str")).isEqualTo(-1);
            assertThat(two.sdiffstore("{e1}.x", "{e1}.x", "{e1}.str")).isEqualTo(2); // the destination is a source
            assertThat(one.smembers("{e1}.x")).containsExactlyInAnyOrder("a", "b");
            assertThat(two.sunionstore("{e1}.u", "{e1}.x", "{e1}.y")).isEqualTo(5);
            assertThat(two.sinterstore("{e1}.u", "{e1}.u", "{e1}.missing")).isZero();
            assertThat(one.exists("{e1}.u")).isFalse();

            assertThat(two.smove("{e1}.x", "{e1}.y", "a")).isOne();
            assertThat(two.smove("{e1}.x", "{e1}.y", "zz")).isZero();
            assertThat(two.smove("{e1}.x", "{e1}.y", "b")).isOne();
            assertThat(one.exists("{e1}.x")).isFalse();
            assertThat(one.smembers("{e1}.y")).containsExactlyInAnyOrder("a", "b", "c", "d", "e");
            assertThat(two.smove("{e1}.x", "{e1}.y", "a")).isZero();
            assertThat(two.smove("{e1}.y", "{e1}.y", "a")).isOne();
            one.set("{e1}.s", "v");
            assertError(() -> two.smove("{e1}.y", "{e1}.s", "zz"), WRONGTYPE); // types before the member
            assertError(() -> two.smove("{e1}.s", "{e1}.y", "a"), WRONGTYPE);
            assertThat(two.smove("{e1}.missing", "{e1}.s", "a")).isZero(); // the source is looked at first
            assertThat(one.scard("{e1}.y")).isEqualTo(5);
        }
    }

    @Test
    void mset_isNeverSeenHalfApplied_byMgetThroughOtherMembers() throws Exception {
        String[] keys = new String[10];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = "{a1}.k" + i;
        }
        AtomicBoolean writing = new AtomicBoolean(true);
        Future<Integer> writer = threads.submit(() -> {
            try (Jedis jedis = jedis(cluster, 0, RedisProtocol.RESP2)) {
                for (int round = 0; round < 2_000; round++) {
                    String[] pairs = new String[keys.length * 2];
                    for (int i = 0; i < keys.length; i++) {
                        pairs[2 * i] = keys[i];
                        pairs[2 * i + 1] = Integer.toString(round);
                    }
                    jedis.mset(pairs);
                }
                return 2_000;
            } finally {
                writing.set(false);
            }
        });
        List<Future<Integer>> readers = new ArrayList<>();
        for (int member = 1; member <= 2; member++) {
            int through = member;
            readers.add(threads.submit(() -> {
                int reads = 0;
                try (Jedis jedis = jedis(cluster, through, RedisProtocol.RESP3)) {
                    while (writing.get()) {
                        List<String> values = jedis.mget(keys);
                        assertThat(new HashSet<>(values)).as("one MSET's values").hasSize(1);
                        reads++;
                    }
                }
                return reads;
            }));
        }
        assertThat(writer.get(60, TimeUnit.SECONDS)).isEqualTo(2_000);
        for (Future<Integer> reader : readers) {
            assertThat(reader.get(10, TimeUnit.SECONDS)).isPositive();
        }
    }

    @Test
    void rename_keepsTheValueUnderExactlyOneName_forAConcurrentReader() throws Exception {
        try (Jedis setup = jedis(cluster, 0, RedisProtocol.RESP2)) {
            setup.set("{a2}.a", "v");
        }
        AtomicBoolean renaming = new AtomicBoolean(true);
        Future<?> writer = threads.submit((Callable<Void>) () -> {
            try (Jedis jedis = jedis(cluster, 0, RedisProtocol.RESP2)) {
                for (int round = 0; round < 1_000; round++) {
                    assertThat(jedis.rename("{a2}.a", "{a2}.b")).isEqualTo("OK");
                    assertThat(jedis.renamenx("{a2}.b", "{a2}.a")).isOne();
                }
                return null;
            } finally {
                renaming.set(false);
            }
        });
        Future<Integer> reader = threads.submit(() -> {
            int reads = 0;
            try (Jedis mget = jedis(cluster, 1, RedisProtocol.RESP3);
                 Jedis exists = jedis(cluster, 2, RedisProtocol.RESP2)) {
                while (renaming.get()) {
                    List<String> values = mget.mget("{a2}.a", "{a2}.b");
                    assertThat(values).as("the value under exactly one name").containsOnlyOnce("v")
                            .containsOnlyOnce((String) null);
                    assertThat(exists.exists("{a2}.a", "{a2}.b")).isOne();
                    reads++;
                }
            }
            return reads;
        });
        writer.get(60, TimeUnit.SECONDS);
        assertThat(reader.get(10, TimeUnit.SECONDS)).isPositive();
    }

    @Test
    void lmove_betweenTwoListsOfOneSlot_fromTwoThreads_neverLosesNorDoublesAnElement() throws Exception {
        String left = "{a3}.left";
        String right = "{a3}.right";
        List<String> elements = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            elements.add("e" + i);
        }
        try (Jedis setup = jedis(cluster, 0, RedisProtocol.RESP2)) {
            setup.rpush(left, elements.toArray(String[]::new));
        }
        AtomicBoolean moving = new AtomicBoolean(true);
        Future<?> toRight = threads.submit((Callable<Void>) () -> {
            try (Jedis jedis = jedis(cluster, 0, RedisProtocol.RESP2)) {
                for (int i = 0; i < 1_000; i++) {
                    jedis.lmove(left, right, ListDirection.LEFT, ListDirection.RIGHT);
                }
            }
            return null;
        });
        Future<?> toLeft = threads.submit((Callable<Void>) () -> {
            try (Jedis jedis = jedis(cluster, 1, RedisProtocol.RESP3)) {
                for (int i = 0; i < 1_000; i++) {
                    jedis.rpoplpush(right, left);
                }
            }
            return null;
        });
        // A slot-level reader: the partition's entries read on its primary at one instant, between two operations.
        Grid grid = cluster.grid().members().get(2);
        GridMap<byte[], byte[]> map = grid.map(ServerContext.databaseMapName(0));
        byte[] leftKey = left.getBytes(StandardCharsets.UTF_8);
        byte[] rightKey = right.getBytes(StandardCharsets.UTF_8);
        int partition = grid.partitionOf(leftKey).id();
        Future<Integer> reader = threads.submit(() -> {
            int reads = 0;
            while (moving.get()) {
                List<String> seen = new ArrayList<>();
                for (Map.Entry<byte[], byte[]> entry : map.partitionEntries(partition).entrySet()) {
                    if (Arrays.equals(entry.getKey(), leftKey) || Arrays.equals(entry.getKey(), rightKey)) {
                        for (byte[] item : StoredValue.decodeList(entry.getValue())) {
                            seen.add(new String(item, StandardCharsets.UTF_8));
                        }
                    }
                }
                assertThat(seen).as("every element in exactly one list").containsExactlyInAnyOrderElementsOf(elements);
                reads++;
            }
            return reads;
        });
        try {
            toRight.get(60, TimeUnit.SECONDS);
            toLeft.get(60, TimeUnit.SECONDS);
        } finally {
            moving.set(false);
        }
        assertThat(reader.get(10, TimeUnit.SECONDS)).isPositive();
        try (Jedis check = jedis(cluster, 2, RedisProtocol.RESP2)) {
            List<String> all = new ArrayList<>(check.lrange(left, 0, -1));
            all.addAll(check.lrange(right, 0, -1));
            assertThat(all).containsExactlyInAnyOrderElementsOf(elements);
        }
    }

    @Test
    void msetnx_racingOnOverlappingKeysOfOneSlot_exactlyOneWinsWhole() throws Exception {
        int rounds = 300;
        CyclicBarrier start = new CyclicBarrier(2);
        Callable<List<Long>> first = () -> race(0, rounds, start, "A", "a", "b", "c");
        Callable<List<Long>> second = () -> race(1, rounds, start, "B", "b", "c", "d");
        Future<List<Long>> firstResults = threads.submit(first);
        Future<List<Long>> secondResults = threads.submit(second);
        List<Long> firstWon = firstResults.get(60, TimeUnit.SECONDS);
        List<Long> secondWon = secondResults.get(60, TimeUnit.SECONDS);
        try (Jedis check = jedis(cluster, 2, RedisProtocol.RESP3)) {
            for (int round = 0; round < rounds; round++) {
                assertThat(firstWon.get(round) + secondWon.get(round)).as("winners of round %d", round).isOne();
                List<String> values = check.mget(raceKey(round, "a"), raceKey(round, "b"), raceKey(round, "c"),
                        raceKey(round, "d"));
                if (firstWon.get(round) == 1) {
                    assertThat(values).containsExactly("A", "A", "A", null);
                } else {
                    assertThat(values).containsExactly(null, "B", "B", "B");
                }
            }
        }
    }

    private static List<Long> race(int member, int rounds, CyclicBarrier start, String value, String... names)
            throws Exception {
        List<Long> won = new ArrayList<>(rounds);
        try (Jedis jedis = jedis(cluster, member, RedisProtocol.RESP2)) {
            for (int round = 0; round < rounds; round++) {
                String[] pairs = new String[names.length * 2];
                for (int i = 0; i < names.length; i++) {
                    pairs[2 * i] = raceKey(round, names[i]);
                    pairs[2 * i + 1] = value;
                }
                start.await(10, TimeUnit.SECONDS);
                won.add(jedis.msetnx(pairs));
            }
        }
        return won;
    }

    private static String raceKey(int round, String name) {
        return "{a4}." + round + "." + name;
    }

    @Test
    void crossSlotKeys_areStillServedSplitPerKey() {
        try (Jedis one = jedis(cluster, 0, RedisProtocol.RESP2); Jedis two = jedis(cluster, 1, RedisProtocol.RESP2)) {
            assertThat(one.mset("{c1}.a", "1", "{c2}.b", "2")).isEqualTo("OK");
            assertThat(two.mget("{c1}.a", "{c2}.b", "{c3}.c")).containsExactly("1", "2", null);
            assertThat(two.exists("{c1}.a", "{c2}.b", "{c2}.b")).isEqualTo(3);
            assertThat(two.rename("{c1}.a", "{c3}.a")).isEqualTo("OK");
            assertThat(one.get("{c3}.a")).isEqualTo("1");
            assertThat(two.del("{c3}.a", "{c2}.b")).isEqualTo(2);
            Set<String> none = new HashSet<>(one.mget("{c1}.a", "{c2}.b", "{c3}.a"));
            assertThat(none).containsOnlyNulls();
        }
    }
}
