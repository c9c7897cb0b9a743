package io.tessera.grid;

import static io.tessera.grid.testing.ReplicaProbe.keysWithPrimary;
import static io.tessera.grid.testing.ReplicaProbe.replicaDisagreement;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.tessera.grid.internal.store.Record;
import io.tessera.grid.testing.ContractProcessors;
import io.tessera.grid.testing.GridCluster;
import io.tessera.grid.testing.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Bounded maps on three members in one JVM: a member's primaries evict to keep what the member holds within its bound,
 * each eviction reaches the backups and fires one EVICTED event, the policies choose what they promise, and a map that
 * evicts nothing refuses the write that would go beyond the bound.
 *
 * <p>The policy tests put every key on member 0's primaries, without backups, so that member 0 holds exactly what the
 * test wrote; the test moves the members' shared clock between phases, so that "recently" is unambiguous. Each
 * partition thread evicts from its own primaries, so the tests evict a fraction of what should go first, as a cache
 * much larger than its last writes does; what they then assert holds whatever the share of each thread.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EvictionTest {
    private static final int BOUND = 100;
    private static final ManualClock clock = new ManualClock();
    private static GridCluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = GridCluster.start(3, b -> b.clock(clock).partitionCount(16)
                .serialization(ContractProcessors.serialization()));
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static MapConfig.Builder bounded(EvictionPolicy policy) {
        return MapConfig.builder().backups(0).maxSize(BOUND).evictionPolicy(policy);
    }

    private static Grid member0() {
        return cluster.member(0);
    }

    /** {@code count} fresh keys whose primary is member 0. */
    private static List<String> keysOnMember0(String prefix, int count) {
        return keysWithPrimary(cluster.members(), member0(), prefix, count);
    }

    private static void later() {
        clock.advanceWall(Duration.ofSeconds(1));
    }

    private static Set<String> absent(GridMap<String, String> map, List<String> keys) {
        Set<String> gone = new HashSet<>();
        for (String key : keys) {
            if (!map.containsKey(key)) {
                gone.add(key);
            }
        }
        return gone;
    }

    @Test
    void writesBeyondTheBound_keepEveryMemberWithinIt_evictOncePerKey_andReachTheBackups() {
        MapConfig config = MapConfig.builder().maxSize(BOUND).evictionPolicy(EvictionPolicy.LRU).build();
        String name = "bounded-replicated";
        List<GridMap<String, String>> views = new ArrayList<>();
        cluster.members().forEach(g -> views.add(g.map(name, config)));
        Map<String, AtomicInteger> heard = new ConcurrentHashMap<>();
        AtomicInteger otherEvents = new AtomicInteger();
        EntryListener<String, String> listener = new EntryListener<>() {
            @Override
            public void entryEvicted(EntryEvent<String, String> event) {
                assertThat(event.type()).isEqualTo(EntryEventType.EVICTED);
                heard.computeIfAbsent(event.key(), k -> new AtomicInteger()).incrementAndGet();
            }

            @Override
            public void entryRemoved(EntryEvent<String, String> event) {
                otherEvents.incrementAndGet();
            }

            @Override
            public void entryExpired(EntryEvent<String, String> event) {
                otherEvents.incrementAndGet();
            }
        };
        views.get(1).addListener(listener, false);

        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            keys.add("r" + i);
            views.get(i % 3).set("r" + i, "value-" + i);
        }

        // Backup copies count towards a member's bound; what the writes left beyond it, the next tick evicts.
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> cluster.members().forEach(g ->
                assertThat(g.map(name, config).localStats().entries()).as(g.localMember().name())
                        .isLessThanOrEqualTo(BOUND)));
        Set<String> gone = absent(views.get(0), keys);
        long evictions = cluster.members().stream().mapToLong(g -> g.map(name, config).localStats().evictions())
                .sum();
        assertThat(gone).hasSizeGreaterThan(300);
        assertThat(evictions).isEqualTo(gone.size());
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(heard.keySet()).isEqualTo(gone));
        assertThat(heard.values()).allSatisfy(count -> assertThat(count.get()).as("EVICTED per key").isEqualTo(1));
        assertThat(otherEvents.get()).as("removals and expiries heard").isZero();
        assertThat(replicaDisagreement(cluster.members(), name, 1)).as("backups hold what their primary holds")
                .isNull();
    }

    @Test
    void lru_keepsTheKeysReadRecently() {
        GridMap<String, String> map = member0().map("lru", bounded(EvictionPolicy.LRU).build());
        List<String> keys = keysOnMember0("lru-", BOUND + 10);
        List<String> first = keys.subList(0, BOUND);
        List<String> hot = first.subList(0, 10);
        first.forEach(k -> map.set(k, "v"));
        later();
        hot.forEach(map::get);
        later();
        keys.subList(BOUND, keys.size()).forEach(k -> map.set(k, "v"));

        Set<String> gone = absent(map, keys);
        assertThat(gone).hasSize(10).doesNotContainAnyElementsOf(hot)
                .doesNotContainAnyElementsOf(keys.subList(BOUND, keys.size()));
        assertThat(map.localStats().entries()).isEqualTo(BOUND);
    }

    @Test
    void lfu_keepsTheKeysReadOften_evenWhenOthersWereTouchedLater() {
        GridMap<String, String> map = member0().map("lfu", bounded(EvictionPolicy.LFU).build());
        List<String> keys = keysOnMember0("lfu-", BOUND + 10);
        List<String> hot = keys.subList(0, 20);
        hot.forEach(k -> map.set(k, "v"));
        for (int i = 0; i < 5; i++) {
            hot.forEach(map::get);
        }
        later();
        keys.subList(20, BOUND).forEach(k -> map.set(k, "v")); // written after the hot keys' last read
        later();
        keys.subList(BOUND, keys.size()).forEach(k -> map.set(k, "v"));

        Set<String> gone = absent(map, keys);
        assertThat(gone).hasSize(10).doesNotContainAnyElementsOf(hot)
                .doesNotContainAnyElementsOf(keys.subList(BOUND, keys.size()));
    }

    @Test
    void ttl_evictsTheNearestExpiryFirst_andEntriesWithoutOneLast() {
        GridMap<String, String> map = member0().map("ttl", bounded(EvictionPolicy.TTL).build());
        List<String> keys = keysOnMember0("ttl-", BOUND + 10);
        List<String> soon = keys.subList(0, 40);
        List<String> late = keys.subList(40, 70);
        List<String> never = keys.subList(70, BOUND);
        List<String> added = keys.subList(BOUND, keys.size());
        for (int i = 0; i < soon.size(); i++) {
            map.set(soon.get(i), "v", Duration.ofMinutes(10 + i));
        }
        late.forEach(k -> map.set(k, "v", Duration.ofHours(5)));
        never.forEach(k -> map.set(k, "v"));
        added.forEach(k -> map.set(k, "v"));

        // The nearest deadlines of each partition thread's primaries: some of the soonest, none of the others.
        assertThat(absent(map, keys)).hasSize(10).allMatch(soon::contains);
    }

    @Test
    void onlyExpiring_evictsOnlyEntriesWithATtl_andRefusesWhenNoneIsLeft() {
        GridMap<String, String> map = member0().map("volatile-lru",
                bounded(EvictionPolicy.LRU).evictOnlyExpiring(true).build());
        List<String> keys = keysOnMember0("volatile-", BOUND + 25);
        List<String> expiring = keys.subList(0, 20);
        List<String> lasting = keys.subList(20, BOUND);
        expiring.forEach(k -> map.set(k, "v", Duration.ofHours(1)));
        lasting.forEach(k -> map.set(k, "v"));
        keys.subList(BOUND, BOUND + 20).forEach(k -> map.set(k, "v"));

        // A thread without expiring entries among its primaries has the other threads evict: asynchronously.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(absent(map, keys.subList(0, BOUND + 20))).containsExactlyInAnyOrderElementsOf(expiring));
        assertThatThrownBy(() -> map.set(keys.get(BOUND + 20), "v"))
                .isInstanceOf(MapFullException.class).hasMessageContaining("evictOnlyExpiring");
    }

    @Test
    void none_refusesAWriteBeyondTheBound_butAllowsRemovalsAndUpdates() {
        GridMap<String, String> map = member0().map("none", MapConfig.builder().backups(0).maxSize(BOUND).build());
        List<String> keys = keysOnMember0("none-", BOUND + 1);
        keys.subList(0, BOUND).forEach(k -> map.set(k, "v"));
        String extra = keys.get(BOUND);

        assertThatThrownBy(() -> map.put(extra, "v"))
                .isInstanceOf(MapFullException.class)
                .hasMessageContaining("map 'none' is full: this member holds 100 entries (maxSize 100)")
                .hasMessageContaining("evictionPolicy NONE evicts nothing");
        assertThatThrownBy(() -> map.executeOnKey(extra, new ContractProcessors.SetValue<>("v")))
                .isInstanceOf(MapFullException.class);
        assertThat(map.containsKey(extra)).isFalse();
        map.set(keys.get(0), "an update of an existing key adds no entry");
        assertThat(map.remove(keys.get(1))).isEqualTo("v");
        map.set(extra, "fits now");
        assertThat(map.get(extra)).isEqualTo("fits now");
        assertThat(map.localStats().evictions()).isZero();
    }

    @Test
    void none_withMaxMemory_refusesTheValueThatWouldNotFit_andAccountsWithinTheBound() {
        long maxMemory = 20_000;
        GridMap<String, byte[]> map = member0().map("none-bytes",
                MapConfig.builder().backups(0).maxMemory(maxMemory).build());
        List<String> keys = keysOnMember0("bytes-", 40);
        int stored = 0;
        for (String key : keys) {
            try {
                map.set(key, new byte[1000]);
                stored++;
            } catch (MapFullException e) {
                assertThat(e).hasMessageContaining("(maxMemory 20000)");
                break;
            }
        }
        LocalMapStats stats = map.localStats();
        assertThat(stored).isBetween(14, 18);
        assertThat(stats.entries()).isEqualTo(stored);
        assertThat(stats.memoryBytes()).isLessThanOrEqualTo(maxMemory)
                .isGreaterThan(stored * (1000L + Record.ENTRY_OVERHEAD)); // the value, and the accounted overhead of an entry
        map.delete(keys.get(0));
        map.set(keys.get(0), new byte[10]);
    }

    @Test
    void reconfigure_changesThisMembersBound_andEvictsDownToIt() {
        MapConfig unbounded = MapConfig.builder().backups(0).build();
        GridMap<String, String> map = member0().map("reconfigured", unbounded);
        List<String> keys = keysOnMember0("re-", 150);
        keys.forEach(k -> map.set(k, "v"));
        assertThat(map.localStats().entries()).isEqualTo(150);

        map.reconfigure(unbounded.toBuilder().maxSize(BOUND).evictionPolicy(EvictionPolicy.RANDOM).build());

        // Both partition threads evict at their ticks, each until it sees the member within the bound: the last
        // evictions of the two may cross.
        await().atMost(Duration.ofSeconds(10)).until(() -> map.localStats().entries() <= BOUND);
        long left = map.localStats().entries();
        assertThat(left).isGreaterThan(BOUND - 5);
        assertThat(map.config().maxSize()).isEqualTo(BOUND);
        assertThat(absent(map, keys)).hasSize(150 - (int) left);
        assertThat(map.localStats().evictions()).isEqualTo(150 - left);
        assertThatThrownBy(() -> map.reconfigure(unbounded.toBuilder().backups(1).build()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("but for maxSize");
    }

    @Test
    void config_refusesEvictOnlyExpiringWithoutAPolicy_andNegativeBounds() {
        assertThatThrownBy(() -> MapConfig.builder().evictOnlyExpiring(true).build())
                .hasMessageContaining("evictOnlyExpiring: true (expected an evictionPolicy other than NONE");
        assertThatThrownBy(() -> MapConfig.builder().maxSize(-1)).hasMessageStartingWith("maxSize: -1");
        assertThatThrownBy(() -> MapConfig.builder().maxMemory(-1)).hasMessageStartingWith("maxMemory: -1");
        Consumer<MapConfig> roundTrip = c -> assertThat(c.toBuilder().build()).isEqualTo(c);
        roundTrip.accept(bounded(EvictionPolicy.LFU).maxMemory(1 << 20).evictOnlyExpiring(true).build());
    }
}
