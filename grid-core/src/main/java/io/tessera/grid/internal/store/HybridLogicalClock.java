package io.tessera.grid.internal.store;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A hybrid logical clock (Kulkarni et al.): timestamps that follow wall-clock milliseconds, never go backwards on
 * one member, and order a write after every write it has observed, even across members whose clocks disagree.
 *
 * <p>A timestamp packs the physical milliseconds in its upper 48 bits and a logical counter in its lower 16. The
 * clock is thread-safe (one CAS per tick); the split-brain merge policy {@code LATEST_UPDATE} compares these stamps.
 */
public final class HybridLogicalClock {
    private static final int LOGICAL_BITS = 16;
    private static final long LOGICAL_MASK = (1L << LOGICAL_BITS) - 1;

    private final LongSupplier wallClock;
    private final AtomicLong last = new AtomicLong();

    /** Creates a clock reading {@code wallClock} for physical milliseconds. */
    public HybridLogicalClock(LongSupplier wallClock) {
        this.wallClock = wallClock;
    }

    /** A new timestamp, greater than every timestamp this clock issued or observed before. */
    public long tick() {
        long physical = wallClock.getAsLong() << LOGICAL_BITS;
        return last.updateAndGet(previous -> Math.max(previous + 1, physical));
    }

    /** Moves the clock past a timestamp received from another member. */
    public void observe(long remote) {
        last.accumulateAndGet(remote, Math::max);
    }

    /** The smallest timestamp of wall-clock millisecond {@code millis}. */
    public static long stampAt(long millis) {
        return millis << LOGICAL_BITS;
    }

    /** The physical milliseconds of a timestamp. */
    public static long physicalMillis(long timestamp) {
        return timestamp >>> LOGICAL_BITS;
    }

    /** The logical counter of a timestamp. */
    public static int logical(long timestamp) {
        return (int) (timestamp & LOGICAL_MASK);
    }
}
