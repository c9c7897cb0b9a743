package io.tessera.grid;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.grid.internal.partition.PartitionAssigner;
import io.tessera.grid.internal.partition.PartitionTable;
import io.tessera.grid.testing.ContractTestSupport;
import io.tessera.grid.testing.GridCluster;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.jgroups.Address;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue point 2 on a live cluster: through starts, joins and graceful leaves (of a non-coordinator and of the
 * coordinator), a poller watches every member's installed table and checks that versions only grow, that one version
 * is one table on every member, and that no table ever lists a member twice for a partition. At every settled point
 * the table is the same on all members and balanced per position (primaries and each backup rank within
 * floor(P/n)..ceil(P/n)) and in total; a join moves only the replicas the joiner must take, a leave only those the
 * leaver held; and the data stays complete.
 */
@Timeout(value = 60, unit = SECONDS)
class PartitionTableBehaviourTest {

    /** Polls every member's table as fast as it can and records every violation it sees. */
    private static final class TableWatcher extends Thread {
        final GridCluster cluster;
        final int maxReplicas;
        final ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
        final Map<Grid, Long> lastVersion = new IdentityHashMap<>();
        final Map<Long, PartitionTable> byVersion = new ConcurrentHashMap<>();
        volatile boolean stop;
        long polls;

        TableWatcher(GridCluster cluster, int maxReplicas) {
            super("table-watcher");
            this.cluster = cluster;
            this.maxReplicas = maxReplicas;
            setDaemon(true);
        }

        @Override
        public void run() {
            while (!stop) {
                for (Grid g : cluster.members()) {
                    PartitionTable t = ContractTestSupport.table(g);
                    Long last = lastVersion.put(g, t.version());
                    if (last != null && t.version() < last) {
                        violations.add(g.localMember().name() + " went from table " + last + " back to "
                                + t.version());
                    }
                    PartitionTable first = byVersion.putIfAbsent(t.version(), t);
                    if (first == null) {
                        violations.addAll(ContractTestSupport.structuralProblems(t, maxReplicas));
                    } else if (first != t && !first.sameAssignment(t)) {
                        violations.add("two different tables with version " + t.version() + " (seen on "
                                + g.localMember().name() + ")");
                    }
                }
                polls++;
                java.util.concurrent.locks.LockSupport.parkNanos(200_000); // leave the 2 cores to the members
            }
        }

        void finish() throws InterruptedException {
            stop = true;
            join(10_000);
        }
    }

    @ParameterizedTest(name = "maxBackups={0}, partitions={1}")
    @CsvSource({"2, 256", "1, 128"})
    void tableStaysConsistentBalancedAndMinimal_throughStartsJoinsAndLeaves(int maxBackups, int partitions)
            throws Exception {
        int replicas = maxBackups + 1;
        try (GridCluster cluster = GridCluster.start(3, b -> b.maxBackups(maxBackups).partitionCount(partitions))) {
            TableWatcher watcher = new TableWatcher(cluster, replicas);
            watcher.start();
            try {
                MapConfig config = MapConfig.builder().backups(maxBackups).build();
                GridMap<String, Integer> map = cluster.member(0).map("table-behaviour", config);
                Map<String, Integer> data = new HashMap<>();
                for (int i = 0; i < 5_000; i++) {
                    data.put("key-" + i, i);
                }
                ContractTestSupport.putAllInChunks(map, data, 500);
                long version = checkSettled(cluster, "after the start of 3", 0);

                // Joins: the joiner takes exactly the replicas it must hold, nothing else moves.
                for (int join = 0; join < 2; join++) {
                    PartitionTable before = ContractTestSupport.table(cluster.member(0));
                    Grid joiner = cluster.addMember();
                    cluster.awaitSettled();
                    PartitionTable after = ContractTestSupport.table(joiner);
                    version = checkSettled(cluster, "after join " + (join + 1), version);
                    int n = cluster.members().size();
                    int held = heldBy(after, ContractTestSupport.address(joiner));
                    int moved = PartitionAssigner.movedReplicas(before.ownerLists(), after.ownerLists());
                    int primariesMoved = primaryChanges(before, after);
                    System.out.printf("FIGURE table P=%d R=%d join to %d members: %d replicas moved (joiner holds %d),"
                            + " %d primaries changed, table v%d -> v%d%n", partitions, replicas, n, moved, held,
                            primariesMoved, before.version(), after.version());
                    assertThat(held).isBetween(replicas * partitions / n, ceilDiv(replicas * partitions, n));
                    assertThat(moved).as("replicas moved by join %d", join + 1).isEqualTo(held);
                    // Primaries may change beyond the joiner's share (the assigner balances every position within
                    // the chosen owner sets and does not promise the fewest primary changes), but a new primary is
                    // always the joiner or a member that already held the partition: no other copy is needed.
                    assertThat(newPrimariesThatHadNoCopy(before, after, ContractTestSupport.address(joiner)))
                            .as("partitions whose new primary is neither the joiner nor a previous owner").isEmpty();
                }

                // Leaves: a non-coordinator, then the coordinator; only the leaver's replicas move.
                for (boolean coordinator : new boolean[] {false, true}) {
                    List<Address> view = ContractTestSupport.viewAddresses(cluster.member(0));
                    Address leaving = coordinator ? view.get(0) : view.get(view.size() - 1);
                    int index = indexOf(cluster, leaving);
                    PartitionTable before = ContractTestSupport.table(cluster.member(index));
                    int held = heldBy(before, leaving);
                    int led = before.primaryCounts().get(leaving);
                    cluster.closeMember(index);
                    cluster.awaitSettled();
                    PartitionTable after = ContractTestSupport.table(cluster.member(0));
                    String what = "after the leave of " + (coordinator ? "the coordinator" : "a non-coordinator");
                    version = checkSettled(cluster, what, version);
                    int moved = PartitionAssigner.movedReplicas(before.ownerLists(), after.ownerLists());
                    int primariesMoved = primaryChanges(before, after);
                    System.out.printf("FIGURE table P=%d R=%d leave (%s) to %d members: %d replicas moved (leaver"
                                    + " held %d), %d primaries changed (leaver led %d), table v%d -> v%d%n",
                            partitions, replicas, coordinator ? "coordinator" : "non-coordinator",
                            cluster.members().size(), moved, held, primariesMoved, led, before.version(),
                            after.version());
                    assertThat(moved).as("replicas moved " + what).isEqualTo(held);
                    assertThat(primariesMoved).as("primaries changed " + what).isGreaterThanOrEqualTo(led);
                    assertThat(newPrimariesThatHadNoCopy(before, after, null))
                            .as("partitions whose new primary did not hold a replica before " + what).isEmpty();
                    for (int p = 0; p < partitions; p++) {
                        assertThat(after.ownerIndex(p, leaving)).isNegative();
                    }
                }

                for (Grid g : cluster.members()) {
                    GridMap<String, Integer> m = g.map("table-behaviour", config);
                    assertThat(m.size()).isEqualTo(data.size());
                }
                GridMap<String, Integer> last = cluster.member(cluster.members().size() - 1)
                        .map("table-behaviour", config);
                data.forEach((k, v) -> assertThat(last.get(k)).isEqualTo(v));
                assertThat(ContractTestSupport.replicaDisagreements(cluster.member(0), "table-behaviour", config))
                        .isEmpty();
            } finally {
                watcher.finish();
            }
            System.out.printf("FIGURE table watcher: %d polls, %d distinct table versions seen%n", watcher.polls,
                    watcher.byVersion.size());
            assertThat(watcher.violations).as("violations seen while the cluster changed").isEmpty();
            assertThat(watcher.polls).isPositive();
        }
    }

    /** Checks the settled state and returns its version, which must exceed {@code previous}. */
    private static long checkSettled(GridCluster cluster, String when, long previous) {
        List<Grid> members = cluster.members();
        PartitionTable first = ContractTestSupport.table(members.get(0));
        for (Grid g : members) {
            PartitionTable t = ContractTestSupport.table(g);
            assertThat(t.version()).as("table version on %s %s", g.localMember(), when).isEqualTo(first.version());
            assertThat(t.sameAssignment(first)).as("same table on %s %s", g.localMember(), when).isTrue();
            assertThat(g.members()).hasSize(members.size());
        }
        List<Address> addresses = members.stream().map(ContractTestSupport::address).toList();
        assertThat(ContractTestSupport.structuralProblems(first, Integer.MAX_VALUE)).as(when).isEmpty();
        assertThat(ContractTestSupport.balanceProblems(first, addresses)).as("balance " + when).isEmpty();
        assertThat(first.hasSyncing()).as(when).isFalse();
        for (int p = 0; p < first.partitionCount(); p++) {
            for (Address a : first.owners(p)) {
                assertThat(addresses).as("owners of partition %d %s are live members", p, when).contains(a);
            }
        }
        assertThat(first.version()).as("version %s", when).isGreaterThan(previous);
        return first.version();
    }

    private static int heldBy(PartitionTable t, Address member) {
        int held = 0;
        for (int p = 0; p < t.partitionCount(); p++) {
            if (t.ownerIndex(p, member) >= 0) {
                held++;
            }
        }
        return held;
    }

    private static int primaryChanges(PartitionTable before, PartitionTable after) {
        int changed = 0;
        for (int p = 0; p < before.partitionCount(); p++) {
            if (!after.primary(p).equals(before.primary(p))) {
                changed++;
            }
        }
        return changed;
    }

    /** Partitions whose primary changed to a member other than {@code joiner} that held no replica before. */
    private static List<Integer> newPrimariesThatHadNoCopy(PartitionTable before, PartitionTable after,
                                                          Address joiner) {
        List<Integer> partitions = new ArrayList<>();
        for (int p = 0; p < before.partitionCount(); p++) {
            Address primary = after.primary(p);
            if (!primary.equals(before.primary(p)) && !primary.equals(joiner) && before.ownerIndex(p, primary) < 0) {
                partitions.add(p);
            }
        }
        return partitions;
    }

    private static int indexOf(GridCluster cluster, Address address) {
        List<Grid> members = new ArrayList<>(cluster.members());
        for (int i = 0; i < members.size(); i++) {
            if (ContractTestSupport.address(members.get(i)).equals(address)) {
                return i;
            }
        }
        throw new AssertionError(address + " is not a member");
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
