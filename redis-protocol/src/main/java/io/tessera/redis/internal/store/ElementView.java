package io.tessera.redis.internal.store;

import java.util.AbstractSet;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.random.RandomGenerator;

/**
 * The members of a {@link LiveSet} or the fields of a {@link LiveHash}, read in place: {@code contains} and
 * {@code size} in O(1), iteration in stored order, and {@link #random} in O(1) expected time. Read-only, and valid
 * only until the aggregate changes (no command reads it across a change).
 */
public final class ElementView extends AbstractSet<Bytes> {
    private final OrderedTable table;

    ElementView(OrderedTable table) {
        this.table = table;
    }

    /** A member chosen uniformly at random; the view must not be empty. */
    public Bytes random(RandomGenerator random) {
        return table.random(random);
    }

    @Override
    public boolean contains(Object o) {
        return o instanceof Bytes key && table.find(key) >= 0;
    }

    @Override
    public int size() {
        return table.size();
    }

    @Override
    public Iterator<Bytes> iterator() {
        return new Iterator<>() {
            private int slot = table.nextSlot(0);

            @Override
            public boolean hasNext() {
                return slot < table.end();
            }

            @Override
            public Bytes next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                Bytes key = table.keyAt(slot);
                slot = table.nextSlot(slot + 1);
                return key;
            }
        };
    }
}
