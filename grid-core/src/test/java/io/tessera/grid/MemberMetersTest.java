package io.tessera.grid;

import static io.tessera.grid.testing.ReplicaProbe.keysWithPrimary;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.search.Search;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tessera.grid.internal.GridNode;
import io.tessera.grid.testing.GridCluster;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The members' Micrometer meters on a 3-member cluster in one JVM whose members share one registry: operation counts
 * and latencies for a known workload, entry gauges against the maps' sizes, migration and rebalancing meters when a
 * member joins, near-cache hits and misses, and no meter of a member left behind once it closed or crashed.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MemberMetersTest {
    private static final Duration GENEROUS = Duration.ofSeconds(30);

    private static String name(Grid grid) {
        return grid.localMember().name();
    }

    private static Search meter(MeterRegistry registry, String name, Grid member) {
        return registry.find(name).tag("member", name(member));
    }

    private static double sum(MeterRegistry registry, String name, String map) {
        Search search = registry.find(name);
        if (map != null) {
            search = search.tag("map", map);
        }
        return search.meters().stream().mapToDouble(m -> m.measure().iterator().next().getValue()).sum();
    }

    private static List<Meter> metersOf(MeterRegistry registry, Grid member) {
        return registry.getMeters().stream().filter(m -> name(member).equals(m.getId().getTag("member"))).toList();
    }

    @Test
    void operationsAndEntries_areCountedForAKnownWorkload() {
        MeterRegistry registry = new SimpleMeterRegistry();
        try (GridCluster cluster = GridCluster.start(3, b -> b.meterRegistry(registry))) {
            Grid a = cluster.member(0);
            GridMap<String, String> map = a.map("metered");
            for (int i = 0; i < 100; i++) {
                map.set("k" + i, "v" + i);
            }
            for (int i = 0; i < 40; i++) {
                assertThat(map.get("k" + i)).isEqualTo("v" + i);
            }
            for (int i = 0; i < 10; i++) {
                map.remove("k" + i);
            }

            Timer puts = meter(registry, "tessera.operations", a).tag("kind", "put").timer();
            Timer gets = meter(registry, "tessera.operations", a).tag("kind", "get").timer();
            Timer removes = meter(registry, "tessera.operations", a).tag("kind", "remove").timer();
            assertThat(puts.count()).as("sets timed at the caller").isEqualTo(100);
            assertThat(gets.count()).as("gets timed at the caller").isEqualTo(40);
            assertThat(removes.count()).as("removes timed at the caller").isEqualTo(10);
            assertThat(puts.totalTime(TimeUnit.NANOSECONDS)).as("time the sets took").isPositive();
            Timer sampledPuts = meter(registry, "tessera.operations.sampled", a).tag("kind", "put").timer();
            assertThat(sampledPuts.count()).as("sets in the percentiles' sample").isBetween(1L, 60L);
            assertThat(sampledPuts.takeSnapshot().percentileValues()).as("p50, p99, p999").hasSize(3)
                    .allMatch(p -> p.value(TimeUnit.NANOSECONDS) > 0);
            for (Grid other : List.of(cluster.member(1), cluster.member(2))) {
                assertThat(meter(registry, "tessera.operations", other).tag("kind", "put").timer().count())
                        .as("%s invoked nothing", name(other)).isZero();
            }
            await("map meters registered").atMost(GENEROUS).untilAsserted(() ->
                    assertThat(sum(registry, "tessera.map.operations", "metered"))
                            .as("operations the primaries executed, over the members").isEqualTo(150));

            assertThat(map.size()).isEqualTo(90);
            await("entry gauges settle").atMost(GENEROUS).untilAsserted(() -> {
                assertThat(sum(registry, "tessera.map.entries", "metered"))
                        .as("entries held, one backup each").isEqualTo(180);
                long primaries = 0;
                for (Grid g : cluster.members()) {
                    primaries += g.status().maps().stream().filter(m -> m.name().equals("metered"))
                            .mapToLong(GridStatus.MapStatus::entries).sum();
                }
                assertThat(primaries).as("entries held as primary, over the members").isEqualTo(90);
                assertThat(sum(registry, "tessera.map.bytes", "metered")).isPositive();
            });
            assertThat(meter(registry, "tessera.partitions.primary", a).gauge().value()
                    + meter(registry, "tessera.partitions.primary", cluster.member(1)).gauge().value()
                    + meter(registry, "tessera.partitions.primary", cluster.member(2)).gauge().value())
                    .as("primaries over the members").isEqualTo(256);
            assertThat(meter(registry, "tessera.partitions.table.version", a).gauge().value())
                    .isEqualTo(((GridNode) a).table().version());
        }
    }

    @Test
    void expiredEntries_areCountedOnTheirPrimaries() {
        MeterRegistry registry = new SimpleMeterRegistry();
        try (GridCluster cluster = GridCluster.start(2, b -> b.meterRegistry(registry))) {
            GridMap<String, String> map = cluster.member(0).map("expiring");
            for (int i = 0; i < 20; i++) {
                map.set("k" + i, "v", Duration.ofMillis(200));
            }
            map.set("stays", "v");
            await("expiries counted").atMost(GENEROUS)
                    .until(() -> sum(registry, "tessera.map.expirations", "expiring") == 20);
            assertThat(map.size()).isEqualTo(1);
            assertThat(sum(registry, "tessera.map.entries", "expiring")).as("entries left, with their backup")
                    .isEqualTo(2);
        }
    }

    @Test
    void memberJoining_movesPartitions_andTheMigrationMetersShowIt() {
        MeterRegistry registry = new SimpleMeterRegistry();
        try (GridCluster cluster = GridCluster.start(2, b -> b.meterRegistry(registry))) {
            GridMap<String, byte[]> map = cluster.member(0).map("moving");
            for (int i = 0; i < 2_000; i++) {
                map.set("k" + i, new byte[200]);
            }
            // Starting the second member already filled it with backups; count from here.
            Grid coordinator = cluster.member(0);
            double copiesBefore = sum(registry, "tessera.migrations.completed", null);
            double bytesBefore = sum(registry, "tessera.migrations.bytes", null);
            double roundsBefore = meter(registry, "tessera.rebalance.rounds", coordinator).functionCounter().count();
            double roundBytesBefore = meter(registry, "tessera.rebalance.bytes", coordinator).functionCounter()
                    .count();
            long timedBefore = registry.find("tessera.migrations.duration").timers().stream()
                    .mapToLong(Timer::count).sum();

            Grid joiner = cluster.addMember();
            cluster.awaitSettled();

            assertThat(sum(registry, "tessera.migrations.completed", null) - copiesBefore).as("copies completed")
                    .isGreaterThanOrEqualTo(170);
            assertThat(sum(registry, "tessera.migrations.bytes", null) - bytesBefore).as("snapshot bytes sent")
                    .isGreaterThan(2_000 * 200 / 3.0);
            assertThat(registry.find("tessera.migrations.duration").timers().stream().mapToLong(Timer::count).sum()
                    - timedBefore).as("copies timed").isGreaterThanOrEqualTo(170);
            assertThat(meter(registry, "tessera.rebalance.rounds", coordinator).functionCounter().count()
                    - roundsBefore).as("rounds the coordinator ran").isPositive();
            assertThat(meter(registry, "tessera.rebalance.bytes", coordinator).functionCounter().count()
                    - roundBytesBefore).as("bytes the coordinator's rounds moved").isGreaterThan(2_000 * 200 / 3.0);
            assertThat(meter(registry, "tessera.rebalance.duration", coordinator).timer().count()).isPositive();
            assertThat(meter(registry, "tessera.rebalance.partitions", coordinator).gauge().value())
                    .as("no round running once settled").isZero();
            assertThat(meter(registry, "tessera.partitions.primary", joiner).gauge().value())
                    .as("the joiner leads its share").isBetween(85.0, 86.0);
            assertThat(meter(registry, "tessera.migrations.running", joiner).gauge().value()).isZero();
        }
    }

    @Test
    void closingOrCrashingAMember_removesItsMeters_andLeavesTheOthers() throws Exception {
        MeterRegistry registry = new SimpleMeterRegistry();
        MapConfig near = MapConfig.builder().nearCache(NearCacheConfig.ofMaxSize(100)).build();
        try (GridCluster cluster = GridCluster.start(3, b -> b.meterRegistry(registry))) {
            for (Grid g : cluster.members()) {
                g.<String, String>map("near", near).set("x-" + name(g), "y");
            }
            Grid closing = cluster.member(2);
            Grid crashing = cluster.member(1);
            assertThat(metersOf(registry, closing)).as("meters of %s while it runs", name(closing)).isNotEmpty();
            assertThat(metersOf(registry, closing)).as("its near cache's meters")
                    .anyMatch(m -> m.getId().getName().startsWith("cache."));

            cluster.closeMember(2);
            assertThat(metersOf(registry, closing)).as("meters of %s after it closed", name(closing)).isEmpty();

            cluster.forget(crashing);
            GridStatusTest.crash(crashing);
            assertThat(metersOf(registry, crashing)).as("meters of %s after it crashed", name(crashing)).isEmpty();
            assertThat(metersOf(registry, cluster.member(0))).as("the survivor's meters").isNotEmpty();
            assertThat(meter(registry, "tessera.operations", cluster.member(0)).tag("kind", "put").timer())
                    .isNotNull();
        }
        assertThat(registry.getMeters()).as("meters after every member closed").isEmpty();
    }

    @Test
    void nearCacheHitsAndMisses_areMetered() {
        MeterRegistry registry = new SimpleMeterRegistry();
        MapConfig near = MapConfig.builder().nearCache(NearCacheConfig.ofMaxSize(100)).build();
        try (GridCluster cluster = GridCluster.start(2, b -> b.meterRegistry(registry))) {
            Grid a = cluster.member(0);
            Grid b = cluster.member(1);
            GridMap<String, String> onA = a.map("cached", near);
            b.map("cached", near);
            String key = keysWithPrimary(cluster.members(), b, "near-", 1).get(0);
            onA.set(key, "value");
            Search gets = registry.find("cache.gets").tag("member", name(a)).tag("cache", "cached");
            double hitsBefore = gets.tag("result", "hit").functionCounter().count();
            double missesBefore = registry.find("cache.gets").tag("member", name(a)).tag("cache", "cached")
                    .tag("result", "miss").functionCounter().count();

            assertThat(onA.get(key)).isEqualTo("value"); // a miss: fetched from b and cached
            assertThat(onA.get(key)).isEqualTo("value"); // a hit
            assertThat(onA.get(key)).isEqualTo("value"); // a hit

            assertThat(registry.find("cache.gets").tag("member", name(a)).tag("cache", "cached")
                    .tag("result", "miss").functionCounter().count() - missesBefore).as("misses").isEqualTo(1);
            assertThat(registry.find("cache.gets").tag("member", name(a)).tag("cache", "cached")
                    .tag("result", "hit").functionCounter().count() - hitsBefore).as("hits").isEqualTo(2);
            assertThat(registry.find("cache.gets").tag("member", name(a)).tag("map", "cached").meters())
                    .as("tagged with the map").isNotEmpty();
        }
    }
}
