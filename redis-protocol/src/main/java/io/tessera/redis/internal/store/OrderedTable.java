package io.tessera.redis.internal.store;

import java.util.random.RandomGenerator;

/**
 * The table behind {@link LiveHash} and {@link LiveSet}: distinct {@link Bytes} keys (with a value each for a hash)
 * in insertion order, found, added and removed in O(1), and picked at random in O(1) expected time, which a linked
 * hash map cannot do (SPOP and HRANDFIELD would cost a copy of the aggregate).
 *
 * <p>Keys sit in an array in insertion order; a removal leaves a hole, so the order of the others never changes
 * (as in Redis's listpack, and as {@link StoredValue} stores them). Holes at the end are trimmed at once, and when
 * they become more than half of the used slots the array is compacted, which keeps every operation amortized O(1)
 * and a random slot live with probability at least one half. An open-addressing index (linear probing, at most half
 * full, backward-shift deletion) maps a key to its slot.
 *
 * <p>Owned by the partition thread of its key, like the live value that holds it.
 */
final class OrderedTable {
    private static final int MIN_CAPACITY = 8;

    private final boolean withValues;
    private Bytes[] keys;
    private byte[][] values;
    private int[] index; // slot + 1 of a key, 0 = free
    private int shift; // 32 - log2(index.length), for Fibonacci hashing
    private int end; // slots used, holes included
    private int size;
    /** The keys' and values' bytes, kept as they come and go so that {@link #estimatedBytes()} walks nothing. */
    private long dataBytes;

    OrderedTable(boolean withValues) {
        this.withValues = withValues;
        allocate(MIN_CAPACITY);
    }

    int size() {
        return size;
    }

    /**
     * The heap the table takes, estimated: its arrays, and per entry the bytes plus the headers of the key's
     * {@link Bytes} and byte arrays (and the value's array).
     */
    long estimatedBytes() {
        long perEntry = withValues ? 64 : 48;
        return 64 + 4L * index.length + 8L * keys.length + (withValues ? 8L * values.length : 0) + dataBytes
                + perEntry * size;
    }

    /** One past the last used slot: keys are at {@code 0..end-1}, where {@link #keyAt} is null for a hole. */
    int end() {
        return end;
    }

    /** The first slot at or after {@code from} that holds a key, or {@link #end()}. */
    int nextSlot(int from) {
        int s = from;
        while (s < end && keys[s] == null) {
            s++;
        }
        return s;
    }

    Bytes keyAt(int slot) {
        return keys[slot];
    }

    byte[] valueAt(int slot) {
        return values[slot];
    }

    /** The slot of {@code key}, or -1. */
    int find(Bytes key) {
        int mask = index.length - 1;
        int hash = key.hashCode();
        for (int i = home(hash); ; i = (i + 1) & mask) {
            int s = index[i];
            if (s == 0) {
                return -1;
            }
            Bytes k = keys[s - 1];
            if (k.hashCode() == hash && k.equals(key)) {
                return s - 1;
            }
        }
    }

    /** Adds {@code key} at the end, or replaces its value if present; answers whether it was added. */
    boolean put(Bytes key, byte[] value) {
        int slot = find(key);
        if (slot >= 0) {
            if (withValues) {
                dataBytes += value.length - values[slot].length;
                values[slot] = value;
            }
            return false;
        }
        if (end == keys.length) {
            allocate(capacityFor(size + 1));
        }
        keys[end] = key;
        if (withValues) {
            values[end] = value;
        }
        insertIndex(key.hashCode(), end);
        end++;
        size++;
        dataBytes += key.bytes().length + (withValues ? value.length : 0);
        return true;
    }

    /** Removes {@code key}; answers whether it was there. */
    boolean remove(Bytes key) {
        int mask = index.length - 1;
        int hash = key.hashCode();
        int i = home(hash);
        int slot;
        while (true) {
            int s = index[i];
            if (s == 0) {
                return false;
            }
            Bytes k = keys[s - 1];
            if (k.hashCode() == hash && k.equals(key)) {
                slot = s - 1;
                break;
            }
            i = (i + 1) & mask;
        }
        // backward-shift deletion: an entry after the gap moves into it unless its home lies inside (gap, entry]
        for (int j = (i + 1) & mask; index[j] != 0; j = (j + 1) & mask) {
            int h = home(keys[index[j] - 1].hashCode());
            if (((j - h) & mask) >= ((j - i) & mask)) {
                index[i] = index[j];
                i = j;
            }
        }
        index[i] = 0;
        dataBytes -= keys[slot].bytes().length + (withValues ? values[slot].length : 0);
        keys[slot] = null;
        if (withValues) {
            values[slot] = null;
        }
        size--;
        while (end > 0 && keys[end - 1] == null) {
            end--;
        }
        if (size * 2 < end) {
            allocate(capacityFor(size));
        }
        return true;
    }

    /** A key chosen uniformly at random; the table must not be empty. */
    Bytes random(RandomGenerator random) {
        if (size == 0) {
            throw new IllegalStateException("no key to pick from an empty table");
        }
        while (true) {
            Bytes key = keys[random.nextInt(end)];
            if (key != null) {
                return key;
            }
        }
    }

    /** The smallest power of two, at least {@link #MIN_CAPACITY}, that leaves half of it free for {@code n} keys. */
    private static int capacityFor(int n) {
        int capacity = MIN_CAPACITY;
        while (capacity < 2 * n) {
            capacity <<= 1;
        }
        return capacity;
    }

    /** Moves the keys, in order and without holes, into arrays of {@code capacity} slots and indexes them anew. */
    private void allocate(int capacity) {
        Bytes[] oldKeys = keys;
        byte[][] oldValues = values;
        int oldEnd = end;
        keys = new Bytes[capacity];
        values = withValues ? new byte[capacity][] : null;
        index = new int[capacity * 2];
        shift = Integer.numberOfLeadingZeros(index.length - 1);
        end = 0;
        for (int s = 0; s < oldEnd; s++) {
            Bytes key = oldKeys[s];
            if (key != null) {
                keys[end] = key;
                if (withValues) {
                    values[end] = oldValues[s];
                }
                insertIndex(key.hashCode(), end);
                end++;
            }
        }
    }

    private void insertIndex(int hash, int slot) {
        int mask = index.length - 1;
        int i = home(hash);
        while (index[i] != 0) {
            i = (i + 1) & mask;
        }
        index[i] = slot + 1;
    }

    private int home(int hash) {
        return (hash * 0x9E3779B9) >>> shift;
    }
}
