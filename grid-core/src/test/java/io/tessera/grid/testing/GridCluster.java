package io.tessera.grid.testing;

import static org.awaitility.Awaitility.await;

import io.tessera.grid.Grid;
import io.tessera.grid.GridBuilder;
import io.tessera.grid.internal.GridNode;
import io.tessera.grid.internal.partition.PartitionTable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;

/**
 * Many grid members in one JVM on the {@code local} stack, for tests: a unique cluster name per instance, members
 * started in parallel, helpers to wait until the partition table settled, and close of everything.
 *
 * <p>Shared with the other modules' tests through grid-core's test-jar.
 */
public final class GridCluster implements AutoCloseable {
    private final String clusterName = "test-" + UUID.randomUUID();
    private final List<Grid> members = new ArrayList<>();
    private final UnaryOperator<GridBuilder> customizer;
    private int started;

    private GridCluster(UnaryOperator<GridBuilder> customizer) {
        this.customizer = customizer;
    }

    /** Starts {@code size} members with default settings. */
    public static GridCluster start(int size) {
        return start(size, b -> b);
    }

    /** Starts {@code size} members, each builder adjusted by {@code customizer}. */
    public static GridCluster start(int size, UnaryOperator<GridBuilder> customizer) {
        GridCluster cluster = new GridCluster(customizer);
        cluster.members.add(cluster.newMember());
        List<CompletableFuture<Grid>> rest = new ArrayList<>();
        for (int i = 1; i < size; i++) {
            rest.add(CompletableFuture.supplyAsync(cluster::newMember));
        }
        rest.forEach(f -> cluster.members.add(f.join()));
        cluster.awaitSettled();
        return cluster;
    }

    private Grid newMember() {
        return newMember(b -> b);
    }

    private Grid newMember(UnaryOperator<GridBuilder> extra) {
        int index;
        synchronized (this) {
            index = started++;
        }
        GridBuilder builder = Grid.builder().clusterName(clusterName).stack("local").memberName("m" + index)
                .operationTimeout(Duration.ofSeconds(10));
        return extra.apply(customizer.apply(builder)).start();
    }

    /** Adds and starts one more member. */
    public Grid addMember() {
        return addMember(b -> b);
    }

    /** Adds and starts one more member whose builder {@code extra} adjusts after the cluster's customizer. */
    public Grid addMember(UnaryOperator<GridBuilder> extra) {
        Grid grid = newMember(extra);
        synchronized (members) {
            members.add(grid);
        }
        return grid;
    }

    /** The cluster name. */
    public String clusterName() {
        return clusterName;
    }

    /** Member {@code i}. */
    public Grid member(int i) {
        synchronized (members) {
            return members.get(i);
        }
    }

    /** The live members. */
    public List<Grid> members() {
        synchronized (members) {
            return List.copyOf(members);
        }
    }

    /** Gracefully closes member {@code i} and forgets it. */
    public void closeMember(int i) {
        Grid grid;
        synchronized (members) {
            grid = members.remove(i);
        }
        grid.close();
    }

    /** Removes member {@code grid} from the harness without closing it (a test that closes it itself). */
    public void forget(Grid grid) {
        synchronized (members) {
            members.remove(grid);
        }
    }

    /**
     * Waits until every member sees every other, all installed the same table, the table has no syncing replicas,
     * every partition has min(members, 1 + maxBackups) owners, primaries are balanced, every member holds its lease,
     * no member has captured replicas left to merge, and no coordinator has a round running or due for its view.
     */
    public void awaitSettled() {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20)).until(this::settled);
    }

    /** Whether the table is the same on every member and balanced; see {@link #awaitSettled()}. */
    public boolean settled() {
        List<Grid> live = members();
        PartitionTable first = ((GridNode) live.get(0)).table();
        for (Grid g : live) {
            if (g.members().size() != live.size()) {
                return false;
            }
            GridNode node = (GridNode) g;
            PartitionTable t = node.table();
            if (!t.equals(first) || t.hasSyncing() || !node.lease().holds() || node.merges().pendingCaptures() > 0
                    || !node.coordinator().idle()) {
                return false;
            }
        }
        int n = live.size();
        int replicas = Math.min(n, 1 + ((GridNode) live.get(0)).config().maxBackups());
        int partitions = first.partitionCount();
        for (int p = 0; p < partitions; p++) {
            if (first.owners(p).length != replicas) {
                return false;
            }
        }
        int ceil = (partitions + n - 1) / n;
        for (Grid g : live) {
            int count = first.primaryCounts().getOrDefault(((GridNode) g).address(), 0);
            if (count < partitions / n || count > ceil) {
                return false;
            }
        }
        return true;
    }

    /** The table of member {@code i}. */
    public PartitionTable table(int i) {
        return ((GridNode) member(i)).table();
    }

    @Override
    public void close() {
        List<Grid> live = members();
        List<CompletableFuture<Void>> closing = new ArrayList<>();
        for (Grid g : live) {
            closing.add(CompletableFuture.runAsync(g::close));
        }
        closing.forEach(CompletableFuture::join);
        synchronized (members) {
            members.clear();
        }
    }
}
