package io.tessera.grid.internal.operation;

import io.tessera.grid.internal.partition.PartitionTable;
import io.tessera.grid.internal.store.RecordStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.jgroups.Address;

/**
 * What this member holds of one partition: its record stores (one per map), its replica status, the table it
 * last applied, mutations buffered while a snapshot is awaited, and the hand-off state.
 *
 * <p>Owned by the partition's thread; no other thread reads or writes it.
 */
final class PartitionContainer {

    /** The replica status of this member for the partition. */
    enum Status {
        /** Holds nothing. */
        NONE,
        /** A complete, in-sequence replica (primary or backup). */
        OWNER,
        /** Waiting for a snapshot (a new replica, or a backup that found a gap); buffering mutations. */
        SYNCING,
        /** A new replica that installed its snapshot and follows the stream; an owner once the table says so. */
        SYNCED
    }

    final int partition;
    PartitionTable table;
    Status status = Status.NONE;
    Map<String, RecordStore> stores = new HashMap<>();
    final List<Mutation> buffered = new ArrayList<>();
    Map<String, RecordStore> staging;
    boolean frozen;
    int inFlight;
    final List<Runnable> drainWaiters = new ArrayList<>();
    long lastResyncRequest;
    /**
     * An owner that the table also lists as syncing: it holds the maps of its position but lacks some the new
     * position needs (a backup becoming primary lacks the maps without backups). It keeps serving, buffers the
     * mutations of maps it lacks, and installs only those maps from the snapshot.
     */
    boolean fillingMissingMaps;

    PartitionContainer(int partition, PartitionTable table) {
        this.partition = partition;
        this.table = table;
    }

    /** Whether this member may execute operations as the partition's primary now. */
    boolean servesAsPrimary(Address self) {
        return status == Status.OWNER && !frozen && self.equals(table.primary(partition));
    }

    /** The store of {@code mapName}, created on first use. */
    RecordStore store(String mapName, int backups) {
        RecordStore store = stores.get(mapName);
        if (store == null) {
            store = new RecordStore(mapName, partition, backups);
            stores.put(mapName, store);
        }
        return store;
    }

    /** Applies a newer table: adopts, keeps or drops this member's replica. */
    void applyTable(PartitionTable newTable, Address self) {
        table = newTable;
        frozen = false;
        int index = newTable.ownerIndex(partition, self);
        if (index >= 0) {
            if (status == Status.SYNCING) {
                // Made an owner without a finished snapshot: the coordinator found no better copy (a fresh
                // partition, or every complete replica was lost). Serve what we have.
                buffered.clear();
                staging = null;
            }
            status = Status.OWNER;
            boolean filling = newTable.isSyncing(partition, self);
            if (filling != fillingMissingMaps) {
                fillingMissingMaps = filling;
                buffered.clear();
                staging = null;
            }
            if (index > 0 && !filling) {
                // A backup at position i holds only maps with at least i backups; copies of the others would go
                // stale, since the primary no longer streams them here.
                Iterator<RecordStore> it = stores.values().iterator();
                while (it.hasNext()) {
                    if (it.next().backups() < index) {
                        it.remove();
                    }
                }
            }
            return;
        }
        fillingMissingMaps = false;
        if (newTable.isSyncing(partition, self)) {
            if (status == Status.NONE || status == Status.OWNER) {
                status = Status.SYNCING;
                buffered.clear();
                staging = null;
            }
        } else {
            status = Status.NONE;
            stores = new HashMap<>();
            buffered.clear();
            staging = null;
        }
    }

    /** Marks one replication message as settled and wakes a pending hand-off if it was the last. */
    void replicationSettled() {
        inFlight--;
        if (inFlight == 0 && !drainWaiters.isEmpty()) {
            List<Runnable> waiters = new ArrayList<>(drainWaiters);
            drainWaiters.clear();
            waiters.forEach(Runnable::run);
        }
    }

    /** Runs {@code action} once no replication message of this partition is outstanding. */
    void whenDrained(Runnable action) {
        if (inFlight == 0) {
            action.run();
        } else {
            drainWaiters.add(action);
        }
    }
}
