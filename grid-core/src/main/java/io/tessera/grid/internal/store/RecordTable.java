package io.tessera.grid.internal.store;

import java.util.AbstractCollection;
import java.util.Arrays;
import java.util.Collection;
import java.util.ConcurrentModificationException;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * The records of one map-partition by key: an open-addressing table (linear probing, backward-shift deletion) of the
 * records themselves. A {@code HashMap<BytesKey, Record>} costs a node object and a key object per entry, 56 bytes,
 * and a lookup walks four dependent objects (node, key, key bytes, record); here a lookup reads the slot's record,
 * compares the hash the record keeps, then its key bytes. Used on the partition's thread only.
 */
final class RecordTable {
    private static final int INITIAL_CAPACITY = 8;

    private Record[] slots = new Record[INITIAL_CAPACITY];
    private int size;
    /** Changes of the key set, so an iterator notices a store changed under it (a bug, as with HashMap). */
    private int modifications;

    int size() {
        return size;
    }

    /** The record under the key with these bytes and {@link Arrays#hashCode(byte[])} hash, or {@code null}. */
    Record get(byte[] key, int hash) {
        Record[] table = slots;
        int mask = table.length - 1;
        for (int i = slot(hash, mask); ; i = (i + 1) & mask) {
            Record r = table[i];
            if (r == null) {
                return null;
            }
            if (r.keyHash() == hash && Arrays.equals(r.keyBytes(), key)) {
                return r;
            }
        }
    }

    /** Stores {@code record} under its key; returns the record it replaced, or {@code null}. */
    Record put(Record record) {
        byte[] key = record.keyBytes();
        int hash = record.keyHash();
        Record[] table = slots;
        int mask = table.length - 1;
        int i = slot(hash, mask);
        for (Record r; (r = table[i]) != null; i = (i + 1) & mask) {
            if (r.keyHash() == hash && Arrays.equals(r.keyBytes(), key)) {
                table[i] = record;
                return r;
            }
        }
        table[i] = record;
        modifications++;
        if (++size > table.length - (table.length >>> 2) - (table.length >>> 3)) { // over 5/8 full
            resize(table.length << 1);
        }
        return null;
    }

    /** Removes the record under the key; returns it, or {@code null} if there was none. */
    Record remove(byte[] key, int hash) {
        Record[] table = slots;
        int mask = table.length - 1;
        int i = slot(hash, mask);
        Record removed;
        while (true) {
            removed = table[i];
            if (removed == null) {
                return null;
            }
            if (removed.keyHash() == hash && Arrays.equals(removed.keyBytes(), key)) {
                break;
            }
            i = (i + 1) & mask;
        }
        // Backward shift: move each later record of the run into the gap unless its home slot lies cyclically in
        // (gap, its slot], so every record stays reachable from its home slot without tombstones.
        int gap = i;
        for (int j = (gap + 1) & mask; table[j] != null; j = (j + 1) & mask) {
            int home = slot(table[j].keyHash(), mask);
            boolean stays = gap <= j ? gap < home && home <= j : gap < home || home <= j;
            if (!stays) {
                table[gap] = table[j];
                gap = j;
            }
        }
        table[gap] = null;
        size--;
        modifications++;
        return removed;
    }

    /**
     * Copies into {@code out}, from {@code offset} on, up to {@code count} records made at or before sequence
     * {@code newestVersion} (with a deadline when {@code onlyExpiring}), looking at the slots from {@code start} (any
     * int; wrapped onto the table) onwards and at no more than {@code maxSlots} of them; returns how many it copied.
     * Consecutive slots hold records of unrelated keys (the home slot is a mixed hash), so a random start gives a
     * random sample at the cost of one short scan.
     */
    int sample(int start, Record[] out, int offset, int count, int maxSlots, long newestVersion,
               boolean onlyExpiring) {
        Record[] table = slots;
        int mask = table.length - 1;
        int found = 0;
        int limit = Math.min(maxSlots, table.length);
        for (int n = 0, i = start & mask; n < limit && found < count; n++, i = (i + 1) & mask) {
            Record r = table[i];
            if (r != null && r.version() <= newestVersion && (!onlyExpiring || r.deadline() != Long.MAX_VALUE)) {
                out[offset + found++] = r;
            }
        }
        return found;
    }

    /** Removes every record and gives the memory back. */
    void clear() {
        slots = new Record[INITIAL_CAPACITY];
        size = 0;
        modifications++;
    }

    /** The records, in no particular order, as a live view; see {@link RecordStore#records()}. */
    Collection<Record> values() {
        return new AbstractCollection<>() {
            @Override
            public Iterator<Record> iterator() {
                return new RecordIterator();
            }

            @Override
            public int size() {
                return size;
            }
        };
    }

    /** A copy of the records. */
    Record[] toArray() {
        Record[] copy = new Record[size];
        int n = 0;
        for (Record r : slots) {
            if (r != null) {
                copy[n++] = r;
            }
        }
        return copy;
    }

    private void resize(int capacity) {
        Record[] old = slots;
        Record[] table = new Record[capacity];
        int mask = capacity - 1;
        for (Record r : old) {
            if (r != null) {
                int i = slot(r.keyHash(), mask);
                while (table[i] != null) {
                    i = (i + 1) & mask;
                }
                table[i] = r;
            }
        }
        slots = table;
    }

    /** The home slot: {@code Arrays.hashCode} of similar keys differs in low bits only, so mix before masking. */
    private static int slot(int hash, int mask) {
        int h = hash * 0x9E3779B9;
        return (h ^ (h >>> 16)) & mask;
    }

    private final class RecordIterator implements Iterator<Record> {
        private final Record[] table = slots;
        private final int expectedModifications = modifications;
        private int index = advance(0);

        private int advance(int from) {
            int i = from;
            while (i < table.length && table[i] == null) {
                i++;
            }
            return i;
        }

        @Override
        public boolean hasNext() {
            return index < table.length;
        }

        @Override
        public Record next() {
            if (modifications != expectedModifications) {
                throw new ConcurrentModificationException("a record store changed while its records were iterated");
            }
            if (index >= table.length) {
                throw new NoSuchElementException();
            }
            Record r = table[index];
            index = advance(index + 1);
            return r;
        }
    }
}
