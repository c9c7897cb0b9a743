package io.tessera.examples.session;

import io.tessera.grid.testing.MemberProcesses;
import io.tessera.grid.testing.OrphanWatchdogMain;
import io.tessera.grid.testing.ProcessOutput;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Session demo nodes as real processes for the end-to-end tests: each runs {@code java -cp <test class path>
 * OrphanWatchdogMain SessionDemo ...} (the demo's main plus an orphan watchdog), with its stdout and stderr copied,
 * with timestamps, to {@code target/demo-processes/<test>-<time>/<node>.log} ({@link ProcessOutput}) and kept for
 * {@link DemoNode#awaitLine}. HTTP ports are
 * chosen by the node ({@code --http-port 0}) and read from its ready line.
 *
 * <p>The same approach as redis-protocol's {@code ServerProcesses} test helper (which examples cannot depend on:
 * that module publishes no test jar); the class path snapshot and the free grid ports come from grid-core's
 * {@link MemberProcesses}. Every node is killed by {@link #close()}, by a JVM shutdown hook, and by itself when the
 * test JVM dies.
 */
final class DemoProcesses implements AutoCloseable {
    private static final Pattern READY = Pattern.compile("session demo (\\S+) ready: http://(\\S+):(\\d+)/");
    private static final ConcurrentLinkedQueue<Process> ALL = new ConcurrentLinkedQueue<>();
    /** How long a node may take from fork to ready on a busy 2-core machine. */
    static final Duration READY_TIMEOUT = Duration.ofSeconds(90);

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> ALL.forEach(Process::destroyForcibly),
                "demo-processes-reaper"));
    }

    private final Path logDir;
    private final List<DemoNode> nodes = new ArrayList<>();

    /** Nodes whose logs go under {@code target/demo-processes/<testName>-<time>/}. */
    DemoProcesses(String testName) {
        this.logDir = Path.of("target", "demo-processes",
                testName + "-" + LocalTime.now().format(DateTimeFormatter.ofPattern("HHmmss-SSS")));
        try {
            Files.createDirectories(logDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The directory of the logs. */
    Path logDir() {
        return logDir;
    }

    /**
     * Starts {@code size} demo nodes ({@code node1..}) of a new cluster on 127.0.0.1, HTTP on free ports, grid on
     * free ports: the first alone (it becomes the coordinator), then the others together; waits until all are ready
     * and fails unless the last one joined a cluster of {@code size}.
     */
    List<DemoNode> startCluster(int size, String clusterName, Class<?> mainClass, String... extraArgs) {
        int gridBase = MemberProcesses.freePortBase(size);
        String members = String.join(",", MemberProcesses.initialMembers(gridBase, size));
        List<DemoNode> started = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            List<String> args = new ArrayList<>(List.of("--node-name", "node" + (i + 1), "--http-port", "0",
                    "--cluster-name", clusterName, "--grid-port", Integer.toString(gridBase + i),
                    "--members", members));
            args.addAll(List.of(extraArgs));
            started.add(fork("node" + (i + 1), mainClass, args));
            if (i == 0) {
                started.get(0).awaitReady(READY_TIMEOUT);
            }
        }
        for (DemoNode node : started.subList(1, started.size())) {
            node.awaitReady(READY_TIMEOUT);
        }
        String last = started.get(size - 1).readyLine;
        if (!last.contains("with " + size + " member(s)")) {
            throw new AssertionError("the last node did not join a cluster of " + size + ": " + last);
        }
        return started;
    }

    private DemoNode fork(String name, Class<?> mainClass, List<String> args) {
        List<String> command = new ArrayList<>(List.of(MemberProcesses.javaBinary(), "-Xmx256m",
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Djava.net.preferIPv4Stack=true", "-cp",
                MemberProcesses.childClassPath(), OrphanWatchdogMain.class.getName(), mainClass.getName()));
        command.addAll(args);
        Path log = logDir.resolve(name + ".log");
        Process process;
        try {
            Files.writeString(log, "# " + String.join(" ", command) + "\n");
            process = new ProcessBuilder(command).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot fork node " + name, e);
        }
        ALL.add(process);
        DemoNode node = new DemoNode(name, process, log);
        synchronized (nodes) {
            nodes.add(node);
        }
        return node;
    }

    /** Kills every node still alive (SIGKILL) and waits for it. */
    @Override
    public void close() {
        List<DemoNode> all;
        synchronized (nodes) {
            all = new ArrayList<>(nodes);
            nodes.clear();
        }
        for (DemoNode node : all) {
            node.process.destroyForcibly();
        }
        for (DemoNode node : all) {
            try {
                node.process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ALL.remove(node.process);
        }
    }

    /** One node process: its name, HTTP port, log, and the lines it printed. */
    static final class DemoNode {
        private final String name;
        private final Process process;
        private final Path log;
        private final ProcessOutput output;
        private volatile int httpPort = -1;
        private volatile String readyLine;

        DemoNode(String name, Process process, Path log) {
            this.name = name;
            this.process = process;
            this.log = log;
            this.output = new ProcessOutput("node " + name, process, log);
        }

        /** Appends a note of the test's to the node's log. */
        void note(String text) {
            output.note(text);
        }

        void awaitReady(Duration timeout) {
            String line = awaitLine(l -> READY.matcher(l).find(), timeout);
            Matcher m = READY.matcher(line);
            if (!m.find()) {
                throw new AssertionError("unreachable");
            }
            httpPort = Integer.parseInt(m.group(3));
            readyLine = line;
        }

        /**
         * Waits until the node printed a line that {@code match} accepts and returns it; fails if the process exits
         * first or {@code timeout} passes.
         */
        String awaitLine(Predicate<String> match, Duration timeout) {
            return output.awaitLine(match, timeout);
        }

        /** The node's name ({@code --node-name}, also its {@code X-Tessera-Node}). */
        String name() {
            return name;
        }

        /** The HTTP port it listens on. */
        int httpPort() {
            return httpPort;
        }

        /** The log file. */
        Path log() {
            return log;
        }

        /** Sends SIGKILL ({@code kill -9}) and waits until the process is gone. */
        void kill9() {
            note("killing with SIGKILL");
            process.destroyForcibly();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    throw new AssertionError("node " + name + " still runs 10 s after SIGKILL");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }

        @Override
        public String toString() {
            return name + "(pid " + process.pid() + ", HTTP port " + httpPort + ")";
        }
    }
}
