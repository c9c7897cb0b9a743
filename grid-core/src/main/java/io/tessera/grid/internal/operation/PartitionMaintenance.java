package io.tessera.grid.internal.operation;

import io.tessera.grid.EntryEventType;
import io.tessera.grid.internal.replica.PartitionReplica;
import io.tessera.grid.internal.replica.PartitionReplicas;
import io.tessera.grid.internal.replication.BackupReceiver;
import io.tessera.grid.internal.replication.ChangeSet;
import io.tessera.grid.internal.replication.ReplicationStream;
import io.tessera.grid.internal.store.HybridLogicalClock;
import io.tessera.grid.internal.store.Record;
import io.tessera.grid.internal.store.RecordStore;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The periodic work on every partition thread: a primary expires entries whose time to live or max-idle passed (in
 * batches, replicated like any removal, so backups never resurrect them), the primaries of a member beyond a bounded
 * map's bound evict (a member's backup copies count towards its bound, and no write of its own may come to make
 * room), every replica forgets deletions older than the tombstone retention and call results nobody can ask for any
 * more, and a backup that waits for a snapshot asks its primary again.
 */
public final class PartitionMaintenance {
    private static final Logger log = LoggerFactory.getLogger(PartitionMaintenance.class);
    /** How often each partition thread runs the maintenance. */
    public static final long TICK_MILLIS = 100;
    private static final int EXPIRY_BATCH = 500;
    private static final int EVICTION_BATCH = 500;
    private static final long SWEEP_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final PartitionReplicas replicas;
    private final ReplicationStream stream;
    private final BackupReceiver backups;
    private final PrimaryExecutor executor;
    private final HybridLogicalClock hlc;
    private final long tombstoneRetentionMillis;
    private final long timeoutMillis;
    private final long[] lastSweep;

    /** Creates the maintenance of this member. */
    public PartitionMaintenance(PartitionReplicas replicas, ReplicationStream stream, BackupReceiver backups,
                                PrimaryExecutor executor, HybridLogicalClock hlc, long tombstoneRetentionMillis,
                                long timeoutMillis) {
        this.replicas = replicas;
        this.stream = stream;
        this.backups = backups;
        this.executor = executor;
        this.hlc = hlc;
        this.tombstoneRetentionMillis = tombstoneRetentionMillis;
        this.timeoutMillis = timeoutMillis;
        this.lastSweep = new long[replicas.threads().count()];
    }

    /** Schedules the maintenance on every partition thread. */
    public void start() {
        for (int i = 0; i < replicas.threads().count(); i++) {
            int thread = i;
            replicas.threads().scheduleOnThread(i, () -> tick(thread), TICK_MILLIS);
        }
    }

    private void tick(int thread) {
        long now = replicas.clock().wallMillis();
        long nanos = replicas.clock().nanoTime();
        boolean sweep = nanos - lastSweep[thread] >= SWEEP_NANOS;
        if (sweep) {
            lastSweep[thread] = nanos;
        }
        long horizon = HybridLogicalClock.stampAt(now - tombstoneRetentionMillis);
        executor.evictBeyondBounds(thread, EVICTION_BATCH, timeoutMillis);
        int count = replicas.threads().count();
        for (int p = thread; p < replicas.partitionCount(); p += count) {
            PartitionReplica replica = replicas.replica(p);
            if (replicas.servesAsPrimary(replica)) {
                expire(replica, now);
            }
            backups.tick(replica, nanos);
            if (sweep) {
                executor.tick(replica, nanos);
                for (RecordStore store : replica.stores()) {
                    store.purgeTombstones(horizon);
                }
            }
        }
    }

    private void expire(PartitionReplica replica, long now) {
        for (RecordStore store : replica.stores()) {
            List<Record> expired = store.pollExpired(now, EXPIRY_BATCH);
            if (expired.isEmpty()) {
                continue;
            }
            ChangeSet changes = new ChangeSet(store, hlc);
            for (Record record : expired) {
                changes.remove(record, EntryEventType.EXPIRED);
            }
            stream.replicate(replica, changes, List.of(), false, timeoutMillis, outcome -> {
                if (!outcome.durable()) {
                    log.warn("replicating the expiry of {} keys of partition {} failed: {}", expired.size(),
                            replica.partition(), outcome.problem());
                }
            });
        }
    }
}
