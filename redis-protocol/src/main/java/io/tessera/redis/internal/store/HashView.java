package io.tessera.redis.internal.store;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * The fields and values of a {@link LiveHash}, read in place: {@code get}, {@code containsKey} and {@code size} in
 * O(1), iteration in stored order, and the fields as an {@link ElementView} (which picks one at random). Read-only,
 * and valid only until the hash changes.
 */
public final class HashView extends AbstractMap<Bytes, byte[]> {
    private final OrderedTable table;
    private final ElementView fields;

    HashView(OrderedTable table) {
        this.table = table;
        this.fields = new ElementView(table);
    }

    @Override
    public byte[] get(Object key) {
        if (!(key instanceof Bytes field)) {
            return null;
        }
        int slot = table.find(field);
        return slot < 0 ? null : table.valueAt(slot);
    }

    @Override
    public boolean containsKey(Object key) {
        return key instanceof Bytes field && table.find(field) >= 0;
    }

    @Override
    public int size() {
        return table.size();
    }

    @Override
    public ElementView keySet() {
        return fields;
    }

    @Override
    public Set<Entry<Bytes, byte[]>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public int size() {
                return table.size();
            }

            @Override
            public Iterator<Entry<Bytes, byte[]>> iterator() {
                return new Iterator<>() {
                    private int slot = table.nextSlot(0);

                    @Override
                    public boolean hasNext() {
                        return slot < table.end();
                    }

                    @Override
                    public Entry<Bytes, byte[]> next() {
                        if (!hasNext()) {
                            throw new NoSuchElementException();
                        }
                        Entry<Bytes, byte[]> entry = Map.entry(table.keyAt(slot), table.valueAt(slot));
                        slot = table.nextSlot(slot + 1);
                        return entry;
                    }
                };
            }
        };
    }
}
