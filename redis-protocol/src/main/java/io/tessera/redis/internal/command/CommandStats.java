package io.tessera.redis.internal.command;

import io.netty.util.concurrent.FastThreadLocalThread;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * What this node's commands did, for {@code INFO commandstats}, {@code INFO errorstats}, {@code INFO stats} and the
 * {@code tessera.redis.*} meters: per command its calls, the microseconds they took, the calls refused before they
 * ran (arity, NOAUTH, OOM) and the calls that answered an error; the error replies of all commands, in total and by
 * their prefix ({@code ERR}, {@code WRONGTYPE}, ...); and the rate of commands over the last 1.6 s
 * ({@code instantaneous_ops_per_sec}, sampled as Redis does every 100 ms, here by the commands themselves).
 *
 * <p>A command's time runs from its start to its reply being ready, so it includes the grid's round trips (to a key's
 * primary on another node, and to the backups of a write): what a client waits for beyond the network, where Redis
 * counts only its own thread's work. A blocking command's time is not counted (it would count the wait).
 *
 * <p>Threads: each event loop counts in its own {@link ThreadCounts} with plain adds, since an atomic add per counter
 * cost a tenth of a pipelined GET; other threads (a grid thread that completes a reply) count in a shared table
 * under its lock. INFO and the meters sum them, seeing each thread's counts a little late at worst. CONFIG RESETSTAT
 * never writes another thread's counts: it records the sums as the new zero, which INFO subtracts and the meters do
 * not (a Prometheus counter only grows). The rate's samples are guarded by this object's lock, which a command takes
 * at most once per 100 ms. The {@link Names} listener hears of each command name and error prefix once, on the thread
 * that counted it first; the per-command path pays for that only the first time a thread counts a name.
 */
public final class CommandStats {
    private static final long SAMPLE_NANOS = 100_000_000L;
    private static final int SAMPLES = 16;
    private static final int CALLS = 0;
    private static final int MICROS = 1;
    private static final int REJECTED = 2;
    private static final int FAILED = 3;
    /**
     * The most distinct error prefixes kept, as Redis bounds its errorstats (ERROR_STATS_NUMBER); later ones count
     * under ERR, so no stream of odd errors grows the tables and the meters without bound.
     */
    private static final int MAX_ERROR_PREFIXES = 128;

    /**
     * Hears of each command name and error prefix the first time this node counts it, once each, on the thread
     * that counted it (an event loop, so it must not block): the meters register a counter for it.
     */
    public interface Names {
        /** Command {@code name} (lower case, as INFO's cmdstat_ lines name it) was counted for the first time. */
        void command(String name);

        /** Error prefix {@code prefix} ({@code ERR}, {@code WRONGTYPE}) was counted for the first time. */
        void errorPrefix(String prefix);
    }

    /** How a command is measured: whether its time counts, whether the slow log may keep it. */
    public record Measure(boolean timed, boolean slowLogged) {
        static Measure of(CommandSpec spec) {
            boolean timed = !spec.flags().contains("blocking"); // a blocking command's time would be its wait
            return new Measure(timed, timed && !spec.flags().contains("skip_slowlog")); // EXEC: its commands are
        }
    }

    /** One thread's counts; written by that thread only (concurrent maps so that INFO may walk them meanwhile). */
    private final class ThreadCounts {
        final Map<String, long[]> byCommand = new ConcurrentHashMap<>();
        final Map<String, long[]> errorsByPrefix = new ConcurrentHashMap<>();
        long commands;
        long errorReplies;

        long[] of(String command) {
            long[] counts = byCommand.get(command);
            if (counts == null) {
                counts = new long[4];
                byCommand.put(command, counts);
                if (commandNames.add(command)) {
                    names.command(command);
                }
            }
            return counts;
        }

        /** Counts an error reply under its prefix, as Redis's afterErrorReply finds it. */
        void error(String text) {
            errorReplies++;
            String prefix = errorPrefix(text);
            long[] count = errorsByPrefix.get(prefix);
            if (count == null) {
                if (!errorPrefixes.contains(prefix) && errorPrefixes.size() >= MAX_ERROR_PREFIXES) {
                    prefix = "ERR";
                    count = errorsByPrefix.get(prefix);
                }
                if (count == null) {
                    count = new long[1];
                    errorsByPrefix.put(prefix, count);
                    if (errorPrefixes.add(prefix)) {
                        names.errorPrefix(prefix);
                    }
                }
            }
            count[0]++;
        }
    }

    /** The code of an error reply: its text up to the first space within 32 bytes, else ERR (as Redis finds it). */
    static String errorPrefix(String text) {
        int space = text.indexOf(' ');
        return space > 0 && space < 32 ? text.substring(0, space) : "ERR";
    }

    private static final Names NO_NAMES = new Names() {
        @Override
        public void command(String name) {
        }

        @Override
        public void errorPrefix(String prefix) {
        }
    };

    private final Set<String> commandNames = ConcurrentHashMap.newKeySet();
    private final Set<String> errorPrefixes = ConcurrentHashMap.newKeySet();
    private volatile Names names = NO_NAMES;

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
    private Map<String, Long> zeroErrorsByPrefix = new HashMap<>();
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

    /**
     * Tells {@code listener} of every command name and error prefix counted so far, and from now on of each new one.
     * Set once, before the server takes clients (names counted meanwhile could be told twice).
     */
    public void names(Names listener) {
        this.names = listener;
        commandNames.forEach(listener::command);
        errorPrefixes.forEach(listener::errorPrefix);
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

    /**
     * Command {@code name} ran after {@code micros} (-1: untimed) and answered a reply, or the error {@code error}
     * (its text, code first) when not null.
     */
    public void ran(String name, long micros, String error) {
        ThreadCounts counts = mine();
        if (counts == null) {
            synchronized (shared) {
                add(shared, name, micros, error);
            }
        } else {
            add(counts, name, micros, error);
        }
    }

    private static void add(ThreadCounts counts, String name, long micros, String error) {
        long[] c = counts.of(name);
        c[CALLS]++;
        if (micros > 0) {
            c[MICROS] += micros;
        }
        if (error != null) {
            c[FAILED]++;
            counts.error(error);
        }
    }

    /** Command {@code spec} was refused before it ran (null: an unknown command) with the error {@code error}. */
    public void rejected(CommandSpec spec, String error) {
        ThreadCounts counts = mine();
        if (counts == null) {
            synchronized (shared) {
                reject(shared, spec, error);
            }
        } else {
            reject(counts, spec, error);
        }
    }

    private static void reject(ThreadCounts counts, CommandSpec spec, String error) {
        if (spec != null) {
            counts.of(spec.name())[REJECTED]++;
        }
        counts.error(error);
    }

    /** {@code total_commands_processed}. */
    public synchronized long commandsProcessed() {
        return threads.stream().mapToLong(t -> t.commands).sum() - zeroCommands;
    }

    /** {@code total_error_replies}. */
    public synchronized long errorReplies() {
        return threads.stream().mapToLong(t -> t.errorReplies).sum() - zeroErrorReplies;
    }

    /** {@code errorstat_<prefix>}'s counts since the last CONFIG RESETSTAT, by prefix, leaving out those at 0. */
    public synchronized Map<String, Long> errorsByPrefix() {
        Map<String, Long> errors = new TreeMap<>();
        errorSums().forEach((prefix, count) -> {
            long since = count - zeroErrorsByPrefix.getOrDefault(prefix, 0L);
            if (since > 0) {
                errors.put(prefix, since);
            }
        });
        return errors;
    }

    private Map<String, Long> errorSums() {
        Map<String, Long> sums = new TreeMap<>();
        for (ThreadCounts thread : threads) {
            thread.errorsByPrefix.forEach((prefix, count) -> sums.merge(prefix, count[0], Long::sum));
        }
        return sums;
    }

    /** The calls of command {@code name} since the node started (CONFIG RESETSTAT aside), for its meter. */
    public long callsEver(String name) {
        return sumEver(name, CALLS);
    }

    /** The microseconds command {@code name} took since the node started (CONFIG RESETSTAT aside). */
    public long microsEver(String name) {
        return sumEver(name, MICROS);
    }

    private long sumEver(String name, int index) {
        long sum = 0;
        for (ThreadCounts thread : threads) {
            long[] counts = thread.byCommand.get(name);
            if (counts != null) {
                sum += counts[index];
            }
        }
        return sum;
    }

    /** The error replies with prefix {@code prefix} since the node started (CONFIG RESETSTAT aside). */
    public long errorsEver(String prefix) {
        long sum = 0;
        for (ThreadCounts thread : threads) {
            long[] count = thread.errorsByPrefix.get(prefix);
            if (count != null) {
                sum += count[0];
            }
        }
        return sum;
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
        zeroErrorsByPrefix = errorSums();
        samples = 0;
    }
}
