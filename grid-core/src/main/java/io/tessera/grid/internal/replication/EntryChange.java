package io.tessera.grid.internal.replication;

import io.tessera.grid.EntryEventType;
import io.tessera.grid.internal.wire.WireReader;
import io.tessera.grid.internal.wire.WireWriter;

/**
 * A change of one entry as a primary applied it, in serialized form: what listeners and near caches hear about.
 *
 * @param mapName the map
 * @param type what happened
 * @param key the key bytes
 * @param keyFormat how the key decodes
 * @param oldValue the previous value bytes, or null
 * @param newValue the new value bytes, or null
 */
public record EntryChange(String mapName, EntryEventType type, byte[] key, byte keyFormat, byte[] oldValue,
                          byte[] newValue) {

    /** Writes the change; values only when {@code withValues}. */
    public void writeTo(WireWriter out, boolean withValues) {
        out.writeString(mapName);
        out.writeByte(wireId(type));
        out.writeBytes(key);
        out.writeByte(keyFormat);
        out.writeBytes(withValues ? oldValue : null);
        out.writeBytes(withValues ? newValue : null);
    }

    /** Reads a change written by {@link #writeTo}. */
    public static EntryChange readFrom(WireReader in) {
        return new EntryChange(in.readString(), typeOf(in.readByte()), in.readBytes(), in.readByte(),
                in.readBytes(), in.readBytes());
    }

    /** The stable wire id of an event type (never its ordinal). */
    private static int wireId(EntryEventType type) {
        return switch (type) {
            case ADDED -> 1;
            case UPDATED -> 2;
            case REMOVED -> 3;
            case EXPIRED -> 4;
            case EVICTED -> 5;
        };
    }

    private static EntryEventType typeOf(int id) {
        return switch (id) {
            case 1 -> EntryEventType.ADDED;
            case 2 -> EntryEventType.UPDATED;
            case 3 -> EntryEventType.REMOVED;
            case 4 -> EntryEventType.EXPIRED;
            case 5 -> EntryEventType.EVICTED;
            default -> throw new io.tessera.grid.internal.wire.MalformedMessageException("unknown event type " + id);
        };
    }
}
