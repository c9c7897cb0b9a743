package io.tessera.grid;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.grid.testing.ContractProcessors;
import io.tessera.grid.testing.ContractProcessors.Increment;
import io.tessera.grid.testing.ContractTestSupport;
import io.tessera.grid.testing.GridCluster;
import io.tessera.grid.internal.partition.PartitionAssigner;
import io.tessera.grid.internal.partition.PartitionTable;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue point 6: "a writer keeps writing while a 4th member joins and then one leaves gracefully: zero failed
 * operations, zero lost writes, and the table balanced afterwards."
 *
 * <p>Writer threads put increasing values to their own keys and increment their own counters with an entry processor,
 * recording every acknowledged write and every exception. A 4th member joins (and gets a writer of its own), the
 * table settles, then a member leaves gracefully (a non-coordinator in one test, the coordinator in the other) and the
 * table settles again; each test runs this twice. Then: no exception, every key holds its last acknowledged value on
 * every member, every counter equals its acknowledged increments, every synchronous backup equals its primary, and
 * the table is settled. While it runs, writers read acknowledged writes back through another member, and also write a
 * near-cached map and read it back through another member's near cache (checked and reported separately).
 */
@Timeout(value = 90, unit = SECONDS)
class RebalanceUnderLoadTest {
    private static final String MAP = "under-load";
    private static final String NEAR_MAP = "under-load-near";
    private static final MapConfig NEAR = MapConfig.builder().nearCache(NearCacheConfig.defaults()).build();
    private static final int NEAR_KEYS_PER_WRITER = 8;
    private static final int KEYS_PER_WRITER = 50;
    private static final int COUNTERS_PER_WRITER = 4;
    private static final int PREFILL = 20_000;

    /** One writer thread and what it saw acknowledged. */
    private static final class Writer extends Thread {
        final String id;
        final GridMap<String, Object> map;
        final GridMap<String, Object> nearMap;
        final long[] lastAcked = new long[KEYS_PER_WRITER];
        final long[] nearLastAcked = new long[NEAR_KEYS_PER_WRITER];
        final int[] incrementsAcked = new int[COUNTERS_PER_WRITER];
        final ConcurrentLinkedQueue<String> failures;
        final ConcurrentLinkedQueue<String> nearFailures;
        final AtomicLong ops;
        volatile long slowestNanos;
        volatile String slowest = "none";
        /** The member that reads back acknowledged writes; a member that never leaves during the test. */
        volatile Grid readVia;
        volatile boolean stop;

        Writer(String id, Grid member, Grid readVia, ConcurrentLinkedQueue<String> failures,
               ConcurrentLinkedQueue<String> nearFailures, AtomicLong ops) {
            super("writer-" + id);
            this.nearFailures = nearFailures;
            this.id = id;
            this.map = member.map(MAP);
            this.nearMap = member.map(NEAR_MAP, NEAR);
            this.readVia = readVia;
            this.failures = failures;
            this.ops = ops;
        }

        String key(int k) {
            return id + "/key-" + k;
        }

        String counter(int c) {
            return id + "/counter-" + c;
        }

        @Override
        public void run() {
            long next = 1;
            int op = 0;
            while (!stop) {
                op++;
                long opBegan = System.nanoTime();
                if (op % 8 == 0) {
                    int c = op / 8 % COUNTERS_PER_WRITER;
                    try {
                        @SuppressWarnings({"unchecked", "rawtypes"})
                        Object result = map.executeOnKey(counter(c), (EntryProcessor) new Increment(1));
                        incrementsAcked[c]++;
                        if (!Integer.valueOf(incrementsAcked[c]).equals(result)) {
                            failures.add(Instant.now() + " " + counter(c) + ": increment #" + incrementsAcked[c]
                                    + " returned " + result);
                        }
                    } catch (RuntimeException e) {
                        failures.add(Instant.now() + " executeOnKey(" + counter(c) + ") via " + getName() + ": " + e);
                    }
                } else if (op % 16 == 4) {
                    // A near-cached map: once set() returns, a get on any member returns the new value.
                    int k = op / 16 % NEAR_KEYS_PER_WRITER;
                    long value = next++;
                    Grid reader = readVia;
                    try {
                        nearMap.set(key(k), value);
                        nearLastAcked[k] = value;
                        Object read = reader.<String, Object>map(NEAR_MAP, NEAR).get(key(k));
                        if (!Long.valueOf(value).equals(read)) {
                            nearFailures.add(Instant.now() + " near-cached " + key(k) + " read " + read + " via "
                                    + reader.localMember() + " after set(" + value + ") was acknowledged");
                        }
                    } catch (RuntimeException e) {
                        nearFailures.add(Instant.now() + " near set/get(" + key(k) + ", " + value + ") via " + getName()
                                + ": " + e);
                    }
                } else {
                    int k = op % KEYS_PER_WRITER;
                    long value = next++;
                    Grid reader = readVia;
                    try {
                        map.put(key(k), value);
                        lastAcked[k] = value;
                        if (op % 4 == 1) { // read-your-writes through another member
                            Object read = reader.<String, Object>map(MAP).get(key(k));
                            if (!Long.valueOf(value).equals(read)) {
                                failures.add(Instant.now() + " " + key(k) + " read " + read + " via "
                                        + reader.localMember() + " after put(" + value + ") was acknowledged");
                            }
                        }
                    } catch (RuntimeException e) {
                        failures.add(Instant.now() + " put/get(" + key(k) + ", " + value + ") via " + getName()
                                + ": " + e);
                    }
                }
                long took = System.nanoTime() - opBegan;
                if (took > slowestNanos) {
                    slowestNanos = took;
                    slowest = "op " + op + " of " + getName() + " at " + Instant.now() + " took " + took / 1_000_000
                            + " ms";
                }
                ops.incrementAndGet();
            }
        }
    }

    /** The writers of one test and the checks on what they recorded. */
    private static final class Load {
        final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<String> nearFailures = new ConcurrentLinkedQueue<>();
        final AtomicLong ops = new AtomicLong();
        final List<Writer> writers = new ArrayList<>();

        void start(String id, Grid member, Grid readVia) {
            Writer w = new Writer(id, member, readVia, failures, nearFailures, ops);
            writers.add(w);
            w.start();
        }

        String slowest() {
            return writers.stream().max(java.util.Comparator.comparingLong(w -> w.slowestNanos))
                    .map(w -> w.slowest).orElse("none");
        }

        /** Waits until at least {@code more} further operations were acknowledged (or failed). */
        void awaitProgress(long more) throws InterruptedException {
            long target = ops.get() + more;
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (ops.get() < target && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(ops.get()).as("the writers keep making progress").isGreaterThanOrEqualTo(target);
        }

        void stop() throws InterruptedException {
            writers.forEach(w -> w.stop = true);
            for (Writer w : writers) {
                w.join(30_000);
                assertThat(w.isAlive()).as("%s stopped", w.getName()).isFalse();
            }
        }

        void verify(GridCluster cluster) {
            SoftAssertions soft = new SoftAssertions();
            soft.assertThat(failures).as("failed operations, or acknowledged writes read back wrong").isEmpty();
            soft.assertThat(nearFailures).as("near-cached reads that missed an acknowledged write").isEmpty();
            int expectedSize = 0;
            for (Grid g : cluster.members()) {
                GridMap<String, Object> map = g.map(MAP);
                for (Writer w : writers) {
                    for (int k = 0; k < KEYS_PER_WRITER; k++) {
                        if (w.lastAcked[k] != 0) {
                            soft.assertThat(map.get(w.key(k))).as("%s via %s", w.key(k), g.localMember())
                                    .isEqualTo(w.lastAcked[k]);
                        }
                    }
                    for (int c = 0; c < COUNTERS_PER_WRITER; c++) {
                        soft.assertThat(map.get(w.counter(c))).as("%s via %s", w.counter(c), g.localMember())
                                .isEqualTo(w.incrementsAcked[c] == 0 ? null : w.incrementsAcked[c]);
                    }
                    GridMap<String, Object> near = g.map(NEAR_MAP, NEAR);
                    for (int k = 0; k < NEAR_KEYS_PER_WRITER; k++) {
                        soft.assertThat(near.get(w.key(k)))
                                .as("near-cached %s via %s, after the load stopped", w.key(k), g.localMember())
                                .isEqualTo(w.nearLastAcked[k] == 0 ? null : w.nearLastAcked[k]);
                    }
                }
            }
            for (Writer w : writers) {
                for (long v : w.lastAcked) {
                    expectedSize += v == 0 ? 0 : 1;
                }
                for (int c : w.incrementsAcked) {
                    expectedSize += c == 0 ? 0 : 1;
                }
            }
            soft.assertThat(cluster.member(0).<String, Object>map(MAP).size()).as("size")
                    .isEqualTo(expectedSize + PREFILL);
            soft.assertThat(ContractTestSupport.replicaDisagreements(cluster.member(0), MAP, MapConfig.defaults()))
                    .as("backups equal to their primaries").isEmpty();
            soft.assertThat(ContractTestSupport.replicaDisagreements(cluster.member(0), NEAR_MAP, NEAR))
                    .as("backups of the near-cached map equal to their primaries").isEmpty();
            soft.assertThat(cluster.settled()).as("table settled and balanced").isTrue();
            soft.assertAll();
        }
    }

    private static GridCluster startCluster() {
        return GridCluster.start(3, b -> b.serialization(ContractProcessors.serialization()));
    }

    @Test
    void writesDuringJoinAndGracefulLeaveOfANonCoordinator_noneFailNoneLost() throws Exception {
        // Round 1: m3 joins, a non-coordinator leaves; round 2: m4 joins, the other one leaves. Writers on the
        // coordinator (which stays) and on every joiner.
        try (GridCluster cluster = startCluster()) {
            List<Grid> view = inViewOrder(cluster);
            joinThenLeave(cluster, List.of(view.get(0)), List.of(view.get(1), view.get(2)), false);
        }
    }

    @Test
    void writesDuringJoinAndGracefulLeaveOfTheCoordinator_noneFailNoneLost() throws Exception {
        // Round 1: m3 joins, the coordinator leaves; round 2: m4 joins, the new coordinator leaves. Writers on the
        // last original member in view order (never the coordinator here) and on every joiner.
        try (GridCluster cluster = startCluster()) {
            List<Grid> view = inViewOrder(cluster);
            joinThenLeave(cluster, List.of(view.get(2)), List.of(view.get(0), view.get(1)), true);
        }
    }

    /** The harness's members in JGroups view order (the first is the coordinator). */
    private static List<Grid> inViewOrder(GridCluster cluster) {
        List<Grid> ordered = new ArrayList<>();
        for (org.jgroups.Address a : ContractTestSupport.viewAddresses(cluster.member(0))) {
            ordered.add(cluster.members().stream().filter(g -> ContractTestSupport.address(g).equals(a))
                    .findFirst().orElseThrow());
        }
        return ordered;
    }

    /**
     * Fills the map with {@value #PREFILL} entries and starts writers on {@code writerMembers} (two each); then, per
     * leaver, a member joins (and gets a writer), the table settles, the leaver closes and the table settles again.
     * Writers read acknowledged writes back through another member that stays (the first joiner, or the first
     * writer member for the joiners' writers): every read must return the value just acknowledged.
     */
    private void joinThenLeave(GridCluster cluster, List<Grid> writerMembers, List<Grid> leavers,
                               boolean leaversCoordinate) throws Exception {
        Map<String, Object> prefill = new HashMap<>();
        for (int i = 0; i < PREFILL; i++) {
            prefill.put("prefill-" + i, (long) i);
        }
        ContractTestSupport.putAllInChunks(cluster.member(0).<String, Object>map(MAP), prefill, 1_000);
        Load load = new Load();
        try {
            Grid stable = writerMembers.get(0);
            for (Grid m : writerMembers) {
                for (int w = 0; w < 2; w++) {
                    load.start(m.localMember().name() + "w" + w, m, m);
                }
            }
            load.awaitProgress(300);
            for (int round = 0; round < leavers.size(); round++) {
                long before = load.ops.get();
                long began = System.nanoTime();
                Grid joined = cluster.addMember();
                if (round == 0) { // from now on the original writers read back through the first joiner
                    load.writers.forEach(w -> w.readVia = joined);
                }
                load.start("joiner" + round, joined, stable);
                cluster.awaitSettled();
                long joinMillis = (System.nanoTime() - began) / 1_000_000;
                long duringJoin = load.ops.get() - before;
                load.awaitProgress(300);

                Grid leaver = leavers.get(round);
                boolean coordinator = leaver.members().get(0).isLocal();
                assertThat(coordinator).as("%s is the coordinator", leaver.localMember())
                        .isEqualTo(leaversCoordinate);
                before = load.ops.get();
                began = System.nanoTime();
                cluster.closeMember(cluster.members().indexOf(leaver));
                cluster.awaitSettled();
                long leaveMillis = (System.nanoTime() - began) / 1_000_000;
                long duringLeave = load.ops.get() - before;
                load.awaitProgress(300);
                System.out.printf("FIGURE rebalance under load, round %d: join+settle %d ms (%d ops meanwhile),"
                                + " leave of %s%s + settle %d ms (%d ops meanwhile), %d failures and %d stale near-cache"
                                + " reads so far%n",
                        round + 1, joinMillis, duringJoin, leaver.localMember().name(),
                        coordinator ? " (coordinator)" : "", leaveMillis, duringLeave, load.failures.size(),
                        load.nearFailures.size());
                assertThat(duringJoin).as("operations while a member joined").isPositive();
                assertThat(duringLeave).as("operations while a member left").isPositive();
            }
            load.stop();
            System.out.printf("FIGURE rebalance under load: slowest operation: %s%n", load.slowest());
            load.verify(cluster);
            GridMap<String, Object> check = cluster.member(0).map(MAP);
            for (int i = 0; i < PREFILL; i += 7) {
                assertThat(check.get("prefill-" + i)).isEqualTo((long) i);
            }
        } finally {
            load.stop();
        }
    }

    @Test
    void figure_fourthMemberJoinsAndTableSettles_with100000Entries() throws Exception {
        int entries = 100_000;
        try (GridCluster cluster = startCluster()) {
            GridMap<String, String> map = cluster.member(0).map("figure");
            String padding = "x".repeat(90);
            long loadBegan = System.nanoTime();
            for (int chunk = 0; chunk < entries; chunk += 1_000) {
                Map<String, String> batch = new HashMap<>();
                for (int i = chunk; i < chunk + 1_000; i++) {
                    batch.put("entry-" + i, padding + i);
                }
                cluster.member(chunk / 1_000 % 3).<String, String>map("figure").putAll(batch);
            }
            long loadMillis = (System.nanoTime() - loadBegan) / 1_000_000;
            assertThat(map.size()).isEqualTo(entries);
            PartitionTable before = ContractTestSupport.table(cluster.member(0));

            long began = System.nanoTime();
            Grid joined = cluster.addMember();
            cluster.awaitSettled();
            long millis = (System.nanoTime() - began) / 1_000_000;

            PartitionTable after = ContractTestSupport.table(joined);
            int moved = PartitionAssigner.movedReplicas(before.ownerLists(), after.ownerLists());
            System.out.printf("FIGURE join of a 4th member to 3 holding %d entries (~%d bytes each, 1 backup):"
                            + " %d ms from addMember() to settled; %d replica copies moved; loading took %d ms%n",
                    entries, padding.length() + 10, millis, moved, loadMillis);
            GridMap<String, String> viaJoined = joined.map("figure");
            assertThat(viaJoined.size()).isEqualTo(entries);
            for (int i = 0; i < entries; i += 97) {
                assertThat(viaJoined.get("entry-" + i)).isEqualTo(padding + i);
            }
            assertThat(ContractTestSupport.replicaDisagreements(joined, "figure", MapConfig.defaults())).isEmpty();
            assertThat(cluster.settled()).isTrue();
        }
    }
}
