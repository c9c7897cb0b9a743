package io.tessera.grid.internal.migration;

import io.micrometer.core.instrument.Timer;
import io.tessera.grid.internal.cluster.ClusterService;
import io.tessera.grid.internal.migration.SnapshotChunk.MapGroup;
import io.tessera.grid.internal.replica.Mutation;
import io.tessera.grid.internal.replica.PartitionReplica;
import io.tessera.grid.internal.replica.PartitionReplicas;
import io.tessera.grid.internal.replica.ReplicaStatus;
import io.tessera.grid.internal.replication.BackupReceiver;
import io.tessera.grid.internal.replication.ResyncRequest;
import io.tessera.grid.internal.store.HybridLogicalClock;
import io.tessera.grid.internal.store.Record;
import io.tessera.grid.internal.store.RecordStore;
import io.tessera.grid.internal.store.Tombstone;
import io.tessera.grid.internal.wire.WireReader;
import io.tessera.grid.internal.wire.WireWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.jgroups.Address;
import org.jgroups.blocks.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves partition content between members: snapshots for new replicas (the coordinator's {@code SYNC_REPLICA}) and
 * for backups that resync, their installation, and the freeze before a hand-off.
 *
 * <h2>A snapshot</h2>
 * The primary takes a point-in-time copy of the partition on its thread (records are immutable, so the copy is a
 * shallow one) and streams it in chunks from the snapshot thread, never blocking the partition thread for the whole
 * copy. The receiver buffers the mutations that arrive meanwhile, installs the chunks into a staging area, swaps it
 * in when the last chunk arrives, and replays the buffer in sequence; then it answers the last chunk. A snapshot from
 * anyone but the primary of the receiver's table is refused.
 *
 * <p>Threads: handlers run on JGroups threads and hand over to partition threads; chunks are encoded and sent on
 * one snapshot thread per member.
 */
public final class MigrationService {
    private static final Logger log = LoggerFactory.getLogger(MigrationService.class);
    private static final byte INSTALLED = 0;
    private static final byte REFUSED = 1;
    private static final int CHUNK_BYTES = 512 * 1024;

    private final PartitionReplicas replicas;
    private final ClusterService cluster;
    private final BackupReceiver backups;
    private final HybridLogicalClock hlc;
    private final long timeoutMillis;
    private final ExecutorService snapshotSender;
    private final Set<Copy> running = ConcurrentHashMap.newKeySet();
    private final LongAdder completed = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder bytesSent = new LongAdder();
    private final LongAdder resyncs = new LongAdder();
    private final Timer copyTimer;

    /**
     * One partition copy this member sends, from the snapshot point until every target acknowledged it. Only the
     * snapshot thread writes it; status pages read it.
     */
    public static final class Copy {
        private final int partition;
        private final List<Address> targets;
        private final boolean migration;
        private final long startedAtMillis;
        private final long startNanos = System.nanoTime();
        private volatile long copiedBytes;
        private volatile long totalBytes = -1;

        Copy(int partition, List<Address> targets, boolean migration, long startedAtMillis) {
            this.partition = partition;
            this.targets = List.copyOf(targets);
            this.migration = migration;
            this.startedAtMillis = startedAtMillis;
        }

        /** The partition. */
        public int partition() {
            return partition;
        }

        /** The members that receive it. */
        public List<Address> targets() {
            return targets;
        }

        /** Whether the coordinator asked for it (a migration), rather than a backup that resyncs. */
        public boolean migration() {
            return migration;
        }

        /** When it started, in the grid clock's wall milliseconds. */
        public long startedAtMillis() {
            return startedAtMillis;
        }

        /** The bytes sent so far, to every target together. */
        public long copiedBytes() {
            return copiedBytes;
        }

        /** The bytes it sends to every target together, or -1 until the snapshot is encoded. */
        public long totalBytes() {
            return totalBytes;
        }
    }

    /**
     * Creates the service of this member; {@code copyTimer} (may be null) times every migration copy it sends, from
     * the snapshot point until every target acknowledged it.
     */
    public MigrationService(PartitionReplicas replicas, ClusterService cluster, BackupReceiver backups,
                            HybridLogicalClock hlc, long timeoutMillis, String memberName, Timer copyTimer) {
        this.copyTimer = copyTimer;
        this.replicas = replicas;
        this.cluster = cluster;
        this.backups = backups;
        this.hlc = hlc;
        this.timeoutMillis = timeoutMillis;
        this.snapshotSender = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "tessera-snapshot-" + memberName);
            t.setDaemon(true);
            return t;
        });
    }

    /** The copies this member sends now (migrations and resyncs). */
    public List<Copy> running() {
        return List.copyOf(running);
    }

    /** The migration copies this member completed as their source (every target installed it). */
    public long completedCopies() {
        return completed.sum();
    }

    /** The migration copies this member started as their source that failed or were refused. */
    public long failedCopies() {
        return failed.sum();
    }

    /** The snapshot bytes this member sent for migrations, counted once per target. */
    public long bytesSent() {
        return bytesSent.sum();
    }

    /** The snapshots this member sent to backups that resynced after a gap. */
    public long resyncsServed() {
        return resyncs.sum();
    }

    /** Stops the snapshot thread. */
    public void shutdown() {
        snapshotSender.shutdownNow();
    }

    // ------------------------------------------------------------------------------------------------ requests

    /** Handles a {@code RESYNC_REQUEST} from a backup that found a gap. */
    public void onResyncRequest(ResyncRequest request, Address sender) {
        replicas.execute(request.partition(), replica -> {
            int p = replica.partition();
            boolean replicaOfIt = replica.table().ownerIndex(p, sender) > 0 || replica.table().isSyncing(p, sender);
            if (replica.isPrimaryUnder(replicas.self()) && replicaOfIt) {
                resyncs.increment();
                sendSnapshot(replica, List.of(sender), false);
            }
        });
    }

    /** Handles {@code SYNC_REPLICA}: copies partitions to their syncing replicas and answers the failed ones. */
    public void onSyncReplica(SyncReplicaRequest request, Response response) {
        List<CompletableFuture<Integer>> results = new ArrayList<>();
        LongAdder sent = new LongAdder();
        request.copies().forEach((p, targets) -> {
            CompletableFuture<Integer> result = new CompletableFuture<>();
            results.add(result);
            replicas.execute(p, replica -> {
                if (!replica.isPrimaryUnder(replicas.self())) {
                    result.complete(p);
                    return;
                }
                try {
                    sendSnapshot(replica, targets, true, sent)
                            .whenComplete((ok, e) -> result.complete(ok != null && ok ? -1 : p));
                } catch (RuntimeException e) {
                    log.warn("copy of partition {} failed", p, e);
                    result.complete(p);
                }
            });
        });
        CompletableFuture.allOf(results.toArray(new CompletableFuture<?>[0])).whenComplete((v, e) -> {
            List<Integer> failed = results.stream().map(CompletableFuture::join).filter(p -> p >= 0).toList();
            response.send(SyncReplicaRequest.encodeReply(failed, sent.sum()), false);
        });
    }

    /** Handles {@code FREEZE}: stops serving the partitions, answers once their streams drained. */
    public void onFreeze(FreezeRequest request, Response response) {
        List<CompletableFuture<Void>> drained = new ArrayList<>();
        for (int p : request.partitions()) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            drained.add(done);
            replicas.execute(p, replica -> {
                if (replica.table().version() == request.tableVersion()) {
                    replica.freeze();
                }
                try {
                    replica.whenDrained(() -> done.complete(null));
                } catch (RuntimeException e) {
                    done.completeExceptionally(e);
                    throw e;
                }
            });
        }
        CompletableFuture.allOf(drained.toArray(new CompletableFuture<?>[0]))
                .whenComplete((v, e) -> response.send(new byte[] {INSTALLED}, false));
    }

    // ---------------------------------------------------------------------------------------------- sending

    /**
     * Takes a point-in-time copy of the partition on its thread and streams it to {@code targets} from the snapshot
     * thread; completes with whether every target installed it. Call on the partition's thread. {@code migration}
     * says whether the coordinator asked for it (it then counts in the migration meters).
     */
    public CompletableFuture<Boolean> sendSnapshot(PartitionReplica replica, List<Address> targets,
                                                   boolean migration) {
        return sendSnapshot(replica, targets, migration, new LongAdder());
    }

    private CompletableFuture<Boolean> sendSnapshot(PartitionReplica replica, List<Address> targets,
                                                    boolean migration, LongAdder sent) {
        List<MapCopy> copy = new ArrayList<>();
        for (RecordStore store : replica.stores()) {
            copy.add(new MapCopy(store.mapName(), store.backups(), store.mergePolicy(), store.epoch(),
                    store.epochBase(), store.sequence(), store.purgedStamp(), store.snapshot(),
                    store.tombstoneSnapshot()));
        }
        WireWriter results = new WireWriter(64);
        replica.results().writeTo(results, replicas.clock().nanoTime());
        byte[] callResults = results.toByteArray();
        int p = replica.partition();
        CompletableFuture<Boolean> done = new CompletableFuture<>();
        Copy running = new Copy(p, targets, migration, replicas.clock().wallMillis());
        this.running.add(running);
        done.whenComplete((installed, e) -> {
            this.running.remove(running);
            if (migration) {
                (Boolean.TRUE.equals(installed) ? completed : failed).increment();
                if (copyTimer != null) {
                    copyTimer.record(System.nanoTime() - running.startNanos, TimeUnit.NANOSECONDS);
                }
            }
        });
        try {
            snapshotSender.execute(() -> sendChunks(p, callResults, copy, targets, running, migration, sent, done));
        } catch (RejectedExecutionException e) {
            done.complete(false); // the member is closing
            throw e;
        }
        return done;
    }

    private void sendChunks(int p, byte[] callResults, List<MapCopy> copy, List<Address> targets, Copy running,
                            boolean migration, LongAdder sent, CompletableFuture<Boolean> done) {
        try {
            List<byte[]> chunks = encode(p, callResults, copy);
            long total = 0;
            for (byte[] chunk : chunks) {
                total += chunk.length;
            }
            running.totalBytes = total * targets.size();
            List<CompletableFuture<byte[]>> acks = new ArrayList<>();
            for (Address target : targets) {
                for (int i = 0; i < chunks.size() - 1; i++) {
                    cluster.send(target, chunks.get(i), chunks.get(i).length);
                    sent(running, chunks.get(i).length, migration, sent);
                }
                byte[] last = chunks.get(chunks.size() - 1);
                acks.add(cluster.request(target, last, last.length, Math.max(timeoutMillis, 30_000)));
                sent(running, last.length, migration, sent);
            }
            CompletableFuture.allOf(acks.toArray(new CompletableFuture<?>[0])).whenComplete((v, e) -> {
                // Whatever the replies hold, complete: the coordinator's round waits on this copy.
                boolean installed = false;
                try {
                    installed = e == null && acks.stream().allMatch(a -> {
                        byte[] reply = a.join();
                        return reply != null && reply.length > 0 && reply[0] == INSTALLED;
                    });
                } catch (RuntimeException unexpected) {
                    log.warn("snapshot of partition {}: unreadable acknowledgement: {}", p, unexpected.toString());
                } finally {
                    done.complete(installed);
                }
            });
        } catch (RuntimeException | Error e) {
            log.warn("snapshot of partition {} failed", p, e);
            done.complete(false);
        }
    }

    private void sent(Copy copy, int length, boolean migration, LongAdder sent) {
        copy.copiedBytes += length; // only the snapshot thread writes it
        if (migration) {
            bytesSent.add(length);
            sent.add(length);
        }
    }

    /** A map's content as of the snapshot point. */
    private record MapCopy(String map, int backups, byte mergePolicy, long epoch, long epochBase, long sequence,
                           long purgedStamp, Record[] records, Tombstone[] tombstones) {
    }

    private static List<byte[]> encode(int p, byte[] callResults, List<MapCopy> maps) {
        List<byte[]> chunks = new ArrayList<>();
        int chunkIndex = 0;
        int mapIndex = 0;
        int recordIndex = 0;
        int tombstoneIndex = 0;
        do {
            List<MapGroup> groups = new ArrayList<>();
            int bytes = 0;
            while (mapIndex < maps.size() && bytes < CHUNK_BYTES) {
                MapCopy map = maps.get(mapIndex);
                List<Record> records = new ArrayList<>();
                while (recordIndex < map.records.length && bytes < CHUNK_BYTES) {
                    Record r = map.records[recordIndex++];
                    records.add(r);
                    bytes += 48 + r.key().bytes().length + (r.value() == null ? 0 : r.value().length);
                }
                List<Tombstone> tombstones = new ArrayList<>();
                while (recordIndex >= map.records.length && tombstoneIndex < map.tombstones.length
                        && bytes < CHUNK_BYTES) {
                    Tombstone t = map.tombstones[tombstoneIndex++];
                    tombstones.add(t);
                    bytes += 16 + t.key().bytes().length;
                }
                groups.add(new MapGroup(map.map, map.backups, map.mergePolicy, map.epoch, map.epochBase,
                        map.sequence, map.purgedStamp, records, tombstones));
                if (recordIndex >= map.records.length && tombstoneIndex >= map.tombstones.length) {
                    mapIndex++;
                    recordIndex = 0;
                    tombstoneIndex = 0;
                }
            }
            boolean last = mapIndex >= maps.size();
            chunks.add(new SnapshotChunk(p, chunkIndex, last, chunkIndex == 0 ? callResults : new byte[0], groups)
                    .encode());
            chunkIndex++;
            if (last) {
                return chunks;
            }
        } while (true);
    }

    // -------------------------------------------------------------------------------------------- installing

    /** Handles a {@code SNAPSHOT} chunk ({@code response} is null for all but the last). */
    public void onSnapshot(SnapshotChunk chunk, Address sender, Response response) {
        replicas.execute(chunk.partition(), replica -> {
            boolean ok = install(replica, chunk, sender);
            if (response != null) {
                response.send(new byte[] {ok ? INSTALLED : REFUSED}, false);
            }
        });
    }

    private boolean install(PartitionReplica replica, SnapshotChunk chunk, Address sender) {
        int p = replica.partition();
        if (!sender.equals(replica.table().primary(p)) || !cluster.isMember(sender)) {
            return false; // only the primary of this member's table may replace its replica
        }
        if (replica.status() == ReplicaStatus.SYNCED) {
            // A repeated copy (the coordinator retried an aborted round). This replica already holds a complete copy
            // and has followed the stream since; installing the new snapshot would drop the mutations it applied
            // between the primary's snapshot point and the first chunk. Acknowledge and keep what we have.
            return true;
        }
        boolean filling = replica.status() == ReplicaStatus.OWNER && replica.fillingMissingMaps();
        if (replica.status() != ReplicaStatus.SYNCING && !filling) {
            return false;
        }
        if (chunk.chunkIndex() == 0) {
            replica.beginStaging();
            if (chunk.callResults().length > 0) {
                replica.results().readFrom(new WireReader(chunk.callResults()), replicas.clock().nanoTime());
            }
        }
        Map<String, RecordStore> staging = replica.staging();
        if (staging == null) {
            return false;
        }
        for (MapGroup group : chunk.groups()) {
            RecordStore store = staging.computeIfAbsent(group.map(),
                    m -> new RecordStore(m, p, group.backups()));
            store.mergePolicy(group.mergePolicy());
            store.epoch(group.epoch(), group.epochBase());
            store.sequence(group.sequence());
            store.purgedStamp(group.purgedStamp());
            for (Record record : group.records()) {
                store.put(record);
                hlc.observe(record.timestamp());
            }
            for (Tombstone tombstone : group.tombstones()) {
                store.putTombstone(tombstone);
                hlc.observe(tombstone.stamp());
            }
        }
        if (!chunk.last()) {
            return true;
        }
        if (filling) {
            // Keep the maps this owner follows in sequence; take only the ones it lacks, then replay their stream.
            replica.commitMissingMaps();
            replica.filledMissingMaps();
        } else {
            replica.commitStaging();
            replica.status(replica.table().ownerIndex(p, replicas.self()) >= 0 ? ReplicaStatus.OWNER
                    : ReplicaStatus.SYNCED);
        }
        for (Mutation m : replica.takeBuffered()) {
            if (replica.status() == ReplicaStatus.SYNCING) {
                replica.buffer(m);
            } else if (replica.applyInSequence(m).needsResync()) {
                log.info("partition {}: replaying after the snapshot found mutation ({}, {}) of map {} out of "
                        + "sequence or not fitting its value; resyncing", p, m.epoch(), m.sequence(), m.mapName());
                replica.restartSync(m);
                backups.requestResync(replica);
            }
        }
        replica.checkWaiters();
        if (replica.status() == ReplicaStatus.SYNCING) {
            return false;
        }
        log.debug("partition {} installed from {} ({} maps)", p, sender, staging.keySet());
        return true;
    }
}
