package io.tessera.grid.internal.migration;

import io.tessera.grid.internal.partition.PartitionTable;
import io.tessera.grid.internal.wire.MessageType;
import io.tessera.grid.internal.wire.WireReader;
import io.tessera.grid.internal.wire.WireWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jgroups.Address;

/**
 * A {@link MessageType#SYNC_REPLICA} request: the coordinator asks a primary to copy partitions to their syncing
 * replicas. The answer ({@link #encodeReply}) lists the partitions whose copy failed.
 *
 * @param copies partition to the replicas to fill
 */
public record SyncReplicaRequest(Map<Integer, List<Address>> copies) {

    /** Encodes the request. */
    public WireWriter encode() {
        WireWriter out = WireWriter.forType(MessageType.SYNC_REPLICA, 64);
        out.writeVarInt(copies.size());
        copies.forEach((p, targets) -> {
            out.writeVarInt(p);
            out.writeVarInt(targets.size());
            targets.forEach(a -> PartitionTable.writeAddress(out, a));
        });
        return out;
    }

    /** Decodes a request whose type byte was read. */
    public static SyncReplicaRequest readFrom(WireReader in) {
        int count = in.readVarInt();
        Map<Integer, List<Address>> copies = new java.util.LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            int p = in.readVarInt();
            int n = in.readVarInt();
            List<Address> targets = new ArrayList<>(n);
            for (int d = 0; d < n; d++) {
                targets.add(PartitionTable.readAddress(in));
            }
            copies.put(p, targets);
        }
        return new SyncReplicaRequest(copies);
    }

    /** Encodes the answer: the partitions whose copy failed. */
    public static byte[] encodeReply(List<Integer> failed) {
        return encodeReply(failed, 0);
    }

    /**
     * Encodes an answer: the partitions whose copy failed (varint count, varint each), then the bytes the copies sent
     * (varlong; an answer without it reads as 0), which the coordinator reports per rebalancing round.
     */
    public static byte[] encodeReply(List<Integer> failed, long bytesSent) {
        WireWriter out = new WireWriter(16);
        out.writeVarInt(failed.size());
        failed.forEach(out::writeVarInt);
        out.writeVarLong(bytesSent);
        return out.toByteArray();
    }

    /** Decodes the bytes the copies of an answer sent. */
    public static long readReplyBytes(byte[] reply) {
        WireReader in = new WireReader(reply);
        int n = in.readVarInt();
        for (int i = 0; i < n; i++) {
            in.readVarInt();
        }
        return in.hasRemaining() ? in.readVarLong() : 0;
    }

    /** Decodes an answer into the partitions whose copy failed. */
    public static List<Integer> readReply(byte[] reply) {
        WireReader in = new WireReader(reply);
        int n = in.readVarInt();
        List<Integer> failed = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            failed.add(in.readVarInt());
        }
        return failed;
    }
}
