package io.tessera.grid.internal.migration;

import io.tessera.grid.internal.wire.MessageType;
import io.tessera.grid.internal.wire.WireReader;
import io.tessera.grid.internal.wire.WireWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link MessageType#FREEZE} request: before a hand-off, the coordinator asks the old primary to stop serving the
 * partitions (it answers retry) under table {@code tableVersion}, and to answer once every mutation it streamed was
 * acknowledged, so the new primary holds them all.
 *
 * @param tableVersion the table the freeze applies to; a replica under another table ignores it
 * @param partitions the partitions to freeze
 */
public record FreezeRequest(long tableVersion, List<Integer> partitions) {

    /** Encodes the request. */
    public WireWriter encode() {
        WireWriter out = WireWriter.forType(MessageType.FREEZE, 16 + partitions.size() * 2);
        out.writeVarLong(tableVersion);
        out.writeVarInt(partitions.size());
        partitions.forEach(out::writeVarInt);
        return out;
    }

    /** Decodes a request whose type byte was read. */
    public static FreezeRequest readFrom(WireReader in) {
        long version = in.readVarLong();
        int count = in.readVarInt();
        List<Integer> partitions = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            partitions.add(in.readVarInt());
        }
        return new FreezeRequest(version, partitions);
    }
}
