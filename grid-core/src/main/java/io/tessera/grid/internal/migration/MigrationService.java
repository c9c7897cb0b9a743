package io.tessera.grid.internal.migration;

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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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

    /** Creates the service of this member. */
    public MigrationService(PartitionReplicas replicas, ClusterService cluster, BackupReceiver backups,
                            HybridLogicalClock hlc, long timeoutMillis, String memberName) {
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
                sendSnapshot(replica, List.of(sender));
            }
        });
    }

    /** Handles {@code SYNC_REPLICA}: copies partitions to their syncing replicas and answers the failed ones. */
    public void onSyncReplica(SyncReplicaRequest request, Response response) {
        List<CompletableFuture<Integer>> results = new ArrayList<>();
        request.copies().forEach((p, targets) -> {
            CompletableFuture<Integer> result = new CompletableFuture<>();
            results.add(result);
            replicas.execute(p, replica -> {
                if (!replica.isPrimaryUnder(replicas.self())) {
                    result.complete(p);
                    return;
                }
                try {
                    sendSnapshot(replica, targets).whenComplete((ok, e) -> result.complete(ok != null && ok ? -1 : p));
                } catch (RuntimeException e) {
                    log.warn("copy of partition {} failed", p, e);
                    result.complete(p);
                }
            });
        });
        CompletableFuture.allOf(results.toArray(new CompletableFuture<?>[0])).whenComplete((v, e) -> {
            List<Integer> failed = results.stream().map(CompletableFuture::join).filter(p -> p >= 0).toList();
            response.send(SyncReplicaRequest.encodeReply(failed), false);
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
     * thread; completes with whether every target installed it. Call on the partition's thread.
     */
    public CompletableFuture<Boolean> sendSnapshot(PartitionReplica replica, List<Address> targets) {
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
        snapshotSender.execute(() -> {
            try {
                List<byte[]> chunks = encode(p, callResults, copy);
                List<CompletableFuture<byte[]>> acks = new ArrayList<>();
                for (Address target : targets) {
                    for (int i = 0; i < chunks.size() - 1; i++) {
                        cluster.send(target, chunks.get(i), chunks.get(i).length);
                    }
                    byte[] last = chunks.get(chunks.size() - 1);
                    acks.add(cluster.request(target, last, last.length, Math.max(timeoutMillis, 30_000)));
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
        });
        return done;
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
