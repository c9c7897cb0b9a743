package io.tessera.grid.internal.operation;

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
        out.writeByte(type.ordinal());
        out.writeBytes(key);
        out.writeByte(keyFormat);
        out.writeBytes(withValues ? oldValue : null);
        out.writeBytes(withValues ? newValue : null);
    }

    /** Reads a change written by {@link #writeTo}. */
    public static EntryChange readFrom(WireReader in) {
        return new EntryChange(in.readString(), EntryEventType.values()[in.readByte()], in.readBytes(), in.readByte(),
                in.readBytes(), in.readBytes());
    }
}
