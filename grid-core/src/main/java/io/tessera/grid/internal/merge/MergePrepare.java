package io.tessera.grid.internal.merge;

import io.tessera.grid.internal.wire.MessageType;
import io.tessera.grid.internal.wire.WireReader;
import io.tessera.grid.internal.wire.WireWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link MessageType#MERGE_PREPARE} request: the coordinator tells a member that its complete replicas of
 * {@code partitions} are not part of the table it is about to publish (they come from the other side of a split, or
 * were left behind) and must be merged into that table's primaries: the member freezes them (they answer retry from
 * now on, so nothing acknowledged is left out), captures their entries and deletions, and pushes the capture once it
 * installed a table of at least {@code tableVersion}. The answer is the number of partitions captured.
 *
 * @param tableVersion the version of the table the capture merges into
 * @param partitions the partitions to capture
 */
public record MergePrepare(long tableVersion, List<Integer> partitions) {

    /** Encodes the request. */
    public WireWriter encode() {
        WireWriter out = WireWriter.forType(MessageType.MERGE_PREPARE, 16 + partitions.size() * 2);
        out.writeVarLong(tableVersion);
        out.writeVarInt(partitions.size());
        partitions.forEach(out::writeVarInt);
        return out;
    }

    /** Decodes a request whose type byte was read. */
    public static MergePrepare readFrom(WireReader in) {
        long version = in.readVarLong();
        int count = in.readVarInt();
        List<Integer> partitions = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            partitions.add(in.readVarInt());
        }
        return new MergePrepare(version, partitions);
    }
}
