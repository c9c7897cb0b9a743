package io.tessera.grid.internal.store;

import io.tessera.grid.internal.wire.WireReader;
import io.tessera.grid.internal.wire.WireWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * What a deletion or an expiry leaves behind: the key and the hybrid-logical-clock stamp of the deletion. A merge
 * compares it with the other side's entry like a write, so a key deleted on one side of a split does not come back
 * from the other. Kept for the grid's tombstone retention, then forgotten (see {@link RecordStore#purgedStamp()}).
 *
 * @param key the deleted key
 * @param keyFormat how the key bytes decode
 * @param stamp the hybrid-logical-clock stamp of the deletion
 */
public record Tombstone(BytesKey key, byte keyFormat, long stamp) {

    /** Writes the tombstone. */
    public void writeTo(WireWriter out) {
        out.writeBytes(key.bytes());
        out.writeByte(keyFormat);
        out.writeVarLong(stamp);
    }

    /** Writes a count and then each tombstone. */
    public static void writeAll(WireWriter out, List<Tombstone> tombstones) {
        out.writeVarInt(tombstones.size());
        tombstones.forEach(t -> t.writeTo(out));
    }

    /** Reads tombstones written by {@link #writeAll}. */
    public static List<Tombstone> readAll(WireReader in) {
        int n = in.readVarInt();
        List<Tombstone> tombstones = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            tombstones.add(readFrom(in));
        }
        return tombstones;
    }

    /** Reads a tombstone written by {@link #writeTo}. */
    public static Tombstone readFrom(WireReader in) {
        return new Tombstone(new BytesKey(in.readBytes()), in.readByte(), in.readVarLong());
    }
}
