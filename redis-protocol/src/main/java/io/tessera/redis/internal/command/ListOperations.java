package io.tessera.redis.internal.command;

import io.tessera.grid.internal.store.LiveOperation;
import io.tessera.redis.internal.store.LiveList;
import java.util.ArrayList;
import java.util.List;

/**
 * The live operations of lists (see {@link LiveList}): what a push or a pop ships to the backups instead of the list.
 * Fields are primitives, byte arrays and int arrays, which the grid's Kryo registers as built-in types: only these
 * classes need ids.
 */
public final class ListOperations {
    private ListOperations() {
    }

    /** What every list operation shares: how a stored list becomes live, and an empty one. */
    private abstract static class ListOperation<R> implements LiveOperation<LiveList, R> {
        @Override
        public final LiveList decode(byte[] stored) {
            return LiveList.decode(stored);
        }

        @Override
        public final LiveList create() {
            return new LiveList();
        }
    }

    /** Pushes elements at the head (LPUSH order: each one in front of the previous) or the tail; answers the size. */
    public static final class Push extends ListOperation<Integer> {
        private boolean left;
        private byte[] packedElements;

        @SuppressWarnings("unused") // Kryo
        private Push() {
        }

        Push(boolean left, byte[][] elements) {
            this.left = left;
            this.packedElements = PackedArgs.pack(elements);
        }

        @Override
        public Integer apply(LiveList list) {
            for (byte[] element : PackedArgs.unpack(packedElements)) {
                if (left) {
                    list.addFirst(element);
                } else {
                    list.addLast(element);
                }
            }
            return list.size();
        }
    }

    /** Pops up to {@code count} elements from the head or the tail; answers them in pop order. */
    public static final class Pop extends ListOperation<List<byte[]>> {
        private boolean left;
        private int count;

        @SuppressWarnings("unused") // Kryo
        private Pop() {
        }

        Pop(boolean left, int count) {
            this.left = left;
            this.count = count;
        }

        @Override
        public List<byte[]> apply(LiveList list) {
            int n = Math.min(count, list.size());
            List<byte[]> popped = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                popped.add(left ? list.removeFirst() : list.removeLast());
            }
            return popped;
        }
    }

    /** LSET: replaces the element at an index the primary checked. */
    public static final class Set extends ListOperation<Void> {
        private int index;
        private byte[] element;

        @SuppressWarnings("unused") // Kryo
        private Set() {
        }

        Set(int index, byte[] element) {
            this.index = index;
            this.element = element;
        }

        @Override
        public Void apply(LiveList list) {
            list.set(index, element);
            return null;
        }
    }

    /** LINSERT: inserts an element at the index the primary found (its pivot's, or the one after); answers the size. */
    public static final class Insert extends ListOperation<Integer> {
        private int index;
        private byte[] element;

        @SuppressWarnings("unused") // Kryo
        private Insert() {
        }

        Insert(int index, byte[] element) {
            this.index = index;
            this.element = element;
        }

        @Override
        public Integer apply(LiveList list) {
            list.insert(index, element);
            return list.size();
        }
    }

    /** LREM: removes the elements at the indexes the primary found (ascending). */
    public static final class RemoveAt extends ListOperation<Void> {
        private int[] indexes;

        @SuppressWarnings("unused") // Kryo
        private RemoveAt() {
        }

        RemoveAt(int[] indexes) {
            this.indexes = indexes;
        }

        @Override
        public Void apply(LiveList list) {
            list.removeAt(indexes);
            return null;
        }
    }

    /** LTRIM: keeps {@code count} elements from {@code start} on. */
    public static final class Trim extends ListOperation<Void> {
        private int start;
        private int count;

        @SuppressWarnings("unused") // Kryo
        private Trim() {
        }

        Trim(int start, int count) {
            this.start = start;
            this.count = count;
        }

        @Override
        public Void apply(LiveList list) {
            list.trim(start, count);
            return null;
        }
    }
}
