package io.tessera.redis.chaos;

import io.tessera.grid.testing.MemberProcesses;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One {@link ChaosMember} slot: a name and grid port that outlive the processes started in it (a member killed
 * with {@code kill -9} is restarted in the same slot, with the same name and grid port, as a fresh process with a
 * new JGroups UUID and a new RESP port).
 *
 * <p>Every process of the slot appends to {@code <logDir>/<name>.log}: its stdout and stderr with timestamps, the
 * harness's notes ({@code test <...>}), and the first 200 characters of each reply. Requests carry an id, so a reply
 * that comes after its request timed out (a member under SIGSTOP answers when it resumes) is dropped rather than
 * taken for the next one. The process halts when its stdin closes, and the harness JVM kills every process it
 * started from a shutdown hook, so no member outlives its test.
 *
 * <p>Thread-safe: the fault injector, the gate and the workload threads use it concurrently.
 */
final class ChaosNode {
    /** Where a node's process is. */
    enum State { RUNNING, STOPPED, KILLED }

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");
    private static final ConcurrentLinkedQueue<Process> ALL = new ConcurrentLinkedQueue<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> ALL.forEach(p -> {
            p.toHandle().destroyForcibly();
        }), "chaos-reaper"));
    }

    private final String name;
    private final List<String> args;
    private final Path log;
    private final Writer logWriter;
    private final AtomicLong requestIds = new AtomicLong();
    private final Map<Long, CompletableFuture<String>> pending = new ConcurrentHashMap<>();
    /** Bumped whenever the process at the RESP port changes or dies, so that clients drop their connections. */
    private final AtomicInteger generation = new AtomicInteger();
    private volatile Process process;
    private volatile PrintWriter stdin;
    private volatile State state = State.KILLED;
    private volatile int respPort = -1;
    private volatile String uuid;
    private volatile int starts;

    ChaosNode(String name, List<String> args, Path logDir) {
        this.name = name;
        this.args = List.copyOf(args);
        this.log = logDir.resolve(name + ".log");
        try {
            this.logWriter = Files.newBufferedWriter(log, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String name() {
        return name;
    }

    Path log() {
        return log.toAbsolutePath();
    }

    State state() {
        return state;
    }

    int respPort() {
        return respPort;
    }

    /** The current process's JGroups UUID ({@code toStringLong}). */
    String uuid() {
        return uuid;
    }

    int generation() {
        return generation.get();
    }

    /** Forks a fresh process in this slot and waits until it printed READY; fails if it does not. */
    synchronized void start(Duration readyTimeout) {
        if (state != State.KILLED) {
            throw new IllegalStateException(name + " is " + state);
        }
        List<String> command = new ArrayList<>();
        command.add(MemberProcesses.javaBinary());
        command.add("-Xmx384m");
        command.add("-XX:+UseSerialGC");
        command.add("-Djava.net.preferIPv4Stack=true");
        command.add("-cp");
        command.add(MemberProcesses.childClassPath());
        command.add(ChaosMember.class.getName());
        command.addAll(args);
        starts++;
        note("starting process #" + starts + ": " + String.join(" ", command));
        Process p;
        try {
            p = new ProcessBuilder(command).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot fork " + name, e);
        }
        ALL.add(p);
        CompletableFuture<String> ready = new CompletableFuture<>();
        pending.put(0L, ready);
        process = p;
        stdin = new PrintWriter(new BufferedWriter(new OutputStreamWriter(p.getOutputStream(),
                StandardCharsets.UTF_8)), true);
        pump(p, p.getInputStream(), "out");
        pump(p, p.getErrorStream(), "err");
        String line;
        try {
            line = ready.get(readyTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            line = null;
        } finally {
            pending.remove(0L);
        }
        if (line == null || !line.startsWith("READY ")) {
            p.toHandle().destroyForcibly();
            throw new AssertionError(name + " did not print READY within " + readyTimeout + " (got " + line
                    + "); see " + log());
        }
        Map<String, String> fields = fields(line);
        uuid = fields.get("address");
        respPort = Integer.parseInt(fields.get("resp"));
        generation.incrementAndGet();
        state = State.RUNNING;
        note("ready: uuid " + uuid + ", RESP port " + respPort + ", pid " + p.pid());
    }

    private void pump(Process p, InputStream stream, String tag) {
        Thread t = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.startsWith(ChaosMember.REPLY)) {
                        append(tag, line.length() > 200 ? line.substring(0, 200) + "..." : line);
                        reply(line.substring(ChaosMember.REPLY.length()));
                    } else {
                        append(tag, line);
                    }
                }
            } catch (IOException e) {
                append(tag, "<pump ended: " + e + ">");
            }
            if (tag.equals("out") && process == p) {
                // The process is gone: nothing pending will be answered.
                pending.values().forEach(f -> f.complete(null));
            }
        }, "chaos-pump-" + name + "-" + tag);
        t.setDaemon(true);
        t.start();
    }

    private void reply(String text) {
        int space = text.indexOf(' ');
        if (space <= 0) {
            return;
        }
        try {
            long id = Long.parseLong(text.substring(0, space));
            CompletableFuture<String> future = pending.remove(id);
            if (future != null) {
                future.complete(text.substring(space + 1));
            }
        } catch (NumberFormatException e) {
            // not a reply
        }
    }

    private void append(String tag, String line) {
        synchronized (logWriter) {
            try {
                logWriter.write(LocalTime.now().format(TIME) + " " + tag + " " + line + "\n");
                logWriter.flush();
            } catch (IOException e) {
                // diagnostics only
            }
        }
    }

    /** Writes a note of the harness's into the node's log. */
    void note(String text) {
        append("test", "<" + text + ">");
    }

    /**
     * Sends one command and returns its reply, or {@code null} if none came within {@code timeout} (the process is
     * stopped, busy or gone).
     */
    String command(String command, Duration timeout) {
        PrintWriter in = stdin;
        if (in == null || state == State.KILLED) {
            return null;
        }
        long id = requestIds.incrementAndGet();
        CompletableFuture<String> future = new CompletableFuture<>();
        pending.put(id, future);
        synchronized (this) {
            in.println(id + " " + command);
        }
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (Exception e) {
            return null;
        } finally {
            pending.remove(id);
        }
    }

    /** {@code STATUS}, parsed; {@code null} if it did not answer in time. */
    MemberStatus status(Duration timeout) {
        String reply = command("STATUS", timeout);
        if (reply == null || !reply.startsWith("STATUS ")) {
            return null;
        }
        return MemberStatus.parse(reply.substring("STATUS ".length()));
    }

    /** SIGKILL, and waits until the process is gone. */
    synchronized void kill9() {
        Process p = process;
        if (p == null || state == State.KILLED) {
            return;
        }
        note("kill -9 (pid " + p.pid() + ")");
        generation.incrementAndGet();
        p.toHandle().destroyForcibly();
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                throw new AssertionError(name + " survived kill -9 for 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        state = State.KILLED;
        ALL.remove(p);
        stdin = null;
        note("killed; exit " + p.exitValue());
    }

    /** SIGSTOP: the process freezes (a long GC pause, a frozen VM); its sockets stay open. */
    synchronized void sigstop() {
        if (state != State.RUNNING) {
            throw new IllegalStateException(name + " is " + state);
        }
        note("SIGSTOP");
        signal("STOP");
        state = State.STOPPED;
    }

    /** SIGCONT. */
    synchronized void sigcont() {
        if (state != State.STOPPED) {
            return;
        }
        signal("CONT");
        state = State.RUNNING;
        note("SIGCONT");
    }

    private void signal(String signal) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
                    .redirectErrorStream(true).start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new AssertionError("kill -" + signal + " " + process.pid() + " failed: "
                        + new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Kills the process (after SIGCONT, so that nothing stays frozen) and closes the log. */
    synchronized void destroy() {
        Process p = process;
        if (p != null && p.isAlive()) {
            if (state == State.STOPPED) {
                try {
                    signal("CONT");
                } catch (RuntimeException | AssertionError e) {
                    // killed below anyway
                }
            }
            p.toHandle().destroyForcibly();
            try {
                p.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (p != null) {
            ALL.remove(p);
        }
        state = State.KILLED;
    }

    /** Whether the current process died without the harness killing it. */
    boolean diedUnexpectedly() {
        Process p = process;
        return state != State.KILLED && p != null && !p.isAlive();
    }

    static Map<String, String> fields(String line) {
        Map<String, String> fields = new java.util.HashMap<>();
        for (String word : line.split("\\s+")) {
            int eq = word.indexOf('=');
            if (eq > 0) {
                fields.put(word.substring(0, eq), word.substring(eq + 1));
            }
        }
        return fields;
    }

    @Override
    public String toString() {
        return name;
    }
}
