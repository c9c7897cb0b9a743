package io.tessera.grid.testing;

import io.tessera.grid.GridClock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link GridClock} that tests move by hand: it starts at the JVM's time and then runs on with it, plus whatever
 * the test added with {@link #advanceWall} (expiry, time stamps) or {@link #advanceMonotonic} (leases, deadlines,
 * how long call results are kept). Moving the monotonic time by more than a lease makes the member see a pause.
 */
public final class ManualClock implements GridClock {
    private final AtomicLong wallOffsetMillis = new AtomicLong();
    private final AtomicLong nanoOffset = new AtomicLong();

    @Override
    public long wallMillis() {
        return System.currentTimeMillis() + wallOffsetMillis.get();
    }

    @Override
    public long nanoTime() {
        return System.nanoTime() + nanoOffset.get();
    }

    /** Moves wall-clock time forward by {@code by}. */
    public void advanceWall(Duration by) {
        wallOffsetMillis.addAndGet(by.toMillis());
    }

    /** Moves monotonic time forward by {@code by}. */
    public void advanceMonotonic(Duration by) {
        nanoOffset.addAndGet(by.toNanos());
    }
}
