package io.tessera.grid.fencing;

import static org.awaitility.Awaitility.await;

import io.tessera.grid.Grid;
import io.tessera.grid.internal.GridNode;
import io.tessera.grid.internal.partition.PartitionTable;
import io.tessera.grid.internal.serialization.GridSerializer;
import io.tessera.grid.internal.partition.SlotHashing;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.jgroups.Address;
import org.jgroups.protocols.DISCARD;

/**
 * Faults for in-JVM clusters on the {@code local} stack, and the waits that go with them. A split is made with
 * DISCARD's ignored members (both sides drop each other's messages, each side keeps talking to itself); a one-way
 * cut makes only the survivors deaf to a member, which then never learns that it was excluded.
 */
final class Faults {
    /** FD_ALL3 3 s + VERIFY_SUSPECT2 0.5 s on the local stack, and a round; generous for a loaded machine. */
    static final Duration DETECTION = Duration.ofSeconds(30);
    /** MERGE3 (0.5..2 s) + merge_timeout 3 s + a round or two; generous for a loaded machine. */
    static final Duration MERGE = Duration.ofSeconds(60);

    private Faults() {
    }

    static DISCARD discard(Grid grid) {
        return ((GridNode) grid).cluster().channel().getProtocolStack().findProtocol(DISCARD.class);
    }

    static GridNode node(Grid grid) {
        return (GridNode) grid;
    }

    static Address address(Grid grid) {
        return node(grid).address();
    }

    static String name(Grid grid) {
        return grid.localMember().name();
    }

    static PartitionTable table(Grid grid) {
        return node(grid).table();
    }

    static int partitionOf(Grid grid, Object key) {
        GridNode node = node(grid);
        return SlotHashing.partition(node.serializer().encodeKey(key), node.config().partitionCount());
    }

    /** A String key {@code prefix + i} of partition {@code p}. */
    static String keyIn(Grid grid, int p, String prefix) {
        for (int i = 0; ; i++) {
            String key = prefix + i;
            if (partitionOf(grid, key) == p) {
                return key;
            }
        }
    }

    /** Splits the cluster: every member of each side drops every message from every member of the other. */
    static void split(Collection<Grid> sideA, Collection<Grid> sideB) {
        Address[] a = sideA.stream().map(Faults::address).toArray(Address[]::new);
        Address[] b = sideB.stream().map(Faults::address).toArray(Address[]::new);
        sideA.forEach(g -> discard(g).addIgnoredMembers(b));
        sideB.forEach(g -> discard(g).addIgnoredMembers(a));
    }

    /** Isolates {@code member} from {@code others} in both directions. */
    static void isolate(Grid member, Collection<Grid> others) {
        split(List.of(member), others);
    }

    /** Heals every fault DISCARD injected on {@code members}. */
    static void heal(Collection<Grid> members) {
        for (Grid g : members) {
            discard(g).resetIgnoredMembers();
            discard(g).discardAll(false);
        }
    }

    /** The addresses in {@code grid}'s view. */
    static Set<Address> view(Grid grid) {
        return new HashSet<>(node(grid).cluster().view().getMembers());
    }

    /** Whether {@code table} lists {@code member} anywhere (owner or syncing). */
    static boolean mentions(PartitionTable table, Address member) {
        for (int p = 0; p < table.partitionCount(); p++) {
            if (table.ownerIndex(p, member) >= 0 || table.isSyncing(p, member)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Waits until every one of {@code survivors} has exactly them in its view and has installed one table, without
     * syncing replicas, that no longer lists {@code excluded}: the survivors promoted its partitions.
     */
    static void awaitPromotedWithout(Collection<Grid> survivors, Grid excluded) {
        Set<Address> expected = new HashSet<>();
        survivors.forEach(g -> expected.add(address(g)));
        Address gone = address(excluded);
        await("survivors promoted without " + name(excluded)).atMost(DETECTION)
                .pollInterval(Duration.ofMillis(20)).until(() -> {
                    Long version = null;
                    for (Grid g : survivors) {
                        PartitionTable t = table(g);
                        if (!view(g).equals(expected) || t.hasSyncing() || mentions(t, gone)) {
                            return false;
                        }
                        if (version != null && version != t.version()) {
                            return false;
                        }
                        version = t.version();
                    }
                    return true;
                });
    }

    /** Waits until {@code grid}'s view holds exactly {@code members}. */
    static void awaitView(Grid grid, Collection<Grid> members, Duration timeout) {
        Set<Address> expected = new HashSet<>();
        members.forEach(g -> expected.add(address(g)));
        await(name(grid) + "'s view").atMost(timeout).pollInterval(Duration.ofMillis(20))
                .until(() -> view(grid).equals(expected));
    }

    /**
     * Waits until every member of {@code members} sees all of them and all installed the same table (version and
     * assignment: after a merge the two halves may hold different tables of one version) without syncing replicas,
     * in which every partition has min(n, 1 + maxBackups) owners, all of them among {@code members}, and every member
     * leads ⌊P/n⌋..⌈P/n⌉ partitions.
     */
    static void awaitSettled(Collection<Grid> members, Duration timeout) {
        Set<Address> expected = new HashSet<>();
        members.forEach(g -> expected.add(address(g)));
        Grid any = members.iterator().next();
        int replicas = Math.min(members.size(), 1 + node(any).config().maxBackups());
        await("settled on " + members.size() + " members").atMost(timeout).pollInterval(Duration.ofMillis(20))
                .until(() -> {
                    PartitionTable first = table(any);
                    for (Grid g : members) {
                        PartitionTable t = table(g);
                        if (!view(g).equals(expected) || !t.equals(first) || t.hasSyncing()
                                || !node(g).lease().holds()) {
                            return false;
                        }
                    }
                    int n = members.size();
                    int partitions = first.partitionCount();
                    for (Grid g : members) {
                        int led = first.primaryCounts().getOrDefault(address(g), 0);
                        if (led < partitions / n || led > (partitions + n - 1) / n) {
                            return false;
                        }
                    }
                    for (int p = 0; p < first.partitionCount(); p++) {
                        Address[] owners = first.owners(p);
                        if (owners.length != replicas) {
                            return false;
                        }
                        for (Address a : owners) {
                            if (!expected.contains(a)) {
                                return false;
                            }
                        }
                    }
                    return true;
                });
    }

    /** Waits until no member has captured replicas left to merge into the table. */
    static void awaitMergesPushed(Collection<Grid> members) {
        await("merges pushed").atMost(MERGE).pollInterval(Duration.ofMillis(20))
                .until(() -> members.stream().allMatch(g -> node(g).merges().pendingCaptures() == 0));
    }

    /** The members of {@code all} but {@code excluded}. */
    static List<Grid> others(List<Grid> all, Grid... excluded) {
        Set<Grid> out = Set.of(excluded);
        return all.stream().filter(Predicate.not(out::contains)).toList();
    }

    /**
     * Stops every member at once as a crash would (no graceful leave, no hand-off), so that a test that leaves a
     * cut-off member behind, or fails half-way, ends in bounded time; a later {@code close()} is a no-op.
     */
    static void crashAll(Collection<Grid> members) {
        for (Grid g : members) {
            try {
                java.lang.reflect.Method stop = GridNode.class.getDeclaredMethod("shutdownNow");
                stop.setAccessible(true);
                stop.invoke(g);
            } catch (ReflectiveOperationException | RuntimeException e) {
                // best effort: the cluster's close() still runs
            }
        }
    }

    /** Key bytes as the grid encodes them (Strings are their UTF-8). */
    static byte[] keyBytes(Grid grid, Object key) {
        GridSerializer serializer = node(grid).serializer();
        return serializer.encodeKey(key);
    }
}
