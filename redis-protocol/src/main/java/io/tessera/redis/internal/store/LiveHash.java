package io.tessera.redis.internal.store;

import io.tessera.grid.internal.serialization.GridSerializer;
import java.util.Map;

/**
 * A Redis hash kept live on its replicas: fields and values in insertion order in an {@link OrderedTable}, so
 * setting, deleting or reading one field costs O(1) instead of a copy of the hash. Its stored form
 * ({@link #toBytes()}) is exactly the grid value of {@link StoredValue#encodeHash} for the same fields in the same
 * order, so every other command and every snapshot reads it as before.
 *
 * <p>Owned by the partition thread of its key, like the record that holds it.
 */
public final class LiveHash implements RedisLiveValue {
    private final OrderedTable table = new OrderedTable(true);

    /** An empty hash. */
    public LiveHash() {
    }

    /** The live form of a stored hash (the grid value: format byte, then {@link StoredValue}'s hash). */
    public static LiveHash decode(byte[] stored) {
        if (stored.length < 2 || stored[0] != GridSerializer.VALUE_BYTES || stored[1] != StoredValue.HASH) {
            throw new IllegalStateException("not a stored hash");
        }
        return of(GridValues.withoutFormat(stored));
    }

    /** The hash of {@link StoredValue}'s bytes (type byte first, no format byte), as a new live hash. */
    public static LiveHash of(byte[] storedValue) {
        LiveHash hash = new LiveHash();
        for (Map.Entry<Bytes, byte[]> field : StoredValue.decodeHash(storedValue).entrySet()) {
            hash.table.put(field.getKey(), field.getValue());
        }
        return hash;
    }

    @Override
    public byte type() {
        return StoredValue.HASH;
    }

    @Override
    public long estimatedBytes() {
        return table.estimatedBytes();
    }

    /** The number of fields. */
    public int size() {
        return table.size();
    }

    /** The value of {@code field}, or {@code null}. */
    public byte[] get(Bytes field) {
        int slot = table.find(field);
        return slot < 0 ? null : table.valueAt(slot);
    }

    /** Sets {@code field} (a new field goes last, an existing one keeps its place); answers whether it is new. */
    public boolean put(Bytes field, byte[] value) {
        return table.put(field, value);
    }

    /** Deletes {@code field}; answers whether it was there. */
    public boolean remove(Bytes field) {
        return table.remove(field);
    }

    /** A read-only view of the fields and values in order, valid until the hash changes. */
    public HashView view() {
        return new HashView(table);
    }

    @Override
    public byte[] toBytes() {
        return GridValues.withFormat(StoredValue.encodeHash(view()));
    }
}
