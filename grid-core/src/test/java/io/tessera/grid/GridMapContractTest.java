package io.tessera.grid;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.tessera.grid.testing.ContractProcessors.Increment;
import io.tessera.grid.testing.ContractProcessors.Point;
import io.tessera.grid.testing.ContractProcessors.Read;
import io.tessera.grid.testing.ContractProcessors.Remove;
import io.tessera.grid.testing.ContractProcessors.ReturnPoint;
import io.tessera.grid.testing.ContractProcessors.SetThenFail;
import io.tessera.grid.testing.ContractProcessors.SetValue;
import io.tessera.grid.testing.ContractProcessors.SetValueWithTtl;
import io.tessera.grid.testing.ContractProcessors;
import io.tessera.grid.testing.ContractTestSupport;
import io.tessera.grid.testing.GridCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import org.assertj.core.api.SoftAssertions;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

/**
 * The {@link GridMap} contract (every {@link java.util.concurrent.ConcurrentMap}/{@link Map} operation plus TTL,
 * async, set/delete and entry processors), written once in {@link Contract} and run for every variant: 0, 1 and 2
 * backups, each with and without a near cache, on one 3-member cluster started with {@code maxBackups(2)}.
 *
 * <p>Every test writes through one member and reads through the others, and ends (see {@link Contract#replicas})
 * with every synchronous backup holding exactly what its primary holds.
 */
@Timeout(value = 60, unit = SECONDS)
class GridMapContractTest {
    /** Fewer than the default 256 keep whole-map operations quick; iteration still has to visit every one. */
    private static final int PARTITIONS = 64;
    private static final Duration WAIT = Duration.ofSeconds(10);

    private static GridCluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = GridCluster.start(3, b -> b.maxBackups(2).partitionCount(PARTITIONS)
                .serialization(ContractProcessors.serialization()));
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Nested
    class Backups0NoNearCache extends Contract {
        Backups0NoNearCache() {
            super(0, false);
        }
    }

    @Nested
    class Backups0NearCache extends Contract {
        Backups0NearCache() {
            super(0, true);
        }
    }

    @Nested
    class Backups1NoNearCache extends Contract {
        Backups1NoNearCache() {
            super(1, false);
        }
    }

    @Nested
    class Backups1NearCache extends Contract {
        Backups1NearCache() {
            super(1, true);
        }
    }

    @Nested
    class Backups2NoNearCache extends Contract {
        Backups2NoNearCache() {
            super(2, false);
        }
    }

    @Nested
    class Backups2NearCache extends Contract {
        Backups2NearCache() {
            super(2, true);
        }
    }

    /** The contract; subclasses only choose the variant. */
    abstract class Contract {
        private final MapConfig config;
        private String name;

        Contract(int backups, boolean nearCache) {
            MapConfig.Builder b = MapConfig.builder().backups(backups);
            if (nearCache) {
                b.nearCache(NearCacheConfig.defaults());
            }
            this.config = b.build();
        }

        @BeforeEach
        void nameMap(TestInfo info) {
            name = getClass().getSimpleName() + "." + info.getTestMethod().orElseThrow().getName();
        }

        /** Every test ends with every synchronous backup equal to its primary (expiry may need a moment). */
        @AfterEach
        void replicas() {
            await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).untilAsserted(() ->
                    assertThat(ContractTestSupport.replicaDisagreements(cluster.member(0), name, config)).isEmpty());
        }

        <V> GridMap<String, V> map(int member) {
            return cluster.member(member).map(name, config);
        }

        <V> List<GridMap<String, V>> all() {
            List<GridMap<String, V>> maps = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                maps.add(map(i));
            }
            return maps;
        }

        /** Asserts that every member reads {@code value} (null: absent) for {@code key}. */
        <V> void everyMemberSees(String key, V value) {
            for (int i = 0; i < 3; i++) {
                GridMap<String, V> m = map(i);
                assertThat(m.get(key)).as("get(%s) on member %d", key, i).isEqualTo(value);
                assertThat(m.containsKey(key)).as("containsKey(%s) on member %d", key, i).isEqualTo(value != null);
            }
        }

        Map<String, String> entries(String prefix) {
            Map<String, String> expected = new LinkedHashMap<>();
            for (String k : ContractTestSupport.keysCoveringAllPartitions(name + "/" + prefix, PARTITIONS)) {
                expected.put(k, "v-" + k);
            }
            return expected;
        }

        // ------------------------------------------------------------------------------------- get / put / remove

        @Test
        void put_returnsPreviousValue_andEveryMemberSeesEveryWrite() {
            for (GridMap<String, String> m : this.<String>all()) {
                assertThat(m.get("a")).isNull();
            }
            assertThat(this.<String>map(0).put("a", "1")).isNull();
            everyMemberSees("a", "1");
            assertThat(this.<String>map(1).put("a", "2")).isEqualTo("1");
            everyMemberSees("a", "2");
            assertThat(this.<String>map(2).put("a", "3")).isEqualTo("2");
            everyMemberSees("a", "3");

            List<String> keys = ContractTestSupport.keysCoveringAllPartitions(name + "/k", PARTITIONS);
            for (int j = 0; j < keys.size(); j++) {
                assertThat(this.<String>map(j % 3).put(keys.get(j), "v" + j)).isNull();
            }
            for (int j = 0; j < keys.size(); j++) {
                assertThat(this.<String>map((j + 1) % 3).get(keys.get(j))).isEqualTo("v" + j);
            }
        }

        @Test
        void remove_returnsPreviousValue_andRemovesEverywhere() {
            this.<String>map(0).put("a", "1");
            everyMemberSees("a", "1");
            assertThat(this.<String>map(1).remove("a")).isEqualTo("1");
            everyMemberSees("a", null);
            assertThat(this.<String>map(2).remove("a")).isNull();
            assertThat(this.<String>map(0).remove("never")).isNull();
        }

        @Test
        void containsKey_andContainsValue_reflectWritesFromAnyMember() {
            this.<String>map(0).put("a", "x");
            for (GridMap<String, String> m : this.<String>all()) {
                assertThat(m.containsKey("a")).isTrue();
                assertThat(m.containsKey("b")).isFalse();
                assertThat(m.containsValue("x")).isTrue();
            }
            assertThat(this.<String>map(0).containsValue("y")).isFalse();
            this.<String>map(1).put("a", "y");
            assertThat(this.<String>map(1).containsValue("x")).isFalse();
            assertThat(this.<String>map(2).containsValue("y")).isTrue();
            this.<String>map(2).remove("a");
            for (GridMap<String, String> m : this.<String>all()) {
                assertThat(m.containsKey("a")).isFalse();
            }
            assertThat(this.<String>map(0).containsValue("y")).isFalse();
        }

        @Test
        void getOrDefault_returnsDefaultOnlyWhenAbsent() {
            for (GridMap<String, String> m : this.<String>all()) {
                assertThat(m.getOrDefault("a", "d")).isEqualTo("d");
            }
            this.<String>map(0).put("a", "1");
            for (GridMap<String, String> m : this.<String>all()) {
                assertThat(m.getOrDefault("a", "d")).isEqualTo("1");
            }
            this.<String>map(1).remove("a");
            for (GridMap<String, String> m : this.<String>all()) {
                assertThat(m.getOrDefault("a", "d")).isEqualTo("d");
            }
        }

        @Test
        void set_andDelete_writeWithoutReturningTheOldValue() {
            this.<String>map(0).set("a", "1");
            everyMemberSees("a", "1");
            this.<String>map(1).set("a", "2");
            everyMemberSees("a", "2");
            assertThat(this.<String>map(2).delete("a")).isTrue();
            everyMemberSees("a", null);
            assertThat(this.<String>map(0).delete("a")).isFalse();
            this.<String>map(1).set("b", "1", Duration.ofHours(1));
            everyMemberSees("b", "1");
            assertThat(this.<String>map(2).ttl("b")).hasValueSatisfying(d -> assertThat(d)
                    .isPositive().isLessThanOrEqualTo(Duration.ofHours(1)));
        }

        // ------------------------------------------------------------------------------ whole-map operations

        @Test
        void putAll_size_isEmpty_spanEveryPartition() {
            for (GridMap<String, String> m : this.<String>all()) {
                assertThat(m.isEmpty()).isTrue();
                assertThat(m.size()).isZero();
            }
            Map<String, String> expected = entries("k");
            this.<String>map(0).putAll(expected);
            for (GridMap<String, String> m : this.<String>all()) {
                assertThat(m.size()).isEqualTo(PARTITIONS);
                assertThat(m.isEmpty()).isFalse();
            }
            String first = expected.keySet().iterator().next();
            this.<String>map(1).remove(first);
            for (GridMap<String, String> m : this.<String>all()) {
                assertThat(m.size()).isEqualTo(PARTITIONS - 1);
            }
            for (Map.Entry<String, String> e : expected.entrySet()) {
                if (!e.getKey().equals(first)) {
                    assertThat(this.<String>map(2).get(e.getKey())).isEqualTo(e.getValue());
                }
            }
        }

        @Test
        void iteration_visitsEveryPartitionOnce_throughEveryMember() {
            Map<String, String> expected = entries("k");
            this.<String>map(2).putAll(expected);
            for (int i = 0; i < 3; i++) {
                GridMap<String, String> m = map(i);
                Map<String, String> seen = new HashMap<>();
                int visits = 0;
                Iterator<Map.Entry<String, String>> it = m.entrySet().iterator();
                while (it.hasNext()) {
                    Map.Entry<String, String> e = it.next();
                    seen.put(e.getKey(), e.getValue());
                    visits++;
                }
                assertThat(visits).as("entries visited through member %d", i).isEqualTo(PARTITIONS);
                assertThat(seen).isEqualTo(expected);
                assertThatThrownBy(it::next).isInstanceOf(NoSuchElementException.class);
                assertThat(m.entrySet()).hasSize(PARTITIONS);
                assertThat(m.keySet()).hasSize(PARTITIONS);
                assertThat(m.values()).hasSize(PARTITIONS);
                assertThat(m.keySet().contains(expected.keySet().iterator().next())).isTrue();
                assertThat(m.keySet().contains("absent")).isFalse();
            }
            // The views and forEach iterate the same way; each through another member.
            assertThat(this.<String>map(0).keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
            assertThat(this.<String>map(1).values()).containsExactlyInAnyOrderElementsOf(expected.values());
            Map<String, String> viaForEach = new HashMap<>();
            AtomicInteger calls = new AtomicInteger();
            this.<String>map(2).forEach((k, v) -> {
                calls.incrementAndGet();
                viaForEach.put(k, v);
            });
            assertThat(calls).hasValue(PARTITIONS);
            assertThat(viaForEach).isEqualTo(expected);
            assertThat(new HashMap<>(this.<String>map(0))).isEqualTo(expected);
        }

        @Test
        void iteratorRemove_andEntrySetValue_writeThroughToEveryMember() {
            Map<String, String> expected = entries("k");
            this.<String>map(0).putAll(expected);
            Iterator<Map.Entry<String, String>> it = this.<String>map(1).entrySet().iterator();
            assertThatThrownBy(it::remove).isInstanceOf(IllegalStateException.class);
            List<String> removed = new ArrayList<>();
            Map<String, String> updated = new HashMap<>();
            boolean even = true;
            while (it.hasNext()) {
                Map.Entry<String, String> e = it.next();
                if (even) {
                    it.remove();
                    assertThatThrownBy(it::remove).isInstanceOf(IllegalStateException.class);
                    removed.add(e.getKey());
                } else {
                    assertThat(e.setValue(e.getValue() + "!")).isEqualTo(expected.get(e.getKey()));
                    assertThat(e.getValue()).isEqualTo(expected.get(e.getKey()) + "!");
                    updated.put(e.getKey(), e.getValue());
                }
                even = !even;
            }
            assertThat(removed.size() + updated.size()).isEqualTo(PARTITIONS);
            for (int i : new int[] {0, 2}) {
                GridMap<String, String> m = map(i);
                for (String k : removed) {
                    assertThat(m.get(k)).as("removed %s on member %d", k, i).isNull();
                    assertThat(m.containsKey(k)).isFalse();
                }
                for (Map.Entry<String, String> e : updated.entrySet()) {
                    assertThat(m.get(e.getKey())).isEqualTo(e.getValue());
                }
                assertThat(m.size()).isEqualTo(updated.size());
            }
            // The views' own removals go through the same iterator.
            String someKey = updated.keySet().iterator().next();
            assertThat(this.<String>map(2).keySet().remove(someKey)).isTrue();
            assertThat(this.<String>map(2).keySet().remove(someKey)).isFalse();
            everyMemberSees(someKey, null);
            String other = updated.keySet().stream().filter(k -> !k.equals(someKey)).findFirst().orElseThrow();
            assertThat(this.<String>map(0).values().remove(updated.get(other))).isTrue();
            everyMemberSees(other, null);
            assertThat(this.<String>map(1).entrySet().removeIf(e -> e.getValue().endsWith("!"))).isTrue();
            for (GridMap<String, String> m : this.<String>all()) {
                assertThat(m.isEmpty()).isTrue();
            }
        }

        @Test
        void clear_emptiesEveryPartition_includingOtherMembersNearCaches() {
            Map<String, String> expected = entries("k");
            this.<String>map(0).putAll(expected);
            for (int i = 0; i < 3; i++) { // fills the near caches, where there are any
                for (Map.Entry<String, String> e : expected.entrySet()) {
                    assertThat(this.<String>map(i).get(e.getKey())).isEqualTo(e.getValue());
                }
            }
            this.<String>map(1).clear();
            for (int i = 0; i < 3; i++) {
                GridMap<String, String> m = map(i);
                assertThat(m.size()).isZero();
                assertThat(m.isEmpty()).isTrue();
                for (String k : expected.keySet()) {
                    assertThat(m.get(k)).as("get(%s) on member %d after clear", k, i).isNull();
                }
                assertThat(m.entrySet().iterator().hasNext()).isFalse();
            }
            String k = expected.keySet().iterator().next();
            this.<String>map(2).put(k, "again");
            everyMemberSees(k, "again");
            this.<String>map(0).keySet().clear();
            everyMemberSees(k, null);
        }

        // ---------------------------------------------------------------------------- conditional operations

        @Test
        void putIfAbsent_writesOnlyWhenAbsent() {
            assertThat(this.<String>map(0).putIfAbsent("a", "1")).isNull();
            everyMemberSees("a", "1");
            assertThat(this.<String>map(1).putIfAbsent("a", "2")).isEqualTo("1");
            everyMemberSees("a", "1");
            this.<String>map(2).remove("a");
            assertThat(this.<String>map(2).putIfAbsent("a", "3")).isNull();
            everyMemberSees("a", "3");
        }

        @Test
        void replace_writesOnlyWhenPresent() {
            assertThat(this.<String>map(0).replace("a", "1")).isNull();
            everyMemberSees("a", null);
            this.<String>map(0).put("a", "1");
            assertThat(this.<String>map(1).replace("a", "2")).isEqualTo("1");
            everyMemberSees("a", "2");
        }

        @Test
        void replaceIfSame_writesOnlyWhenTheCurrentValueMatches() {
            assertThat(this.<String>map(0).replace("a", "1", "2")).isFalse();
            everyMemberSees("a", null);
            this.<String>map(0).put("a", "1");
            assertThat(this.<String>map(1).replace("a", "x", "2")).isFalse();
            everyMemberSees("a", "1");
            assertThat(this.<String>map(2).replace("a", "1", "2")).isTrue();
            everyMemberSees("a", "2");
            assertThat(this.<String>map(0).replace("a", "1", "3")).isFalse();
            assertThat(this.<String>map(0).replace("a", "2", "2")).isTrue();
            everyMemberSees("a", "2");
        }

        @Test
        void removeIfSame_removesOnlyWhenTheCurrentValueMatches() {
            this.<String>map(0).put("a", "1");
            assertThat(this.<String>map(1).remove("a", "2")).isFalse();
            everyMemberSees("a", "1");
            assertThat(this.<String>map(1).remove("a", null)).isFalse();
            everyMemberSees("a", "1");
            assertThat(this.<String>map(2).remove("a", "1")).isTrue();
            everyMemberSees("a", null);
            assertThat(this.<String>map(0).remove("a", "1")).isFalse();
        }

        @Test
        void registeredValueClass_roundTrips_andComparesByValue() {
            GridMap<String, Point> m0 = map(0);
            assertThat(m0.put("p", new Point(1, 2))).isNull();
            everyMemberSees("p", new Point(1, 2));
            assertThat(this.<Point>map(1).replace("p", new Point(1, 2), new Point(3, 4))).isTrue();
            everyMemberSees("p", new Point(3, 4));
            assertThat(this.<Point>map(2).remove("p", new Point(3, 4))).isTrue();
            everyMemberSees("p", null);
        }

        // ------------------------------------------------------------------------------- compute and merge

        @Test
        void compute_putsReplacesAndRemovesByReturningNull() {
            BiFunction<String, Integer, Integer> increment = (k, v) -> v == null ? 1 : v + 1;
            assertThat(this.<Integer>map(0).compute("a", (k, v) -> null)).isNull();
            everyMemberSees("a", null);
            assertThat(this.<Integer>map(0).compute("a", increment)).isEqualTo(1);
            everyMemberSees("a", 1);
            assertThat(this.<Integer>map(1).compute("a", increment)).isEqualTo(2);
            everyMemberSees("a", 2);
            assertThat(this.<Integer>map(2).compute("a", (k, v) -> null)).isNull();
            everyMemberSees("a", null);
        }

        @Test
        void computeIfAbsent_computesOnlyWhenAbsent_andNullMeansNoEntry() {
            AtomicInteger calls = new AtomicInteger();
            assertThat(this.<Integer>map(0).computeIfAbsent("a", k -> {
                calls.incrementAndGet();
                return 10;
            })).isEqualTo(10);
            everyMemberSees("a", 10);
            assertThat(this.<Integer>map(1).computeIfAbsent("a", k -> {
                calls.incrementAndGet();
                return 20;
            })).isEqualTo(10);
            assertThat(calls).hasValue(1);
            everyMemberSees("a", 10);
            assertThat(this.<Integer>map(2).computeIfAbsent("b", k -> null)).isNull();
            everyMemberSees("b", null);
        }

        @Test
        void computeIfPresent_computesOnlyWhenPresent_andNullRemoves() {
            AtomicInteger calls = new AtomicInteger();
            assertThat(this.<Integer>map(0).computeIfPresent("a", (k, v) -> {
                calls.incrementAndGet();
                return 1;
            })).isNull();
            assertThat(calls).hasValue(0);
            everyMemberSees("a", null);
            this.<Integer>map(0).put("a", 10);
            assertThat(this.<Integer>map(1).computeIfPresent("a", (k, v) -> v + 5)).isEqualTo(15);
            everyMemberSees("a", 15);
            assertThat(this.<Integer>map(2).computeIfPresent("a", (k, v) -> null)).isNull();
            everyMemberSees("a", null);
        }

        @Test
        void merge_putsCombinesAndRemovesByReturningNull() {
            assertThat(this.<Integer>map(0).merge("a", 1, Integer::sum)).isEqualTo(1);
            everyMemberSees("a", 1);
            assertThat(this.<Integer>map(1).merge("a", 5, Integer::sum)).isEqualTo(6);
            everyMemberSees("a", 6);
            assertThat(this.<Integer>map(2).merge("a", 1, (a, b) -> null)).isNull();
            everyMemberSees("a", null);
            // Absent key: the value goes in as it is, the function is not called.
            assertThat(this.<Integer>map(0).merge("b", 7, (a, b) -> {
                throw new AssertionError("called for an absent key");
            })).isEqualTo(7);
            everyMemberSees("b", 7);
        }

        @Test
        void replaceAll_rewritesEveryEntryInEveryPartition() {
            Map<String, String> expected = entries("k");
            this.<String>map(0).putAll(expected);
            this.<String>map(1).replaceAll((k, v) -> v + "|" + k.length());
            for (int i = 0; i < 3; i++) {
                GridMap<String, String> m = map(i);
                for (Map.Entry<String, String> e : expected.entrySet()) {
                    assertThat(m.get(e.getKey())).isEqualTo(e.getValue() + "|" + e.getKey().length());
                }
            }
        }

        // ------------------------------------------------------------------------------------------------ TTL

        @Test
        void putWithTtl_expiresOnEveryMember_onceTheTtlPassed() throws Exception {
            Duration ttl = Duration.ofMillis(300);
            assertThat(this.<String>map(0).put("t", "1", ttl)).isNull();
            this.<String>map(1).set("s", "1", ttl);
            assertThat(this.<String>map(2).putAsync("pa", "1", ttl).get(10, SECONDS)).isNull();
            long lastWrite = System.nanoTime();
            for (GridMap<String, String> m : this.<String>all()) {
                for (String k : List.of("t", "s", "pa")) {
                    assertThat(m.get(k)).isEqualTo("1"); // fills near caches
                    assertThat(m.ttl(k)).hasValueSatisfying(d -> assertThat(d).isPositive()
                            .isLessThanOrEqualTo(ttl));
                }
            }
            long expiredAt = lastWrite + ttl.toNanos() + Duration.ofMillis(20).toNanos();
            Thread.sleep(Math.max(0, (expiredAt - System.nanoTime()) / 1_000_000));
            for (int i = 0; i < 3; i++) {
                GridMap<String, String> m = map(i);
                for (String k : List.of("t", "s", "pa")) {
                    assertThat(m.get(k)).as("get(%s) on member %d after its TTL", k, i).isNull();
                    assertThat(m.containsKey(k)).isFalse();
                    assertThat(m.ttl(k)).isEmpty();
                }
                assertThat(m.size()).isZero();
            }
        }

        @Test
        void maxIdle_readsKeepAnEntryAlive_andAnUnreadEntryExpires() throws Exception {
            MapConfig idle = config.toBuilder().maxIdle(Duration.ofMillis(300)).build();
            GridMap<String, String> writer = cluster.member(0).map(name + "-idle", idle);
            GridMap<String, String> reader = cluster.member(1).map(name + "-idle", idle);
            GridMap<String, String> checker = cluster.member(2).map(name + "-idle", idle);
            writer.put("read", "1");
            writer.put("unread", "1");
            long end = System.nanoTime() + Duration.ofMillis(900).toNanos();
            int reads = 0;
            while (System.nanoTime() < end) {
                assertThat(reader.get("read")).as("read #%d of an entry read every 50 ms (max-idle 300 ms)", reads)
                        .isEqualTo("1");
                reads++;
                Thread.sleep(50);
            }
            assertThat(checker.get("unread")).as("an entry idle for 0.9 s (max-idle 300 ms)").isNull();
            assertThat(checker.get("read")).isEqualTo("1");
        }

        @Test
        void expire_persist_ttl_followTheirContracts() {
            GridMap<String, String> m0 = map(0);
            m0.put("a", "1");
            assertThat(m0.ttl("a")).isEmpty();
            assertThat(this.<String>map(1).expire("a", Duration.ofSeconds(60))).isTrue();
            for (GridMap<String, String> m : this.<String>all()) {
                assertThat(m.ttl("a")).hasValueSatisfying(d -> assertThat(d)
                        .isGreaterThan(Duration.ofSeconds(50)).isLessThanOrEqualTo(Duration.ofSeconds(60)));
            }
            assertThat(this.<String>map(2).persist("a")).isTrue();
            for (GridMap<String, String> m : this.<String>all()) {
                assertThat(m.ttl("a")).isEmpty();
            }
            everyMemberSees("a", "1");
            assertThat(m0.persist("a")).as("persist of a key without TTL still reports it existed").isTrue();
            assertThat(m0.expire("missing", Duration.ofSeconds(1))).isFalse();
            assertThat(m0.persist("missing")).isFalse();
            assertThat(m0.ttl("missing")).isEmpty();
            everyMemberSees("missing", null);

            // A plain put replaces the entry, TTL included; a processor's setValue keeps it.
            m0.put("b", "1", Duration.ofHours(1));
            this.<String>map(1).put("b", "2");
            assertThat(m0.ttl("b")).isEmpty();
            m0.put("c", "1", Duration.ofHours(1));
            assertThat(this.<String>map(2).executeOnKey("c", new SetValue<String, String>("2"))).isEqualTo("1");
            assertThat(m0.ttl("c")).isPresent();
            everyMemberSees("c", "2");
            assertThat(this.<String>map(1).executeOnKey("c", new SetValueWithTtl<String, String>("3", Duration.ZERO)))
                    .isTrue();
            assertThat(m0.ttl("c")).isEmpty();
            everyMemberSees("c", "3");

            assertThat(this.<String>map(1).expire("a", Duration.ZERO)).isTrue();
            everyMemberSees("a", null);
            assertThat(this.<String>map(2).expire("b", Duration.ofSeconds(-1))).isTrue();
            everyMemberSees("b", null);
            assertThatThrownBy(() -> m0.put("d", "1", Duration.ofSeconds(-1)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ttl");
            everyMemberSees("d", null);
            m0.put("d", "1", Duration.ZERO);
            assertThat(m0.ttl("d")).isEmpty();
            everyMemberSees("d", "1");
        }

        // ---------------------------------------------------------------------------------------------- async

        @Test
        void asyncOperations_completeWithTheOldValues() throws Exception {
            assertThat(this.<String>map(0).putAsync("a", "1").get(10, SECONDS)).isNull();
            assertThat(this.<String>map(1).getAsync("a").get(10, SECONDS)).isEqualTo("1");
            everyMemberSees("a", "1");
            assertThat(this.<String>map(2).putAsync("a", "2").get(10, SECONDS)).isEqualTo("1");
            everyMemberSees("a", "2");
            assertThat(this.<String>map(0).removeAsync("a").get(10, SECONDS)).isEqualTo("2");
            everyMemberSees("a", null);
            assertThat(this.<String>map(1).removeAsync("a").get(10, SECONDS)).isNull();
            assertThat(this.<String>map(2).getAsync("a").get(10, SECONDS)).isNull();

            Map<String, String> expected = entries("k");
            List<CompletableFuture<String>> writes = new ArrayList<>();
            expected.forEach((k, v) -> writes.add(this.<String>map(1).putAsync(k, v)));
            for (CompletableFuture<String> w : writes) {
                assertThat(w.get(10, SECONDS)).isNull();
            }
            List<CompletableFuture<String>> reads = new ArrayList<>();
            expected.keySet().forEach(k -> reads.add(this.<String>map(2).getAsync(k)));
            int j = 0;
            for (String v : expected.values()) {
                assertThat(reads.get(j++).get(10, SECONDS)).isEqualTo(v);
            }
            assertThat(this.<String>map(0).putAsync("t", "1", Duration.ofHours(1)).get(10, SECONDS)).isNull();
            assertThat(this.<String>map(1).ttl("t")).isPresent();

            assertThat(this.<String>map(2).setAsync("s", "1", Duration.ZERO).get(10, SECONDS)).isNull();
            everyMemberSees("s", "1");
            assertThat(this.<String>map(1).ttl("s")).isEmpty();
            assertThat(this.<String>map(0).setAsync("s", "2", Duration.ofHours(1)).get(10, SECONDS)).isNull();
            everyMemberSees("s", "2");
            assertThat(this.<String>map(1).ttl("s")).hasValueSatisfying(t -> assertThat(t).isGreaterThan(
                    Duration.ofMinutes(59)));
        }

        // ---------------------------------------------------------------------------------- entry processors

        @Test
        void executeOnKey_readsSetsRemovesAndReturnsResults() throws Exception {
            assertThat(this.<String>map(0).executeOnKey("a", new Read<String, String>()))
                    .isEqualTo(List.of("a", false));
            everyMemberSees("a", null);
            assertThat(this.<String>map(1).executeOnKey("a", new SetValue<String, String>("1"))).isNull();
            everyMemberSees("a", "1");
            assertThat(this.<String>map(2).executeOnKey("a", new SetValue<String, String>("2"))).isEqualTo("1");
            everyMemberSees("a", "2");
            assertThat(this.<String>map(0).executeOnKey("a", new Read<String, String>()))
                    .isEqualTo(List.of("a", true, "2"));
            assertThat(this.<String>map(1).executeOnKey("a", new ReturnPoint<String, String>()))
                    .isEqualTo(new Point(1, 42));
            assertThat(this.<String>map(2).executeOnKey("a",
                    new SetValueWithTtl<String, String>("3", Duration.ofHours(1)))).isTrue();
            everyMemberSees("a", "3");
            assertThat(this.<String>map(0).ttl("a")).isPresent();
            assertThat(this.<String>map(0).executeOnKey("a", new Remove<String, String>())).isTrue();
            everyMemberSees("a", null);
            assertThat(this.<String>map(1).executeOnKey("a", new Remove<String, String>())).isFalse();
            everyMemberSees("a", null);

            assertThat(this.<String>map(2).executeOnKeyAsync("b", new SetValue<String, String>("x"))
                    .get(10, SECONDS)).isNull();
            everyMemberSees("b", "x");

            assertThat(this.<Integer>map(0).executeOnKey("n", new Increment(5))).isEqualTo(5);
            assertThat(this.<Integer>map(1).executeOnKey("n", new Increment(5))).isEqualTo(10);
            everyMemberSees("n", 10);
        }

        @Test
        void executeOnKey_processorThatThrows_failsWithItsMessage_andChangesNothing() throws Exception {
            this.<String>map(0).put("a", "1");
            for (int i = 0; i < 3; i++) {
                GridMap<String, String> m = map(i);
                String message = "boom from member " + i;
                assertThatThrownBy(() -> m.executeOnKey("a", new SetThenFail<String, String>("poison", message)))
                        .isInstanceOf(GridException.class)
                        .isNotInstanceOf(IndeterminateOutcomeException.class)
                        .hasMessageContaining(message)
                        .hasMessageContaining(IllegalStateException.class.getSimpleName());
                assertThatThrownBy(() -> m.executeOnKey("a", new SetThenFail<String, String>(null, message)))
                        .isInstanceOf(GridException.class).hasMessageContaining(message);
                assertThatThrownBy(() -> m.executeOnKey("z", new SetThenFail<String, String>("poison", message)))
                        .isInstanceOf(GridException.class).hasMessageContaining(message);
            }
            everyMemberSees("a", "1");
            everyMemberSees("z", null);
            CompletableFuture<Object> async = this.<String>map(1)
                    .executeOnKeyAsync("a", new SetThenFail<String, String>("poison", "async boom"));
            assertThatThrownBy(() -> async.get(10, SECONDS)).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(GridException.class).hasMessageContaining("async boom");
            everyMemberSees("a", "1");
            // The partition thread that ran the processor still works.
            assertThat(this.<String>map(2).put("a", "2")).isEqualTo("1");
            everyMemberSees("a", "2");
        }

        // ------------------------------------------------------------------------------------------- misuse

        @Test
        void nullKeysValuesAndFunctions_areRefusedWithNullPointerException_andWriteNothing() {
            GridMap<String, String> m = map(1);
            m.put("present", "1");
            SoftAssertions soft = new SoftAssertions();
            Map<String, ThrowingCallable> calls = new LinkedHashMap<>();
            calls.put("get(null)", () -> m.get(null));
            calls.put("getOrDefault(null, d)", () -> m.getOrDefault(null, "d"));
            calls.put("containsKey(null)", () -> m.containsKey(null));
            calls.put("containsValue(null)", () -> m.containsValue(null));
            calls.put("put(null, v)", () -> m.put(null, "v"));
            calls.put("put(k, null)", () -> m.put("k", null));
            calls.put("put(k, v, null ttl)", () -> m.put("k", "v", null));
            calls.put("put(null, v, ttl)", () -> m.put(null, "v", Duration.ofSeconds(1)));
            calls.put("putAll(null)", () -> m.putAll(null));
            calls.put("putAll({null=v})", () -> m.putAll(Collections.singletonMap(null, "v")));
            calls.put("putAll({k=null})", () -> m.putAll(Collections.singletonMap("k", null)));
            calls.put("remove(null)", () -> m.remove(null));
            calls.put("remove(null, v)", () -> m.remove(null, "v"));
            calls.put("putIfAbsent(null, v)", () -> m.putIfAbsent(null, "v"));
            calls.put("putIfAbsent(k, null)", () -> m.putIfAbsent("k", null));
            calls.put("replace(null, v)", () -> m.replace(null, "v"));
            calls.put("replace(present, null)", () -> m.replace("present", null));
            calls.put("replace(null, o, n)", () -> m.replace(null, "1", "2"));
            calls.put("replace(present, null, n)", () -> m.replace("present", null, "2"));
            calls.put("replace(present, o, null)", () -> m.replace("present", "1", null));
            calls.put("compute(null, f)", () -> m.compute(null, (k, v) -> "v"));
            calls.put("compute(k, null)", () -> m.compute("k", null));
            calls.put("computeIfAbsent(null, f)", () -> m.computeIfAbsent(null, k -> "v"));
            calls.put("computeIfAbsent(k, null)", () -> m.computeIfAbsent("k", null));
            calls.put("computeIfPresent(null, f)", () -> m.computeIfPresent(null, (k, v) -> "v"));
            calls.put("computeIfPresent(present, null)", () -> m.computeIfPresent("present", null));
            calls.put("merge(null, v, f)", () -> m.merge(null, "v", (a, b) -> b));
            calls.put("merge(k, null, f)", () -> m.merge("k", null, (a, b) -> b));
            calls.put("merge(present, null, f)", () -> m.merge("present", null, (a, b) -> b));
            calls.put("merge(k, v, null)", () -> m.merge("k", "v", null));
            calls.put("forEach(null)", () -> m.forEach(null));
            calls.put("replaceAll(null)", () -> m.replaceAll(null));
            calls.put("set(null, v)", () -> m.set(null, "v"));
            calls.put("set(k, null)", () -> m.set("k", null));
            calls.put("set(k, v, null ttl)", () -> m.set("k", "v", null));
            calls.put("delete(null)", () -> m.delete(null));
            calls.put("getAsync(null)", () -> m.getAsync(null).join());
            calls.put("putAsync(null, v)", () -> m.putAsync(null, "v").join());
            calls.put("putAsync(k, null)", () -> m.putAsync("k", null).join());
            calls.put("removeAsync(null)", () -> m.removeAsync(null).join());
            calls.put("executeOnKey(null, p)", () -> m.executeOnKey(null, new Read<String, String>()));
            calls.put("executeOnKey(k, null)", () -> m.executeOnKey("k", null));
            calls.put("executeOnKeyAsync(null, p)", () -> m.executeOnKeyAsync(null, new Read<String, String>()));
            calls.put("expire(null, ttl)", () -> m.expire(null, Duration.ofSeconds(1)));
            calls.put("expire(present, null)", () -> m.expire("present", null));
            calls.put("persist(null)", () -> m.persist(null));
            calls.put("ttl(null)", () -> m.ttl(null));
            calls.put("keySet().contains(null)", () -> m.keySet().contains(null));
            calls.put("addListener(null)", () -> m.addListener(null));
            calls.forEach((what, call) -> soft.assertThatThrownBy(call).as(what)
                    .isInstanceOf(NullPointerException.class));
            soft.assertAll();
            for (GridMap<String, String> each : this.<String>all()) {
                assertThat(each.size()).as("nothing was written").isEqualTo(1);
                assertThat(each.get("present")).isEqualTo("1");
            }
        }

        @Test
        void replicas_holdExactlyWhatTheirPrimaryHolds_afterAMixOfEveryWrite() {
            Map<String, String> expected = entries("k");
            this.<String>map(0).putAll(expected);
            int j = 0;
            for (String k : expected.keySet()) {
                GridMap<String, String> m = map(j % 3);
                switch (j++ % 8) {
                    case 0 -> m.remove(k);
                    case 1 -> m.replace(k, "r");
                    case 2 -> m.replace(k, "v-" + k, "rr");
                    case 3 -> m.executeOnKey(k, new SetValue<String, String>("p"));
                    case 4 -> m.merge(k, "+", String::concat);
                    case 5 -> m.expire(k, Duration.ofHours(1));
                    case 6 -> m.remove(k, "v-" + k);
                    default -> m.set(k, "s", Duration.ofHours(1));
                }
            }
            assertThat(ContractTestSupport.replicaDisagreements(cluster.member(2), name, config)).isEmpty();
            int expectedSize = PARTITIONS - 2 * (PARTITIONS / 8);
            for (GridMap<String, String> m : this.<String>all()) {
                assertThat(m.size()).isEqualTo(expectedSize);
            }
        }
    }
}
