package io.tessera.grid.internal.membership;

import io.micrometer.core.instrument.Timer;
import io.tessera.grid.internal.cluster.ClusterService;
import io.tessera.grid.internal.membership.StateReport.MapPosition;
import io.tessera.grid.internal.membership.StateReport.Replica;
import io.tessera.grid.internal.merge.MergePrepare;
import io.tessera.grid.internal.migration.FreezeRequest;
import io.tessera.grid.internal.migration.SyncReplicaRequest;
import io.tessera.grid.internal.partition.PartitionAssigner;
import io.tessera.grid.internal.partition.PartitionTable;
import io.tessera.grid.internal.replica.PartitionReplicas;
import io.tessera.grid.internal.wire.MessageType;
import io.tessera.grid.internal.wire.WireReader;
import io.tessera.grid.internal.wire.WireWriter;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.jgroups.Address;
import org.jgroups.MergeView;
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
 *   <li>Ask every member what it holds ({@link StateReport}). The coordinator never trusts its own, possibly stale,
 *       table: a new coordinator rebuilds from these answers. An isolated coordinator (paused, not yet heard from
 *       the others) decides nothing until it is back.</li>
 *   <li>Pick the <em>base</em>: the newest table, and after a split (a {@code MergeView}) the newest table of the side
 *       that is kept (the one with more members; on a tie, the one with the newer table). Table versions continue
 *       from the highest any member reports, so they grow across the sides.</li>
 *   <li>Per partition, the current owners are the base's owners that are alive, on the kept side, and hold a complete
 *       replica in sequence with the primary; if the primary is gone, the live backup furthest ahead (epoch, then
 *       sequence) is promoted. A partition whose replicas are all gone takes the best complete replica any member
 *       holds, or is reported lost.</li>
 *   <li>Every other complete replica (the other side's, or one a table left behind) is merged: its holder freezes and
 *       captures it ({@link MergePrepare}) before the table that drops it is published, and pushes the capture into
 *       the new primaries by the map's merge policy afterwards.</li>
 *   <li>Publish the table at once: failover is a table change, no data moves, writes resume as soon as it is
 *       installed. Every view change publishes at least one table, so a member fenced by a lapsed lease or a merge
 *       always gets the fresh table it waits for, within seconds.</li>
 *   <li>Compute the balanced target ({@link PartitionAssigner}) over the members that are not leaving, publish an
 *       intermediate table in which every new replica is <em>syncing</em>, have the primaries copy to them, freeze the
 *       partitions whose primary changes (the old primary answers retry and waits until its last mutation was
 *       acknowledged), then publish the target. At no moment do two members accept writes for a partition under one
 *       table version.</li>
 * </ol>
 * A view change during a round aborts it (the half-made replicas are never promoted) and a new round starts.
 *
 * <p>Threads: rounds run on one coordinator thread per member; view callbacks only schedule rounds.
 *
 * <p>Why one class of this length: the steps of a round share its state (the base table, the owners being decided,
 * the view it started under, the abort flag) and the order between them is the safety argument above; split into
 * classes, each step would take that state as parameters and the argument would be spread over files. What is not a
 * step of the round lives elsewhere: the assignment ({@code PartitionAssigner}), the round's progress reports
 * ({@link RebalanceRounds}), the silent-departure bookkeeping ({@link SilentDepartures}) and merge sides
 * ({@link MergeSides}).
 */
public final class MembershipCoordinator {
    private static final Logger log = LoggerFactory.getLogger(MembershipCoordinator.class);
    private static final long RETRY_DELAY_MILLIS = 200;
    private static final long SYNC_TIMEOUT_MILLIS = 120_000;
    /** How often a round that copies logs its progress. */
    private static final long PROGRESS_MILLIS = 5_000;

    private final Address self;
    private final ClusterService cluster;
    private final PartitionReplicas replicas;
    private final int partitionCount;
    private final int replicaCount;
    private final long timeoutMillis;
    private final ScheduledExecutorService executor;
    private ScheduledFuture<?> nextRound; // guarded by this
    private long nextRoundDue; // guarded by this
    private final AtomicLong viewEpoch = new AtomicLong();
    private final Set<Address> leaving = ConcurrentHashMap.newKeySet();
    private final LongAdder lostPartitions = new LongAdder();
    private final SilentDepartures silentDepartures;
    private volatile View view;
    private volatile boolean stopped;
    private volatile boolean roundRunning;
    private volatile List<List<Address>> mergeSides;
    private int consecutiveAborts; // only the coordinator thread touches it
    private final List<Integer> awaiting = new ArrayList<>(); // this round's partitions waiting for silent replicas
    private long awaitingMillis; // how long the longest of them still waits
    private final Map<Address, Long> silentWaits = new HashMap<>(); // this round's union of the members' reports
    private int skippedRounds; // only the coordinator thread touches it
    private long publishedInViewEpoch = -1; // only the coordinator thread touches it
    private long roundViewId = -1; // the JGroups view id the running round decides for; coordinator thread only
    private final RebalanceRounds rounds;

    /** Thrown inside a round when the view changed or a member did not answer; the round is started again. */
    private static final class RoundAborted extends RuntimeException {
        RoundAborted(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Creates the coordinator logic of one member; it reads the members' {@code reports} for the progress of its
     * rounds and times the rounds that copy in {@code roundTimer} (may be null).
     */
    public MembershipCoordinator(Address self, ClusterService cluster, PartitionReplicas replicas, int maxBackups,
                                 long timeoutMillis, String memberName, MemberReports reports, Timer roundTimer) {
        this.rounds = new RebalanceRounds(reports, roundTimer);
        this.self = self;
        this.cluster = cluster;
        this.replicas = replicas;
        this.partitionCount = replicas.partitionCount();
        this.replicaCount = maxBackups + 1;
        this.timeoutMillis = timeoutMillis;
        this.silentDepartures = new SilentDepartures(replicas.clock());
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tessera-coordinator-" + memberName);
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * The members this member saw leave by silence within the grace, to how many milliseconds of it are left; every
     * member reports them, so a new coordinator (after a merge, say) knows which partitions wait for whom.
     */
    public Map<Address, Long> silentDepartures() {
        return silentDepartures.remainingMillis();
    }

    /** The rounds that copied partitions this member ran as coordinator (aborted ones included). */
    public long roundsRun() {
        return rounds.roundsRun();
    }

    /** The partitions the rounds this member completed as coordinator copied. */
    public long partitionsCopied() {
        return rounds.partitionsCopied();
    }

    /** The snapshot bytes the rounds this member completed as coordinator moved, by the primaries' answers. */
    public long bytesCopied() {
        return rounds.bytesCopied();
    }

    /** The partitions the round this member coordinates copies now (0: none runs). */
    public int roundPartitions() {
        RebalanceRounds.Progress progress = rounds.progress();
        return progress == null ? 0 : progress.round().partitions();
    }

    /** The partitions the round this member coordinates copied so far, by the members' reports (0: none runs). */
    public int roundPartitionsCopied() {
        RebalanceRounds.Progress progress = rounds.progress();
        return progress == null ? 0 : progress.partitionsCopied();
    }

    /** The partitions whose primary the round this member coordinates moves now (empty when none runs). */
    public BitSet movingPrimaries() {
        return rounds.movingPrimaries();
    }

    /** Partitions this member, as coordinator, found with no replica left. */
    public long lostPartitions() {
        return lostPartitions.sum();
    }

    /** Takes a new view (from a JGroups thread): remembers it and schedules a round if this member coordinates. */
    public void viewChanged(View newView) {
        if (newView instanceof MergeView merge) {
            mergeSides = MergeSides.of(merge);
        }
        silentDepartures.viewChanged(view, newView, replicas.lease().fencedBySilence());
        view = newView;
        viewEpoch.incrementAndGet();
        leaving.retainAll(newView.getMembers());
        scheduleRound(0);
    }

    /**
     * Takes note of a table this member installed: once the coordinator of a merged view published one, the merge it
     * resolved is over, so a member that coordinates later does not take an old merge for a pending one.
     */
    public void tableInstalled(PartitionTable table) {
        if (!isCoordinator()) {
            mergeSides = null;
        }
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

    /**
     * Whether this member has no rebalancing round running or due, and, if it coordinates the current view, has taken
     * that view (it schedules a round when it does): tests wait for it before calling a table settled, since a view
     * change may still bring a new table with the same owners.
     */
    public boolean idle() {
        View current = cluster.view();
        View taken = view;
        if (current != null && taken != null && self.equals(current.getCoord())
                && !taken.getViewId().equals(current.getViewId())) {
            return false;
        }
        synchronized (this) {
            if (nextRound != null && !nextRound.isDone()) {
                return false;
            }
        }
        return !roundRunning;
    }

    /** Stops scheduling rounds. */
    public void shutdown() {
        stopped = true;
        executor.shutdownNow();
    }

    /**
     * Schedules a round in {@code delayMillis}, unless one is due sooner; a round due later (a partition's grace, a
     * back-off) is brought forward.
     */
    private synchronized void scheduleRound(long delayMillis) {
        if (stopped) {
            return;
        }
        long due = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delayMillis);
        if (nextRound != null && !nextRound.isDone() && nextRoundDue - due <= 0) {
            return;
        }
        if (nextRound != null) {
            nextRound.cancel(false);
        }
        try {
            nextRoundDue = due;
            nextRound = executor.schedule(this::runRound, delayMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            nextRound = null;
        }
    }

    private void runRound() {
        synchronized (this) {
            nextRound = null;
            roundRunning = true;
        }
        try {
            runRoundIfCoordinator();
        } finally {
            roundRunning = false;
        }
    }

    private void runRoundIfCoordinator() {
        if (!isCoordinator() || stopped) {
            return;
        }
        if (replicas.lease().isolated()) {
            skipRound(); // paused and not yet heard from the others: it must decide nothing
            return;
        }
        try {
            if (!round()) {
                skipRound();
                return;
            }
            skippedRounds = 0;
            consecutiveAborts = 0;
        } catch (RoundAborted e) {
            int aborts = ++consecutiveAborts;
            if (aborts % 20 == 0) {
                log.warn("rebalancing round aborted {} times in a row; last reason: {}", aborts, e.getMessage());
            } else {
                log.info("rebalancing round aborted ({}); retrying", e.getMessage());
            }
            scheduleRound(Math.min(RETRY_DELAY_MILLIS * aborts, 2_000));
        } catch (RuntimeException | Error e) {
            // A round that dies silently would leave the table half-made until the next view change.
            if (!stopped) {
                log.error("rebalancing round failed; retrying", e);
                scheduleRound(RETRY_DELAY_MILLIS * 5);
            }
        }
    }

    private void skipRound() {
        if (skippedRounds++ % 20 == 0) {
            log.info("not coordinating: {}", replicas.lease().whyNotHeld());
        }
        scheduleRound(500);
    }

    /**
     * Whether this coordinator may decide for its view. Cut off with a minority, its view is not where the cluster's
     * data is served and taking over partitions there would only diverge, unless the view is a merge that brought
     * the majority back: a member of it, itself in no minority, holds a table newer than this one's at its fence (a
     * coordinator that is in a minority publishes none). JGroups may well make the member that was cut off the
     * coordinator of the merged view, and members the fence counted may have restarted under new addresses since,
     * so waiting for its count of them to come back would wait forever.
     */
    private boolean decidesFor(Map<Address, StateReport> states) {
        if (!replicas.lease().inMinority()) {
            return true;
        }
        if (mergeSides == null) {
            return false;
        }
        long atFence = replicas.lease().tableAtFence();
        return states.entrySet().stream().anyMatch(e -> !e.getKey().equals(self) && !e.getValue().inMinority()
                && e.getValue().table().version() > atFence);
    }

    // ------------------------------------------------------------------------------------------------- a round

    /** Runs one round; false when this coordinator may not decide for its view ({@link #decidesFor}). */
    private boolean round() {
        long epoch = viewEpoch.get();
        View current = view;
        roundViewId = current.getViewId().getId();
        List<Address> members = current.getMembers();
        Map<Address, StateReport> states = collectStates(members);
        checkEpoch(epoch);
        if (!decidesFor(states)) {
            return false;
        }

        long version = replicas.table().version();
        silentWaits.clear();
        for (StateReport state : states.values()) {
            version = Math.max(version, state.table().version());
            state.silentDepartures().forEach((member, millis) -> silentWaits.merge(member, millis, Math::max));
        }
        List<List<Address>> sides = mergeSides;
        Set<Address> kept = keptSide(sides, states);
        PartitionTable base = null;
        for (Map.Entry<Address, StateReport> e : states.entrySet()) {
            if (kept.contains(e.getKey()) && (base == null || e.getValue().table().version() > base.version())) {
                base = e.getValue().table();
            }
        }
        if (base == null) {
            base = replicas.table();
        }

        // 1. Current complete, consistent owners, promoting the best backup when a primary is gone.
        awaiting.clear();
        awaitingMillis = 0;
        List<List<Address>> owners = new ArrayList<>(partitionCount);
        List<Map<Address, Integer>> heldFrom = new ArrayList<>(partitionCount);
        List<Replica> primaryStates = new ArrayList<>(partitionCount);
        for (int p = 0; p < partitionCount; p++) {
            resolveOwners(p, base, kept, states, owners, heldFrom, primaryStates);
        }

        // 2. Every other complete replica is merged into the new owners before the table drops it.
        long merged = version + 1;
        Map<Address, List<Integer>> strays = new LinkedHashMap<>();
        states.forEach((member, state) -> {
            for (int p : state.completePartitions()) {
                if (!owners.get(p).contains(member)) {
                    strays.computeIfAbsent(member, a -> new ArrayList<>()).add(p);
                }
            }
        });
        if (!strays.isEmpty()) {
            prepareMerges(strays, merged, sides != null);
            checkEpoch(epoch);
        }
        PartitionTable promoted = PartitionTable.next(base, merged, owners);
        if (!promoted.sameAssignment(replicas.table()) || !strays.isEmpty() || sides != null
                || publishedInViewEpoch != epoch || replicas.table().version() < version) {
            version = publish(promoted, members);
            publishedInViewEpoch = epoch;
            if (sides != null && sides == mergeSides) {
                mergeSides = null;
            }
            checkEpoch(epoch);
        }

        // 3. The balanced target over the members that stay.
        List<Address> staying = new ArrayList<>(members);
        staying.removeAll(leaving);
        if (staying.isEmpty()) {
            // Everyone is leaving at once: nobody can take the partitions, so holding the leavers back only
            // delays the inevitable.
            WireWriter out = WireWriter.forType(MessageType.LEAVE_RELEASE, 1);
            cluster.sendAll(List.copyOf(leaving), out.array(), out.size());
            return true;
        }
        List<List<Address>> target = new ArrayList<>(
                PartitionAssigner.assign(partitionCount, replicaCount, staying, owners));
        if (!awaiting.isEmpty()) {
            log.warn("{} partitions wait up to {} ms for replicas that went silent ({}); they are not served meanwhile",
                    awaiting.size(), awaitingMillis, awaiting.size() > 10 ? awaiting.subList(0, 10) + "..." : awaiting);
            for (int p : awaiting) {
                target.set(p, owners.get(p)); // not rebalanced, not restarted: they wait
            }
            scheduleRound(awaitingMillis + 100);
        }

        // 4. Which target replicas need a copy.
        List<List<Address>> syncing = new ArrayList<>(partitionCount);
        List<List<Address>> intermediate = new ArrayList<>(partitionCount);
        boolean anySyncing = false;
        for (int p = 0; p < partitionCount; p++) {
            List<Address> need = new ArrayList<>();
            if (awaiting.contains(p)) {
                intermediate.add(owners.get(p));
            } else if (owners.get(p).isEmpty()) {
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
        PartitionTable latest = replicas.table();
        if (!anySyncing) {
            PartitionTable finalTable = PartitionTable.next(latest, version + 1, target);
            if (!finalTable.sameAssignment(latest)) {
                freezeHandOffs(owners, target, latest.version(), epoch);
                publish(finalTable, members);
            }
            return true;
        }
        RebalanceRounds.Round started = rounds.start(version + 1, owners, syncing, target, primaryStates);
        try {
            version = publish(PartitionTable.next(latest, version + 1, intermediate, syncing), members);
            checkEpoch(epoch);

            // 5. Copy, hand off, commit.
            long bytes = copyToSyncingReplicas(owners, syncing, epoch);
            freezeHandOffs(owners, target, version, epoch);
            publish(PartitionTable.next(replicas.table(), version + 1, target), members);
            rounds.completed(started, bytes, version + 1, partitionCount, staying.size());
            return true;
        } finally {
            rounds.ended();
        }
    }

    /**
     * The members whose data is kept as it is: everyone, or after a merge the side with the most members (on a tie,
     * the side whose newest table is newer, then the side with the lowest address).
     */
    private Set<Address> keptSide(List<List<Address>> sides, Map<Address, StateReport> states) {
        if (sides == null) {
            return states.keySet();
        }
        List<Address> best = MergeSides.keptSide(sides, states);
        if (best == null) {
            return states.keySet();
        }
        Set<Address> kept = new HashSet<>(best);
        // Members that joined since the merge view (on no side) hold nothing to merge; count them as kept.
        for (Address member : states.keySet()) {
            boolean onASide = sides.stream().anyMatch(side -> side.contains(member));
            if (!onASide) {
                kept.add(member);
            }
        }
        log.warn("merging {} sides {}: keeping the side of {} (its table {}), merging the others into it",
                sides.size(), sides.stream().map(this::names).toList(), names(best),
                best.stream().mapToLong(a -> states.get(a).table().version()).max().orElse(0));
        return kept;
    }

    private void resolveOwners(int p, PartitionTable base, Set<Address> kept, Map<Address, StateReport> states,
                               List<List<Address>> owners, List<Map<Address, Integer>> heldFrom,
                               List<Replica> primaryStates) {
        List<Address> alive = new ArrayList<>();
        Address[] previous = base.owners(p);
        for (Address a : previous) {
            StateReport s = states.get(a);
            if (kept.contains(a) && s != null && s.replica(p) != null && s.replica(p).complete()) {
                alive.add(a);
            }
        }
        Map<Address, Integer> held = new HashMap<>();
        if (alive.isEmpty()) {
            // No replica of the base survived: take the best complete replica anyone holds (the other side's).
            Address adopted = null;
            for (Map.Entry<Address, StateReport> e : states.entrySet()) {
                Replica r = e.getValue().replica(p);
                if (r != null && r.complete() && (adopted == null || r.aheadOf(states.get(adopted).replica(p)))) {
                    adopted = e.getKey();
                }
            }
            if (adopted == null) {
                long waitMillis = SilentDepartures.waitFor(previous, silentWaits);
                if (waitMillis > 0) {
                    // Its replicas went silent rather than crashed: keep them as owners (nobody serves the partition)
                    // until one is back, or the grace ends.
                    awaiting.add(p);
                    awaitingMillis = Math.max(awaitingMillis, waitMillis);
                    owners.add(List.of(previous));
                    heldFrom.add(held);
                    primaryStates.add(null);
                    return;
                }
                if (previous.length > 0) {
                    lostPartitions.increment();
                    log.error("partition {} lost every replica (owners were {}); it restarts empty", p,
                            names(List.of(previous)));
                }
                owners.add(List.of());
                heldFrom.add(held);
                primaryStates.add(null);
                return;
            }
            alive.add(adopted);
        }
        Address primary = alive.get(0);
        boolean primaryChanged = !primary.equals(base.primary(p));
        if (primaryChanged) {
            for (Address a : alive) {
                if (states.get(a).replica(p).aheadOf(states.get(primary).replica(p))) {
                    primary = a;
                }
            }
        }
        Replica primaryState = states.get(primary).replica(p);
        List<Address> consistent = new ArrayList<>();
        consistent.add(primary);
        held.put(primary, 0);
        for (Address a : alive) {
            if (a.equals(primary)) {
                continue;
            }
            int index = base.ownerIndex(p, a);
            // Under a live primary, a backup that lags is only behind on mutations in flight (a gap would have made
            // it resync). After a promotion nothing is in flight (the old primary is gone), so a backup must match
            // the new primary exactly: more means writes the new primary never got, less means writes it would
            // never get.
            boolean inSequence = true;
            if (primaryChanged) {
                Replica replica = states.get(a).replica(p);
                for (Map.Entry<String, MapPosition> map : primaryState.maps().entrySet()) {
                    if (map.getValue().backups() >= index && replica.sequence(map.getKey())
                            != map.getValue().sequence()) {
                        inSequence = false;
                        break;
                    }
                }
            }
            if (inSequence && index > 0) {
                consistent.add(a);
                held.put(a, index);
            }
        }
        owners.add(consistent);
        heldFrom.add(held);
        primaryStates.add(primaryState);
    }

    /** Has every stray replica frozen and captured before the table that drops it is published. */
    private void prepareMerges(Map<Address, List<Integer>> strays, long tableVersion, boolean split) {
        if (split) {
            log.warn("merging the replicas of {} members into table {}: {}", strays.size(), tableVersion,
                    strays.keySet().stream().map(cluster::nameOf).toList());
        } else {
            log.info("merging {} replicas left outside table {} ({}) before dropping them",
                    strays.values().stream().mapToInt(List::size).sum(), tableVersion,
                    strays.keySet().stream().map(cluster::nameOf).toList());
        }
        List<CompletableFuture<byte[]>> replies = new ArrayList<>();
        List<Address> asked = new ArrayList<>();
        strays.forEach((member, partitions) -> {
            WireWriter out = new MergePrepare(tableVersion, partitions).encode();
            asked.add(member);
            replies.add(cluster.request(member, out.array(), out.size(), SYNC_TIMEOUT_MILLIS));
        });
        for (int i = 0; i < replies.size(); i++) {
            long captured;
            try {
                captured = new WireReader(replies.get(i).join()).readVarLong();
            } catch (RuntimeException e) {
                throw new RoundAborted("merge capture on " + cluster.nameOf(asked.get(i)) + " failed: " + e);
            }
            if (captured < 0) {
                throw new RoundAborted("merge capture on " + cluster.nameOf(asked.get(i)) + " failed");
            }
        }
    }

    /** Whether {@code member} already holds, in sequence, all the maps position {@code index} requires. */
    private static boolean covers(Map<Address, Integer> heldFrom, Replica primaryState, Address member, int index) {
        Integer heldIndex = heldFrom.get(member);
        if (heldIndex == null) {
            return false;
        }
        if (heldIndex <= index) {
            return true;
        }
        for (MapPosition map : primaryState.maps().values()) {
            if (map.backups() >= index && map.backups() < heldIndex) {
                return false; // a map it never received at its old position
            }
        }
        return true;
    }

    /** Has the primaries copy to the syncing replicas; returns the bytes they sent. */
    private long copyToSyncingReplicas(List<List<Address>> owners, List<List<Address>> syncing, long epoch) {
        Map<Address, Map<Integer, List<Address>>> byPrimary = new LinkedHashMap<>();
        for (int p = 0; p < partitionCount; p++) {
            if (!syncing.get(p).isEmpty()) {
                byPrimary.computeIfAbsent(owners.get(p).get(0), a -> new LinkedHashMap<>()).put(p, syncing.get(p));
            }
        }
        List<CompletableFuture<byte[]>> replies = new ArrayList<>();
        List<Address> asked = new ArrayList<>();
        byPrimary.forEach((primary, copies) -> {
            WireWriter out = new SyncReplicaRequest(copies).encode();
            asked.add(primary);
            replies.add(cluster.request(primary, out.array(), out.size(), SYNC_TIMEOUT_MILLIS));
        });
        CompletableFuture<Void> all = CompletableFuture.allOf(replies.toArray(new CompletableFuture<?>[0]));
        while (!all.isDone()) {
            try {
                all.get(PROGRESS_MILLIS, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                rounds.logProgress();
            } catch (ExecutionException e) {
                break; // the reply that failed is reported below
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RoundAborted("interrupted");
            }
        }
        long bytes = 0;
        for (int i = 0; i < replies.size(); i++) {
            List<Integer> failed;
            try {
                byte[] reply = replies.get(i).join();
                failed = SyncReplicaRequest.readReply(reply);
                bytes += SyncReplicaRequest.readReplyBytes(reply);
            } catch (RuntimeException e) {
                throw new RoundAborted("copy from " + cluster.nameOf(asked.get(i)) + " failed: " + e);
            }
            if (!failed.isEmpty()) {
                throw new RoundAborted(failed.size() + " partition copies from " + cluster.nameOf(asked.get(i))
                        + " failed");
            }
        }
        checkEpoch(epoch);
        return bytes;
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
        byPrimary.forEach((primary, partitions) -> {
            WireWriter out = new FreezeRequest(version, partitions).encode();
            replies.add(cluster.request(primary, out.array(), out.size(), SYNC_TIMEOUT_MILLIS));
        });
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
        // The view it was decided in: a member that receives it before that view tells a crash from a leave by it.
        out.writeVarLong(roundViewId);
        RspList<byte[]> acks = cluster.requestAll(members, out.array(), out.size(), timeoutMillis * 2).join();
        if (acks == null) {
            log.warn("table {} not acknowledged by every member in time", table.version());
        } else {
            for (Address member : members) {
                Rsp<byte[]> rsp = acks.get(member);
                if (rsp != null && rsp.hasException()) {
                    // It does not take tables from this member (its view has another coordinator): a view change is
                    // under way, and the round starts again on it.
                    throw new RoundAborted(cluster.nameOf(member) + " refused table " + table.version() + ": "
                            + rsp.getException().getMessage());
                }
            }
        }
        replicas.installTable(table).join();
        log.debug("published {}", table);
        return table.version();
    }

    private Map<Address, StateReport> collectStates(List<Address> members) {
        WireWriter out = WireWriter.forType(MessageType.STATE_REQUEST, 1);
        RspList<byte[]> replies = cluster.requestAll(members, out.array(), out.size(), timeoutMillis).join();
        if (replies == null) {
            throw new RoundAborted("not every member answered the state request");
        }
        Map<Address, StateReport> states = new HashMap<>();
        for (Address member : members) {
            Rsp<byte[]> rsp = replies.get(member);
            if (rsp == null || !rsp.wasReceived() || rsp.hasException() || rsp.getValue() == null) {
                if (rsp != null && rsp.wasSuspected()) {
                    continue; // leaving the view: the next view change starts a new round
                }
                throw new RoundAborted("no state from " + cluster.nameOf(member)
                        + (rsp != null && rsp.hasException() ? ": " + rsp.getException() : ""));
            }
            states.put(member, StateReport.decode(rsp.getValue()));
        }
        return states;
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
