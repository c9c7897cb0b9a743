package io.tessera.redis.internal.store;

import io.tessera.grid.internal.serialization.GridSerializer;

/**
 * A Redis set kept live on its replicas: members in insertion order in an {@link OrderedTable}, so adding, removing,
 * testing or picking one member at random costs O(1) instead of a copy of the set. Its stored form
 * ({@link #toBytes()}) is exactly the grid value of {@link StoredValue#encodeSet} for the same members in the same
 * order, so every other command and every snapshot reads it as before.
 *
 * <p>Owned by the partition thread of its key, like the record that holds it.
 */
public final class LiveSet implements RedisLiveValue {
    private final OrderedTable table = new OrderedTable(false);

    /** An empty set. */
    public LiveSet() {
    }

    /** The live form of a stored set (the grid value: format byte, then {@link StoredValue}'s set). */
    public static LiveSet decode(byte[] stored) {
        if (stored.length < 2 || stored[0] != GridSerializer.VALUE_BYTES || stored[1] != StoredValue.SET) {
            throw new IllegalStateException("not a stored set");
        }
        return of(GridValues.withoutFormat(stored));
    }

    /** The set of {@link StoredValue}'s bytes (type byte first, no format byte), as a new live set. */
    public static LiveSet of(byte[] storedValue) {
        LiveSet set = new LiveSet();
        for (Bytes member : StoredValue.decodeSet(storedValue)) {
            set.table.put(member, null);
        }
        return set;
    }

    @Override
    public byte type() {
        return StoredValue.SET;
    }

    @Override
    public long estimatedBytes() {
        return table.estimatedBytes();
    }

    /** The number of members. */
    public int size() {
        return table.size();
    }

    /** Whether {@code member} is in the set. */
    public boolean contains(Bytes member) {
        return table.find(member) >= 0;
    }

    /** Adds {@code member} (last); answers whether it is new. */
    public boolean add(Bytes member) {
        return table.put(member, null);
    }

    /** Removes {@code member}; answers whether it was there. */
    public boolean remove(Bytes member) {
        return table.remove(member);
    }

    /** A read-only view of the members in order, valid until the set changes. */
    public ElementView view() {
        return new ElementView(table);
    }

    @Override
    public byte[] toBytes() {
        return GridValues.withFormat(StoredValue.encodeSet(view()));
    }
}
