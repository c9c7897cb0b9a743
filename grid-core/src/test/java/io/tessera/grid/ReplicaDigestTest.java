package io.tessera.grid;

import static io.tessera.grid.testing.ReplicaProbe.keysWithPrimary;
import static io.tessera.grid.testing.ReplicaProbe.recordOn;
import static io.tessera.grid.testing.ReplicaProbe.replicaDisagreement;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tessera.grid.internal.map.DefaultGridMap;
import io.tessera.grid.internal.store.HybridLogicalClock;
import io.tessera.grid.internal.store.Record;
import io.tessera.grid.testing.GridCluster;
import io.tessera.grid.testing.ReplicaProbe;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.jgroups.Address;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Records carry the partition sequence and the hybrid-logical-clock stamp of their last write, and the replicas of
 * a partition can be compared cheaply by (sequence, count, digest): after any workload, and after members join and
 * leave, every partition's primary and backups report the same three numbers.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ReplicaDigestTest {
    private static final Duration GENEROUS = Duration.ofSeconds(30);
    private static final MapConfig TWO_BACKUPS = MapConfig.builder().backups(2).build();
    private static final MapConfig ONE_BACKUP = MapConfig.builder().backups(1).build();
    private static final MapConfig NO_BACKUP = MapConfig.builder().backups(0).build();
    private static final MapConfig IDLE = MapConfig.builder().backups(2).maxIdle(Duration.ofSeconds(30)).build();

    private record Workload(String name, MapConfig config, Map<String, String> expected) {
    }

    /**
     * Runs a mixed workload through every member at once: puts, overwrites, removes, conditional writes, short TTLs
     * that expire actively, reads that touch max-idle entries, and a clear. Returns what each map must hold.
     */
    private static List<Workload> runWorkload(List<Grid> members, String prefix) {
        return runWorkload(members, prefix, true, 80);
    }

    private static List<Workload> runWorkload(List<Grid> members, String prefix, boolean mapsWithFewerBackups,
                                              int perWriter) {
        List<Workload> maps = new ArrayList<>(List.of(
                new Workload(prefix + "-b2", TWO_BACKUPS, new ConcurrentHashMap<>()),
                new Workload(prefix + "-idle", IDLE, new ConcurrentHashMap<>())));
        if (mapsWithFewerBackups) {
            maps.add(new Workload(prefix + "-b1", ONE_BACKUP, new ConcurrentHashMap<>()));
            maps.add(new Workload(prefix + "-b0", NO_BACKUP, new ConcurrentHashMap<>()));
        }
        List<CompletableFuture<Void>> writers = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(members.size());
        for (int w = 0; w < members.size(); w++) {
            int writer = w;
            Grid member = members.get(w);
            writers.add(CompletableFuture.runAsync(() -> {
                for (Workload wl : maps) {
                    GridMap<String, String> map = member.map(wl.name, wl.config);
                    for (int i = 0; i < perWriter; i++) {
                        String key = "w" + writer + "-" + i;
                        map.put(key, "a" + i);
                        if (i % 3 == 0) {
                            map.put(key, "b" + i);
                        }
                        if (i % 5 == 0) {
                            map.remove(key);
                        } else if (i % 7 == 0) {
                            map.replace(key, map.get(key), "c" + i);
                        }
                        String value = map.get(key);
                        if (value != null) {
                            wl.expected.put(key, value);
                        }
                        if (i % 11 == 0) {
                            map.set("ttl-w" + writer + "-" + i, "gone", Duration.ofMillis(200));
                        }
                        if (i % 13 == 0) {
                            map.putIfAbsent(key, "d" + i);
                            wl.expected.put(key, map.get(key));
                        }
                    }
                }
            }, pool));
        }
        try {
            writers.forEach(CompletableFuture::join);
        } finally {
            pool.shutdown();
        }
        GridMap<String, String> cleared = members.get(0).map(prefix + "-cleared", TWO_BACKUPS);
        for (int i = 0; i < 200; i++) {
            cleared.put("x" + i, "v");
        }
        members.get(members.size() - 1).<String, String>map(prefix + "-cleared", TWO_BACKUPS).clear();
        Map<String, String> afterClear = new ConcurrentHashMap<>();
        for (int i = 0; i < 20; i++) {
            cleared.put("y" + i, "v");
            afterClear.put("y" + i, "v");
        }
        List<Workload> all = new ArrayList<>(maps);
        all.add(new Workload(prefix + "-cleared", TWO_BACKUPS, afterClear));
        return all;
    }

    private static void awaitReplicasAgree(List<Grid> members, List<Workload> maps) {
        for (Workload wl : maps) {
            await().atMost(GENEROUS).untilAsserted(() ->
                    assertThat(replicaDisagreement(members, wl.name, wl.config.backups())).as(wl.name).isNull());
        }
    }

    private static void assertContents(List<Grid> members, List<Workload> maps) {
        for (Workload wl : maps) {
            GridMap<String, String> map = members.get(members.size() - 1).map(wl.name, wl.config);
            await().atMost(GENEROUS).untilAsserted(() -> assertThat(map.size()).as(wl.name)
                    .isEqualTo(wl.expected.size()));
            assertThat(Map.copyOf(map)).as(wl.name).isEqualTo(wl.expected);
        }
    }

    // ----------------------------------------------------------------------------------------- steady state

    @Test
    void afterAWorkload_everyPartitionsPrimaryAndBackupsReportTheSameSequenceCountAndDigest() {
        try (GridCluster cluster = GridCluster.start(4, b -> b.maxBackups(2))) {
            List<Grid> ms = cluster.members();
            List<Workload> maps = runWorkload(ms, "steady");
            awaitReplicasAgree(ms, maps);
            assertContents(ms, maps);

            // The same, through the map's own anti-entropy view, which asks every member over the network. Each
            // member reports whether it serves as primary at the moment it answers: on a starved machine a lease can
            // lapse for an instant (the member then rightly refuses to act as primary), so the whole view is asked
            // again until one snapshot is complete.
            Workload b2 = maps.get(0);
            DefaultGridMap<?, ?> map = (DefaultGridMap<?, ?>) ms.get(1).map(b2.name, b2.config);
            await().atMost(GENEROUS).untilAsserted(() -> assertDigestsAgree(ms, map.replicaDigests(), b2));
        }
    }

    private static void assertDigestsAgree(List<Grid> ms, Map<Address, Map<Integer, long[]>> digests, Workload b2) {
        assertThat(digests).hasSize(4);
        int partitions = ((io.tessera.grid.internal.GridNode) ms.get(0)).config().partitionCount();
        long primaryRecords = 0;
        Set<Long> distinctDigests = new HashSet<>();
        for (int p = 0; p < partitions; p++) {
            List<long[]> replicas = new ArrayList<>();
            for (Map<Integer, long[]> perMember : digests.values()) {
                if (perMember.containsKey(p)) {
                    replicas.add(perMember.get(p));
                }
            }
            assertThat(replicas).as("replicas of partition %d", p).hasSize(3);
            assertThat(replicas.stream().filter(r -> r[0] == 1)).as("primaries of partition %d", p).hasSize(1);
            for (long[] r : replicas) {
                assertThat(new long[] {r[1], r[2], r[3]}).as("sequence, count, digest of partition %d", p)
                        .containsExactly(replicas.get(0)[1], replicas.get(0)[2], replicas.get(0)[3]);
            }
            long[] primary = replicas.stream().filter(r -> r[0] == 1).findFirst().orElseThrow();
            primaryRecords += primary[2];
            distinctDigests.add(primary[3]);
        }
        assertThat(primaryRecords).isEqualTo(b2.expected.size());
        assertThat(distinctDigests).as("digests tell partitions with different contents apart")
                .hasSizeGreaterThan(partitions / 2);
    }

    @Test
    void recordsCarryTheSequenceAndHlcStampOfTheirLastWrite_identicallyOnEveryReplica() {
        try (GridCluster cluster = GridCluster.start(3, b -> b.maxBackups(2))) {
            List<Grid> ms = cluster.members();
            String name = "stamps";
            Grid primary = ms.get(1);
            String firstKey = keysWithPrimary(ms, primary, "stamp-", 1).get(0);
            int partition = ReplicaProbe.partitionOf(primary, firstKey);
            List<String> keys = new ArrayList<>();
            for (int i = 0; keys.size() < 2 && i < 1_000_000; i++) {
                if (ReplicaProbe.partitionOf(primary, "stamp-" + i) == partition) {
                    keys.add("stamp-" + i);
                }
            }
            assertThat(keys).as("keys sharing one partition").hasSizeGreaterThanOrEqualTo(2);
            GridMap<String, String> map = ms.get(0).map(name, TWO_BACKUPS);

            long before = System.currentTimeMillis();
            map.put(keys.get(0), "1");
            long after = System.currentTimeMillis();
            Record first = recordOn(primary, name, keys.get(0));
            assertThat(first).isNotNull();
            assertThat(HybridLogicalClock.physicalMillis(first.timestamp())).isBetween(before, after);

            map.put(keys.get(1), "1");
            map.put(keys.get(0), "2");
            Record second = recordOn(primary, name, keys.get(1));
            Record rewritten = recordOn(primary, name, keys.get(0));
            assertThat(second.version()).isGreaterThan(first.version());
            assertThat(rewritten.version()).as("a rewrite takes the partition's next sequence")
                    .isGreaterThan(second.version());
            assertThat(second.timestamp()).isGreaterThan(first.timestamp());
            assertThat(rewritten.timestamp()).isGreaterThan(second.timestamp());
            long partitionSequence = ReplicaProbe.localDigests(primary, name).get(partition).sequence();
            assertThat(partitionSequence).as("the partition's sequence is that of its last write")
                    .isEqualTo(rewritten.version());

            for (Grid g : ms) {
                for (String k : keys) {
                    Record onPrimary = recordOn(primary, name, k);
                    Record replica = recordOn(g, name, k);
                    assertThat(replica).as("%s on %s", k, g.localMember().name()).isNotNull();
                    assertThat(replica.version()).isEqualTo(onPrimary.version());
                    assertThat(replica.timestamp()).as("backups keep the primary's stamp, they do not re-stamp")
                            .isEqualTo(onPrimary.timestamp());
                }
            }
        }
    }

    // ----------------------------------------------------------------------------------------- membership

    /** Join, then a non-coordinator and the coordinator leave, with every map kept on all three replicas. */
    @Test
    void afterMembersJoinAndLeave_everyPartitionsReplicasStillAgree_andNoEntryIsLost() {
        try (GridCluster cluster = GridCluster.start(3, b -> b.maxBackups(2))) {
            List<Workload> maps = runWorkload(cluster.members(), "churn1", false, 40);
            awaitReplicasAgree(cluster.members(), maps);

            cluster.addMember();
            cluster.awaitSettled();
            awaitReplicasAgree(cluster.members(), maps);
            assertContents(cluster.members(), maps);

            List<Workload> more = runWorkload(cluster.members(), "churn2", false, 40);
            leaveWithin(cluster, 1, Duration.ofSeconds(20)); // a non-coordinator leaves
            List<Workload> everything = new ArrayList<>(maps);
            everything.addAll(more);
            awaitReplicasAgree(cluster.members(), everything);
            assertContents(cluster.members(), everything);

            leaveWithin(cluster, 0, Duration.ofSeconds(20)); // the coordinator leaves
            awaitReplicasAgree(cluster.members(), everything);
            assertContents(cluster.members(), everything);
        }
    }

    /**
     * A map may keep fewer backups than the grid's {@code maxBackups}; when a primary leaves, a member that held
     * the partition only as a backup of the other maps must be given this map's entries before it takes over.
     */
    @Test
    void primaryLeavesGracefully_whileAMapKeepsFewerBackupsThanTheGrid_handOffCompletesAndNothingIsLost() {
        try (GridCluster cluster = GridCluster.start(3)) {
            Workload noBackup = new Workload("fewer-b0", NO_BACKUP, new ConcurrentHashMap<>());
            Workload oneBackup = new Workload("fewer-b1", ONE_BACKUP, new ConcurrentHashMap<>());
            for (Workload wl : List.of(noBackup, oneBackup)) {
                GridMap<String, String> map = cluster.member(0).map(wl.name, wl.config);
                for (String k : keysWithPrimary(cluster.members(), cluster.member(1), "k", 50)) {
                    map.put(k, "v-" + k);
                    wl.expected.put(k, "v-" + k);
                }
            }
            leaveWithin(cluster, 1, Duration.ofSeconds(15));
            awaitReplicasAgree(cluster.members(), List.of(noBackup, oneBackup));
            assertContents(cluster.members(), List.of(noBackup, oneBackup));
        }
    }

    /**
     * Closes member {@code index} gracefully on another thread and fails if the hand-off does not finish within
     * {@code bound}; a stuck leave would otherwise hold the test for the grid's two-minute leave timeout.
     */
    private static void leaveWithin(GridCluster cluster, int index, Duration bound) {
        Grid leaving = cluster.member(index);
        Thread closer = new Thread(() -> cluster.closeMember(index), "closing-" + leaving.localMember().name());
        closer.setDaemon(true);
        closer.start();
        try {
            closer.join(bound.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
        assertThat(closer.isAlive()).as("graceful leave of %s still handing off partitions after %s",
                leaving.localMember().name(), bound).isFalse();
        cluster.awaitSettled();
    }
}
