package io.tessera.grid.internal.replica;

import io.tessera.grid.GridClock;
import io.tessera.grid.internal.cluster.MembershipLease;
import io.tessera.grid.internal.partition.PartitionTable;
import io.tessera.grid.internal.store.MemoryAccounts;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.jgroups.Address;

/**
 * The replicas of every partition on this member, the threads that own them, and the partition table they follow.
 *
 * <p>The published table ({@link #table()}) is volatile and used for routing; each replica applies tables on its own
 * thread ({@link #installTable}), so every decision about a partition sees one consistent table. The services above
 * (replication, migration, merge, operations, queries) reach a replica only by running a task on its thread
 * ({@link #execute}).
 */
public final class PartitionReplicas {
    private final Address self;
    private final PartitionThreads threads;
    private final PartitionReplica[] replicas;
    private final MembershipLease lease;
    private final GridClock clock;
    private final MemoryAccounts accounts;
    private volatile PartitionTable table;
    private volatile Consumer<PartitionTable> tableListener = t -> { };

    /** Creates the (empty) replicas of {@code partitionCount} partitions. */
    public PartitionReplicas(Address self, PartitionThreads threads, int partitionCount, MembershipLease lease,
                             GridClock clock) {
        this.self = self;
        this.threads = threads;
        this.lease = lease;
        this.clock = clock;
        this.table = PartitionTable.empty(partitionCount);
        this.replicas = new PartitionReplica[partitionCount];
        this.accounts = new MemoryAccounts(threads.count(), partitionCount);
        for (int p = 0; p < partitionCount; p++) {
            replicas[p] = new PartitionReplica(p, table);
            replicas[p].memory(accounts, threads.threadOf(p));
        }
    }

    /** What this member holds of each map, and the bounds it keeps them within. */
    public MemoryAccounts accounts() {
        return accounts;
    }

    /** Sets how every replica decodes the live operations of the stream; before any replica is used. */
    public void liveOperations(io.tessera.grid.internal.store.LiveOperationDecoder decoder) {
        for (PartitionReplica replica : replicas) {
            replica.liveOperations(decoder);
        }
    }

    /** This member's address. */
    public Address self() {
        return self;
    }

    /** The number of partitions. */
    public int partitionCount() {
        return replicas.length;
    }

    /** The partition threads. */
    public PartitionThreads threads() {
        return threads;
    }

    /** This member's lease. */
    public MembershipLease lease() {
        return lease;
    }

    /** The clock. */
    public GridClock clock() {
        return clock;
    }

    /** The newest table this member installed. */
    public PartitionTable table() {
        return table;
    }

    /** Sets the callback run (on a partition thread or JGroups thread) after a newer table was installed. */
    public void tableListener(Consumer<PartitionTable> listener) {
        this.tableListener = listener;
    }

    /** Runs {@code task} with partition {@code p}'s replica, on its thread. */
    public void execute(int p, Consumer<PartitionReplica> task) {
        threads.execute(p, () -> task.accept(replicas[p]));
    }

    /** The replica of {@code p}; only its thread may use it. */
    public PartitionReplica replica(int p) {
        return replicas[p];
    }

    /** The status of partition {@code p}'s replica here; any thread (status pages, meters). */
    public ReplicaStatus statusOf(int p) {
        return replicas[p].status();
    }

    /** The replication messages of partition {@code p} that wait for acknowledgements; any thread. */
    public int backupsInFlight(int p) {
        return replicas[p].backupsInFlight();
    }

    /** When partition {@code p}'s oldest unacknowledged replication message was sent (nanoTime; 0: none). */
    public long oldestUnacknowledgedNanos(int p) {
        return replicas[p].oldestUnacknowledgedNanos();
    }

    /** Whether this member may act as primary of {@code replica} now: primary in its table, complete, not frozen,
     *  and holding the lease. Called on the replica's thread. */
    public boolean servesAsPrimary(PartitionReplica replica) {
        return replica.isPrimaryUnder(self) && !replica.frozen() && lease.holds();
    }

    /** Whether this member may answer a read of {@code replica} from its own copy (a map that reads from backups):
     *  an owner in its table, complete, and holding the lease. Called on the replica's thread. */
    public boolean servesLocalReads(PartitionReplica replica) {
        return replica.status() == ReplicaStatus.OWNER && replica.table().ownerIndex(replica.partition(), self) >= 0
                && lease.holds();
    }

    /**
     * Installs {@code newTable} if it is newer than the current one; completes once every partition thread applied it
     * (or at once if it is not newer).
     */
    public CompletableFuture<Void> installTable(PartitionTable newTable) {
        synchronized (this) {
            if (newTable.version() <= table.version()) {
                return CompletableFuture.completedFuture(null);
            }
            table = newTable;
        }
        List<CompletableFuture<Void>> applied = new ArrayList<>(threads.count());
        for (int i = 0; i < threads.count(); i++) {
            int thread = i;
            CompletableFuture<Void> done = new CompletableFuture<>();
            applied.add(done);
            threads.executeOnThread(thread, () -> {
                try {
                    for (int p = thread; p < replicas.length; p += threads.count()) {
                        PartitionReplica replica = replicas[p];
                        if (newTable.version() > replica.table().version()) {
                            replica.applyTable(newTable, self);
                        }
                    }
                } finally {
                    // even after a bug: the coordinator's round waits on this, and must never wait forever
                    done.complete(null);
                }
            });
        }
        return CompletableFuture.allOf(applied.toArray(new CompletableFuture<?>[0])).thenRun(() -> {
            lease.tableInstalled(newTable.version());
            tableListener.accept(newTable);
        });
    }

    /** Runs {@code task} on every partition thread with the replicas it owns; completes when all ran. */
    public <T> List<CompletableFuture<T>> onEveryThread(java.util.function.Function<List<PartitionReplica>, T> task) {
        List<CompletableFuture<T>> parts = new ArrayList<>(threads.count());
        for (int i = 0; i < threads.count(); i++) {
            int thread = i;
            CompletableFuture<T> part = new CompletableFuture<>();
            parts.add(part);
            threads.executeOnThread(thread, () -> {
                List<PartitionReplica> owned = new ArrayList<>();
                for (int p = thread; p < replicas.length; p += threads.count()) {
                    owned.add(replicas[p]);
                }
                try {
                    part.complete(task.apply(owned));
                } catch (RuntimeException | Error e) {
                    part.completeExceptionally(e);
                }
            });
        }
        return parts;
    }
}
