package io.tessera.grid.internal.replica;

import io.tessera.grid.internal.store.BytesKey;
import io.tessera.grid.internal.store.LiveOperation;
import io.tessera.grid.internal.store.LiveOperationDecoder;
import io.tessera.grid.internal.store.LiveValue;
import io.tessera.grid.internal.store.Record;
import io.tessera.grid.internal.store.RecordStore;
import io.tessera.grid.internal.store.Tombstone;
import io.tessera.grid.internal.wire.MalformedMessageException;
import io.tessera.grid.internal.wire.WireReader;
import io.tessera.grid.internal.wire.WireWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * One change of a map-partition as the primary streams it to its backups: the resulting record, a deletion (with the
 * stamp its tombstone keeps), an access-time update or a clear, at replication position (epoch, sequence).
 *
 * <p>A write that replaced a value of at least {@link ValuePatch#MIN_VALUE_BYTES} goes on the wire as a
 * {@link Kind#PATCH}: the record's metadata and a {@link ValuePatch} from the replaced value, when that is clearly
 * smaller than the value. The backup rebuilds the record from its own copy of the replaced value.
 *
 * @param mapName the map
 * @param backups the map's backup count (so a replica knows which maps it must hold)
 * @param mergePolicy the wire id of the map's merge policy
 * @param epoch the epoch of the primary term that made the change
 * @param epochBase the map-partition's sequence when that epoch began
 * @param sequence the map-partition sequence of this change
 * @param kind what changed
 * @param record the new record for {@link Kind#PUT}
 * @param key the key for {@link Kind#REMOVE}, {@link Kind#EVICT} and {@link Kind#TOUCH}
 * @param keyFormat how {@code key} decodes, for {@link Kind#REMOVE} and {@link Kind#EVICT}
 * @param stamp the deletion's stamp for {@link Kind#REMOVE} and {@link Kind#CLEAR}, the access time for
 *     {@link Kind#TOUCH}
 * @param replacedValue on the primary, the value a {@link Kind#PUT} replaced (never on the wire); null otherwise
 * @param operations the encoded {@link LiveOperation}s of a {@link Kind#LIVE} mutation, in order; null otherwise
 */
public record Mutation(String mapName, int backups, byte mergePolicy, long epoch, long epochBase, long sequence,
                       Kind kind, Record record, byte[] key, byte keyFormat, long stamp, byte[] replacedValue,
                       List<byte[]> operations) {

    /**
     * What a mutation does, with stable wire ids. {@link #PATCH} exists only on the receiving side of the wire: its
     * record holds the patch where the value goes, until {@link #applyTo} rebuilds the value. {@link #EVICT} removes
     * without a tombstone.
     */
    public enum Kind {
        PUT(1), REMOVE(2), TOUCH(3), CLEAR(4), PATCH(5), LIVE(6), EVICT(7);

        private final int id;

        Kind(int id) {
            this.id = id;
        }

        static Kind of(int id) {
            for (Kind k : values()) {
                if (k.id == id) {
                    return k;
                }
            }
            throw new MalformedMessageException("unknown mutation kind " + id);
        }
    }

    /** A mutation with no replaced value to patch from and no live operations. */
    public Mutation(String mapName, int backups, byte mergePolicy, long epoch, long epochBase, long sequence,
                    Kind kind, Record record, byte[] key, byte keyFormat, long stamp) {
        this(mapName, backups, mergePolicy, epoch, epochBase, sequence, kind, record, key, keyFormat, stamp, null,
                null);
    }

    /**
     * Live operations applied to {@code record}'s key, numbered {@code sequence}: {@code record} holds the resulting
     * live value on the primary, and its stamps, expiry and access time for the backups, which apply the operations
     * to their own copy.
     */
    public static Mutation live(RecordStore store, long sequence, Record record, List<byte[]> operations) {
        return new Mutation(store.mapName(), store.backups(), store.mergePolicy(), store.epoch(), store.epochBase(),
                sequence, Kind.LIVE, record, null, (byte) 0, 0, null, operations);
    }

    /**
     * A write of {@code record}, numbered {@code sequence} of {@code store}, replacing {@code replacedValue} (null
     * for a new key).
     */
    public static Mutation put(RecordStore store, long sequence, Record record, byte[] replacedValue) {
        return new Mutation(store.mapName(), store.backups(), store.mergePolicy(), store.epoch(), store.epochBase(),
                sequence, Kind.PUT, record, null, (byte) 0, 0, replacedValue, null);
    }

    /** A deletion of {@code key} stamped {@code stamp}. */
    public static Mutation remove(RecordStore store, long sequence, BytesKey key, byte keyFormat, long stamp) {
        return new Mutation(store.mapName(), store.backups(), store.mergePolicy(), store.epoch(), store.epochBase(),
                sequence, Kind.REMOVE, null, key.bytes(), keyFormat, stamp);
    }

    /** An eviction of {@code key}: removed without a tombstone. */
    public static Mutation evict(RecordStore store, long sequence, BytesKey key, byte keyFormat) {
        return new Mutation(store.mapName(), store.backups(), store.mergePolicy(), store.epoch(), store.epochBase(),
                sequence, Kind.EVICT, null, key.bytes(), keyFormat, 0);
    }

    /** An access-time update of {@code key}. */
    public static Mutation touch(RecordStore store, long sequence, BytesKey key, long lastAccess) {
        return new Mutation(store.mapName(), store.backups(), store.mergePolicy(), store.epoch(), store.epochBase(),
                sequence, Kind.TOUCH, null, key.bytes(), (byte) 0, lastAccess);
    }

    /** A removal of every entry of the map-partition, stamped {@code stamp}. */
    public static Mutation clear(RecordStore store, long sequence, long stamp) {
        return new Mutation(store.mapName(), store.backups(), store.mergePolicy(), store.epoch(), store.epochBase(),
                sequence, Kind.CLEAR, null, null, (byte) 0, stamp);
    }

    /**
     * Applies this mutation to a replica's store (the caller checked the position) and advances its position,
     * decoding live operations with {@code decoder}; returns false, changing nothing, for a patch that does not fit
     * the replica's copy of the value it replaces or live operations it cannot apply (the replica diverged and must
     * resync).
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public boolean applyTo(RecordStore store, LiveOperationDecoder decoder) {
        switch (kind) {
            case LIVE -> {
                Record current = store.get(record.key());
                LiveValue value = current == null ? null : current.live();
                try {
                    for (byte[] encoded : operations) {
                        LiveOperation operation = decoder.decode(encoded);
                        if (value == null) {
                            value = current == null ? operation.create() : operation.decode(current.value());
                        }
                        operation.apply(value);
                    }
                } catch (RuntimeException e) {
                    return false; // an operation this replica cannot decode or apply to its copy: resync
                }
                store.put(record.withLive(value, record.version(), record.timestamp(), record.expireAt(),
                        record.lastAccess()));
            }
            case PUT -> store.put(record);
            case PATCH -> {
                Record replaced = store.get(record.key());
                byte[] value = replaced == null ? null : ValuePatch.apply(replaced.value(), record.value());
                if (value == null) {
                    return false;
                }
                store.put(record.withValueBytes(value));
            }
            case REMOVE -> store.remove(new BytesKey(key), keyFormat, stamp);
            case EVICT -> store.evict(new BytesKey(key));
            case TOUCH -> {
                Record existing = store.get(new BytesKey(key));
                if (existing != null) {
                    existing.touch(stamp);
                    store.schedule(existing);
                }
            }
            case CLEAR -> store.clear(stamp);
            default -> throw new IllegalStateException();
        }
        store.mergePolicy(mergePolicy);
        if (store.epoch() != epoch) {
            store.epoch(epoch, epochBase);
        }
        store.sequence(sequence);
        return true;
    }

    /** The tombstone a {@link Kind#REMOVE} leaves. */
    public Tombstone tombstone() {
        return new Tombstone(new BytesKey(key), keyFormat, stamp);
    }

    /** Writes the mutation. */
    public void writeTo(WireWriter out) {
        out.writeString(mapName);
        out.writeByte(backups);
        out.writeByte(mergePolicy);
        out.writeVarLong(epoch);
        out.writeVarLong(epochBase);
        out.writeVarLong(sequence);
        byte[] patch = kind == Kind.PUT && replacedValue != null && record.value() != null
                ? ValuePatch.diff(replacedValue, record.value()) : null;
        out.writeByte(patch != null ? Kind.PATCH.id : kind.id);
        switch (kind) {
            case PUT -> record.writeTo(out, patch != null ? patch : record.value());
            case PATCH -> record.writeTo(out);
            case LIVE -> {
                record.writeTo(out, null); // the backups apply the operations to their own value
                out.writeVarInt(operations.size());
                operations.forEach(out::writeBytes);
            }
            case REMOVE -> out.writeBytes(key).writeByte(keyFormat).writeVarLong(stamp);
            case EVICT -> out.writeBytes(key).writeByte(keyFormat);
            case TOUCH -> out.writeBytes(key).writeVarLong(stamp);
            case CLEAR -> out.writeVarLong(stamp);
            default -> throw new IllegalStateException();
        }
    }

    /** Reads a mutation written by {@link #writeTo}. */
    public static Mutation readFrom(WireReader in) {
        String mapName = in.readString();
        int backups = in.readByte();
        byte mergePolicy = in.readByte();
        long epoch = in.readVarLong();
        long epochBase = in.readVarLong();
        long sequence = in.readVarLong();
        Kind kind = Kind.of(in.readByte());
        return switch (kind) {
            case PUT, PATCH -> new Mutation(mapName, backups, mergePolicy, epoch, epochBase, sequence, kind,
                    Record.readFrom(in), null, (byte) 0, 0);
            case LIVE -> {
                Record record = Record.readFrom(in);
                int count = in.readVarInt();
                List<byte[]> operations = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    operations.add(in.readBytes());
                }
                yield new Mutation(mapName, backups, mergePolicy, epoch, epochBase, sequence, kind, record, null,
                        (byte) 0, 0, null, operations);
            }
            case REMOVE -> new Mutation(mapName, backups, mergePolicy, epoch, epochBase, sequence, kind, null,
                    in.readBytes(), in.readByte(), in.readVarLong());
            case EVICT -> new Mutation(mapName, backups, mergePolicy, epoch, epochBase, sequence, kind, null,
                    in.readBytes(), in.readByte(), 0);
            case TOUCH -> new Mutation(mapName, backups, mergePolicy, epoch, epochBase, sequence, kind, null,
                    in.readBytes(), (byte) 0, in.readVarLong());
            case CLEAR -> new Mutation(mapName, backups, mergePolicy, epoch, epochBase, sequence, kind, null, null,
                    (byte) 0, in.readVarLong());
        };
    }
}
