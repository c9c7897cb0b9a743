package io.tessera.redis.internal.store;

import io.tessera.grid.internal.serialization.GridSerializer;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A Redis list kept live on its replicas: a ring of elements, so a push or a pop at either end costs O(1) instead of
 * a copy of the list. Its stored form ({@link #toBytes()}) is exactly the grid value of {@link
 * StoredValue#encodeList}, so every other command and every snapshot reads it as before.
 *
 * <p>Owned by the partition thread of its key, like the record that holds it.
 */
public final class LiveList implements RedisLiveValue {
    /** What an element costs beyond its bytes: its array's header and average padding. */
    private static final int ELEMENT_OVERHEAD = 20;
    /** This object and the ring array's header. */
    private static final int LIST_OVERHEAD = 40;

    private byte[][] ring = new byte[8][];
    private int head;
    private int size;
    /** The elements' bytes, kept as they come and go so that {@link #estimatedBytes()} does not walk the list. */
    private long elementBytes;

    /** An empty list. */
    public LiveList() {
    }

    /** The live form of a stored list (the grid value: format byte, then {@link StoredValue}'s list). */
    public static LiveList decode(byte[] stored) {
        if (stored.length < 2 || stored[0] != GridSerializer.VALUE_BYTES || stored[1] != StoredValue.LIST) {
            throw new IllegalStateException("not a stored list");
        }
        LiveList list = new LiveList();
        for (byte[] item : StoredValue.decodeList(Arrays.copyOfRange(stored, 1, stored.length))) {
            list.addLast(item);
        }
        return list;
    }

    @Override
    public byte type() {
        return StoredValue.LIST;
    }

    /** The number of elements. */
    public int size() {
        return size;
    }

    /** The element at {@code index} (0 is the head). */
    public byte[] get(int index) {
        return ring[(head + index) & (ring.length - 1)];
    }

    /** A read-only view of the elements in order, valid until the list changes. */
    public List<byte[]> view() {
        return new AbstractList<>() {
            @Override
            public byte[] get(int index) {
                Objects.checkIndex(index, size);
                return LiveList.this.get(index);
            }

            @Override
            public int size() {
                return size;
            }
        };
    }

    /** The elements in order, as a new list. */
    public List<byte[]> toList() {
        List<byte[]> items = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            items.add(get(i));
        }
        return items;
    }

    /** Adds {@code item} at the head. */
    public void addFirst(byte[] item) {
        grow();
        head = (head - 1) & (ring.length - 1);
        ring[head] = item;
        size++;
        elementBytes += item.length;
    }

    /** Adds {@code item} at the tail. */
    public void addLast(byte[] item) {
        grow();
        ring[(head + size) & (ring.length - 1)] = item;
        size++;
        elementBytes += item.length;
    }

    /** Removes and answers the head element; the list must not be empty. */
    public byte[] removeFirst() {
        byte[] item = ring[head];
        ring[head] = null;
        head = (head + 1) & (ring.length - 1);
        size--;
        elementBytes -= item.length;
        return item;
    }

    /** Removes and answers the tail element; the list must not be empty. */
    public byte[] removeLast() {
        int tail = (head + size - 1) & (ring.length - 1);
        byte[] item = ring[tail];
        ring[tail] = null;
        size--;
        elementBytes -= item.length;
        return item;
    }

    /** The ring's length: how many elements fit before it grows. */
    int capacity() {
        return ring.length;
    }

    /** Replaces the element at {@code index} (LSET): O(1). */
    public void set(int index, byte[] item) {
        int slot = (head + index) & (ring.length - 1);
        elementBytes += item.length - ring[slot].length;
        ring[slot] = item;
    }

    /** Inserts {@code item} so that it becomes the element at {@code index} (LINSERT), moving the shorter side. */
    public void insert(int index, byte[] item) {
        if (index <= size / 2) {
            addFirst(item);
            for (int i = 0; i < index; i++) {
                ring[(head + i) & (ring.length - 1)] = ring[(head + i + 1) & (ring.length - 1)];
            }
        } else {
            addLast(item);
            for (int i = size - 1; i > index; i--) {
                ring[(head + i) & (ring.length - 1)] = ring[(head + i - 1) & (ring.length - 1)];
            }
        }
        ring[(head + index) & (ring.length - 1)] = item;
    }

    /** Removes the elements at {@code indexes} (ascending, distinct; LREM) in one pass: O(size). */
    public void removeAt(int[] indexes) {
        int next = 0;
        int kept = 0;
        for (int i = 0; i < size; i++) {
            int from = (head + i) & (ring.length - 1);
            if (next < indexes.length && indexes[next] == i) {
                elementBytes -= ring[from].length;
                next++;
            } else {
                ring[(head + kept) & (ring.length - 1)] = ring[from];
                kept++;
            }
        }
        for (int i = kept; i < size; i++) {
            ring[(head + i) & (ring.length - 1)] = null;
        }
        size = kept;
    }

    /** Keeps only the {@code count} elements from {@code start} on (LTRIM): O(elements removed). */
    public void trim(int start, int count) {
        for (int i = 0; i < start; i++) {
            removeFirst();
        }
        while (size > count) {
            removeLast();
        }
    }

    private void grow() {
        if (size < ring.length) {
            return;
        }
        byte[][] grown = new byte[ring.length * 2][];
        for (int i = 0; i < size; i++) {
            grown[i] = get(i);
        }
        ring = grown;
        head = 0;
    }

    @Override
    public long estimatedBytes() {
        return LIST_OVERHEAD + 4L * ring.length + elementBytes + (long) ELEMENT_OVERHEAD * size;
    }

    @Override
    public byte[] toBytes() {
        byte[] list = StoredValue.encodeList(toList());
        byte[] stored = new byte[list.length + 1];
        stored[0] = GridSerializer.VALUE_BYTES;
        System.arraycopy(list, 0, stored, 1, list.length);
        return stored;
    }
}
