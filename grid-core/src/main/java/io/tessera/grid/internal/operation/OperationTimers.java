package io.tessera.grid.internal.operation;

import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The latency timers of the operations this member invokes, per {@link OpCode.Kind}, looked up by array index on the
 * hot path (no map, no tags built per call). A call is timed from its invocation to the completion the caller sees,
 * retries and the wait for backups included.
 *
 * <p>Two timers per kind, for the cost: every call goes into the {@code all} timer, which keeps count, total and max
 * (striped adders; about as cheap as the two clock reads around it), and one call in {@value #SAMPLE_EVERY}, picked by
 * bits of its start time, also goes into the {@code sampled} timer, which publishes p50, p99 and p999. Client-side
 * percentiles update a shared HdrHistogram recorder per window, two contended atomic increments each; measured on
 * the 2-core test machine that is 150 ns per call on one thread and 500 ns with two event loops recording at once,
 * against 100 ns for the plain timer, nanoTime reads included. A sample of one call in eight gives the same
 * percentiles at any rate that makes them worth reading (at 1,000 calls a second, 7,500 samples a minute).
 *
 * <p>Threads: any; Micrometer's timers are thread-safe.
 */
public final class OperationTimers {
    static final int SAMPLE_EVERY = 8;
    private static final long SAMPLE_BITS = (SAMPLE_EVERY - 1) << 4;

    private final Timer[] all = new Timer[OpCode.Kind.values().length];
    private final Timer[] sampled = new Timer[OpCode.Kind.values().length];

    /** Uses {@code all} for every call and {@code sampled} for a sample; a kind without timers is not timed. */
    public OperationTimers(Map<OpCode.Kind, Timer> all, Map<OpCode.Kind, Timer> sampled) {
        all.forEach((kind, timer) -> this.all[kind.ordinal()] = timer);
        sampled.forEach((kind, timer) -> this.sampled[kind.ordinal()] = timer);
    }

    /** Records a call of {@code code} that started at {@code startNanos} and ended at {@code endNanos}. */
    void record(OpCode code, long startNanos, long endNanos) {
        int kind = code.kind().ordinal();
        Timer timer = all[kind];
        if (timer == null) {
            return;
        }
        long nanos = endNanos - startNanos;
        timer.record(nanos, TimeUnit.NANOSECONDS);
        // Bits 4..6 of the start: nanoTime's last bits may be constant where its granularity is coarse.
        if ((startNanos & SAMPLE_BITS) == 0) {
            sampled[kind].record(nanos, TimeUnit.NANOSECONDS);
        }
    }
}
