package io.tessera.grid.internal.membership;

import io.tessera.grid.internal.cluster.ClusterService;
import io.tessera.grid.internal.operation.PartitionEngine;
import io.tessera.grid.internal.partition.PartitionAssigner;
import io.tessera.grid.internal.partition.PartitionTable;
import io.tessera.grid.internal.wire.MessageType;
import io.tessera.grid.internal.wire.WireReader;
import io.tessera.grid.internal.wire.WireWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.jgroups.Address;
import org.jgroups.View;
import org.jgroups.blocks.Response;
import org.jgroups.util.Rsp;
import org.jgroups.util.RspList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinator's side of membership: after every view change (and every graceful-leave request) the JGroups
 * coordinator runs a <em>round</em> that brings the partition table in line with the members.
 *
 * <h2>A round</h2>
 * <ol>
 *   <li>Ask every member what it holds (its table, and per partition its status and every map's sequence). The
 *       coordinator never trusts its own, possibly stale, table: a new coordinator rebuilds from these answers.</li>
 *   <li>Per partition, the <em>current</em> owners are the members of the newest reported table that are alive and
 *       hold a complete replica in sequence with the primary; if the primary died, the live backup with the highest
 *       sequences is promoted. If that changes the table, publish it at once: failover is a table change, no data
 *       moves, and writes resume as soon as it is installed.</li>
 *   <li>Compute the balanced target ({@link PartitionAssigner}) over the members that are not leaving.</li>
 *   <li>Publish an intermediate table in which every new replica is <em>syncing</em>: primaries stream new
 *       mutations to it, and the coordinator asks each primary to send it a snapshot. Wait for every copy.</li>
 *   <li>Freeze the partitions whose primary changes (the old primary answers retry and waits until its last
 *       mutation was acknowledged), then publish the target. At no moment do two members accept writes for a
 *       partition under one table version.</li>
 * </ol>
 * A view change during a round aborts it (the half-made replicas are never promoted) and a new round starts.
 *
 * <p>Threads: rounds run on one coordinator thread per member; view callbacks only schedule rounds.
 */
public final class MembershipCoordinator {
    private static final Logger log = LoggerFactory.getLogger(MembershipCoordinator.class);
    private static final long RETRY_DELAY_MILLIS = 200;
    private static final long SYNC_TIMEOUT_MILLIS = 120_000;

    private final Address self;
    private final ClusterService cluster;
    private final PartitionEngine engine;
    private final int partitionCount;
    private final int replicaCount;
    private final long timeoutMillis;
    private final ScheduledExecutorService executor;
    private final AtomicBoolean roundScheduled = new AtomicBoolean();
    private final AtomicLong viewEpoch = new AtomicLong();
    private final Set<Address> leaving = ConcurrentHashMap.newKeySet();
    private volatile View view;
    private volatile boolean stopped;
    private int consecutiveAborts; // only the coordinator thread touches it
    private volatile boolean mergePending;

    /** Thrown inside a round when the view changed or a member did not answer; the round is started again. */
    private static final class RoundAborted extends RuntimeException {
        RoundAborted(String message) {
            super(message, null, false, false);
        }
    }

    /** Creates the coordinator logic of one member. */
    public MembershipCoordinator(Address self, ClusterService cluster, PartitionEngine engine, int partitionCount,
                                 int maxBackups, long timeoutMillis, String memberName) {
        this.self = self;
        this.cluster = cluster;
        this.engine = engine;
        this.partitionCount = partitionCount;
        this.replicaCount = maxBackups + 1;
        this.timeoutMillis = timeoutMillis;
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tessera-coordinator-" + memberName);
            t.setDaemon(true);
            return t;
        });
    }

    /** Takes a new view (from a JGroups thread): remembers it and schedules a round if this member coordinates. */
    public void viewChanged(View newView) {
        if (newView instanceof org.jgroups.MergeView) {
            mergePending = true;
        }
        view = newView;
        viewEpoch.incrementAndGet();
        leaving.retainAll(newView.getMembers());
        scheduleRound(0);
    }

    /** Whether this member is the coordinator of its current view. */
    public boolean isCoordinator() {
        View current = view;
        return current != null && self.equals(current.getCoord());
    }

    /** Handles {@link MessageType#LEAVE_REQUEST}: the sender wants its partitions moved away. */
    public void onLeaveRequest(Address sender, Response response) {
        requestLeave(sender);
        if (response != null) {
            response.send(new byte[] {0}, false);
        }
    }

    /** Marks {@code member} as leaving and schedules a round that moves its partitions away. */
    public void requestLeave(Address member) {
        leaving.add(member);
        scheduleRound(0);
    }

    /** Stops scheduling rounds. */
    public void shutdown() {
        stopped = true;
        executor.shutdownNow();
    }

    private void scheduleRound(long delayMillis) {
        if (stopped || !roundScheduled.compareAndSet(false, true)) {
            return;
        }
        try {
            executor.schedule(() -> {
                roundScheduled.set(false);
                if (!isCoordinator() || stopped) {
                    return;
                }
                try {
                    round();
                    consecutiveAborts = 0;
                } catch (RoundAborted e) {
                    int aborts = ++consecutiveAborts;
                    if (aborts % 20 == 0) {
                        log.warn("rebalancing round aborted {} times in a row; last reason: {}", aborts,
                                e.getMessage());
                    } else {
                        log.info("rebalancing round aborted ({}); retrying", e.getMessage());
                    }
                    scheduleRound(Math.min(RETRY_DELAY_MILLIS * aborts, 5_000));
                    return;
                } catch (RuntimeException | Error e) {
                    // A round that dies silently would leave the table half-made until the next view change.
                    if (!stopped) {
                        log.error("rebalancing round failed; retrying", e);
                        scheduleRound(RETRY_DELAY_MILLIS * 5);
                    }
                }
            }, delayMillis, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            roundScheduled.set(false);
        }
    }

    // ------------------------------------------------------------------------------------------------- a round

    /** One member's answer to the state request. */
    private record MemberState(PartitionTable table, Map<Integer, ReplicaState> replicas) {
        ReplicaState replica(int p) {
            return replicas.get(p);
        }
    }

    /** What a member holds of one partition: status (ordinal of the engine's status) and map → (backups, seq). */
    private record ReplicaState(int status, Map<String, long[]> maps) {
        static final int OWNER = 1;

        boolean complete() {
            return status == OWNER;
        }

        long sequence(String map) {
            long[] state = maps.get(map);
            return state == null ? 0 : state[1];
        }

        long totalSequence() {
            long sum = 0;
            for (long[] state : maps.values()) {
                sum += state[1];
            }
            return sum;
        }
    }

    private void round() {
        long epoch = viewEpoch.get();
        View current = view;
        List<Address> members = current.getMembers();
        Map<Address, MemberState> states = collectStates(members);
        checkEpoch(epoch);

        PartitionTable base = engine.table();
        for (MemberState state : states.values()) {
            if (state.table.version() > base.version()) {
                base = state.table;
            }
        }
        long version = base.version();
        if (mergePending) {
            pushMergedReplicas(base, states, epoch);
            mergePending = false;
        }

        // 1. Current complete, consistent owners, promoting the best backup when a primary is gone.
        List<List<Address>> owners = new ArrayList<>(partitionCount);
        List<Map<Address, Integer>> heldFrom = new ArrayList<>(partitionCount);
        List<ReplicaState> primaryStates = new ArrayList<>(partitionCount);
        boolean promoted = false;
        for (int p = 0; p < partitionCount; p++) {
            List<Address> alive = new ArrayList<>();
            Address[] previous = base.owners(p);
            for (Address a : previous) {
                MemberState s = states.get(a);
                if (s != null && s.replica(p) != null && s.replica(p).complete()) {
                    alive.add(a);
                }
            }
            Map<Address, Integer> held = new HashMap<>();
            if (alive.isEmpty()) {
                if (previous.length > 0) {
                    log.error("partition {} lost every replica (owners were {}); it restarts empty", p,
                            names(List.of(previous)));
                }
                owners.add(List.of());
                heldFrom.add(held);
                primaryStates.add(null);
                continue;
            }
            Address primary = alive.get(0);
            boolean primaryChanged = !primary.equals(base.primary(p));
            if (primaryChanged) {
                for (Address a : alive) {
                    if (states.get(a).replica(p).totalSequence() > states.get(primary).replica(p).totalSequence()) {
                        primary = a;
                    }
                }
            }
            ReplicaState primaryState = states.get(primary).replica(p);
            List<Address> consistent = new ArrayList<>();
            consistent.add(primary);
            held.put(primary, 0);
            for (Address a : alive) {
                if (a.equals(primary)) {
                    continue;
                }
                int index = base.ownerIndex(p, a);
                // Under a live primary, a backup that lags is only behind on mutations in flight (a gap would
                // have made it resync). After a promotion nothing is in flight (the old primary is gone), so a
                // backup must match the new primary exactly: more means writes the new primary never got, less
                // means writes it would never get.
                boolean inSequence = true;
                if (primaryChanged) {
                    ReplicaState replica = states.get(a).replica(p);
                    for (Map.Entry<String, long[]> map : primaryState.maps.entrySet()) {
                        if (map.getValue()[0] >= index && replica.sequence(map.getKey()) != map.getValue()[1]) {
                            inSequence = false;
                            break;
                        }
                    }
                }
                if (inSequence) {
                    consistent.add(a);
                    held.put(a, index);
                }
            }
            if (!consistent.equals(List.of(previous))) {
                promoted = true;
            }
            owners.add(consistent);
            heldFrom.add(held);
            primaryStates.add(primaryState);
        }
        if (promoted) {
            version = publish(PartitionTable.of(version + 1, owners), members);
            checkEpoch(epoch);
        }

        // 2. The balanced target over the members that stay.
        List<Address> staying = new ArrayList<>(members);
        staying.removeAll(leaving);
        if (staying.isEmpty()) {
            // Everyone is leaving at once: nobody can take the partitions, so holding the leavers back only
            // delays the inevitable.
            WireWriter out = WireWriter.forType(MessageType.LEAVE_RELEASE, 1);
            cluster.sendAll(List.copyOf(leaving), out.array(), out.size());
            return;
        }
        List<List<Address>> target = PartitionAssigner.assign(partitionCount, replicaCount, staying, owners);

        // 3. Which target replicas need a copy.
        List<List<Address>> syncing = new ArrayList<>(partitionCount);
        List<List<Address>> intermediate = new ArrayList<>(partitionCount);
        boolean anySyncing = false;
        for (int p = 0; p < partitionCount; p++) {
            List<Address> need = new ArrayList<>();
            if (owners.get(p).isEmpty()) {
                intermediate.add(target.get(p)); // fresh (or lost) partition: nothing to copy
            } else {
                intermediate.add(owners.get(p));
                List<Address> targetOwners = target.get(p);
                for (int j = 0; j < targetOwners.size(); j++) {
                    if (!covers(heldFrom.get(p), primaryStates.get(p), targetOwners.get(j), j)) {
                        need.add(targetOwners.get(j));
                    }
                }
            }
            anySyncing |= !need.isEmpty();
            syncing.add(need);
        }
        PartitionTable latest = engine.table();
        if (!anySyncing) {
            PartitionTable finalTable = PartitionTable.of(version + 1, target);
            if (!finalTable.sameAssignment(latest) || latest.version() < version) {
                freezeHandOffs(owners, target, latest.version(), epoch);
                publish(finalTable, members);
            }
            return;
        }
        version = publish(PartitionTable.of(version + 1, intermediate, syncing), members);
        checkEpoch(epoch);
        log.info("table {}: copying {} replicas to new owners", version,
                syncing.stream().mapToInt(List::size).sum());

        // 4. Copy, hand off, commit.
        copyToSyncingReplicas(owners, syncing, version, epoch);
        freezeHandOffs(owners, target, version, epoch);
        publish(PartitionTable.of(version + 1, target), members);
        log.info("rebalanced {} partitions over {} members (table {})", partitionCount, staying.size(), version + 1);
    }

    /**
     * After two halves of a split met, the newest table is one half's: the other half's members hold complete
     * replicas it does not list, with writes they acknowledged. Before those replicas are dropped, their holders
     * push every entry to the surviving primary of its partition, which keeps the newer of each key by hybrid
     * logical clock (LATEST_UPDATE). A key deleted on one half may come back from the other: without tombstones a
     * deletion cannot be told apart from a key never written.
     */
    private void pushMergedReplicas(PartitionTable base, Map<Address, MemberState> states, long epoch) {
        Map<Address, List<int[]>> byHolder = new LinkedHashMap<>();
        List<Address> targets = new ArrayList<>();
        for (int p = 0; p < partitionCount; p++) {
            Address survivor = null;
            for (Address a : base.owners(p)) {
                MemberState s = states.get(a);
                if (s != null && s.replica(p) != null && s.replica(p).complete()) {
                    survivor = a;
                    break;
                }
            }
            if (survivor == null) {
                continue;
            }
            for (Map.Entry<Address, MemberState> e : states.entrySet()) {
                ReplicaState replica = e.getValue().replica(p);
                if (replica != null && replica.complete() && base.ownerIndex(p, e.getKey()) < 0) {
                    int target = targets.indexOf(survivor);
                    if (target < 0) {
                        targets.add(survivor);
                        target = targets.size() - 1;
                    }
                    byHolder.computeIfAbsent(e.getKey(), a -> new ArrayList<>()).add(new int[] {p, target});
                }
            }
        }
        if (byHolder.isEmpty()) {
            return;
        }
        log.warn("merging the replicas of {} members of the other half into table {} (LATEST_UPDATE)",
                byHolder.size(), base.version());
        List<CompletableFuture<byte[]>> replies = new ArrayList<>();
        for (Map.Entry<Address, List<int[]>> e : byHolder.entrySet()) {
            WireWriter out = WireWriter.forType(MessageType.MERGE_PUSH, 64);
            out.writeVarInt(e.getValue().size());
            for (int[] pt : e.getValue()) {
                out.writeVarInt(pt[0]);
                PartitionTable.writeAddress(out, targets.get(pt[1]));
            }
            replies.add(cluster.request(e.getKey(), out.array(), out.size(), SYNC_TIMEOUT_MILLIS));
        }
        for (CompletableFuture<byte[]> reply : replies) {
            try {
                reply.join();
            } catch (RuntimeException e) {
                throw new RoundAborted("merge push failed: " + e);
            }
        }
        checkEpoch(epoch);
    }

    /** Whether {@code member} already holds, in sequence, all the maps position {@code index} requires. */
    private static boolean covers(Map<Address, Integer> heldFrom, ReplicaState primaryState, Address member,
                                  int index) {
        Integer heldIndex = heldFrom.get(member);
        if (heldIndex == null) {
            return false;
        }
        if (heldIndex <= index) {
            return true;
        }
        for (long[] map : primaryState.maps.values()) {
            if (map[0] >= index && map[0] < heldIndex) {
                return false; // a map it never received at its old position
            }
        }
        return true;
    }

    private void copyToSyncingReplicas(List<List<Address>> owners, List<List<Address>> syncing, long version,
                                       long epoch) {
        Map<Address, List<Integer>> byPrimary = new LinkedHashMap<>();
        for (int p = 0; p < partitionCount; p++) {
            if (!syncing.get(p).isEmpty()) {
                byPrimary.computeIfAbsent(owners.get(p).get(0), a -> new ArrayList<>()).add(p);
            }
        }
        List<CompletableFuture<byte[]>> replies = new ArrayList<>();
        List<Address> asked = new ArrayList<>();
        for (Map.Entry<Address, List<Integer>> e : byPrimary.entrySet()) {
            WireWriter out = WireWriter.forType(MessageType.SYNC_REPLICA, 64);
            out.writeVarInt(e.getValue().size());
            for (int p : e.getValue()) {
                out.writeVarInt(p);
                out.writeVarInt(syncing.get(p).size());
                syncing.get(p).forEach(a -> PartitionTable.writeAddress(out, a));
            }
            asked.add(e.getKey());
            replies.add(cluster.request(e.getKey(), out.array(), out.size(), SYNC_TIMEOUT_MILLIS));
        }
        for (int i = 0; i < replies.size(); i++) {
            byte[] reply;
            try {
                reply = replies.get(i).join();
            } catch (RuntimeException e) {
                throw new RoundAborted("copy from " + cluster.nameOf(asked.get(i)) + " failed: " + e);
            }
            WireReader in = new WireReader(reply);
            int failed = in.readVarInt();
            if (failed > 0) {
                throw new RoundAborted(failed + " partition copies from " + cluster.nameOf(asked.get(i))
                        + " failed");
            }
        }
        checkEpoch(epoch);
    }

    private void freezeHandOffs(List<List<Address>> owners, List<List<Address>> target, long version, long epoch) {
        Map<Address, List<Integer>> byPrimary = new LinkedHashMap<>();
        for (int p = 0; p < partitionCount; p++) {
            List<Address> from = owners.get(p);
            if (!from.isEmpty() && !from.get(0).equals(target.get(p).get(0))) {
                byPrimary.computeIfAbsent(from.get(0), a -> new ArrayList<>()).add(p);
            }
        }
        List<CompletableFuture<byte[]>> replies = new ArrayList<>();
        for (Map.Entry<Address, List<Integer>> e : byPrimary.entrySet()) {
            WireWriter out = WireWriter.forType(MessageType.FREEZE, 64);
            out.writeVarLong(version);
            out.writeVarInt(e.getValue().size());
            e.getValue().forEach(out::writeVarInt);
            replies.add(cluster.request(e.getKey(), out.array(), out.size(), SYNC_TIMEOUT_MILLIS));
        }
        for (CompletableFuture<byte[]> reply : replies) {
            try {
                reply.join();
            } catch (RuntimeException e) {
                throw new RoundAborted("freeze failed: " + e);
            }
        }
        checkEpoch(epoch);
    }

    /** Sends {@code table} to every member and waits until they applied it; returns its version. */
    private long publish(PartitionTable table, List<Address> members) {
        WireWriter out = WireWriter.forType(MessageType.TABLE, 64 + partitionCount * 40);
        table.writeTo(out);
        RspList<byte[]> acks = cluster.requestAll(members, out.array(), out.size(), timeoutMillis * 2).join();
        if (acks == null) {
            log.warn("table {} not acknowledged by every member in time", table.version());
        }
        engine.installTable(table).join();
        log.debug("published {}", table);
        return table.version();
    }

    private Map<Address, MemberState> collectStates(List<Address> members) {
        WireWriter out = WireWriter.forType(MessageType.STATE_REQUEST, 1);
        RspList<byte[]> replies = cluster.requestAll(members, out.array(), out.size(), timeoutMillis).join();
        if (replies == null) {
            throw new RoundAborted("not every member answered the state request");
        }
        Map<Address, MemberState> states = new HashMap<>();
        for (Address member : members) {
            Rsp<byte[]> rsp = replies.get(member);
            if (rsp == null || !rsp.wasReceived() || rsp.hasException() || rsp.getValue() == null) {
                if (rsp != null && rsp.wasSuspected()) {
                    continue; // leaving the view: the next view change starts a new round
                }
                throw new RoundAborted("no state from " + cluster.nameOf(member)
                        + (rsp != null && rsp.hasException() ? ": " + rsp.getException() : ""));
            }
            states.put(member, decodeState(rsp.getValue()));
        }
        return states;
    }

    private static MemberState decodeState(byte[] bytes) {
        WireReader in = new WireReader(bytes);
        PartitionTable table = PartitionTable.readFrom(in);
        Map<Integer, ReplicaState> replicas = new HashMap<>();
        int parts = in.readVarInt();
        for (int i = 0; i < parts; i++) {
            byte[] body = in.readBytes();
            WireReader part = new WireReader(body);
            while (part.hasRemaining()) {
                int p = part.readVarInt();
                int status = part.readByte();
                int maps = part.readVarInt();
                Map<String, long[]> mapStates = new HashMap<>();
                for (int m = 0; m < maps; m++) {
                    String name = part.readString();
                    long backups = part.readByte();
                    mapStates.put(name, new long[] {backups, part.readVarLong()});
                }
                replicas.put(p, new ReplicaState(status, mapStates));
            }
        }
        return new MemberState(table, replicas);
    }

    private void checkEpoch(long epoch) {
        if (viewEpoch.get() != epoch) {
            throw new RoundAborted("the view changed");
        }
        if (stopped) {
            throw new RoundAborted("stopped");
        }
    }

    private List<String> names(List<Address> addresses) {
        return addresses.stream().map(cluster::nameOf).toList();
    }
}
