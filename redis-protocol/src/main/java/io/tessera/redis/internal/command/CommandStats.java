package io.tessera.redis.internal.command;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What this node's commands did, for {@code INFO commandstats} and {@code INFO stats}: per command its calls, the
 * microseconds they took, the calls refused before they ran (arity, NOAUTH, OOM) and the calls that answered an
 * error; the error replies of all commands; and the rate of commands over the last 1.6 s
 * ({@code instantaneous_ops_per_sec}, sampled as Redis does every 100 ms, here by the commands themselves).
 *
 * <p>A command's time runs from its start to its reply being ready, so it includes the grid's round trips (to a key's
 * primary on another node, and to the backups of a write): what a client waits for beyond the network, where Redis
 * counts only its own thread's work. A blocking command's time is not counted (it would count the wait).
 *
 * <p>Threads: every event loop records, INFO reads; counters are {@link LongAdder}s, the rate's samples are guarded
 * by their lock, which a command takes at most once per 100 ms.
 */
public final class CommandStats {
    private static final long SAMPLE_NANOS = 100_000_000L;
    private static final int SAMPLES = 16;

    /** The counters of one command, and how it is measured. */
    public static final class Counters {
        /** Whether its time counts (not a blocking command's, which would count its wait). */
        final boolean timed;
        /** Whether the slow log may keep it (not EXEC's, whose commands are logged themselves). */
        final boolean slowLogged;
        private final LongAdder calls = new LongAdder();
        private final LongAdder micros = new LongAdder();
        private final LongAdder rejected = new LongAdder();
        private final LongAdder failed = new LongAdder();

        Counters(CommandSpec spec) {
            this.timed = !spec.flags().contains("blocking");
            this.slowLogged = timed && !spec.flags().contains("skip-slowlog");
        }

        /** The {@code cmdstat_<name>} value, as Redis 7 writes it. */
        String format() {
            long c = calls.sum();
            long us = micros.sum();
            return "calls=" + c + ",usec=" + us + ",usec_per_call=" + String.format(java.util.Locale.ROOT, "%.2f",
                    c == 0 ? 0.0 : (double) us / c) + ",rejected_calls=" + rejected.sum() + ",failed_calls="
                    + failed.sum();
        }
    }

    private final Map<String, Counters> byCommand = new ConcurrentHashMap<>();
    private final LongAdder commands = new LongAdder();
    private final LongAdder errorReplies = new LongAdder();
    private final long[] sampleCounts = new long[SAMPLES];
    private final long[] sampleTimes = new long[SAMPLES];
    private int samples;
    private volatile long nextSampleAt = System.nanoTime();

    /** The counters of {@code spec}. */
    public Counters counters(CommandSpec spec) {
        Counters c = byCommand.get(spec.name());
        return c != null ? c : byCommand.computeIfAbsent(spec.name(), name -> new Counters(spec));
    }

    /** A command was read at {@code nanoTime} (run, refused, or queued in MULTI): {@code total_commands_processed}. */
    public void received(long nanoTime) {
        commands.increment();
        if (nanoTime - nextSampleAt >= 0) {
            sample(nanoTime);
        }
    }

    /** A command ran and answered {@code failed ? an error : a reply} after {@code micros} (-1: untimed). */
    public void ran(Counters c, long micros, boolean failed) {
        c.calls.increment();
        if (micros > 0) {
            c.micros.add(micros);
        }
        if (failed) {
            c.failed.increment();
            errorReplies.increment();
        }
    }

    /** Command {@code spec} was refused before it ran (null: an unknown command). */
    public void rejected(CommandSpec spec) {
        if (spec != null) {
            counters(spec).rejected.increment();
        }
        errorReplies.increment();
    }

    /** {@code total_commands_processed}. */
    public long commandsProcessed() {
        return commands.sum();
    }

    /** {@code total_error_replies}. */
    public long errorReplies() {
        return errorReplies.sum();
    }

    /** {@code instantaneous_ops_per_sec}: commands per second over the samples of the last 1.6 s. */
    public synchronized long opsPerSecond() {
        long now = System.nanoTime();
        sample(now);
        int oldest = samples < SAMPLES ? 0 : samples % SAMPLES;
        int newest = (samples - 1) % SAMPLES;
        long nanos = sampleTimes[newest] - sampleTimes[oldest];
        if (samples < 2 || nanos <= 0) {
            return 0;
        }
        return (sampleCounts[newest] - sampleCounts[oldest]) * 1_000_000_000L / nanos;
    }

    private synchronized void sample(long now) {
        if (samples > 0 && now - sampleTimes[(samples - 1) % SAMPLES] < SAMPLE_NANOS / 2) {
            return; // taken just now (INFO samples too)
        }
        // Samples older than the window mean no command came for a while: start over, so the rate says 0.
        if (samples > 0 && now - sampleTimes[(samples - 1) % SAMPLES] > SAMPLE_NANOS * SAMPLES) {
            samples = 0;
        }
        sampleTimes[samples % SAMPLES] = now;
        sampleCounts[samples % SAMPLES] = commands.sum();
        samples++;
        nextSampleAt = now + SAMPLE_NANOS;
    }

    /** The {@code cmdstat_<name>} lines' names and values, by name. */
    public Map<String, String> commandLines() {
        Map<String, String> lines = new TreeMap<>();
        byCommand.forEach((name, c) -> lines.put("cmdstat_" + name, c.format()));
        return lines;
    }

    /** CONFIG RESETSTAT. */
    public synchronized void reset() {
        byCommand.clear();
        commands.reset();
        errorReplies.reset();
        samples = 0;
    }
}
