package io.tessera.grid.internal.replica;

import io.tessera.grid.internal.partition.PartitionTable;
import io.tessera.grid.internal.store.LiveOperationDecoder;
import io.tessera.grid.internal.store.MemoryAccounts;
import io.tessera.grid.internal.store.RecordStore;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jgroups.Address;

/**
 * What this member holds of one partition: its record stores (one per map), its status, the table it last applied,
 * mutations buffered while a snapshot is awaited, the results of recent calls, and the hand-off state.
 *
 * <p>Owned by the partition's thread; no other thread reads or writes it.
 *
 * <h2>Replication positions</h2>
 * Every map-partition has a position (epoch, sequence) ({@link RecordStore#epoch()}, {@link RecordStore#sequence()}).
 * A primary enters the epoch its table gives it ({@link PartitionTable#epoch(int)}) at the sequence it holds, and
 * numbers its mutations on from there. A backup applies a mutation of its current epoch only in sequence, and a
 * mutation of a newer epoch only if that epoch began at exactly the sequence it holds; anything else is a gap or a
 * history it does not share (a zombie primary's writes), and it resyncs from its primary
 * ({@link #applyInSequence}).
 */
public final class PartitionReplica {

    /** What applying one mutation did. */
    public enum ApplyOutcome {
        /** Applied; the position advanced. */
        APPLIED,
        /** Already part of this replica (a duplicate, or a mutation of an older epoch a snapshot replaced). */
        ALREADY_APPLIED,
        /** A gap or a history this replica does not share: it must resync. */
        OUT_OF_SEQUENCE,
        /**
         * In sequence, but a patch that does not fit this replica's copy of the value it replaces, or live operations
         * it cannot apply to its copy: the copy diverged from the primary's and the replica must resync. Nothing was
         * applied.
         */
        PATCH_MISMATCH;

        /** Whether the replica must resync from its primary. */
        public boolean needsResync() {
            return this == OUT_OF_SEQUENCE || this == PATCH_MISMATCH;
        }
    }

    private final int partition;
    private LiveOperationDecoder liveOperations = LiveOperationDecoder.NONE;
    private MemoryAccounts accounts;
    private int thread;
    private PartitionTable table;
    private volatile ReplicaStatus status = ReplicaStatus.NONE;
    private Map<String, RecordStore> stores = new HashMap<>();
    /**
     * The store {@link #store} returned last, and its map's name: nearly every call on a partition names the same map
     * (a RESP node's database 0), and this replica's fields are in cache when its thread runs a call, while the
     * lookup in {@link #stores} is three dependent loads (its table, the node, the node's value) on one partition in
     * hundreds. Forgotten wherever a store leaves {@link #stores}; adding stores never changes a name's store.
     */
    private String lastStoreName;
    private RecordStore lastStore;
    private final List<Mutation> buffered = new ArrayList<>();
    private Map<String, RecordStore> staging;
    private boolean frozen;
    private int inFlight;
    /** The send times of the outstanding replication messages, oldest at {@link #sentHead}: a ring. */
    private long[] sentAt = new long[8];
    private int sentHead;
    /** {@link #inFlight} and the oldest outstanding send time (0: none), written by the thread for any reader. */
    private final AtomicInteger publishedInFlight = new AtomicInteger();
    private final AtomicLong oldestUnacknowledged = new AtomicLong();
    private final List<Runnable> drainWaiters = new ArrayList<>();
    private final List<AppliedWaiter> appliedWaiters = new ArrayList<>();
    private final List<Runnable> awaitingTable = new ArrayList<>();
    private long lastResyncRequestNanos;
    private long servingEpoch;
    private final CallResults results = new CallResults();
    /**
     * An owner that the table also lists as syncing: it holds the maps of its position but lacks some the new
     * position needs (a backup becoming primary lacks the maps without backups). It keeps serving, buffers the
     * mutations of maps it lacks, and installs only those maps from the snapshot.
     */
    private boolean fillingMissingMaps;

    /** Creates the (empty) replica of {@code partition}. */
    public PartitionReplica(int partition, PartitionTable table) {
        this.partition = partition;
        this.table = table;
    }

    /** Sets how this replica decodes the live operations of the stream (the member's serializer). */
    public void liveOperations(LiveOperationDecoder decoder) {
        this.liveOperations = decoder;
    }

    /**
     * Counts the stores of this replica into {@code memory}, as partition thread {@code threadIndex}; before the
     * replica holds anything.
     */
    public void memory(MemoryAccounts memory, int threadIndex) {
        this.accounts = memory;
        this.thread = threadIndex;
    }

    private void attach(RecordStore store) {
        if (accounts != null) {
            store.attach(accounts.account(store.mapName()), thread);
        }
    }

    /** The partition. */
    public int partition() {
        return partition;
    }

    /** The table this replica last applied. */
    public PartitionTable table() {
        return table;
    }

    /** The replica's status; any thread may read it (status pages do), only the replica's thread changes it. */
    public ReplicaStatus status() {
        return status;
    }

    /** The replication messages of this partition that wait for their acknowledgements; any thread may read it. */
    public int backupsInFlight() {
        return publishedInFlight.getOpaque();
    }

    /**
     * When the oldest replication message that still waits for its acknowledgements was sent ({@code nanoTime}), or 0
     * when none waits; any thread may read it.
     */
    public long oldestUnacknowledgedNanos() {
        return oldestUnacknowledged.getOpaque();
    }

    /** Sets the status (a resync starts, a snapshot completes). */
    public void status(ReplicaStatus newStatus) {
        this.status = newStatus;
    }

    /** Whether the table makes this member the primary and it holds a complete replica (lease and freeze aside). */
    public boolean isPrimaryUnder(Address self) {
        return status == ReplicaStatus.OWNER && self.equals(table.primary(partition));
    }

    /** Whether this replica is frozen: a hand-off or a merge capture took it; it answers retry. */
    public boolean frozen() {
        return frozen;
    }

    /** Freezes the replica until the next table. */
    public void freeze() {
        frozen = true;
    }

    /** Whether this owner is filling maps it lacks for a new position. */
    public boolean fillingMissingMaps() {
        return fillingMissingMaps;
    }

    /** Ends filling (the snapshot with the missing maps was installed). */
    public void filledMissingMaps() {
        fillingMissingMaps = false;
    }

    /** The results of recent calls. */
    public CallResults results() {
        return results;
    }

    /** The store of {@code mapName}, created on first use (in the current epoch when this member is primary). */
    public RecordStore store(String mapName, int backups) {
        if (mapName.equals(lastStoreName)) {
            return lastStore;
        }
        RecordStore store = stores.get(mapName);
        if (store == null) {
            store = new RecordStore(mapName, partition, backups);
            if (servingEpoch > 0) {
                store.epoch(servingEpoch, 0);
            }
            attach(store);
            stores.put(mapName, store);
        }
        lastStoreName = mapName;
        lastStore = store;
        return store;
    }

    private void forgetLastStore() {
        lastStoreName = null;
        lastStore = null;
    }

    /** The store of {@code mapName}, or {@code null}. */
    public RecordStore existingStore(String mapName) {
        return stores.get(mapName);
    }

    /** Whether this replica holds map {@code mapName}. */
    public boolean holds(String mapName) {
        return stores.containsKey(mapName);
    }

    /** The stores; the caller must not keep the view beyond the current task. */
    public Collection<RecordStore> stores() {
        return stores.values();
    }

    // ------------------------------------------------------------------------------------------------- tables

    /**
     * Applies a newer table: adopts, keeps or drops this member's replica; a member that becomes (or stays) primary
     * enters the table's epoch. Then runs what waited for this table.
     */
    public void applyTable(PartitionTable newTable, Address self) {
        boolean wasOwner = table.ownerIndex(partition, self) >= 0;
        table = newTable;
        frozen = false;
        int index = newTable.ownerIndex(partition, self);
        if (index > 0 && wasOwner && status == ReplicaStatus.SYNCING
                && !newTable.isSyncing(partition, self)) {
            // A backup in the middle of a resync stays a backup: it goes on buffering until its snapshot comes (from
            // this table's primary; the resync request is repeated until one does).
            servingEpoch = 0;
            runAwaitingTable();
            return;
        }
        if (index >= 0) {
            if (status == ReplicaStatus.SYNCING) {
                // Made an owner without a finished snapshot: the coordinator found no better copy (a fresh
                // partition, every complete replica was lost, or this resyncing backup was the best one left).
                // Serve what we have: it holds every write that was acknowledged.
                buffered.clear();
                staging = null;
                if (index == 0) {
                    abandonWaiters(); // acknowledgements its old primary waited for: that primary is gone
                }
            }
            status = ReplicaStatus.OWNER;
            boolean filling = newTable.isSyncing(partition, self);
            if (filling != fillingMissingMaps) {
                fillingMissingMaps = filling;
                buffered.clear();
                staging = null;
            }
            if (index > 0 && !filling) {
                // A backup at position i holds only maps with at least i backups; copies of the others would go
                // stale, since the primary no longer streams them here.
                stores.values().removeIf(store -> {
                    if (store.backups() >= index) {
                        return false;
                    }
                    store.detach();
                    return true;
                });
                forgetLastStore();
            }
            if (index == 0) {
                long epoch = newTable.epoch(partition);
                if (epoch != servingEpoch) {
                    servingEpoch = epoch;
                    for (RecordStore store : stores.values()) {
                        store.epoch(epoch, store.sequence());
                    }
                }
            } else {
                servingEpoch = 0;
            }
            checkWaiters();
        } else {
            servingEpoch = 0;
            fillingMissingMaps = false;
            if (newTable.isSyncing(partition, self)) {
                if (status == ReplicaStatus.NONE || status == ReplicaStatus.OWNER) {
                    status = ReplicaStatus.SYNCING;
                    buffered.clear();
                    staging = null;
                }
            } else {
                drop();
            }
        }
        runAwaitingTable();
    }

    private void runAwaitingTable() {
        if (!awaitingTable.isEmpty()) {
            List<Runnable> waiting = new ArrayList<>(awaitingTable);
            awaitingTable.clear();
            waiting.forEach(Runnable::run);
        }
    }

    /**
     * Whether this replica holds every write its partition acknowledged (up to its positions): a complete owner, or
     * an owner in the middle of a resync (it still has everything it applied, and acknowledged nothing since).
     */
    public boolean holdsAcknowledgedWrites(Address self) {
        return status == ReplicaStatus.OWNER
                || (status == ReplicaStatus.SYNCING && table.ownerIndex(partition, self) > 0);
    }

    /** Forgets everything this member held of the partition. */
    private void drop() {
        status = ReplicaStatus.NONE;
        stores.values().forEach(RecordStore::detach);
        stores = new HashMap<>();
        forgetLastStore();
        buffered.clear();
        staging = null;
        results.clear();
        abandonWaiters();
    }

    /** Runs {@code task} (on this thread) once a table newer than the current one is applied. */
    public void awaitTable(Runnable task) {
        awaitingTable.add(task);
    }

    // ------------------------------------------------------------------------------------------ the stream

    /** Applies {@code m} if it is next in this replica's history; see the class comment. */
    public ApplyOutcome applyInSequence(Mutation m) {
        RecordStore store = store(m.mapName(), m.backups());
        if (m.epoch() == store.epoch()) {
            if (m.sequence() <= store.sequence()) {
                return ApplyOutcome.ALREADY_APPLIED;
            }
            if (m.sequence() != store.sequence() + 1) {
                return ApplyOutcome.OUT_OF_SEQUENCE;
            }
        } else if (m.epoch() > store.epoch()) {
            if (store.sequence() != m.epochBase() || m.sequence() != m.epochBase() + 1) {
                return ApplyOutcome.OUT_OF_SEQUENCE;
            }
        } else {
            return ApplyOutcome.ALREADY_APPLIED;
        }
        return m.applyTo(store, liveOperations) ? ApplyOutcome.APPLIED : ApplyOutcome.PATCH_MISMATCH;
    }

    /** Keeps {@code m} until the snapshot it awaits is installed. */
    public void buffer(Mutation m) {
        buffered.add(m);
    }

    /** Takes the buffered mutations, in arrival order. */
    public List<Mutation> takeBuffered() {
        List<Mutation> taken = new ArrayList<>(buffered);
        buffered.clear();
        return taken;
    }

    /** Starts a resync: drops any half-installed snapshot and the buffer, then buffers {@code first}. */
    public void restartSync(Mutation first) {
        status = ReplicaStatus.SYNCING;
        staging = null;
        buffered.clear();
        if (first != null) {
            buffered.add(first);
        }
    }

    /** When this replica last asked its primary for a resync, on the monotonic clock. */
    public long lastResyncRequestNanos() {
        return lastResyncRequestNanos;
    }

    /** Records a resync request. */
    public void resyncRequested(long nowNanos) {
        lastResyncRequestNanos = nowNanos;
    }

    // ------------------------------------------------------------------------------------------- snapshots

    /** Starts installing a snapshot: an empty staging area. */
    public Map<String, RecordStore> beginStaging() {
        staging = new HashMap<>();
        return staging;
    }

    /** The staging area of the snapshot being installed, or {@code null}. */
    public Map<String, RecordStore> staging() {
        return staging;
    }

    /** Replaces the stores by the staged snapshot. */
    public void commitStaging() {
        stores.values().forEach(RecordStore::detach);
        stores = staging;
        forgetLastStore();
        stores.values().forEach(this::attach);
        staging = null;
    }

    /** Adds the staged maps this replica lacks, keeping the ones it follows in sequence. */
    public void commitMissingMaps() {
        for (Map.Entry<String, RecordStore> e : staging.entrySet()) {
            if (stores.putIfAbsent(e.getKey(), e.getValue()) == null) {
                attach(e.getValue());
            }
        }
        staging = null;
    }

    // ------------------------------------------------------------------------------------------ hand-off

    /** Counts one replication message, sent at {@code nowNanos}, as outstanding. */
    public void replicationStarted(long nowNanos) {
        if (inFlight == sentAt.length) {
            long[] grown = new long[sentAt.length * 2];
            for (int i = 0; i < inFlight; i++) {
                grown[i] = sentAt[(sentHead + i) % sentAt.length];
            }
            sentAt = grown;
            sentHead = 0;
        }
        sentAt[(sentHead + inFlight) % sentAt.length] = nowNanos;
        inFlight++;
        publishedInFlight.setOpaque(inFlight);
        if (inFlight == 1) {
            oldestUnacknowledged.setOpaque(nowNanos);
        }
    }

    /** Marks one replication message as settled and wakes a pending hand-off if it was the last. */
    public void replicationSettled() {
        inFlight--;
        // Acknowledgements settle about in send order (FIFO per backup), so the oldest send time is the next one.
        sentHead = (sentHead + 1) % sentAt.length;
        publishedInFlight.setOpaque(inFlight);
        oldestUnacknowledged.setOpaque(inFlight == 0 ? 0 : sentAt[sentHead]);
        if (inFlight == 0 && !drainWaiters.isEmpty()) {
            List<Runnable> waiters = new ArrayList<>(drainWaiters);
            drainWaiters.clear();
            waiters.forEach(Runnable::run);
        }
    }

    /** Runs {@code action} once no replication message of this partition is outstanding. */
    public void whenDrained(Runnable action) {
        if (inFlight == 0) {
            action.run();
        } else {
            drainWaiters.add(action);
        }
    }

    // ---------------------------------------------------------------------------------- held-back acks

    /** Holds {@code waiter} until this replica applied what it waits for (or runs it now if it has). */
    public void awaitApplied(AppliedWaiter waiter) {
        if (waiter.satisfiedBy(this)) {
            waiter.applied();
        } else {
            appliedWaiters.add(waiter);
        }
    }

    /** Wakes the waiters this replica now satisfies; called after mutations were applied or a snapshot installed. */
    public void checkWaiters() {
        if (appliedWaiters.isEmpty() || status == ReplicaStatus.SYNCING) {
            return;
        }
        Iterator<AppliedWaiter> it = appliedWaiters.iterator();
        while (it.hasNext()) {
            AppliedWaiter waiter = it.next();
            if (waiter.satisfiedBy(this)) {
                it.remove();
                waiter.applied();
            }
        }
    }

    private void abandonWaiters() {
        List<AppliedWaiter> waiters = new ArrayList<>(appliedWaiters);
        appliedWaiters.clear();
        waiters.forEach(AppliedWaiter::abandoned);
    }
}
