package io.tessera.redis.testing;

import io.tessera.grid.testing.MemberProcesses;
import io.tessera.grid.testing.OrphanWatchdogMain;
import io.tessera.grid.testing.ProcessOutput;
import io.tessera.redis.TesseraServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Standalone nodes ({@link TesseraServer}) as real processes, and the command-line tools (redis-cli,
 * redis-benchmark) that drive them, for the multi-process tests.
 *
 * <p>A node runs {@code java -cp <test class path> OrphanWatchdogMain TesseraServer ...} (the launcher plus an orphan
 * watchdog), or the shaded {@code tessera-server.jar} with {@link #startJar}. Its stdout and stderr are copied, with timestamps, to
 * {@code target/server-processes/<test>-<time>/<node>.log} and kept in memory for {@link ServerNode#awaitLine}. RESP
 * ports are chosen by the node ({@code --port 0}) and read from its "ready" log line; grid ports come from
 * {@link MemberProcesses#freePortBase}, which also keeps FD_SOCK2's ports (+100) free.
 *
 * <p>Every node is killed by {@link #close()}, by a JVM shutdown hook, and (for {@link #start} nodes) by itself when
 * the test JVM dies.
 */
public final class ServerProcesses implements AutoCloseable {
    private static final Pattern READY = Pattern.compile("node (\\S+) ready: RESP on (\\S+):(\\d+)");
    private static final Pattern ADMIN = Pattern.compile("admin HTTP on http://(\\S+):(\\d+)/");
    private static final ConcurrentLinkedQueue<Process> ALL = new ConcurrentLinkedQueue<>();
    /** How long a node may take from fork to "ready" on a busy 2-core machine. */
    public static final Duration READY_TIMEOUT = Duration.ofSeconds(90);

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> ALL.forEach(Process::destroyForcibly),
                "server-processes-reaper"));
    }

    private final Path logDir;
    private final List<ServerNode> nodes = new ArrayList<>();

    /** Nodes whose logs go under {@code target/server-processes/<testName>-<time>/}. */
    public ServerProcesses(String testName) {
        this.logDir = Path.of("target", "server-processes",
                testName + "-" + LocalTime.now().format(DateTimeFormatter.ofPattern("HHmmss-SSS")));
        try {
            Files.createDirectories(logDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The directory of the logs. */
    public Path logDir() {
        return logDir;
    }

    /**
     * Starts {@code size} nodes of cluster {@code clusterName} on the tcp stack, 127.0.0.1, free grid ports and the
     * same {@code --members} list: the first alone (it becomes the coordinator), then the others together; waits
     * until every node is ready and the partition table has settled.
     *
     * @param extraArgs more launcher flags for every node (e.g. {@code --requirepass x})
     */
    public List<ServerNode> startCluster(int size, String clusterName, String... extraArgs) {
        int gridBase = MemberProcesses.freePortBase(size);
        String members = String.join(",", MemberProcesses.initialMembers(gridBase, size));
        List<ServerNode> started = new ArrayList<>();
        List<ServerNode> pending = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            List<String> args = new ArrayList<>(List.of("--name", "node" + (i + 1), "--port", "0",
                    "--cluster-name", clusterName,
                    "--stack", "tcp", "--bind", "127.0.0.1", "--grid-bind", "127.0.0.1",
                    "--grid-port", Integer.toString(gridBase + i), "--members", members));
            args.addAll(List.of(extraArgs));
            ServerNode node = fork("node" + (i + 1), args, null);
            if (i == 0) {
                node.awaitReady(READY_TIMEOUT);
                started.add(node);
            } else {
                pending.add(node);
            }
        }
        for (ServerNode node : pending) {
            node.awaitReady(READY_TIMEOUT);
            started.add(node);
        }
        awaitSettled(started, Duration.ofSeconds(60));
        return started;
    }

    /** Forks a node with the test class path and {@code args}; waits until it is ready. */
    public ServerNode start(String name, String... args) {
        ServerNode node = fork(name, List.of(args), null);
        node.awaitReady(READY_TIMEOUT);
        return node;
    }

    /**
     * Starts one node per entry of {@code argsByName} all at once (as a StatefulSet with {@code Parallel} pod
     * management does), then waits until each is ready; in the map's order.
     */
    public List<ServerNode> startAtOnce(Map<String, List<String>> argsByName) {
        List<ServerNode> nodes = new ArrayList<>();
        argsByName.forEach((name, args) -> nodes.add(fork(name, args, null)));
        nodes.forEach(node -> node.awaitReady(READY_TIMEOUT));
        return nodes;
    }

    /** Runs {@code java -jar jar args}; waits until it is ready. */
    public ServerNode startJar(Path jar, String name, String... args) {
        ServerNode node = fork(name, List.of(args), jar);
        node.awaitReady(READY_TIMEOUT);
        return node;
    }

    /**
     * Runs the launcher ({@link TesseraServer}, without the watchdog) with {@code args} and {@code env} added to the
     * environment, to completion (for options that exit at once: {@code --help}, bad values), and returns what it
     * printed.
     */
    public ToolResult runLauncher(Map<String, String> env, Duration timeout, String... args) {
        List<String> command = javaCommand(null, TesseraServer.class);
        command.addAll(List.of(args));
        return run(command, null, env, timeout);
    }

    /** {@link #runLauncher(Map, Duration, String...)} with the environment as it is. */
    public ToolResult runLauncher(Duration timeout, String... args) {
        return runLauncher(Map.of(), timeout, args);
    }

    private ServerNode fork(String name, List<String> args, Path jar) {
        List<String> command = javaCommand(jar, OrphanWatchdogMain.class);
        if (jar == null) {
            command.add(TesseraServer.class.getName());
        }
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
        ServerNode node = new ServerNode(name, process, log);
        synchronized (nodes) {
            nodes.add(node);
        }
        return node;
    }

    private static List<String> javaCommand(Path jar, Class<?> mainClass) {
        List<String> command = new ArrayList<>();
        command.add(MemberProcesses.javaBinary());
        command.add("-Xmx384m");
        command.add("-XX:+UseSerialGC");
        command.add("-Djava.net.preferIPv4Stack=true");
        if (jar != null) {
            command.add("-jar");
            command.add(jar.toAbsolutePath().toString());
        } else {
            command.add("-cp");
            command.add(MemberProcesses.childClassPath());
            command.add(mainClass.getName());
        }
        return command;
    }

    /**
     * Waits until every node's newest partition-table log line shows all {@code nodes}, every partition with
     * min(1, n - 1) backups, and balanced primaries (each ⌊P/n⌋..⌈P/n⌉).
     */
    public static void awaitSettled(List<ServerNode> nodes, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String problem;
        while ((problem = settledProblem(nodes)) != null) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not settled within " + timeout + ": " + problem);
            }
            sleep(100);
        }
    }

    private static final Pattern TABLE = Pattern.compile(
            "partition table: (\\d+) members, (\\d+)/(\\d+) partitions with (\\d+) backup\\(s\\), primaries \\{(.*)}");

    private static String settledProblem(List<ServerNode> nodes) {
        int n = nodes.size();
        for (ServerNode node : nodes) {
            node.assertAlive();
            String line = node.lastLineContaining("partition table: ");
            if (line == null) {
                return node.name() + " logged no partition table yet";
            }
            Matcher m = TABLE.matcher(line);
            if (!m.find()) {
                return node.name() + ": unexpected line " + line;
            }
            int members = Integer.parseInt(m.group(1));
            int complete = Integer.parseInt(m.group(2));
            int partitions = Integer.parseInt(m.group(3));
            int backups = Integer.parseInt(m.group(4));
            if (members != n || complete != partitions || backups != Math.min(1, n - 1)) {
                return node.name() + ": " + line;
            }
            String[] primaries = m.group(5).split(", ");
            if (primaries.length != n) {
                return node.name() + ": " + line;
            }
            for (String entry : primaries) {
                int count = Integer.parseInt(entry.substring(entry.lastIndexOf('=') + 1));
                if (count < partitions / n || count > (partitions + n - 1) / n) {
                    return node.name() + " unbalanced: " + line;
                }
            }
        }
        return null;
    }

    /** Kills every node still alive (SIGKILL) and waits for it. */
    @Override
    public void close() {
        List<ServerNode> all;
        synchronized (nodes) {
            all = new ArrayList<>(nodes);
            nodes.clear();
        }
        for (ServerNode node : all) {
            node.process.destroyForcibly();
        }
        for (ServerNode node : all) {
            try {
                node.process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ALL.remove(node.process);
        }
    }

    /** What a finished command printed, and its exit code. */
    public record ToolResult(int exitCode, String stdout, String stderr) {
        /** stdout, then stderr. */
        public String output() {
            return stdout + stderr;
        }
    }

    /**
     * Runs {@code command} to completion, feeding it {@code stdin} (a file, or nothing), with {@code env} added to
     * the environment; fails if it takes longer than {@code timeout}.
     */
    public static ToolResult run(List<String> command, Path stdin, Map<String, String> env, Duration timeout) {
        try {
            Path out = Files.createTempFile("tool-out", ".txt");
            Path err = Files.createTempFile("tool-err", ".txt");
            try {
                ProcessBuilder builder = new ProcessBuilder(command)
                        .redirectOutput(out.toFile())
                        .redirectError(err.toFile());
                builder.environment().putAll(env);
                if (stdin != null) {
                    builder.redirectInput(stdin.toFile());
                }
                Process process = builder.start();
                ALL.add(process);
                try {
                    if (stdin == null) {
                        process.getOutputStream().close();
                    }
                    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                        process.destroyForcibly();
                        throw new AssertionError(String.join(" ", command) + " did not finish within " + timeout
                                + "; output so far: " + Files.readString(out) + Files.readString(err));
                    }
                } finally {
                    ALL.remove(process);
                }
                return new ToolResult(process.exitValue(), Files.readString(out), Files.readString(err));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted running " + command, e);
        }
    }

    /** {@code redis-cli -h 127.0.0.1 -p port args...} with a 60 second limit. */
    public static ToolResult redisCli(int port, String... args) {
        List<String> command = new ArrayList<>(List.of("redis-cli", "-h", "127.0.0.1", "-p", Integer.toString(port)));
        command.addAll(List.of(args));
        return run(command, null, Map.of(), Duration.ofSeconds(60));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** One node process: its name, RESP port, log, and the lines it printed. */
    public static final class ServerNode {
        private final String name;
        private final Process process;
        private final Path log;
        private final ProcessOutput output;
        private volatile int port = -1;

        ServerNode(String name, Process process, Path log) {
            this.name = name;
            this.process = process;
            this.log = log;
            this.output = new ProcessOutput("node " + name, process, log);
        }

        /** Appends a note of the test's to the node's log. */
        public void note(String text) {
            output.note(text);
        }

        void awaitReady(Duration timeout) {
            String line = awaitLine(l -> READY.matcher(l).find(), timeout);
            Matcher m = READY.matcher(line);
            if (!m.find()) {
                throw new AssertionError("unreachable");
            }
            port = Integer.parseInt(m.group(3));
        }

        /**
         * Waits until the node printed a line that {@code match} accepts and returns it; fails if the process exits
         * first or {@code timeout} passes.
         */
        public String awaitLine(Predicate<String> match, Duration timeout) {
            return output.awaitLine(match, timeout);
        }

        /** The newest line containing {@code text}, or {@code null}. */
        public String lastLineContaining(String text) {
            return output.lastLineContaining(text);
        }

        /** Everything the node printed so far. */
        public String output() {
            return output.text();
        }

        /** The node name (also its {@code --name} when started by {@link #startCluster}). */
        public String name() {
            return name;
        }

        /** The RESP port it listens on. */
        public int port() {
            return port;
        }

        /** The admin HTTP port it listens on (started with {@code --admin-port}); read from its log. */
        public int adminPort() {
            String line = lastLineContaining("admin HTTP on http://");
            if (line == null) {
                throw new AssertionError("node " + name + " logged no admin port (started without --admin-port?); see "
                        + log.toAbsolutePath());
            }
            Matcher m = ADMIN.matcher(line);
            if (!m.find()) {
                throw new AssertionError("unexpected admin line of node " + name + ": " + line);
            }
            return Integer.parseInt(m.group(2));
        }

        /** The process. */
        public Process process() {
            return process;
        }

        /** The log file. */
        public Path log() {
            return log;
        }

        void assertAlive() {
            if (!process.isAlive()) {
                throw new AssertionError("node " + name + " is not running (exit " + process.exitValue() + "); see "
                        + log.toAbsolutePath());
            }
        }

        /** Sends SIGKILL and waits until the process is gone. */
        public void kill9() {
            note("killing with SIGKILL");
            process.destroyForcibly();
            awaitExit(Duration.ofSeconds(10));
        }

        /**
         * Sends SIGTERM and returns the exit code once the process is gone. Through the {@link ProcessHandle}:
         * {@link Process#destroy()} would also close the pipes, losing what the node logs while it leaves (and
         * tripping its orphan watchdog).
         */
        public int sigterm(Duration timeout) {
            note("sending SIGTERM");
            process.toHandle().destroy();
            return awaitExit(timeout);
        }

        /** Waits for the process to exit and returns its exit code. */
        public int awaitExit(Duration timeout) {
            try {
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    throw new AssertionError("node " + name + " still runs after " + timeout + "; see "
                            + log.toAbsolutePath());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
            sleep(200); // the pumps copy the last lines
            note("exited with " + process.exitValue());
            return process.exitValue();
        }

        @Override
        public String toString() {
            return name + "(pid " + process.pid() + ", RESP port " + port + ")";
        }
    }
}
