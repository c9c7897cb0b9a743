package io.tessera.grid.internal.merge;

import io.tessera.grid.internal.store.Record;
import io.tessera.grid.internal.store.Tombstone;
import io.tessera.grid.internal.wire.MessageType;
import io.tessera.grid.internal.wire.WireReader;
import io.tessera.grid.internal.wire.WireWriter;
import java.util.List;

/**
 * A {@link MessageType#MERGE_ENTRIES} batch: entries and deletions of one map-partition captured on the side that
 * merges in, for the partition's primary to merge by the map's policy. The answer is one byte: {@link #APPLIED} once
 * the primary merged the batch and its backups hold the result, {@link #RETRY} when it does not serve the partition
 * (the sender finds the primary in its newer table and sends again; merging a batch twice changes nothing more).
 *
 * @param partition the partition
 * @param map the map
 * @param backups the map's backup count
 * @param policy the wire id of the map's merge policy
 * @param customPolicy the serialized policy when {@code policy} is {@link MergePolicies#CUSTOM} and the sender knows
 *     it, else empty
 * @param records captured entries
 * @param tombstones captured deletions
 */
public record MergeEntries(int partition, String map, int backups, byte policy, byte[] customPolicy,
                           List<Record> records, List<Tombstone> tombstones) {
    /** The batch is merged and durable. */
    public static final byte APPLIED = 0;
    /** Not served here now; find the primary and send again. */
    public static final byte RETRY = 1;

    /** Encodes the batch. */
    public byte[] encode() {
        WireWriter out = WireWriter.forType(MessageType.MERGE_ENTRIES, 1024);
        out.writeVarInt(partition).writeString(map).writeByte(backups).writeByte(policy).writeBytes(customPolicy);
        Record.writeAll(out, records);
        Tombstone.writeAll(out, tombstones);
        return out.toByteArray();
    }

    /** Decodes a batch whose type byte was read. */
    public static MergeEntries readFrom(WireReader in) {
        int partition = in.readVarInt();
        String map = in.readString();
        int backups = in.readByte();
        byte policy = in.readByte();
        byte[] custom = in.readBytes();
        List<Record> records = Record.readAll(in);
        List<Tombstone> tombstones = Tombstone.readAll(in);
        return new MergeEntries(partition, map, backups, policy, custom == null ? new byte[0] : custom, records,
                tombstones);
    }
}
