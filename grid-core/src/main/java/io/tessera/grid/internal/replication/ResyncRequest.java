package io.tessera.grid.internal.replication;

import io.tessera.grid.internal.wire.MessageType;
import io.tessera.grid.internal.wire.WireReader;
import io.tessera.grid.internal.wire.WireWriter;

/**
 * A {@link MessageType#RESYNC_REQUEST}: a backup that found a gap (or a history it does not share) asks its primary
 * for a fresh snapshot of the partition.
 *
 * @param partition the partition
 */
public record ResyncRequest(int partition) {
    /** Encodes the message. */
    public byte[] encode() {
        return WireWriter.forType(MessageType.RESYNC_REQUEST, 8).writeVarInt(partition).toByteArray();
    }

    /** Decodes a message whose type byte was read. */
    public static ResyncRequest readFrom(WireReader in) {
        return new ResyncRequest(in.readVarInt());
    }
}
