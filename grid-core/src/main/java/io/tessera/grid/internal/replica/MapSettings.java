package io.tessera.grid.internal.replica;

import io.tessera.grid.internal.store.Capacity;
import io.tessera.grid.internal.wire.WireReader;
import io.tessera.grid.internal.wire.WireWriter;

/**
 * What a member needs to know of a map to act on it as a primary; it travels with every operation, so members keep
 * no map registry.
 *
 * @param name the map
 * @param backups its backup count
 * @param asyncBackups whether writes are answered before the backups acknowledged them
 * @param maxIdleMillis its max-idle span, 0 for none
 * @param minClusterSize the fewest members the primary must see to run an operation, 0 for no minimum
 * @param mergePolicy the wire id of its merge policy
 * @param capacity its bound and eviction, which a member that did not open the map itself applies
 */
public record MapSettings(String name, int backups, boolean asyncBackups, long maxIdleMillis, int minClusterSize,
                          byte mergePolicy, Capacity capacity) {

    /** Settings of an unbounded map. */
    public MapSettings(String name, int backups, boolean asyncBackups, long maxIdleMillis, int minClusterSize,
                       byte mergePolicy) {
        this(name, backups, asyncBackups, maxIdleMillis, minClusterSize, mergePolicy, Capacity.UNBOUNDED);
    }

    /** These settings with another capacity. */
    public MapSettings withCapacity(Capacity newCapacity) {
        return new MapSettings(name, backups, asyncBackups, maxIdleMillis, minClusterSize, mergePolicy, newCapacity);
    }

    /** Whether a member that sees {@code viewSize} members may run operations on this map (its quorum). */
    public boolean quorumMet(int viewSize) {
        return minClusterSize == 0 || viewSize >= minClusterSize;
    }

    /** Writes the settings. */
    public void writeTo(WireWriter out) {
        out.writeString(name).writeByte(backups).writeBoolean(asyncBackups).writeVarLong(maxIdleMillis)
                .writeVarInt(minClusterSize).writeByte(mergePolicy);
        capacity.writeTo(out);
    }

    /** Reads settings written by {@link #writeTo}. */
    public static MapSettings readFrom(WireReader in) {
        return new MapSettings(in.readString(), in.readByte(), in.readBoolean(), in.readVarLong(), in.readVarInt(),
                in.readByte(), Capacity.readFrom(in));
    }
}
