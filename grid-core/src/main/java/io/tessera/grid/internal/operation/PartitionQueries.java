package io.tessera.grid.internal.operation;

import io.tessera.grid.internal.cluster.ClusterService;
import io.tessera.grid.internal.replica.PartitionReplica;
import io.tessera.grid.internal.replica.PartitionReplicas;
import io.tessera.grid.internal.replica.ReplicaStatus;
import io.tessera.grid.internal.replication.ChangeSet;
import io.tessera.grid.internal.replication.ReplicationStream;
import io.tessera.grid.internal.store.HybridLogicalClock;
import io.tessera.grid.internal.store.Record;
import io.tessera.grid.internal.store.RecordStore;
import io.tessera.grid.internal.wire.WireWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Runs {@link PartitionQuery}s on this member: sizes, entries and clears on the partitions it serves as primary (with
 * the same conditions as operations: complete replica, not frozen, lease held), and digests of whatever replica it
 * holds. Each partition's part runs on its thread; the answer is assembled when all are done.
 */
public final class PartitionQueries {
    private final PartitionReplicas replicas;
    private final ClusterService cluster;
    private final ReplicationStream stream;
    private final HybridLogicalClock hlc;
    private final long timeoutMillis;

    /** Creates the query runner of this member. */
    public PartitionQueries(PartitionReplicas replicas, ClusterService cluster, ReplicationStream stream,
                            HybridLogicalClock hlc, long timeoutMillis) {
        this.replicas = replicas;
        this.cluster = cluster;
        this.stream = stream;
        this.hlc = hlc;
        this.timeoutMillis = timeoutMillis;
    }

    /** Runs {@code query} here; completes with the encoded answer ({@link PartitionQuery#encodeReply}). */
    public CompletableFuture<byte[]> run(PartitionQuery query) {
        List<CompletableFuture<byte[]>> parts = new ArrayList<>(query.partitions().length);
        for (int p : query.partitions()) {
            CompletableFuture<byte[]> part = new CompletableFuture<>();
            parts.add(part);
            if (p < 0 || p >= replicas.partitionCount()) {
                part.complete(null);
                continue;
            }
            replicas.execute(p, replica -> runOn(replica, query, part));
        }
        return CompletableFuture.allOf(parts.toArray(new CompletableFuture<?>[0])).thenApply(v -> {
            Map<Integer, byte[]> payloads = new LinkedHashMap<>();
            for (int i = 0; i < query.partitions().length; i++) {
                payloads.put(query.partitions()[i], parts.get(i).join());
            }
            return PartitionQuery.encodeReply(payloads);
        });
    }

    private void runOn(PartitionReplica replica, PartitionQuery query, CompletableFuture<byte[]> result) {
        String map = query.map().name();
        if (query.kind() == QueryKind.DIGEST) {
            if (replica.status() != ReplicaStatus.OWNER && replica.status() != ReplicaStatus.SYNCED) {
                result.complete(null);
                return;
            }
            RecordStore store = replica.existingStore(map);
            WireWriter out = new WireWriter(32);
            out.writeBoolean(replicas.servesAsPrimary(replica));
            out.writeVarLong(store == null ? 0 : store.sequence());
            out.writeVarInt(store == null ? 0 : store.size());
            out.writeLong(store == null ? 0 : store.digest());
            result.complete(out.toByteArray());
            return;
        }
        if (!replicas.servesAsPrimary(replica) || !query.map().quorumMet(cluster.viewSize())) {
            result.complete(null);
            return;
        }
        RecordStore store = replica.existingStore(map);
        long now = replicas.clock().wallMillis();
        switch (query.kind()) {
            case SIZE -> {
                int live = 0;
                if (store != null) {
                    for (Record r : store.records()) {
                        if (!r.isExpiredAt(now)) {
                            live++;
                        }
                    }
                }
                result.complete(new WireWriter(8).writeVarInt(live).toByteArray());
            }
            case KEYSPACE -> {
                int live = 0;
                int expiring = 0;
                long remainingMillis = 0;
                if (store != null) {
                    for (Record r : store.records()) {
                        long deadline = r.deadline();
                        if (now < deadline) {
                            live++;
                            if (deadline != Long.MAX_VALUE) {
                                expiring++;
                                remainingMillis += deadline - now;
                            }
                        }
                    }
                }
                WireWriter out = new WireWriter(24);
                out.writeVarInt(live);
                out.writeVarInt(expiring);
                out.writeVarLong(remainingMillis);
                result.complete(out.toByteArray());
            }
            case ENTRIES -> {
                List<Record> live = new ArrayList<>();
                if (store != null) {
                    for (Record r : store.records()) {
                        if (!r.isExpiredAt(now)) {
                            live.add(r);
                        }
                    }
                }
                WireWriter out = new WireWriter(1024);
                out.writeVarInt(live.size());
                for (Record r : live) {
                    out.writeBytes(r.key().bytes());
                    out.writeByte(r.keyFormat());
                    out.writeBytes(r.value());
                }
                result.complete(out.toByteArray());
            }
            case CLEAR -> {
                RecordStore target = replica.store(map, query.map().backups());
                if (target.size() == 0) {
                    result.complete(new byte[0]);
                    return;
                }
                ChangeSet changes = new ChangeSet(target, hlc);
                changes.clear();
                stream.replicate(replica, changes, List.of(), query.map().asyncBackups(), timeoutMillis,
                        outcome -> result.complete(new byte[0]));
            }
            default -> throw new IllegalStateException();
        }
    }
}
