package io.tessera.redis.chaos;

import io.tessera.grid.Grid;
import io.tessera.grid.GridBuilder;
import io.tessera.grid.internal.GridNode;
import io.tessera.grid.testing.MemberProcesses;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jgroups.Address;
import org.jgroups.protocols.DISCARD;
import org.jgroups.util.UUID;

/**
 * The members of a chaos run: {@code n} {@link ChaosMember} processes ({@code node1..noden}) and the harness's own
 * grid member ({@value #HARNESS}) in this JVM, one cluster on 127.0.0.1 over the chaos stack (tcp + DISCARD), one
 * backup, 256 partitions. Answers what every member believes ({@link #statusAll}), cuts and heals the network, and
 * decides whether the cluster has settled.
 */
final class ChaosCluster implements AutoCloseable {
    static final String HARNESS = "harness";
    static final int PARTITIONS = 256;
    static final int BACKUPS = 1;
    static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
    static final Duration STATUS_TIMEOUT = Duration.ofSeconds(5);

    final List<ChaosNode> nodes;
    final Grid harness;
    final GridNode harnessNode;
    private final DISCARD harnessDiscard;
    private final Timeline timeline;

    private ChaosCluster(List<ChaosNode> nodes, Grid harness, Timeline timeline) {
        this.nodes = nodes;
        this.harness = harness;
        this.harnessNode = (GridNode) harness;
        this.harnessDiscard = ChaosStack.discardOf(harness);
        this.timeline = timeline;
    }

    /**
     * Starts {@code members} processes (node1 alone, so it is the first coordinator, then the others together) and
     * then the harness member, and waits until the cluster has settled.
     *
     * @param minClusterSize 0 for none; otherwise passed to every member as {@code --min-cluster-size}
     */
    static ChaosCluster start(int members, String clusterName, Path logDir, Timeline timeline, int minClusterSize,
                              Duration settleTimeout) {
        Path stack = ChaosStack.write(logDir);
        int base = MemberProcesses.freePortBase(members + 1);
        String initial = String.join(",", MemberProcesses.initialMembers(base, members + 1));
        List<ChaosNode> nodes = new ArrayList<>();
        ChaosCluster cluster = null;
        try {
            for (int i = 0; i < members; i++) {
                List<String> args = new ArrayList<>(List.of("--name", "node" + (i + 1), "--port", "0",
                        "--bind", "127.0.0.1", "--cluster-name", clusterName, "--stack", stack.toString(),
                        "--grid-bind", "127.0.0.1", "--grid-port", Integer.toString(base + i),
                        "--members", initial,
                        "--partitions", Integer.toString(PARTITIONS), "--backups", Integer.toString(BACKUPS)));
                if (minClusterSize > 0) {
                    args.addAll(List.of("--min-cluster-size", Integer.toString(minClusterSize)));
                }
                nodes.add(new ChaosNode("node" + (i + 1), args, logDir));
            }
            nodes.get(0).start(READY_TIMEOUT);
            List<CompletableFuture<Void>> others = new ArrayList<>();
            for (ChaosNode node : nodes.subList(1, nodes.size())) {
                others.add(CompletableFuture.runAsync(() -> node.start(READY_TIMEOUT)));
            }
            others.forEach(CompletableFuture::join);
            GridBuilder builder = Grid.builder()
                    .clusterName(clusterName)
                    .memberName(HARNESS)
                    .stack(stack.toString())
                    .bindAddress("127.0.0.1")
                    .bindPort(base + members)
                    .initialMembers(initial.split(","))
                    .partitionCount(PARTITIONS)
                    .maxBackups(BACKUPS)
                    .serialization(ChaosTypes.serialization());
            Grid harness = builder.start();
            cluster = new ChaosCluster(nodes, harness, timeline);
            String problem = cluster.awaitSettled(settleTimeout);
            if (problem != null) {
                throw new AssertionError("the cluster did not settle after start within " + settleTimeout + ": "
                        + problem + "; logs in " + logDir.toAbsolutePath());
            }
            return cluster;
        } catch (RuntimeException | AssertionError e) {
            if (cluster != null) {
                cluster.close();
            } else {
                nodes.forEach(ChaosNode::destroy);
            }
            throw e;
        }
    }

    String harnessUuid() {
        return ((UUID) harnessNode.address()).toStringLong();
    }

    /** The harness member's own status. */
    MemberStatus harnessStatus() {
        return MemberStatus.of(harnessNode, STATUS_TIMEOUT.toMillis());
    }

    /**
     * Every member's status, asked in parallel, by name ({@value #HARNESS} first); a member that is stopped, killed
     * or does not answer within {@code timeout} maps to null.
     */
    Map<String, MemberStatus> statusAll(Duration timeout) {
        Map<String, CompletableFuture<MemberStatus>> asked = new LinkedHashMap<>();
        asked.put(HARNESS, CompletableFuture.supplyAsync(this::harnessStatus));
        for (ChaosNode node : nodes) {
            asked.put(node.name(), node.state() == ChaosNode.State.RUNNING
                    ? CompletableFuture.supplyAsync(() -> node.status(timeout))
                    : CompletableFuture.completedFuture(null));
        }
        Map<String, MemberStatus> result = new LinkedHashMap<>();
        asked.forEach((name, future) -> {
            MemberStatus status;
            try {
                status = future.get(timeout.toMillis() + 5_000, TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                status = null;
            }
            result.put(name, status);
        });
        return result;
    }

    /** The status of the largest view's members (the harness's if it is in one of the largest), or null. */
    static MemberStatus reference(Map<String, MemberStatus> statuses) {
        MemberStatus best = null;
        for (MemberStatus s : statuses.values()) {
            if (s != null && (best == null || s.view().size() > best.view().size()
                    || s.view().size() == best.view().size() && s.version() > best.version())) {
                best = s;
            }
        }
        return best;
    }

    /** The UUIDs of the members that should be in the view now (every running or stopped process, and the harness). */
    Set<String> expectedMembers() {
        Set<String> expected = new HashSet<>();
        expected.add(harnessUuid());
        for (ChaosNode node : nodes) {
            if (node.state() != ChaosNode.State.KILLED) {
                expected.add(node.uuid());
            }
        }
        return expected;
    }

    /** The UUID of the member named {@code name} ({@value #HARNESS} or a node). */
    String uuidOf(String name) {
        if (name.equals(HARNESS)) {
            return harnessUuid();
        }
        return nodes.stream().filter(n -> n.name().equals(name)).findFirst().orElseThrow().uuid();
    }

    /**
     * Cuts the members named in {@code minority} off from all others, both ways (each side's DISCARD drops the
     * other side's messages). Returns the members that did not confirm in time (they still apply it: stdin is a
     * pipe).
     */
    List<String> cut(Set<String> minority) {
        List<String> all = new ArrayList<>();
        all.add(HARNESS);
        nodes.stream().filter(n -> n.state() != ChaosNode.State.KILLED).forEach(n -> all.add(n.name()));
        List<String> minorityIds = new ArrayList<>();
        List<String> majorityIds = new ArrayList<>();
        for (String name : all) {
            (minority.contains(name) ? minorityIds : majorityIds).add(uuidOf(name));
        }
        List<String> unconfirmed = new ArrayList<>();
        for (String name : all) {
            List<String> drop = minority.contains(name) ? majorityIds : minorityIds;
            if (name.equals(HARNESS)) {
                harnessDiscard.addIgnoredMembers(drop.stream().map(id -> (Address) UUID.fromString(id))
                        .toArray(Address[]::new));
            } else {
                ChaosNode node = nodes.stream().filter(n -> n.name().equals(name)).findFirst().orElseThrow();
                node.note("CUT from " + drop.size() + " members");
                String reply = node.command("CUT " + String.join(",", drop), STATUS_TIMEOUT);
                if (reply == null || !reply.startsWith("CUT ")) {
                    unconfirmed.add(name + " (" + reply + ")");
                }
            }
        }
        return unconfirmed;
    }

    /** Tells every member (and the harness) to drop nothing any more. Returns who did not confirm in time. */
    List<String> healNetwork() {
        harnessDiscard.resetIgnoredMembers();
        List<String> unconfirmed = new ArrayList<>();
        for (ChaosNode node : nodes) {
            if (node.state() == ChaosNode.State.KILLED) {
                continue;
            }
            String reply = node.command("HEAL", STATUS_TIMEOUT);
            if (!"HEALED".equals(reply)) {
                unconfirmed.add(node.name() + " (" + reply + ")");
            }
        }
        return unconfirmed;
    }

    /**
     * Whether every partition keeps a live replica if the members {@code victims} go (are killed, stopped or cut
     * off), according to the table of the largest view, and at least half of all {@code members} stay in that view;
     * returns the problem or null. An owner outside that view
     * (stopped, cut off, or dead and still in a table that has not re-settled) counts as gone already. A fault is
     * injected only when this holds: a fault that takes every replica of a partition at once loses data by design
     * (one backup), and the harness must not blame the grid for that.
     */
    static String redundancyProblem(Map<String, MemberStatus> statuses, Set<String> victims, int members) {
        MemberStatus ref = reference(statuses);
        if (ref == null) {
            return "no member answered STATUS";
        }
        if (ref.version() == 0) {
            return ref.name() + " has no table yet";
        }
        Set<String> view = new HashSet<>(ref.view());
        Set<String> after = new HashSet<>(view);
        after.removeAll(victims);
        if (2 * after.size() < members) {
            return "only " + after.size() + " of " + members + " members would be left in the largest view (a"
                    + " majority down)";
        }
        for (int p = 0; p < ref.owners().size(); p++) {
            List<String> owners = ref.owners().get(p);
            boolean left = false;
            for (String owner : owners) {
                left |= view.contains(owner) && !victims.contains(owner);
            }
            if (!left) {
                return "partition " + p + " would have no live replica: owners " + owners.stream().map(ref::nameOf)
                        .toList() + " in " + ref.name() + "'s table v" + ref.version() + ", view "
                        + ref.view().stream().map(ref::nameOf).toList();
            }
        }
        return null;
    }

    /**
     * Why the cluster is not settled, or null if it is: every process running and answering; every member's view
     * is exactly the expected members; the same table version everywhere; no syncing replicas; every member holds
     * its lease and has merged what it captured; every partition owned by min(2, n) members of the view; each member
     * holds ⌊P/n⌋..⌈P/n⌉ primaries and as many backups.
     */
    String settledProblem(Map<String, MemberStatus> statuses) {
        Set<String> expected = expectedMembers();
        for (ChaosNode node : nodes) {
            if (node.state() != ChaosNode.State.RUNNING) {
                return node.name() + " is " + node.state();
            }
            if (node.diedUnexpectedly()) {
                return node.name() + " died on its own; see " + node.log();
            }
        }
        Long version = null;
        for (Map.Entry<String, MemberStatus> e : statuses.entrySet()) {
            MemberStatus s = e.getValue();
            if (s == null) {
                return e.getKey() + " did not answer STATUS";
            }
            if (!s.viewIs(expected)) {
                return s.name() + "'s view is " + s.view().stream().map(s::nameOf).toList() + " " + s.viewId();
            }
            if (version == null) {
                version = s.version();
            } else if (version != s.version()) {
                return "table versions differ: " + statuses.values().stream()
                        .map(x -> x == null ? "?" : x.name() + "=v" + x.version()).toList();
            }
            if (s.syncingPartitions() > 0) {
                return s.name() + "'s table v" + s.version() + " has " + s.syncingPartitions()
                        + " partitions with syncing replicas";
            }
            if (!s.leaseHeld()) {
                return s.name() + " does not hold its lease";
            }
            if (s.pendingMerges() > 0) {
                return s.name() + " has " + s.pendingMerges() + " captured replicas still to merge";
            }
        }
        MemberStatus any = statuses.get(HARNESS);
        String balance = balanceProblem(any, expected);
        return balance == null ? null : any.name() + "'s table v" + any.version() + ": " + balance;
    }

    /** Why {@code status}'s table is not complete and balanced over {@code members}, or null. */
    static String balanceProblem(MemberStatus status, Set<String> members) {
        int n = members.size();
        int wanted = Math.min(BACKUPS + 1, n);
        Map<String, Integer> primaries = new LinkedHashMap<>();
        Map<String, Integer> backups = new LinkedHashMap<>();
        for (int p = 0; p < status.owners().size(); p++) {
            List<String> owners = status.owners().get(p);
            if (owners.size() != wanted) {
                return "partition " + p + " has " + owners.size() + " owners (expected " + wanted + ")";
            }
            if (new HashSet<>(owners).size() != owners.size()) {
                return "partition " + p + " has one member twice: " + owners.stream().map(status::nameOf).toList();
            }
            for (int i = 0; i < owners.size(); i++) {
                if (!members.contains(owners.get(i))) {
                    return "partition " + p + " is owned by " + status.nameOf(owners.get(i)) + ", not a member";
                }
                (i == 0 ? primaries : backups).merge(owners.get(i), 1, Integer::sum);
            }
        }
        int floor = PARTITIONS / n;
        int ceil = (PARTITIONS + n - 1) / n;
        for (String m : members) {
            int p = primaries.getOrDefault(m, 0);
            int b = backups.getOrDefault(m, 0);
            if (p < floor || p > ceil || n > 1 && (b < floor || b > ceil)) {
                return "unbalanced: " + status.nameOf(m) + " leads " + p + " and backs up " + b + " partitions"
                        + " (expected " + floor + ".." + ceil + " each)";
            }
        }
        return null;
    }

    /**
     * Waits until the cluster is settled, seen twice in a row one second apart with the same table version;
     * returns null, or the last problem when {@code timeout} passed.
     */
    String awaitSettled(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long start = System.nanoTime();
        Long settledVersion = null;
        String problem = "not checked";
        String lastLogged = null;
        while (System.nanoTime() < deadline) {
            Map<String, MemberStatus> statuses = statusAll(STATUS_TIMEOUT);
            problem = settledProblem(statuses);
            if (problem == null) {
                long version = statuses.get(HARNESS).version();
                if (settledVersion != null && settledVersion == version) {
                    timeline.log("settled after " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)
                            + " ms on table v" + version + " with " + expectedMembers().size() + " members");
                    return null;
                }
                settledVersion = version;
            } else {
                settledVersion = null;
                if (!problem.equals(lastLogged)) {
                    timeline.log("not settled yet: " + problem);
                    lastLogged = problem;
                }
            }
            sleep(1_000);
        }
        return problem;
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Kills every process (SIGCONT first), then closes the harness member. */
    @Override
    public void close() {
        nodes.forEach(ChaosNode::destroy);
        try {
            harness.close();
        } catch (RuntimeException e) {
            // alone in its view by now; nothing to hand off
        }
    }
}
