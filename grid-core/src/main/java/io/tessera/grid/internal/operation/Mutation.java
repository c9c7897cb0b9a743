package io.tessera.grid.internal.operation;

import io.tessera.grid.internal.store.BytesKey;
import io.tessera.grid.internal.store.Record;
import io.tessera.grid.internal.store.RecordStore;
import io.tessera.grid.internal.wire.WireReader;
import io.tessera.grid.internal.wire.WireWriter;

/**
 * One change of a map-partition as the primary streams it to its backups: the resulting record, a removal, an
 * access-time update or a clear, numbered by the map-partition's sequence.
 *
 * @param mapName the map
 * @param backups the map's backup count (so a replica knows which maps it must hold)
 * @param sequence the map-partition sequence of this change
 * @param kind what changed
 * @param record the new record for {@link Kind#PUT}
 * @param key the key for {@link Kind#REMOVE} and {@link Kind#TOUCH}
 * @param lastAccess the access time for {@link Kind#TOUCH}
 */
public record Mutation(String mapName, int backups, long sequence, Kind kind, Record record, byte[] key,
                       long lastAccess) {

    /** What a mutation does. */
    public enum Kind { PUT, REMOVE, TOUCH, CLEAR }

    /** A write of {@code record}. */
    public static Mutation put(RecordStore store, long sequence, Record record) {
        return new Mutation(store.mapName(), store.backups(), sequence, Kind.PUT, record, null, 0);
    }

    /** A removal of {@code key}. */
    public static Mutation remove(RecordStore store, long sequence, BytesKey key) {
        return new Mutation(store.mapName(), store.backups(), sequence, Kind.REMOVE, null, key.bytes(), 0);
    }

    /** An access-time update of {@code key}. */
    public static Mutation touch(RecordStore store, long sequence, BytesKey key, long lastAccess) {
        return new Mutation(store.mapName(), store.backups(), sequence, Kind.TOUCH, null, key.bytes(), lastAccess);
    }

    /** A removal of every entry of the map-partition. */
    public static Mutation clear(RecordStore store, long sequence) {
        return new Mutation(store.mapName(), store.backups(), sequence, Kind.CLEAR, null, null, 0);
    }

    /** Applies this mutation to a replica's store (the caller checked the sequence). */
    public void applyTo(RecordStore store) {
        switch (kind) {
            case PUT -> store.put(record);
            case REMOVE -> store.remove(new BytesKey(key));
            case TOUCH -> {
                Record existing = store.get(new BytesKey(key));
                if (existing != null) {
                    existing.touch(lastAccess);
                }
            }
            case CLEAR -> store.clear();
            default -> throw new IllegalStateException();
        }
        store.sequence(sequence);
    }

    /** Writes the mutation. */
    public void writeTo(WireWriter out) {
        out.writeString(mapName);
        out.writeByte(backups);
        out.writeVarLong(sequence);
        out.writeByte(kind.ordinal());
        switch (kind) {
            case PUT -> record.writeTo(out);
            case REMOVE -> out.writeBytes(key);
            case TOUCH -> out.writeBytes(key).writeVarLong(lastAccess);
            case CLEAR -> { }
            default -> throw new IllegalStateException();
        }
    }

    /** Reads a mutation written by {@link #writeTo}. */
    public static Mutation readFrom(WireReader in) {
        String mapName = in.readString();
        int backups = in.readByte();
        long sequence = in.readVarLong();
        Kind kind = Kind.values()[in.readByte()];
        return switch (kind) {
            case PUT -> new Mutation(mapName, backups, sequence, kind, Record.readFrom(in), null, 0);
            case REMOVE -> new Mutation(mapName, backups, sequence, kind, null, in.readBytes(), 0);
            case TOUCH -> new Mutation(mapName, backups, sequence, kind, null, in.readBytes(), in.readVarLong());
            case CLEAR -> new Mutation(mapName, backups, sequence, kind, null, null, 0);
        };
    }
}
