package io.tessera.grid.internal.operation;

import io.tessera.grid.internal.replica.MapSettings;
import io.tessera.grid.internal.wire.MessageType;
import io.tessera.grid.internal.wire.WireReader;
import io.tessera.grid.internal.wire.WireWriter;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A {@link MessageType#PARTITION_QUERY}: a query or bulk operation of one map on several partitions of one member.
 * The answer ({@link #encodeReply}/{@link #decodeReply}) holds, per partition, a payload, or none when the member
 * does not serve the partition (the caller retries it against its next table).
 *
 * @param kind what to do
 * @param map the map and its settings
 * @param partitions the partitions
 */
public record PartitionQuery(QueryKind kind, MapSettings map, int[] partitions) {

    /** Encodes the query. */
    public WireWriter encode() {
        WireWriter out = WireWriter.forType(MessageType.PARTITION_QUERY, 32 + partitions.length * 2);
        out.writeByte(kind.id());
        map.writeTo(out);
        out.writeVarInt(partitions.length);
        for (int p : partitions) {
            out.writeVarInt(p);
        }
        return out;
    }

    /** Decodes a query whose type byte was read. */
    public static PartitionQuery readFrom(WireReader in) {
        QueryKind kind = QueryKind.of(in.readByte());
        MapSettings map = MapSettings.readFrom(in);
        int count = in.readVarInt();
        int[] partitions = new int[count];
        for (int i = 0; i < count; i++) {
            partitions[i] = in.readVarInt();
        }
        return new PartitionQuery(kind, map, partitions);
    }

    /** Encodes an answer: partition to payload, a null payload meaning "not served here". */
    public static byte[] encodeReply(Map<Integer, byte[]> payloads) {
        WireWriter out = new WireWriter(256);
        out.writeVarInt(payloads.size());
        payloads.forEach((p, payload) -> out.writeVarInt(p).writeBytes(payload));
        return out.toByteArray();
    }

    /** Decodes an answer into partition to payload, where a null payload means "not served here, retry". */
    public static Map<Integer, byte[]> decodeReply(byte[] reply) {
        WireReader in = new WireReader(reply);
        int count = in.readVarInt();
        Map<Integer, byte[]> result = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            result.put(in.readVarInt(), in.readBytes());
        }
        return result;
    }
}
