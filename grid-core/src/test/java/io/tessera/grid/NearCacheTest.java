package io.tessera.grid;

import static io.tessera.grid.testing.ReplicaProbe.keysWithPrimary;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tessera.grid.internal.GridNode;
import io.tessera.grid.internal.map.DefaultGridMap;
import io.tessera.grid.internal.nearcache.NearCache;
import io.tessera.grid.testing.GridCluster;
import io.tessera.grid.testing.ReplicaProbe;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The near cache and exactly the guarantee {@link NearCacheConfig} states: a write's future completes only after
 * every member with a near cache of the map dropped its copy, so once a write returned on any member, a read on any
 * member returns that value or a newer one. And: a repeated read of an unchanged key does not leave the member.
 *
 * <p>The visibility tests therefore never sleep or wait between the write returning and the read: any wait would
 * test a weaker promise than the one made.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NearCacheTest {
    private static final MapConfig NEAR = MapConfig.builder().nearCache(NearCacheConfig.ofMaxSize(10_000)).build();
    private static final Duration GENEROUS = Duration.ofSeconds(20);

    private static GridCluster cluster;
    private static Grid a;
    private static Grid b;
    private static Grid c;

    @BeforeAll
    static void startCluster() {
        cluster = GridCluster.start(3);
        a = cluster.member(0);
        b = cluster.member(1);
        c = cluster.member(2);
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** The map {@code name} with a near cache, created on every member so every member has one. */
    private static <K, V> List<GridMap<K, V>> nearMaps(String name, MapConfig config, Grid... members) {
        List<GridMap<K, V>> maps = new ArrayList<>();
        for (Grid g : members) {
            maps.add(g.map(name, config));
        }
        return maps;
    }

    private static long remoteInvocations(Grid grid) {
        return ((GridNode) grid).invoker().remoteInvocations();
    }

    private static NearCache nearCache(GridMap<?, ?> map) {
        return ((DefaultGridMap<?, ?>) map).nearCache();
    }

    private static long now() {
        return System.currentTimeMillis();
    }

    private static void sleepUntilPast(long epochMillis) throws InterruptedException {
        long wait;
        while ((wait = epochMillis - now() + 1) > 0) {
            Thread.sleep(wait);
        }
    }

    // ----------------------------------------------------------------------------------------- no round trip

    @Test
    void repeatedGetOfAnUnchangedKey_doesNotCrossTheNetwork() {
        List<GridMap<String, String>> maps = nearMaps("nc-local", NEAR, a, b, c);
        GridMap<String, String> onA = maps.get(0);
        String key = keysWithPrimary(cluster.members(), c, "remote-", 1).get(0);
        maps.get(1).put(key, "v");

        long beforeFirst = remoteInvocations(a);
        assertThat(onA.get(key)).isEqualTo("v");
        assertThat(remoteInvocations(a)).as("the first read goes to the remote primary").isEqualTo(beforeFirst + 1);

        long hitsBefore = nearCache(onA).hits();
        long remoteBefore = remoteInvocations(a);
        for (int i = 0; i < 1_000; i++) {
            assertThat(onA.get(key)).isEqualTo("v");
        }
        assertThat(remoteInvocations(a)).as("operations sent to other members by 1,000 repeated reads")
                .isEqualTo(remoteBefore);
        assertThat(nearCache(onA).hits() - hitsBefore).isEqualTo(1_000);
    }

    @Test
    void aMissIsNotCached_soTheKeyAppearingLaterIsSeen() {
        List<GridMap<String, String>> maps = nearMaps("nc-miss", NEAR, a, b, c);
        String key = keysWithPrimary(cluster.members(), c, "later-", 1).get(0);
        assertThat(maps.get(0).get(key)).isNull();
        assertThat(maps.get(0).get(key)).isNull();
        maps.get(1).put(key, "now");
        assertThat(maps.get(0).get(key)).isEqualTo("now");
    }

    // ------------------------------------------------------------------------------------- the guarantee

    @Test
    void writeReturnedOnOneMember_isSeenByTheVeryNextReadOnAnother_everyTime() {
        List<GridMap<String, Integer>> maps = nearMaps("nc-visibility", NEAR, a, b, c);
        List<Grid> ms = cluster.members();
        for (Grid primary : ms) {
            String key = keysWithPrimary(ms, primary, "vis-" + primary.localMember().name() + "-", 1).get(0);
            for (int writer = 0; writer < 3; writer++) {
                for (int reader = 0; reader < 3; reader++) {
                    if (reader == writer) {
                        continue;
                    }
                    GridMap<String, Integer> w = maps.get(writer);
                    GridMap<String, Integer> r = maps.get(reader);
                    long hitsBefore = nearCache(r).hits();
                    for (int i = 0; i < 100; i++) {
                        int value = writer * 1_000_000 + reader * 1_000 + i;
                        w.put(key, value);
                        assertThat(r.get(key)).as("read on m%d right after put(%d) returned on m%d; primary %s",
                                reader, value, writer, primary.localMember().name()).isEqualTo(value);
                        assertThat(r.get(key)).as("second read, from the near cache").isEqualTo(value);
                    }
                    assertThat(nearCache(r).hits() - hitsBefore).as("reads served by the near cache")
                            .isGreaterThanOrEqualTo(100);
                }
            }
        }
    }

    @Test
    void everyKindOfWrite_invalidatesBeforeItReturns() {
        List<GridMap<String, String>> maps = nearMaps("nc-write-kinds", NEAR, a, b, c);
        GridMap<String, String> onA = maps.get(0);
        GridMap<String, String> onB = maps.get(1);
        String key = keysWithPrimary(cluster.members(), c, "kinds-", 1).get(0);

        onB.put(key, "1");
        assertThat(onA.get(key)).isEqualTo("1");
        onB.set(key, "2");
        assertThat(onA.get(key)).isEqualTo("2");
        assertThat(onB.replace(key, "3")).isEqualTo("2");
        assertThat(onA.get(key)).isEqualTo("3");
        assertThat(onB.replace(key, "3", "4")).isTrue();
        assertThat(onA.get(key)).isEqualTo("4");
        onB.putAsync(key, "5").join();
        assertThat(onA.get(key)).isEqualTo("5");
        onB.putAll(Map.of(key, "6"));
        assertThat(onA.get(key)).isEqualTo("6");
        assertThat(onB.merge(key, "7", (x, y) -> y)).isEqualTo("7");
        assertThat(onA.get(key)).isEqualTo("7");

        assertThat(onB.remove(key)).isEqualTo("7");
        assertThat(onA.get(key)).as("after remove").isNull();
        assertThat(onB.putIfAbsent(key, "8")).isNull();
        assertThat(onA.get(key)).isEqualTo("8");
        assertThat(onB.delete(key)).isTrue();
        assertThat(onA.get(key)).as("after delete").isNull();
        onB.put(key, "9");
        assertThat(onA.get(key)).isEqualTo("9");
        assertThat(onB.remove(key, "9")).isTrue();
        assertThat(onA.get(key)).as("after remove(k, v)").isNull();
        onB.put(key, "10");
        assertThat(onA.get(key)).isEqualTo("10");
        onB.removeAsync(key).join();
        assertThat(onA.get(key)).as("after removeAsync").isNull();
        onB.put(key, "11");
        assertThat(onA.get(key)).isEqualTo("11");
        assertThat(onB.expire(key, Duration.ZERO)).isTrue();
        assertThat(onA.get(key)).as("after expire(k, 0)").isNull();
    }

    @Test
    void clearOnAnotherMember_invalidatesEveryNearCachedKey() {
        List<GridMap<String, String>> maps = nearMaps("nc-clear", NEAR, a, b, c);
        GridMap<String, String> onA = maps.get(0);
        for (int i = 0; i < 100; i++) {
            maps.get(2).put("k" + i, "v" + i);
        }
        for (int i = 0; i < 100; i++) {
            assertThat(onA.get("k" + i)).isEqualTo("v" + i);
        }
        assertThat(nearCache(onA).size()).as("entries near-cached on A").isPositive();

        maps.get(1).clear();
        for (int i = 0; i < 100; i++) {
            assertThat(onA.get("k" + i)).as("k%d after clear on another member", i).isNull();
        }
    }

    @Test
    void activeExpiry_dropsTheNearCachedCopy_withoutAReadOnThatMember() {
        List<GridMap<String, String>> maps = nearMaps("nc-expiry", NEAR, a, b, c);
        GridMap<String, String> onA = maps.get(0);
        List<String> keys = keysWithPrimary(cluster.members(), c, "ttl-", 10);
        for (String k : keys) {
            maps.get(1).put(k, "v", Duration.ofMillis(500));
            assertThat(onA.get(k)).isEqualTo("v");
        }
        assertThat(nearCache(onA).size()).as("near-cached on A").isEqualTo(keys.size());
        // No read on A: only the primary's expiry, reaching A as an event, can empty A's near cache.
        await().atMost(GENEROUS).until(() -> nearCache(onA).size() == 0);
        for (String k : keys) {
            assertThat(onA.get(k)).isNull();
        }
    }

    /**
     * A key whose TTL passed reads as absent on its primary (lazy expiry); a near-cached copy must not outlive that
     * deadline either, or a member reads an entry that, per the map's own rules, no longer exists.
     */
    @Test
    void nearCachedEntry_isNotReturnedAfterItsTtlDeadline() throws InterruptedException {
        List<GridMap<String, String>> maps = nearMaps("nc-ttl-deadline", NEAR, a, b, c);
        GridMap<String, String> onA = maps.get(0);
        long ttl = 800;
        List<String> stale = new ArrayList<>();
        for (String k : keysWithPrimary(cluster.members(), c, "deadline-", 3)) {
            maps.get(1).put(k, "v", Duration.ofMillis(ttl));
            long written = now();
            assertThat(onA.get(k)).isEqualTo("v");
            sleepUntilPast(written + ttl);
            String value = onA.get(k);
            if (value != null) {
                stale.add(k + " read " + (now() - written - ttl) + " ms after its deadline");
            }
        }
        assertThat(stale).as("expired entries returned by the near cache").isEmpty();
    }

    // ------------------------------------------------------------------------------------------------ stress

    @Test
    void concurrentReadersAndWriters_neverReadAValueOlderThanTheLastAcknowledgedWrite() throws Exception {
        List<GridMap<String, Long>> maps = nearMaps("nc-stress", NEAR, a, b, c);
        GridMap<String, Long> onA = maps.get(0);
        List<Grid> ms = cluster.members();
        List<String> keys = new ArrayList<>();
        for (Grid primary : ms) {
            keys.addAll(keysWithPrimary(ms, primary, "stress-" + primary.localMember().name() + "-", 3));
        }
        Map<String, AtomicLong> acknowledged = new ConcurrentHashMap<>();
        for (String k : keys) {
            maps.get(1).put(k, 0L);
            acknowledged.put(k, new AtomicLong(0));
        }
        // Writers on B and C own disjoint keys, so each key's values only grow.
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicReference<String> violation = new AtomicReference<>();
        AtomicLong reads = new AtomicLong();
        AtomicLong writes = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int w = 1; w <= 2; w++) {
            GridMap<String, Long> writer = maps.get(w);
            List<String> own = new ArrayList<>();
            for (int i = w - 1; i < keys.size(); i += 2) {
                own.add(keys.get(i));
            }
            threads.add(new Thread(() -> {
                long value = 0;
                while (running.get() && violation.get() == null) {
                    value++;
                    for (String k : own) {
                        writer.put(k, value);
                        acknowledged.get(k).set(value);
                        writes.incrementAndGet();
                    }
                }
            }, "nc-writer-" + w));
        }
        for (int r = 0; r < 4; r++) {
            threads.add(new Thread(() -> {
                ThreadLocalRandom random = ThreadLocalRandom.current();
                while (running.get() && violation.get() == null) {
                    String k = keys.get(random.nextInt(keys.size()));
                    long floor = acknowledged.get(k).get();
                    Long value = onA.get(k);
                    reads.incrementAndGet();
                    if (value == null || value < floor) {
                        violation.compareAndSet(null, "read " + value + " of " + k + " after " + floor
                                + " had been acknowledged");
                    }
                }
            }, "nc-reader-" + r));
        }
        long hitsBefore = nearCache(onA).hits();
        long missesBefore = nearCache(onA).misses();
        long start = System.nanoTime();
        threads.forEach(Thread::start);
        try {
            // At least two seconds of load, and enough of it to mean something, whatever the machine's speed.
            await().atMost(Duration.ofSeconds(40)).until(() -> violation.get() != null
                    || System.nanoTime() - start > TimeUnit.SECONDS.toNanos(2)
                    && writes.get() >= 20L * keys.size() && reads.get() >= 2_000);
        } finally {
            running.set(false);
            for (Thread t : threads) {
                t.join(20_000);
            }
        }
        assertThat(violation.get()).isNull();
        assertThat(nearCache(onA).hits() - hitsBefore).as("reads served from the near cache").isPositive();
        assertThat(nearCache(onA).misses() - missesBefore).as("reads after an invalidation").isPositive();
        for (String k : keys) {
            assertThat(onA.get(k)).isEqualTo(acknowledged.get(k).get());
        }
    }

    // ------------------------------------------------------------------------------------------------ bounds

    @Test
    void nearCache_staysWithinItsMaxSize() {
        MapConfig small = MapConfig.builder().nearCache(NearCacheConfig.ofMaxSize(50)).build();
        List<GridMap<String, Integer>> maps = nearMaps("nc-bounded", small, a, b, c);
        GridMap<String, Integer> onA = maps.get(0);
        for (int i = 0; i < 300; i++) {
            maps.get(1).set("k" + i, i);
        }
        for (int i = 0; i < 300; i++) {
            assertThat(onA.get("k" + i)).isEqualTo(i);
        }
        await().atMost(GENEROUS).untilAsserted(() -> assertThat(nearCache(onA).size()).isBetween(1L, 50L));
        for (int i = 0; i < 300; i++) {
            assertThat(onA.get("k" + i)).isEqualTo(i);
        }
    }

    // ------------------------------------------------------------------------------------------ with max-idle

    /**
     * Reads keep a max-idle entry alive; reads served by a near cache are reads too. A map that cannot honour both
     * must refuse the combination rather than silently expire an entry that is being read.
     */
    @Test
    void maxIdleEntry_readOnlyThroughTheNearCache_staysAlive() throws InterruptedException {
        MapConfig config;
        try {
            config = MapConfig.builder().nearCache(NearCacheConfig.defaults()).maxIdle(Duration.ofMillis(1_000))
                    .build();
        } catch (IllegalArgumentException refused) {
            assertThat(refused).hasMessageContaining("maxIdle");
            return;
        }
        List<GridMap<String, String>> maps = nearMaps("nc-max-idle", config, a, b, c);
        GridMap<String, String> onA = maps.get(0);
        String key = keysWithPrimary(cluster.members(), c, "idle-", 1).get(0);
        maps.get(1).put(key, "session");
        long start = now();
        long previousIssue = start;
        List<String> lost = new ArrayList<>();
        while (now() < start + 3_000) {
            long issued = now();
            String value = onA.get(key);
            if (now() - previousIssue < 1_000 && value == null) {
                lost.add("read " + (issued - start) + " ms after the write returned null");
                break;
            }
            previousIssue = issued;
            Thread.sleep(100);
        }
        assertThat(lost).as("a max-idle entry read every 100 ms through the near cache").isEmpty();
    }

    // ------------------------------------------------------------------------------------------- membership

    @Test
    void nearCacheOfAnEarlierMember_staysCoherent_whenAMemberThatJoinedLaterBecomesPrimary() {
        try (GridCluster own = GridCluster.start(2)) {
            Grid first = own.member(0);
            Grid second = own.member(1);
            String name = "nc-join";
            GridMap<String, String> onFirst = first.map(name, NEAR);
            GridMap<String, String> onSecond = second.map(name, NEAR);
            for (int i = 0; i < 200; i++) {
                onSecond.put("k" + i, "before");
            }
            for (int i = 0; i < 200; i++) {
                assertThat(onFirst.get("k" + i)).isEqualTo("before");
            }

            Grid joined = own.addMember();
            own.awaitSettled();
            GridMap<String, String> onJoined = joined.map(name, NEAR);
            List<String> moved = keysWithPrimary(own.members(), joined, "k", 10).stream()
                    .filter(k -> Integer.parseInt(k.substring(1)) < 200).toList();
            assertThat(moved).isNotEmpty();
            List<String> problems = new ArrayList<>();
            for (String k : moved) {
                assertThat(onFirst.get(k)).isEqualTo("before"); // still cached on the first member
                onSecond.put(k, "after");
                String seen = onFirst.get(k);
                if (!"after".equals(seen)) {
                    problems.add(k + " (now primary on " + joined.localMember().name() + "): read " + seen
                            + " after put(after) returned");
                }
                assertThat(onJoined.get(k)).isEqualTo("after");
            }
            assertThat(problems).isEmpty();
        }
    }

    @Test
    void memberThatJoinsLater_withANearCache_isInvalidatedByWritesElsewhere() {
        try (GridCluster own = GridCluster.start(2)) {
            String name = "nc-joiner-cache";
            GridMap<String, String> onFirst = own.member(0).map(name, NEAR);
            for (int i = 0; i < 50; i++) {
                onFirst.put("k" + i, "old");
            }
            Grid joined = own.addMember();
            own.awaitSettled();
            GridMap<String, String> onJoined = joined.map(name, NEAR);
            assertThat(nearCache(onJoined).size()).as("a member that joins starts with an empty cache").isZero();
            for (int i = 0; i < 50; i++) {
                assertThat(onJoined.get("k" + i)).isEqualTo("old");
                onFirst.put("k" + i, "new");
                assertThat(onJoined.get("k" + i)).as("k%d on the member that joined", i).isEqualTo("new");
            }
            assertThat(ReplicaProbe.primaryOf(own.members(), "k0")).isNotNull();
        }
    }
}
