package io.tessera.redis.internal.command;

import io.netty.util.concurrent.FastThreadLocalThread;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

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
 * <p>Threads: each event loop counts in its own {@link ThreadCounts} with plain adds, since an atomic add per counter
 * cost a tenth of a pipelined GET; other threads (a grid thread that completes a reply) count in a shared table
 * under its lock. INFO sums them, seeing each thread's counts a little late at worst. CONFIG RESETSTAT never writes
 * another thread's counts: it records the sums as the new zero. The rate's samples are guarded by this object's
 * lock, which a command takes at most once per 100 ms.
 */
public final class CommandStats {
    private static final long SAMPLE_NANOS = 100_000_000L;
    private static final int SAMPLES = 16;
    private static final int CALLS = 0;
    private static final int MICROS = 1;
    private static final int REJECTED = 2;
    private static final int FAILED = 3;

    /** How a command is measured: whether its time counts, whether the slow log may keep it. */
    public record Measure(boolean timed, boolean slowLogged) {
        static Measure of(CommandSpec spec) {
            boolean timed = !spec.flags().contains("blocking"); // a blocking command's time would be its wait
            return new Measure(timed, timed && !spec.flags().contains("skip-slowlog")); // EXEC: its commands are
        }
    }

    /** One thread's counts; written by that thread only (a concurrent map so that INFO may walk it meanwhile). */
    private static final class ThreadCounts {
        final Map<String, long[]> byCommand = new ConcurrentHashMap<>();
        long commands;
        long errorReplies;

        long[] of(String command) {
            long[] counts = byCommand.get(command);
            if (counts == null) {
                counts = new long[4];
                byCommand.put(command, counts);
            }
            return counts;
        }
    }

    private final List<ThreadCounts> threads = new CopyOnWriteArrayList<>();
    /** The counts of every other thread (a grid thread completing a command's reply): shared, under its lock. */
    private final ThreadCounts shared = new ThreadCounts();
    private final ThreadLocal<ThreadCounts> mine = ThreadLocal.withInitial(() -> {
        ThreadCounts counts = new ThreadCounts();
        threads.add(counts);
        return counts;
    });

    private final Map<String, Measure> measures = new ConcurrentHashMap<>();
    /** The sums at the last CONFIG RESETSTAT, subtracted from what INFO shows; guarded by this object's lock. */
    private Map<String, long[]> zeroByCommand = new HashMap<>();
    private long zeroCommands;
    private long zeroErrorReplies;
    private final long[] sampleCounts = new long[SAMPLES];
    private final long[] sampleTimes = new long[SAMPLES];
    private int samples;
    private volatile long nextSampleAt = System.nanoTime();

    public CommandStats() {
        threads.add(shared);
    }

    /**
     * This thread's counts if it is an event loop (a fixed set of long-lived threads), else null: a pool thread that
     * completes a reply may be replaced by another at any time, and a table per such thread would pile up.
     */
    private ThreadCounts mine() {
        return Thread.currentThread() instanceof FastThreadLocalThread ? mine.get() : null;
    }

    /** How {@code spec} is measured. */
    public Measure measure(CommandSpec spec) {
        Measure measure = measures.get(spec.name());
        return measure != null ? measure : measures.computeIfAbsent(spec.name(), name -> Measure.of(spec));
    }

    /** A command was read at {@code nanoTime} (run, refused, or queued in MULTI): {@code total_commands_processed}. */
    public void received(long nanoTime) {
        ThreadCounts counts = mine();
        if (counts != null) {
            counts.commands++;
        } else {
            synchronized (shared) {
                shared.commands++;
            }
        }
        if (nanoTime - nextSampleAt >= 0) {
            sample(nanoTime);
        }
    }

    /** Command {@code name} ran and answered {@code failed ? an error : a reply} after {@code micros} (-1: untimed). */
    public void ran(String name, long micros, boolean failed) {
        ThreadCounts counts = mine();
        if (counts == null) {
            synchronized (shared) {
                add(shared, name, micros, failed);
            }
        } else {
            add(counts, name, micros, failed);
        }
    }

    private static void add(ThreadCounts counts, String name, long micros, boolean failed) {
        long[] c = counts.of(name);
        c[CALLS]++;
        if (micros > 0) {
            c[MICROS] += micros;
        }
        if (failed) {
            c[FAILED]++;
            counts.errorReplies++;
        }
    }

    /** Command {@code spec} was refused before it ran (null: an unknown command). */
    public void rejected(CommandSpec spec) {
        ThreadCounts counts = mine();
        if (counts == null) {
            synchronized (shared) {
                reject(shared, spec);
            }
        } else {
            reject(counts, spec);
        }
    }

    private static void reject(ThreadCounts counts, CommandSpec spec) {
        if (spec != null) {
            counts.of(spec.name())[REJECTED]++;
        }
        counts.errorReplies++;
    }

    /** {@code total_commands_processed}. */
    public synchronized long commandsProcessed() {
        return threads.stream().mapToLong(t -> t.commands).sum() - zeroCommands;
    }

    /** {@code total_error_replies}. */
    public synchronized long errorReplies() {
        return threads.stream().mapToLong(t -> t.errorReplies).sum() - zeroErrorReplies;
    }

    /** {@code instantaneous_ops_per_sec}: commands per second over the samples of the last 1.6 s. */
    public synchronized long opsPerSecond() {
        sample(System.nanoTime());
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
        sampleCounts[samples % SAMPLES] = threads.stream().mapToLong(t -> t.commands).sum();
        samples++;
        nextSampleAt = now + SAMPLE_NANOS;
    }

    private Map<String, long[]> sums() {
        Map<String, long[]> sums = new TreeMap<>();
        for (ThreadCounts thread : threads) {
            for (Map.Entry<String, long[]> e : thread.byCommand.entrySet()) {
                long[] sum = sums.computeIfAbsent(e.getKey(), k -> new long[4]);
                for (int i = 0; i < 4; i++) {
                    sum[i] += e.getValue()[i];
                }
            }
        }
        return sums;
    }

    /** The {@code cmdstat_<name>} lines' names and values (as Redis 7 writes them), by name. */
    public synchronized Map<String, String> commandLines() {
        Map<String, String> lines = new TreeMap<>();
        sums().forEach((name, sum) -> {
            long[] zero = zeroByCommand.getOrDefault(name, new long[4]);
            long calls = sum[CALLS] - zero[CALLS];
            long micros = sum[MICROS] - zero[MICROS];
            long rejected = sum[REJECTED] - zero[REJECTED];
            long failed = sum[FAILED] - zero[FAILED];
            if (calls + rejected + failed > 0) {
                lines.put("cmdstat_" + name, "calls=" + calls + ",usec=" + micros + ",usec_per_call="
                        + String.format(Locale.ROOT, "%.2f", calls == 0 ? 0.0 : (double) micros / calls)
                        + ",rejected_calls=" + rejected + ",failed_calls=" + failed);
            }
        });
        return lines;
    }

    /** CONFIG RESETSTAT: what was counted so far becomes the zero. */
    public synchronized void reset() {
        zeroByCommand = sums();
        zeroCommands = threads.stream().mapToLong(t -> t.commands).sum();
        zeroErrorReplies = threads.stream().mapToLong(t -> t.errorReplies).sum();
        samples = 0;
    }
}
