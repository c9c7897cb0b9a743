package io.tessera.grid;

/**
 * Where a member reads time: wall-clock milliseconds for what users see (expiry, time to live, the hybrid logical
 * clock that orders writes for merges) and a monotonic nanosecond counter for what must never jump (operation
 * deadlines, leases, how long results of finished calls are kept).
 *
 * <p>The default is {@link #system()}. Tests pass their own clock to {@link GridBuilder#clock(GridClock)} to make
 * expiry, leases and timeouts happen by advancing it instead of sleeping. Both methods are called from many threads
 * and must be thread-safe and cheap.
 */
public interface GridClock {

    /**
     * The current time in milliseconds since the epoch, as {@link System#currentTimeMillis()}.
     *
     * @return the wall-clock time in milliseconds
     */
    long wallMillis();

    /**
     * A monotonic time in nanoseconds, as {@link System#nanoTime()}: only differences between two readings mean
     * anything, and it never goes backwards.
     *
     * @return the monotonic time in nanoseconds
     */
    long nanoTime();

    /**
     * Returns the clock of the JVM.
     *
     * @return a clock reading {@link System#currentTimeMillis()} and {@link System#nanoTime()}
     */
    static GridClock system() {
        return SystemClock.INSTANCE;
    }
}

/** The JVM's clock. */
enum SystemClock implements GridClock {
    INSTANCE;

    @Override
    public long wallMillis() {
        return System.currentTimeMillis();
    }

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public String toString() {
        return "GridClock.system()";
    }
}
