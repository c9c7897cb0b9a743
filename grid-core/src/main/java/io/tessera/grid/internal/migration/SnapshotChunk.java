package io.tessera.grid.internal.migration;

import io.tessera.grid.internal.store.Record;
import io.tessera.grid.internal.store.Tombstone;
import io.tessera.grid.internal.wire.MessageType;
import io.tessera.grid.internal.wire.WireReader;
import io.tessera.grid.internal.wire.WireWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * One {@link MessageType#SNAPSHOT} chunk of a partition's content as of one point of its primary's history: groups
 * of records and tombstones per map with the map's replication position, and, in the first chunk, the results of
 * recent calls. The last chunk is sent as a request; the receiver answers once it installed the whole snapshot.
 *
 * @param partition the partition
 * @param chunkIndex the chunk's number, from 0
 * @param last whether this is the last chunk
 * @param callResults the encoded call results (first chunk only; empty otherwise)
 * @param groups the content
 */
public record SnapshotChunk(int partition, int chunkIndex, boolean last, byte[] callResults, List<MapGroup> groups) {

    /**
     * Part of one map's content, with the map's settings and position.
     *
     * @param map the map
     * @param backups its backup count
     * @param mergePolicy its merge policy's wire id
     * @param epoch the epoch of its position
     * @param epochBase the sequence that epoch began at
     * @param sequence its sequence
     * @param purgedStamp the newest deletion it forgot
     * @param records records
     * @param tombstones tombstones
     */
    public record MapGroup(String map, int backups, byte mergePolicy, long epoch, long epochBase, long sequence,
                           long purgedStamp, List<Record> records, List<Tombstone> tombstones) {
    }

    /** Encodes the chunk. */
    public byte[] encode() {
        WireWriter out = WireWriter.forType(MessageType.SNAPSHOT, 1024);
        out.writeVarInt(partition);
        out.writeVarInt(chunkIndex);
        out.writeBoolean(last);
        out.writeBytes(callResults);
        out.writeVarInt(groups.size());
        for (MapGroup g : groups) {
            out.writeString(g.map()).writeByte(g.backups()).writeByte(g.mergePolicy()).writeVarLong(g.epoch())
                    .writeVarLong(g.epochBase()).writeVarLong(g.sequence()).writeVarLong(g.purgedStamp());
            Record.writeAll(out, g.records());
            Tombstone.writeAll(out, g.tombstones());
        }
        return out.toByteArray();
    }

    /** Decodes a chunk whose type byte was read. */
    public static SnapshotChunk readFrom(WireReader in) {
        int partition = in.readVarInt();
        int chunkIndex = in.readVarInt();
        boolean last = in.readBoolean();
        byte[] callResults = in.readBytes();
        int count = in.readVarInt();
        List<MapGroup> groups = new ArrayList<>(count);
        for (int g = 0; g < count; g++) {
            String map = in.readString();
            int backups = in.readByte();
            byte mergePolicy = in.readByte();
            long epoch = in.readVarLong();
            long epochBase = in.readVarLong();
            long sequence = in.readVarLong();
            long purged = in.readVarLong();
            List<Record> records = Record.readAll(in);
            List<Tombstone> tombstones = Tombstone.readAll(in);
            groups.add(new MapGroup(map, backups, mergePolicy, epoch, epochBase, sequence, purged, records,
                    tombstones));
        }
        return new SnapshotChunk(partition, chunkIndex, last, callResults, groups);
    }
}
