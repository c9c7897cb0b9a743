package io.tessera.grid.testing;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.tessera.grid.Grid;
import io.tessera.grid.MapConfig;
import io.tessera.grid.internal.GridNode;
import io.tessera.grid.internal.map.DefaultGridMap;
import io.tessera.grid.internal.partition.PartitionTable;
import io.tessera.grid.internal.partition.SlotHashing;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jgroups.Address;

/**
 * Helpers for the contract, atomicity, rebalance and partition-table tests; they read internals ({@link GridNode},
 * {@link PartitionTable}) that {@link GridCluster} also reads.
 */
public final class ContractTestSupport {
    private ContractTestSupport() {
    }

    /** One String key per partition, {@code prefix + i}, in partition order: iteration must visit every one. */
    public static List<String> keysCoveringAllPartitions(String prefix, int partitionCount) {
        String[] byPartition = new String[partitionCount];
        int found = 0;
        for (int i = 0; found < partitionCount; i++) {
            String key = prefix + i;
            int p = SlotHashing.partition(key.getBytes(UTF_8), partitionCount);
            if (byPartition[p] == null) {
                byPartition[p] = key;
                found++;
            }
        }
        return List.of(byPartition);
    }

    /**
     * {@code putAll} in chunks of {@code chunk} entries: a single putAll sends every entry at once, and thousands of
     * concurrent operations can outlast the operation deadline on a loaded 2-core machine.
     */
    public static <K, V> void putAllInChunks(Map<K, V> target, Map<K, V> entries, int chunk) {
        Map<K, V> batch = new LinkedHashMap<>();
        for (Map.Entry<K, V> e : entries.entrySet()) {
            batch.put(e.getKey(), e.getValue());
            if (batch.size() == chunk) {
                target.putAll(batch);
                batch.clear();
            }
        }
        target.putAll(batch);
    }

    /** The partition of a String key. */
    public static int partitionOf(String key, int partitionCount) {
        return SlotHashing.partition(key.getBytes(UTF_8), partitionCount);
    }

    /** The table member {@code grid} routes by now. */
    public static PartitionTable table(Grid grid) {
        return ((GridNode) grid).table();
    }

    /** The JGroups address of {@code grid}. */
    public static Address address(Grid grid) {
        return ((GridNode) grid).address();
    }

    /** The addresses in the view of {@code grid}. */
    public static List<Address> viewAddresses(Grid grid) {
        return ((GridNode) grid).cluster().view().getMembers();
    }

    /**
     * Waits until {@code grids} (members not started by a {@link GridCluster}, or a mix) see each other, installed
     * one table without syncing replicas, and every partition has min(n, 1 + maxBackups) owners.
     */
    public static void awaitSettled(List<Grid> grids) {
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                .pollInterval(java.time.Duration.ofMillis(20)).until(() -> {
                    PartitionTable first = table(grids.get(0));
                    for (Grid g : grids) {
                        PartitionTable t = table(g);
                        if (g.members().size() != grids.size() || t.version() != first.version() || t.hasSyncing()
                                || !((GridNode) g).coordinator().idle()) {
                            return false;
                        }
                    }
                    int replicas = Math.min(grids.size(), 1 + ((GridNode) grids.get(0)).config().maxBackups());
                    for (int p = 0; p < first.partitionCount(); p++) {
                        if (first.owners(p).length != replicas) {
                            return false;
                        }
                    }
                    return true;
                });
    }

    /**
     * Compares, for every partition, the (sequence, size, digest) of map {@code name} on its primary with every
     * backup that must hold the map ({@code min(backups, owners - 1)} of them). Returns the disagreements, empty when
     * every synchronous backup holds exactly what its primary holds.
     */
    public static List<String> replicaDisagreements(Grid via, String name, MapConfig config) {
        DefaultGridMap<?, ?> map = (DefaultGridMap<?, ?>) via.map(name, config);
        Map<Address, Map<Integer, long[]>> digests = map.replicaDigests();
        PartitionTable table = table(via);
        List<String> problems = new ArrayList<>();
        for (int p = 0; p < table.partitionCount(); p++) {
            Address[] owners = table.owners(p);
            if (owners.length == 0) {
                problems.add("partition " + p + " has no owner");
                continue;
            }
            long[] primary = digests.getOrDefault(owners[0], Map.of()).get(p);
            if (primary == null || primary[0] != 1) {
                problems.add("partition " + p + ": its primary " + owners[0] + " does not serve it as primary ("
                        + Arrays.toString(primary) + ")");
                continue;
            }
            int mustHold = Math.min(config.backups(), owners.length - 1);
            for (int i = 1; i <= mustHold; i++) {
                long[] backup = digests.getOrDefault(owners[i], Map.of()).get(p);
                if (backup == null || backup[1] != primary[1] || backup[2] != primary[2]
                        || backup[3] != primary[3]) {
                    problems.add("partition " + p + ": backup " + i + " " + owners[i] + " holds "
                            + (backup == null ? "nothing" : "seq=" + backup[1] + " size=" + backup[2] + " digest="
                            + backup[3]) + ", primary holds seq=" + primary[1] + " size=" + primary[2]
                            + " digest=" + primary[3]);
                }
            }
        }
        return problems;
    }

    /**
     * The structural problems of one table: an owner or syncing replica listed twice for a partition, a syncing
     * replica that is also an owner, more than {@code maxReplicas} owners. Empty when the table is well formed.
     */
    public static List<String> structuralProblems(PartitionTable t, int maxReplicas) {
        List<String> problems = new ArrayList<>();
        for (int p = 0; p < t.partitionCount(); p++) {
            Address[] owners = t.owners(p);
            Address[] syncing = t.syncing(p);
            Set<Address> seen = new HashSet<>();
            for (Address a : owners) {
                if (!seen.add(a)) {
                    problems.add("v" + t.version() + " partition " + p + ": owner " + a + " twice in "
                            + Arrays.toString(owners));
                }
            }
            if (owners.length > maxReplicas) {
                problems.add("v" + t.version() + " partition " + p + ": " + owners.length + " owners > "
                        + maxReplicas);
            }
            Set<Address> syncSeen = new HashSet<>();
            for (Address a : syncing) {
                if (!syncSeen.add(a)) {
                    problems.add("v" + t.version() + " partition " + p + ": syncing " + a + " twice");
                }
                if (seen.contains(a)) {
                    problems.add("v" + t.version() + " partition " + p + ": " + a + " is owner and syncing");
                }
            }
        }
        return problems;
    }

    /**
     * The balance problems of a settled table over {@code members}: for every position (0 = primary) each member
     * must stand there in floor(P/n)..ceil(P/n) partitions, and hold floor(RP/n)..ceil(RP/n) replicas in total.
     */
    public static List<String> balanceProblems(PartitionTable t, List<Address> members) {
        List<String> problems = new ArrayList<>();
        int n = members.size();
        int partitions = t.partitionCount();
        int replicas = t.owners(0).length;
        for (int position = 0; position < replicas; position++) {
            Map<Address, Integer> counts = new LinkedHashMap<>();
            members.forEach(m -> counts.put(m, 0));
            for (int p = 0; p < partitions; p++) {
                Address[] owners = t.owners(p);
                if (owners.length > position) {
                    counts.merge(owners[position], 1, Integer::sum);
                }
            }
            int floor = partitions / n;
            int ceil = (partitions + n - 1) / n;
            int pos = position;
            counts.forEach((m, c) -> {
                if (c < floor || c > ceil) {
                    problems.add("position " + pos + ": " + c + " partitions on " + m + " (expected " + floor + ".."
                            + ceil + "): " + counts);
                }
            });
        }
        Map<Address, Integer> totals = new LinkedHashMap<>();
        members.forEach(m -> totals.put(m, 0));
        for (int p = 0; p < partitions; p++) {
            for (Address a : t.owners(p)) {
                totals.merge(a, 1, Integer::sum);
            }
        }
        int floor = replicas * partitions / n;
        int ceil = (replicas * partitions + n - 1) / n;
        totals.forEach((m, c) -> {
            if (c < floor || c > ceil) {
                problems.add("member " + m + " holds " + c + " replicas (expected " + floor + ".." + ceil + "): "
                        + totals);
            }
        });
        return problems;
    }
}
