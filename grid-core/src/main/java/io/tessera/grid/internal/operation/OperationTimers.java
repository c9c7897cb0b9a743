package io.tessera.grid.internal.operation;

import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The latency timers of the operations this member invokes, one per {@link OpCode.Kind}, looked up by array index on
 * the hot path (no map, no tag building per call). A timer records from the invocation to the completion the caller
 * sees, retries and the wait for backups included; its count is the number of completed calls.
 *
 * <p>Threads: any; Micrometer's timers are thread-safe.
 */
public final class OperationTimers {
    /** Timers that record nothing (a member without meters, unit tests). */
    public static final OperationTimers NONE = new OperationTimers(Map.of());

    private final Timer[] byKind = new Timer[OpCode.Kind.values().length];

    /** Uses {@code timers}; a kind without one is not timed. */
    public OperationTimers(Map<OpCode.Kind, Timer> timers) {
        timers.forEach((kind, timer) -> byKind[kind.ordinal()] = timer);
    }

    /** Records a call of {@code code} that took {@code nanos}. */
    void record(OpCode code, long nanos) {
        Timer timer = byKind[code.kind().ordinal()];
        if (timer != null) {
            timer.record(nanos, TimeUnit.NANOSECONDS);
        }
    }
}
