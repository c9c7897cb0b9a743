package io.tessera.redis.chaos;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * The run's clock (milliseconds since the workload started), its fault log, and the harness's own log file
 * ({@code chaos.log} beside the members' logs; each line also goes to stdout). Thread-safe.
 */
final class Timeline {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

    private final long startNanos = System.nanoTime();
    private final Writer log;
    private final List<Fault> faults = new ArrayList<>();

    Timeline(Path logDir) {
        try {
            this.log = Files.newBufferedWriter(logDir.resolve("chaos.log"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Milliseconds since the start. */
    int now() {
        return (int) ((System.nanoTime() - startNanos) / 1_000_000);
    }

    /** {@code 12.3s}. */
    static String seconds(int millis) {
        return String.format("%.1fs", millis / 1000.0);
    }

    /** Logs one line with the wall time and run time, to chaos.log and stdout. */
    void log(String text) {
        String line = LocalTime.now().format(TIME) + " t=" + seconds(now()) + " " + text;
        System.out.println("[chaos] " + line);
        synchronized (log) {
            try {
                log.write(line + "\n");
                log.flush();
            } catch (IOException e) {
                // diagnostics only
            }
        }
    }

    /** Writes one line to chaos.log only. */
    void logToFile(String text) {
        synchronized (log) {
            try {
                log.write(text + "\n");
                log.flush();
            } catch (IOException e) {
                // diagnostics only
            }
        }
    }

    /** Records the start of a fault and returns it; {@link Fault#end} records its end. */
    Fault begin(String kind, String targets) {
        synchronized (faults) {
            Fault fault = new Fault(faults.size() + 1, kind, targets, now());
            faults.add(fault);
            log("fault #" + fault.id + " " + kind + " " + targets + " begins");
            return fault;
        }
    }

    List<Fault> faults() {
        synchronized (faults) {
            return List.copyOf(faults);
        }
    }

    /** The newest fault that began at or before {@code millis}, or null. */
    Fault lastBefore(int millis) {
        Fault last = null;
        for (Fault f : faults()) {
            if (f.start <= millis) {
                last = f;
            }
        }
        return last;
    }

    /** The first fault that began after {@code millis}, or null. */
    Fault firstAfter(int millis) {
        for (Fault f : faults()) {
            if (f.start > millis) {
                return f;
            }
        }
        return null;
    }

    /** One injected fault: what, on whom, from when to when (end -1 while it lasts). */
    final class Fault {
        final int id;
        final String kind;
        final String targets;
        final int start;
        volatile int end = -1;
        volatile String note = "";

        Fault(int id, String kind, String targets, int start) {
            this.id = id;
            this.kind = kind;
            this.targets = targets;
            this.start = start;
        }

        void end(String what) {
            end = now();
            note = what;
            log("fault #" + id + " " + kind + " " + targets + " ends: " + what);
        }

        @Override
        public String toString() {
            return "#" + id + " " + kind + " " + targets + " at " + seconds(start)
                    + (end < 0 ? "" : "-" + seconds(end));
        }
    }
}
