package io.tessera.grid.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * What a forked test process prints: its stdout and stderr copied, with timestamps, to its log file and kept in
 * memory, so that a test can wait for a line ({@link #awaitLine}) and read what came before. The test's own notes go
 * into the same log, in order. Thread-safe.
 */
public final class ProcessOutput {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

    private final String name;
    private final Process process;
    private final Path log;
    private final List<String> lines = new ArrayList<>();
    private final Object lock = new Object();

    /** Starts copying {@code process}'s output to {@code log} (which must exist); {@code name} names the threads. */
    public ProcessOutput(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
        pump(process.getInputStream(), "out");
        pump(process.getErrorStream(), "err");
    }

    private void pump(InputStream stream, String tag) {
        Thread t = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    append(tag, line);
                }
            } catch (IOException e) {
                append(tag, "<pump ended: " + e + ">");
            }
        }, "pump-" + name + "-" + tag);
        t.setDaemon(true);
        t.start();
    }

    private void append(String tag, String line) {
        synchronized (lock) {
            lines.add(line);
            try {
                Files.writeString(log, LocalTime.now().format(TIME) + " " + tag + " " + line + "\n",
                        StandardCharsets.UTF_8, StandardOpenOption.APPEND);
            } catch (IOException e) {
                // diagnostics only
            }
        }
    }

    /** Appends a note of the test's to the log. */
    public void note(String text) {
        append("test", "<" + text + ">");
    }

    /**
     * Waits until the process printed a line that {@code match} accepts and returns it; fails if the process exits
     * first or {@code timeout} passes.
     */
    public String awaitLine(Predicate<String> match, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        int seen = 0;
        while (true) {
            boolean alive = process.isAlive();
            if (!alive) {
                sleep(200); // let the pumps drain what it printed last
            }
            synchronized (lock) {
                for (; seen < lines.size(); seen++) {
                    if (match.test(lines.get(seen))) {
                        return lines.get(seen);
                    }
                }
            }
            if (!alive) {
                throw new AssertionError(name + " exited (" + process.exitValue()
                        + ") before printing the expected line; see " + log.toAbsolutePath());
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(name + " did not print the expected line within " + timeout + "; see "
                        + log.toAbsolutePath());
            }
            sleep(50);
        }
    }

    /** The newest line containing {@code text}, or {@code null}. */
    public String lastLineContaining(String text) {
        synchronized (lock) {
            for (int i = lines.size() - 1; i >= 0; i--) {
                if (lines.get(i).contains(text)) {
                    return lines.get(i);
                }
            }
        }
        return null;
    }

    /** Everything printed so far, one line each. */
    public String text() {
        synchronized (lock) {
            return String.join("\n", lines);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
