package io.tessera.grid.testing;

import io.tessera.grid.EntryProcessor;
import io.tessera.grid.MutableEntry;
import io.tessera.grid.SerializationConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Named, registrable entry processors and value types shared by the contract, atomicity and rebalance tests.
 * Register them on every member with {@link #serialization()}; each has a fixed class id so members agree.
 */
public final class ContractProcessors {
    private ContractProcessors() {
    }

    /** A registered application value type (a record, which must be registered like any class). */
    public record Point(int x, int y) {
    }

    /** A class that is deliberately never registered. */
    public static final class Unregistered {
        public final String payload;

        public Unregistered(String payload) {
            this.payload = payload;
        }
    }

    /** Every class above with a stable id; use on every member. */
    public static SerializationConfig serialization() {
        return SerializationConfig.builder()
                .register(Increment.class, 700)
                .register(SetValue.class, 701)
                .register(SetValueWithTtl.class, 702)
                .register(Remove.class, 703)
                .register(Read.class, 704)
                .register(SetThenFail.class, 705)
                .register(Point.class, 706)
                .register(ReturnPoint.class, 707)
                .build();
    }

    /** Adds {@code delta} to an Integer value (absent counts as 0), returns the new value. */
    public static final class Increment implements EntryProcessor<String, Integer, Integer> {
        private final int delta;

        public Increment(int delta) {
            this.delta = delta;
        }

        @Override
        public Integer process(MutableEntry<String, Integer> entry) {
            int next = (entry.getValue() == null ? 0 : entry.getValue()) + delta;
            entry.setValue(next);
            return next;
        }
    }

    /** Sets a value (keeping the entry's TTL) and returns the previous one. */
    public static final class SetValue<K, V> implements EntryProcessor<K, V, V> {
        private final V value;

        public SetValue(V value) {
            this.value = value;
        }

        @Override
        public V process(MutableEntry<K, V> entry) {
            V old = entry.getValue();
            entry.setValue(value);
            return old;
        }
    }

    /** Sets a value with a new TTL and returns whether the entry existed before. */
    public static final class SetValueWithTtl<K, V> implements EntryProcessor<K, V, Boolean> {
        private final V value;
        private final long ttlMillis;

        public SetValueWithTtl(V value, Duration ttl) {
            this.value = value;
            this.ttlMillis = ttl.toMillis();
        }

        @Override
        public Boolean process(MutableEntry<K, V> entry) {
            boolean existed = entry.exists();
            entry.setValue(value, Duration.ofMillis(ttlMillis));
            return existed;
        }
    }

    /** Removes the entry and returns whether it existed. */
    public static final class Remove<K, V> implements EntryProcessor<K, V, Boolean> {
        @Override
        public Boolean process(MutableEntry<K, V> entry) {
            boolean existed = entry.exists();
            entry.remove();
            return existed;
        }
    }

    /** Changes nothing; returns {@code [key, exists, value]} (value omitted when absent). */
    public static final class Read<K, V> implements EntryProcessor<K, V, List<Object>> {
        @Override
        public List<Object> process(MutableEntry<K, V> entry) {
            List<Object> out = new ArrayList<>();
            out.add(entry.getKey());
            out.add(entry.exists());
            if (entry.exists()) {
                out.add(entry.getValue());
            }
            return out;
        }
    }

    /** Sets (or removes) the entry and then throws: none of its changes may survive. */
    public static final class SetThenFail<K, V> implements EntryProcessor<K, V, Object> {
        private final V value;
        private final String message;

        public SetThenFail(V value, String message) {
            this.value = value;
            this.message = message;
        }

        @Override
        public Object process(MutableEntry<K, V> entry) {
            if (value == null) {
                entry.remove();
            } else {
                entry.setValue(value);
            }
            throw new IllegalStateException(message);
        }
    }

    /** Returns a registered application object as its result. */
    public static final class ReturnPoint<K, V> implements EntryProcessor<K, V, Point> {
        @Override
        public Point process(MutableEntry<K, V> entry) {
            return new Point(entry.exists() ? 1 : 0, 42);
        }
    }
}
