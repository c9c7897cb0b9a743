package io.tessera.grid.internal.membership;

import io.tessera.grid.internal.partition.PartitionTable;
import io.tessera.grid.internal.replica.PartitionReplica;
import io.tessera.grid.internal.replica.PartitionReplicas;
import io.tessera.grid.internal.replica.ReplicaStatus;
import io.tessera.grid.internal.store.RecordStore;
import io.tessera.grid.internal.wire.WireReader;
import io.tessera.grid.internal.wire.WireWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.jgroups.Address;

/**
 * A member's answer to the coordinator's {@code STATE_REQUEST}: the newest table it installed, the members it saw
 * leave by silence recently (with how long the partitions they held should still wait for them), and for every
 * partition it holds something of, the replica's status and each map's backup count, replication position and
 * estimated bytes.
 *
 * @param table the member's table
 * @param inMinority whether the member is fenced, cut off with a minority of the members it had (its table may be
 *     behind the cluster's)
 * @param silentDepartures members that left this member's view while it was fenced by silence, to the milliseconds
 *     their partitions should still wait for them
 * @param replicas partition to what the member holds of it
 */
public record StateReport(PartitionTable table, boolean inMinority, Map<Address, Long> silentDepartures,
                          Map<Integer, Replica> replicas) {

    /**
     * What a member holds of one partition.
     *
     * @param status its status
     * @param complete whether it holds every acknowledged write up to its positions (an owner, or a backup in the
     *     middle of a resync)
     * @param maps map name to its position
     */
    public record Replica(ReplicaStatus status, boolean complete, Map<String, MapPosition> maps) {

        /** The sequence of {@code map}, 0 when it does not hold it. */
        public long sequence(String map) {
            MapPosition position = maps.get(map);
            return position == null ? 0 : position.sequence();
        }

        /** The sum of its maps' sequences. */
        public long totalSequence() {
            long sum = 0;
            for (MapPosition position : maps.values()) {
                sum += position.sequence();
            }
            return sum;
        }

        /** The estimated bytes of its maps' entries. */
        public long bytes() {
            long sum = 0;
            for (MapPosition position : maps.values()) {
                sum += position.bytes();
            }
            return sum;
        }

        /** The newest epoch of its maps. */
        public long epoch() {
            long epoch = 0;
            for (MapPosition position : maps.values()) {
                epoch = Math.max(epoch, position.epoch());
            }
            return epoch;
        }

        /** Whether it is ahead of {@code other}: a newer epoch, or the same epoch and more mutations. */
        public boolean aheadOf(Replica other) {
            return epoch() != other.epoch() ? epoch() > other.epoch() : totalSequence() > other.totalSequence();
        }
    }

    /**
     * One map's position in a replica.
     *
     * @param backups the map's backup count
     * @param epoch the epoch of its position
     * @param sequence its sequence
     * @param bytes the estimated bytes of its entries (what copying it moves; the coordinator reports it per round)
     */
    public record MapPosition(int backups, long epoch, long sequence, long bytes) {
    }

    /** What {@code member} holds of {@code p}, or null. */
    public Replica replica(int p) {
        return replicas.get(p);
    }

    /** Collects this member's report; each partition thread describes its own replicas. */
    public static CompletableFuture<StateReport> collect(PartitionReplicas partitions,
                                                         Map<Address, Long> silentDepartures) {
        List<CompletableFuture<Map<Integer, Replica>>> parts = partitions.onEveryThread(owned -> {
            Map<Integer, Replica> described = new HashMap<>();
            for (PartitionReplica replica : owned) {
                if (replica.status() == ReplicaStatus.NONE) {
                    continue;
                }
                Map<String, MapPosition> maps = new HashMap<>();
                for (RecordStore store : replica.stores()) {
                    maps.put(store.mapName(), new MapPosition(store.backups(), store.epoch(), store.sequence(),
                            store.bytes()));
                }
                described.put(replica.partition(), new Replica(replica.status(),
                        replica.holdsAcknowledgedWrites(partitions.self()), maps));
            }
            return described;
        });
        return CompletableFuture.allOf(parts.toArray(new CompletableFuture<?>[0])).thenApply(v -> {
            Map<Integer, Replica> all = new HashMap<>();
            parts.forEach(part -> all.putAll(part.join()));
            return new StateReport(partitions.table(), partitions.lease().inMinority(), silentDepartures, all);
        });
    }

    /** Encodes the report. */
    public byte[] encode() {
        WireWriter out = new WireWriter(4096);
        table.writeTo(out);
        out.writeBoolean(inMinority);
        out.writeVarInt(silentDepartures.size());
        silentDepartures.forEach((member, millis) -> {
            PartitionTable.writeAddress(out, member);
            out.writeVarLong(millis);
        });
        out.writeVarInt(replicas.size());
        replicas.forEach((p, replica) -> {
            out.writeVarInt(p).writeByte(replica.status().id()).writeBoolean(replica.complete())
                    .writeVarInt(replica.maps().size());
            replica.maps().forEach((name, position) -> out.writeString(name).writeByte(position.backups())
                    .writeVarLong(position.epoch()).writeVarLong(position.sequence()).writeVarLong(position.bytes()));
        });
        return out.toByteArray();
    }

    /** Decodes a report. */
    public static StateReport decode(byte[] bytes) {
        WireReader in = new WireReader(bytes);
        PartitionTable table = PartitionTable.readFrom(in);
        boolean inMinority = in.readBoolean();
        int departed = in.readVarInt();
        Map<Address, Long> silent = new HashMap<>();
        for (int i = 0; i < departed; i++) {
            silent.put(PartitionTable.readAddress(in), in.readVarLong());
        }
        int count = in.readVarInt();
        Map<Integer, Replica> replicas = new HashMap<>();
        for (int i = 0; i < count; i++) {
            int p = in.readVarInt();
            ReplicaStatus status = ReplicaStatus.of(in.readByte());
            boolean complete = in.readBoolean();
            int maps = in.readVarInt();
            Map<String, MapPosition> positions = new HashMap<>();
            for (int m = 0; m < maps; m++) {
                positions.put(in.readString(), new MapPosition(in.readByte(), in.readVarLong(), in.readVarLong(),
                        in.readVarLong()));
            }
            replicas.put(p, new Replica(status, complete, positions));
        }
        return new StateReport(table, inMinority, silent, replicas);
    }

    /** The partitions of which this member holds a complete replica. */
    public List<Integer> completePartitions() {
        List<Integer> complete = new ArrayList<>();
        replicas.forEach((p, r) -> {
            if (r.complete()) {
                complete.add(p);
            }
        });
        return complete;
    }
}
