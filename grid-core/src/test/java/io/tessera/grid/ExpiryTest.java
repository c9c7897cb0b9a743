package io.tessera.grid;

import static io.tessera.grid.testing.ReplicaProbe.keysWithPrimary;
import static io.tessera.grid.testing.ReplicaProbe.recordCount;
import static io.tessera.grid.testing.ReplicaProbe.replicaDisagreement;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tessera.grid.testing.GridCluster;
import io.tessera.grid.testing.ReplicaProbe;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * TTL and max-idle: lazy (a read after the deadline sees nothing) and active (an expired key leaves the memory of
 * its primary and every backup without being read), decided by the primary and replicated, never resurrected by a
 * backup after the primary leaves.
 *
 * <p>Timing assertions are one-sided against the JVM's wall clock, which the members share: "after the deadline"
 * means the test waited until the clock passed the latest possible deadline; "before the deadline" is asserted only
 * when the read provably completed before the earliest possible one. Nothing asserts how fast anything is.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ExpiryTest {
    /** Three members, every partition on all three: the primary and two backups. */
    private static final MapConfig EVERYWHERE = MapConfig.builder().backups(2).build();
    private static final Duration GENEROUS = Duration.ofSeconds(20);

    private static GridCluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = GridCluster.start(3, b -> b.maxBackups(2));
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static long now() {
        return System.currentTimeMillis();
    }

    /** Waits until the shared wall clock is past {@code epochMillis}. */
    private static void sleepUntilPast(long epochMillis) throws InterruptedException {
        long wait;
        while ((wait = epochMillis - now() + 1) > 0) {
            Thread.sleep(wait);
        }
    }

    private static long totalRecords(List<Grid> members, String map) {
        return members.stream().mapToLong(g -> recordCount(g, map)).sum();
    }

    /** One key per member, each with that member as its primary. */
    private static List<String> oneKeyPerPrimary(List<Grid> members, String prefix) {
        List<String> keys = new ArrayList<>();
        for (Grid g : members) {
            keys.add(keysWithPrimary(members, g, prefix + g.localMember().name() + "-", 1).get(0));
        }
        return keys;
    }

    // --------------------------------------------------------------------------------------------------- TTL

    @Test
    void putWithTtl_isReadableBeforeTheDeadline_andAGetAfterItReturnsNull() throws InterruptedException {
        List<Grid> ms = cluster.members();
        GridMap<String, String> writer = ms.get(0).map("ttl-put", EVERYWHERE);
        GridMap<String, String> reader = ms.get(1).map("ttl-put", EVERYWHERE);
        long ttl = 1_500;
        for (String key : oneKeyPerPrimary(ms, "ttl-put-")) {
            long before = now();
            assertThat(writer.put(key, "v", Duration.ofMillis(ttl))).isNull();
            long after = now();
            String early = reader.get(key);
            if (now() < before + ttl) {
                assertThat(early).as("%s read before its deadline", key).isEqualTo("v");
            }

            sleepUntilPast(after + ttl);
            assertThat(reader.get(key)).as("%s read after its deadline", key).isNull();
            assertThat(reader.containsKey(key)).isFalse();
            assertThat(reader.ttl(key)).isEmpty();
            assertThat(writer.put(key, "v2")).as("an expired value is never returned as the old value").isNull();
            assertThat(reader.get(key)).isEqualTo("v2");
            assertThat(reader.ttl(key)).as("a put without a TTL on a map without one makes it persistent")
                    .isEmpty();
        }
    }

    @Test
    void mapConfigTtl_appliesToEveryWriteWithoutItsOwn() throws InterruptedException {
        List<Grid> ms = cluster.members();
        long ttl = 1_500;
        MapConfig config = EVERYWHERE.toBuilder().ttl(Duration.ofMillis(ttl)).build();
        GridMap<String, String> map = ms.get(2).map("ttl-default", config);
        GridMap<String, String> other = ms.get(0).map("ttl-default", config);

        long before = now();
        map.put("put", "v");
        map.set("set", "v");
        map.putIfAbsent("putIfAbsent", "v");
        map.putAll(java.util.Map.of("putAll-1", "v", "putAll-2", "v"));
        map.put("explicit-none", "v", Duration.ZERO);
        map.put("explicit-longer", "v", Duration.ofMinutes(10));
        long after = now();

        List<String> defaulted = List.of("put", "set", "putIfAbsent", "putAll-1", "putAll-2");
        for (String key : defaulted) {
            Optional<Duration> remaining = other.ttl(key);
            if (now() < before + ttl) { // asked before the earliest deadline
                assertThat(remaining).as("ttl of %s", key).isPresent();
                assertThat(remaining.get()).isLessThanOrEqualTo(Duration.ofMillis(ttl)).isPositive();
            }
        }
        assertThat(other.ttl("explicit-none")).as("Duration.ZERO means no TTL, overriding the default").isEmpty();
        assertThat(other.ttl("explicit-longer").orElseThrow()).isGreaterThan(Duration.ofMinutes(9));

        sleepUntilPast(after + ttl);
        for (String key : defaulted) {
            assertThat(other.get(key)).as("%s after the default TTL", key).isNull();
        }
        assertThat(other.get("explicit-none")).isEqualTo("v");
        assertThat(other.get("explicit-longer")).isEqualTo("v");
        assertThat(other.size()).isEqualTo(2);
    }

    @Test
    void expire_setsATtlOnAnExistingKey_andPersistRemovesIt() throws InterruptedException {
        List<Grid> ms = cluster.members();
        GridMap<String, String> map = ms.get(1).map("expire-persist", EVERYWHERE);
        GridMap<String, String> other = ms.get(2).map("expire-persist", EVERYWHERE);
        map.put("kept", "v");
        map.put("expiring", "v");
        map.put("now", "v");
        assertThat(other.ttl("kept")).isEmpty();
        assertThat(other.containsKey("kept")).isTrue();

        assertThat(other.expire("absent", Duration.ofSeconds(1))).isFalse();
        assertThat(other.persist("absent")).isFalse();

        long ttl = 1_000;
        long beforeExpire = now();
        assertThat(other.expire("kept", Duration.ofMillis(ttl))).isTrue();
        long setAt = now();
        Optional<Duration> remaining = map.ttl("kept");
        boolean persistedInTime = map.persist("kept");
        if (now() < beforeExpire + ttl) { // both asked before the earliest deadline
            assertThat(remaining).hasValueSatisfying(d -> assertThat(d).isPositive()
                    .isLessThanOrEqualTo(Duration.ofMillis(ttl)));
            assertThat(persistedInTime).isTrue();
        } else {
            map.put("kept", "v"); // the machine stalled past the deadline; restore the precondition
        }
        assertThat(other.ttl("kept")).as("persist removed the TTL").isEmpty();

        assertThat(map.expire("expiring", Duration.ofMillis(ttl))).isTrue();
        long expiringSetAt = now();

        assertThat(map.expire("now", Duration.ZERO)).as("a zero TTL expires the key at once").isTrue();
        assertThat(other.get("now")).isNull();
        assertThat(other.containsKey("now")).isFalse();

        sleepUntilPast(Math.max(setAt, expiringSetAt) + ttl);
        assertThat(other.get("kept")).as("persisted key outlives its former deadline").isEqualTo("v");
        assertThat(other.get("expiring")).isNull();
        assertThat(other.expire("expiring", Duration.ofSeconds(1))).as("expire of an expired key").isFalse();
    }

    @Test
    void ttl_reportsTheRemainingTime() throws InterruptedException {
        List<Grid> ms = cluster.members();
        GridMap<String, String> map = ms.get(0).map("ttl-remaining", EVERYWHERE);
        GridMap<String, String> other = ms.get(1).map("ttl-remaining", EVERYWHERE);
        long ttl = 10_000;
        for (String key : oneKeyPerPrimary(ms, "remaining-")) {
            long beforePut = now();
            map.set(key, "v", Duration.ofMillis(ttl));
            long afterPut = now();
            long beforeAsk = now();
            long first = other.ttl(key).orElseThrow().toMillis();
            long afterAsk = now();
            // deadline in [beforePut + ttl, afterPut + ttl], asked at a moment in [beforeAsk, afterAsk]
            assertThat(first).isBetween(beforePut + ttl - afterAsk, afterPut + ttl - beforeAsk);

            Thread.sleep(300);
            long second = other.ttl(key).orElseThrow().toMillis();
            assertThat(second).as("remaining time shrinks as the clock moves").isLessThanOrEqualTo(first - 300);

            long beforeExpire = now();
            assertThat(map.expire(key, Duration.ofSeconds(3))).isTrue();
            Optional<Duration> shortened = other.ttl(key);
            if (now() < beforeExpire + 3_000) {
                assertThat(shortened).hasValueSatisfying(d -> assertThat(d).isPositive()
                        .isLessThanOrEqualTo(Duration.ofSeconds(3)));
            }
        }
    }

    // ---------------------------------------------------------------------------------------------- max-idle

    @Test
    void maxIdle_readsKeepAnEntryAlive_andAnUnreadOneExpires() throws InterruptedException {
        List<Grid> ms = cluster.members();
        long maxIdle = 1_000;
        String name = "idle";
        MapConfig config = EVERYWHERE.toBuilder().maxIdle(Duration.ofMillis(maxIdle)).build();
        GridMap<String, String> writer = ms.get(0).map(name, config);
        GridMap<String, String> reader = ms.get(1).map(name, config);
        String read = keysWithPrimary(ms, ms.get(2), "idle-read-", 1).get(0);
        int readPartition = ReplicaProbe.partitionOf(ms.get(0), read);
        String unread = keysWithPrimary(ms, ms.get(2), "idle-unread-", 20).stream()
                .filter(k -> ReplicaProbe.partitionOf(ms.get(0), k) != readPartition).findFirst().orElseThrow();
        int unreadPartition = ReplicaProbe.partitionOf(ms.get(0), unread);
        writer.put(read, "r");
        writer.put(unread, "u");
        long start = now();

        long previousIssue = start;
        int checked = 0;
        while (now() < start + 3 * maxIdle) {
            long issued = now();
            String value = reader.get(read);
            long done = now();
            if (done - previousIssue < maxIdle) {
                assertThat(value).as("read %d ms after the previous one", done - previousIssue).isEqualTo("r");
                checked++;
            }
            previousIssue = issued;
            Thread.sleep(100);
        }
        assertThat(checked).as("reads spanning three max-idle periods").isGreaterThan(3);

        // Nobody read the other one: it left every replica's memory without a read.
        await().atMost(GENEROUS).until(() -> ms.stream()
                .allMatch(g -> recordCount(g, name, unreadPartition) == 0));
        // Reads were replicated as touches: the replicas agree on sequence and content.
        await().atMost(GENEROUS).until(() -> replicaDisagreement(ms, name, 2) == null);

        // Stop reading: now it expires too, again without anybody reading it.
        await().atMost(GENEROUS).until(() -> ms.stream().allMatch(g -> recordCount(g, name) == 0));
        assertThat(reader.get(read)).isNull();
        assertThat(reader.get(unread)).isNull();
    }

    // ------------------------------------------------------------------------------------------ active expiry

    @Test
    void activeExpiry_removesExpiredKeysFromThePrimaryAndEveryBackup_withoutAnyRead() {
        List<Grid> ms = cluster.members();
        String name = "active";
        GridMap<String, String> map = ms.get(0).map(name, EVERYWHERE);
        int expiring = 300;
        int lasting = 50;
        long ttl = 1_500;
        long before = now();
        for (int i = 0; i < lasting; i++) {
            map.set("keep-" + i, "v");
        }
        for (int i = 0; i < expiring; i++) {
            map.set("exp-" + i, "v", Duration.ofMillis(ttl));
        }
        for (Grid g : ms) {
            long records = recordCount(g, name);
            if (now() < before + ttl) { // counted before the earliest deadline
                assertThat(records).as("records on %s before expiry", g.localMember().name())
                        .isEqualTo(expiring + lasting);
            }
        }

        await().atMost(GENEROUS).untilAsserted(() -> {
            for (Grid g : ms) {
                assertThat(recordCount(g, name)).as("records on %s", g.localMember().name()).isEqualTo(lasting);
            }
        });
        await().atMost(GENEROUS).until(() -> replicaDisagreement(ms, name, 2) == null);
        GridMap<String, String> other = ms.get(2).map(name, EVERYWHERE);
        assertThat(other.size()).isEqualTo(lasting);
        assertThat(other.get("exp-0")).isNull();
        assertThat(other.get("keep-0")).isEqualTo("v");
    }

    @Test
    void expiry_firesAnExpiredEvent_onAListenerOfAnotherMember() {
        List<Grid> ms = cluster.members();
        String name = "expiry-events";
        GridMap<String, String> listening = ms.get(0).map(name, EVERYWHERE);
        ConcurrentLinkedQueue<EntryEvent<String, String>> events = new ConcurrentLinkedQueue<>();
        UUID id = listening.addListener(new EntryListener<>() {
            @Override
            public void entryExpired(EntryEvent<String, String> event) {
                events.add(event);
            }

            @Override
            public void entryRemoved(EntryEvent<String, String> event) {
                events.add(event);
            }
        });
        try {
            GridMap<String, String> writer = ms.get(2).map(name, EVERYWHERE);
            String byTtl = keysWithPrimary(ms, ms.get(1), "by-ttl-", 1).get(0);
            String byExpire = keysWithPrimary(ms, ms.get(2), "by-expire-", 1).get(0);
            writer.put(byTtl, "a", Duration.ofMillis(300));
            writer.put(byExpire, "b");
            writer.expire(byExpire, Duration.ZERO);

            await().atMost(GENEROUS).untilAsserted(() -> assertThat(events).extracting(
                    EntryEvent::type, EntryEvent::key, EntryEvent::oldValue, EntryEvent::value)
                    .containsExactlyInAnyOrder(
                            org.assertj.core.groups.Tuple.tuple(EntryEventType.EXPIRED, byTtl, "a", null),
                            org.assertj.core.groups.Tuple.tuple(EntryEventType.EXPIRED, byExpire, "b", null)));
            assertThat(events).allSatisfy(e -> assertThat(e.mapName()).isEqualTo(name));
        } finally {
            listening.removeListener(id);
        }
    }

    // --------------------------------------------------------------------------------------------- failover

    @Test
    void expiredKey_staysGone_afterItsPrimaryLeavesGracefully() {
        try (GridCluster own = GridCluster.start(3)) {
            String name = "no-resurrection";
            List<Grid> ms = own.members();
            Grid primary = ms.get(1);
            GridMap<String, String> map = ms.get(0).map(name);
            List<String> expiring = keysWithPrimary(ms, primary, "exp-", 40);
            List<String> lasting = keysWithPrimary(ms, primary, "keep-", 40);
            long before = now();
            expiring.forEach(k -> map.set(k, "old", Duration.ofMillis(1_000)));
            lasting.forEach(k -> map.set(k, "v"));
            long records = totalRecords(ms, name);
            if (now() < before + 1_000) { // counted before the earliest deadline
                assertThat(records).isEqualTo(2L * (expiring.size() + lasting.size()));
            }

            // The primary expires them and replicates the removal: gone from primary and backups alike.
            await().atMost(GENEROUS).until(() -> totalRecords(ms, name) == 2L * lasting.size());

            own.closeMember(ms.indexOf(primary));
            own.awaitSettled();
            List<Grid> rest = own.members();
            for (Grid g : rest) {
                GridMap<String, String> m = g.map(name);
                for (String k : expiring) {
                    assertThat(m.get(k)).as("%s read on %s after failover", k, g.localMember().name()).isNull();
                }
                for (String k : lasting) {
                    assertThat(m.get(k)).isEqualTo("v");
                }
                assertThat(m.size()).isEqualTo(lasting.size());
            }
            assertThat(totalRecords(rest, name)).isEqualTo(2L * lasting.size());
            await().atMost(GENEROUS).until(() -> replicaDisagreement(rest, name, 1) == null);
        }
    }

    @Test
    void ttlKey_whosePrimaryLeavesBeforeTheDeadline_isExpiredByTheNewPrimary_withoutAnyRead() {
        try (GridCluster own = GridCluster.start(3)) {
            String name = "expire-after-failover";
            List<Grid> ms = own.members();
            Grid primary = ms.get(1);
            GridMap<String, String> map = ms.get(0).map(name);
            List<String> expiring = keysWithPrimary(ms, primary, "exp-", 40);
            List<String> longLived = keysWithPrimary(ms, primary, "long-", 10);
            long before = now();
            expiring.forEach(k -> map.set(k, "v", Duration.ofSeconds(3)));
            longLived.forEach(k -> map.set(k, "v", Duration.ofMinutes(10)));

            own.closeMember(ms.indexOf(primary));
            own.awaitSettled();
            List<Grid> rest = own.members();
            GridMap<String, String> after = rest.get(1).map(name);
            for (String k : longLived) {
                assertThat(after.ttl(k)).as("the TTL of %s travelled with it", k)
                        .hasValueSatisfying(d -> assertThat(d).isGreaterThan(Duration.ofMinutes(9)));
            }

            // No reads of the expiring keys: the new primary's active expiry must find them itself.
            await().atMost(GENEROUS).until(() -> totalRecords(rest, name) == 2L * longLived.size());
            assertThat(now()).isGreaterThanOrEqualTo(before + 3_000);
            for (String k : expiring) {
                assertThat(after.get(k)).isNull();
            }
            assertThat(after.size()).isEqualTo(longLived.size());
            await().atMost(GENEROUS).until(() -> replicaDisagreement(rest, name, 1) == null);
        }
    }

    @Test
    void maxIdleEntry_readOnItsPrimary_keepsLivingOnTheNewPrimaryAfterFailover() throws InterruptedException {
        try (GridCluster own = GridCluster.start(3)) {
            String name = "idle-failover";
            long maxIdle = 2_500;
            MapConfig config = MapConfig.builder().maxIdle(Duration.ofMillis(maxIdle)).build();
            List<Grid> ms = own.members();
            Grid primary = ms.get(1);
            Grid readerMember = ms.get(2);
            String key = keysWithPrimary(ms, primary, "session-", 1).get(0);
            ms.get(0).<String, String>map(name, config).put(key, "alive");

            // Read continuously through the leave: each read goes to whoever is primary at the time.
            GridMap<String, String> reader = readerMember.map(name, config);
            AtomicBoolean reading = new AtomicBoolean(true);
            AtomicReference<String> failure = new AtomicReference<>();
            AtomicInteger checkedReads = new AtomicInteger();
            Thread readerThread = new Thread(() -> {
                long previousIssue = now();
                while (reading.get()) {
                    long issued = now();
                    String value;
                    try {
                        value = reader.get(key);
                    } catch (RuntimeException e) {
                        failure.compareAndSet(null, "read failed: " + e);
                        return;
                    }
                    long done = now();
                    if (done - previousIssue < maxIdle) {
                        checkedReads.incrementAndGet();
                        if (!"alive".equals(value)) {
                            failure.compareAndSet(null, "read " + (done - previousIssue)
                                    + " ms after the previous one returned " + value);
                        }
                    }
                    previousIssue = issued;
                    try {
                        Thread.sleep(100);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "idle-reader");
            readerThread.start();
            try {
                // Longer than max-idle since the write: the backup's copy lives only if the reads reached it.
                Thread.sleep(maxIdle + 1_000);
                assertThat(failure.get()).isNull();
                await().atMost(GENEROUS).until(() -> replicaDisagreement(own.members(), name, 1) == null);

                own.closeMember(ms.indexOf(primary));
                own.awaitSettled();
                int readsBefore = checkedReads.get();
                await().atMost(GENEROUS).until(() -> checkedReads.get() >= readsBefore + 10);
            } finally {
                reading.set(false);
                readerThread.join(10_000);
            }
            assertThat(failure.get()).as("a max-idle entry kept alive by reads, across the failover").isNull();
            List<Grid> rest = own.members();

            // With the reads stopped it expires on the new primary, and leaves every replica.
            await().atMost(GENEROUS).until(() -> totalRecords(rest, name) == 0);
            assertThat(rest.get(0).<String, String>map(name, config).get(key)).isNull();
        }
    }
}
