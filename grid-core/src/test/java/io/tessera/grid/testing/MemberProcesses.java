package io.tessera.grid.testing;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Forks {@link MemberProcess} JVMs for multi-process tests and guarantees they die: every child is killed by
 * {@link #close()} (call it from {@code @AfterEach}), by a JVM shutdown hook, and, should the test JVM be killed
 * outright, by itself when its stdin reaches end of file.
 *
 * <p>Each child runs with the test class path, the current {@code java}, {@code -Xmx256m}, IPv4 and
 * {@code jgroups.bind_addr=127.0.0.1}; its stdout and stderr are copied, with timestamps, to
 * {@code target/member-processes/<test>/<member>.log}. Reply lines (prefix {@link MemberProcess#REPLY}) are also
 * queued for {@link ForkedMember#command}.
 */
public final class MemberProcesses implements AutoCloseable {
    /** FD_SOCK2 in the bundled tcp stack listens on the transport port + this offset (and up to 3 more). */
    public static final int FD_SOCK_OFFSET = 100;
    private static final int FD_SOCK_PORT_RANGE = 3;
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");
    private static final ConcurrentLinkedQueue<Process> ALL = new ConcurrentLinkedQueue<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            ALL.forEach(Process::destroyForcibly);
            deleteClassPathSnapshot();
        }, "member-processes-reaper"));
    }

    private static String childClassPath;
    private static Path classPathSnapshot;

    private final Path logDir;
    private final List<ForkedMember> members = new ArrayList<>();

    /** Creates a launcher whose children log under {@code target/member-processes/<testName>-<time>/}. */
    public MemberProcesses(String testName) {
        this.logDir = Path.of("target", "member-processes",
                testName + "-" + LocalTime.now().format(DateTimeFormatter.ofPattern("HHmmss-SSS")));
        try {
            Files.createDirectories(logDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The directory of the children's logs. */
    public Path logDir() {
        return logDir;
    }

    /**
     * Finds {@code count} consecutive free ports on 127.0.0.1 whose FD_SOCK2 ports (+{@value #FD_SOCK_OFFSET}, and
     * the range after them) are free too, starting at a random base in 20000..40000; returns the base.
     */
    public static int freePortBase(int count) {
        return freePortBase(count, List.of("127.0.0.1"));
    }

    /**
     * {@link #freePortBase(int)} on every one of {@code addresses} (such as 127.0.0.2: Linux routes all of 127/8 to
     * the loopback interface), for members that bind the same ports on different addresses.
     */
    public static int freePortBase(int count, List<String> addresses) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int attempt = 0; attempt < 200; attempt++) {
            int base = 20_000 + random.nextInt(20_000);
            if (addresses.stream().allMatch(address -> allFree(address, base, count)
                    && allFree(address, base + FD_SOCK_OFFSET, count + FD_SOCK_PORT_RANGE))) {
                return base;
            }
        }
        throw new IllegalStateException("no free port range of " + count + " found on " + addresses);
    }

    private static boolean allFree(String address, int from, int count) {
        for (int port = from; port < from + count; port++) {
            try (ServerSocket socket = new ServerSocket()) {
                socket.setReuseAddress(false);
                socket.bind(new InetSocketAddress(address, port));
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }

    /** {@code 127.0.0.1:base .. 127.0.0.1:base+count-1}. */
    public static String[] initialMembers(int base, int count) {
        String[] list = new String[count];
        for (int i = 0; i < count; i++) {
            list[i] = "127.0.0.1:" + (base + i);
        }
        return list;
    }

    /**
     * Forks a member and waits until it printed READY.
     *
     * @param name the member name (also the log file name)
     * @param cluster the cluster name
     * @param port the transport port, exactly
     * @param initialMembers the {@code host:port} members TCPPING contacts
     * @param partitions the partition count
     * @param readyTimeout how long to wait for READY
     */
    public ForkedMember start(String name, String cluster, int port, String[] initialMembers, int partitions,
                              Duration readyTimeout) {
        List<String> command = new ArrayList<>();
        command.add(javaBinary());
        command.add("-Xmx256m");
        command.add("-XX:+UseSerialGC");
        command.add("-Djava.net.preferIPv4Stack=true");
        command.add("-Djgroups.bind_addr=127.0.0.1");
        command.add("-cp");
        command.add(childClassPath());
        command.add(MemberProcess.class.getName());
        command.addAll(List.of("--cluster", cluster, "--name", name, "--port", Integer.toString(port),
                "--initial", String.join(",", initialMembers), "--partitions", Integer.toString(partitions),
                "--timeout-ms", "10000"));
        Path log = logDir.resolve(name + ".log");
        Process process;
        try {
            Files.writeString(log, "# " + String.join(" ", command) + "\n");
            process = new ProcessBuilder(command).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot fork member " + name, e);
        }
        ALL.add(process);
        ForkedMember member = new ForkedMember(name, port, process, log);
        synchronized (members) {
            members.add(member);
        }
        member.awaitReady(readyTimeout);
        return member;
    }

    /** Kills every child that is still alive (SIGKILL) and waits for it to exit. */
    @Override
    public void close() {
        List<ForkedMember> all;
        synchronized (members) {
            all = new ArrayList<>(members);
            members.clear();
        }
        for (ForkedMember m : all) {
            m.process.destroyForcibly();
        }
        for (ForkedMember m : all) {
            try {
                m.process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ALL.remove(m.process);
        }
    }

    /** The java executable of this JVM, for forking children. */
    public static String javaBinary() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    /**
     * The test class path (failsafe and surefire keep it in {@code java.class.path} of the forked test JVM), with
     * every entry under this module's {@code target/} copied once to a private directory: other builds in the same
     * working tree recompile {@code target/classes} and {@code target/test-classes} while children still load
     * classes from them.
     */
    public static synchronized String childClassPath() {
        if (childClassPath != null) {
            return childClassPath;
        }
        String classPath = System.getProperty("java.class.path");
        String surefire = System.getProperty("surefire.test.class.path");
        if (surefire != null && !surefire.isBlank() && !classPath.contains("test-classes")) {
            classPath = surefire;
        }
        Path target = Path.of("target").toAbsolutePath().normalize();
        Path snapshot = target.resolve("member-processes").resolve("classpath-" + ProcessHandle.current().pid());
        classPathSnapshot = snapshot;
        List<String> entries = new ArrayList<>();
        int index = 0;
        for (String entry : classPath.split(java.io.File.pathSeparator)) {
            Path path = Path.of(entry).toAbsolutePath().normalize();
            if (!path.startsWith(target) || !Files.exists(path)) {
                entries.add(entry);
                continue;
            }
            Path copy = snapshot.resolve(index++ + "-" + path.getFileName());
            try {
                copyRecursively(path, copy);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot snapshot class path entry " + path, e);
            }
            entries.add(copy.toString());
        }
        childClassPath = String.join(java.io.File.pathSeparator, entries);
        return childClassPath;
    }

    private static synchronized void deleteClassPathSnapshot() {
        if (classPathSnapshot == null || !Files.isDirectory(classPathSnapshot)) {
            return;
        }
        try (var walk = Files.walk(classPathSnapshot)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // best effort: it lives under target/
        }
    }

    private static void copyRecursively(Path from, Path to) throws IOException {
        if (!Files.isDirectory(from)) {
            Files.createDirectories(to.getParent());
            Files.copy(from, to, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            return;
        }
        try (var walk = Files.walk(from)) {
            for (Path source : (Iterable<Path>) walk::iterator) {
                Path dest = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(dest);
                } else {
                    Files.copy(source, dest, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    /** One forked member: its process, its log, and a line-command channel to it. */
    public static final class ForkedMember {
        private final String name;
        private final int port;
        private final Process process;
        private final Path log;
        private final PrintWriter stdin;
        private final BlockingQueue<String> replies = new LinkedBlockingQueue<>();
        private final Object logLock = new Object();
        private volatile String address;
        private volatile int readyViewSize;

        ForkedMember(String name, int port, Process process, Path log) {
            this.name = name;
            this.port = port;
            this.process = process;
            this.log = log;
            this.stdin = new PrintWriter(new BufferedWriter(new OutputStreamWriter(process.getOutputStream(),
                    StandardCharsets.UTF_8)), true);
            pump(process.getInputStream(), "out", true);
            pump(process.getErrorStream(), "err", false);
        }

        private void pump(InputStream stream, String tag, boolean replies) {
            Thread t = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = in.readLine()) != null) {
                        appendLog(tag, line);
                        if (replies && line.startsWith(MemberProcess.REPLY)) {
                            this.replies.add(line.substring(MemberProcess.REPLY.length()));
                        }
                    }
                } catch (IOException e) {
                    appendLog(tag, "<pump ended: " + e + ">");
                }
                if (replies) {
                    this.replies.add("EOF");
                }
            }, "pump-" + name + "-" + tag);
            t.setDaemon(true);
            t.start();
        }

        private void appendLog(String tag, String line) {
            // Its own lock: command() holds the member's monitor while it waits for the pump to see the reply.
            synchronized (logLock) {
                try {
                    Files.writeString(log, LocalTime.now().format(TIME) + " " + tag + " " + line + "\n",
                            StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
                } catch (IOException e) {
                    // diagnostics only
                }
            }
        }

        private void awaitReady(Duration timeout) {
            String line = poll(timeout);
            if (line == null || !line.startsWith("READY ")) {
                process.destroyForcibly();
                throw new AssertionError("member " + name + " did not print READY within " + timeout + " (got "
                        + line + "); see " + log.toAbsolutePath());
            }
            address = fields(line).get("address");
            readyViewSize = Integer.parseInt(fields(line).getOrDefault("view", "0"));
        }

        private String poll(Duration timeout) {
            try {
                return replies.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }

        /** The member name. */
        public String name() {
            return name;
        }

        /** The transport port. */
        public int port() {
            return port;
        }

        /** The member's JGroups address as {@code org.jgroups.util.UUID.toStringLong()} prints it. */
        public String address() {
            return address;
        }

        /** The size of the member's view when it printed READY (it had joined and knew the table). */
        public int readyViewSize() {
            return readyViewSize;
        }

        /**
         * Fails unless the member's view had {@code expected} members when it printed READY. A smaller view means it
         * did not discover the running members within JGroups' join timeout and formed a cluster of its own (a
         * startup split brain), which MERGE3 only heals later.
         */
        public void assertJoined(int expected) {
            if (readyViewSize != expected) {
                throw new AssertionError("member " + name + " started in a view of " + readyViewSize + ", expected "
                        + expected + ": it did not discover the running members and formed a cluster of its own"
                        + " (startup split brain); see " + log.toAbsolutePath());
            }
        }

        /** The child process. */
        public Process process() {
            return process;
        }

        /** The log file. */
        public Path log() {
            return log;
        }

        /**
         * Sends one command line and returns the reply (without the prefix); fails the test if none comes within
         * {@code timeout} or the process died.
         */
        public synchronized String command(String line, Duration timeout) {
            if (!process.isAlive()) {
                throw new AssertionError("member " + name + " is not running (exit " + process.exitValue()
                        + "); see " + log.toAbsolutePath());
            }
            appendLog("cmd", line);
            stdin.println(line);
            String reply = poll(timeout);
            if (reply == null || reply.equals("EOF")) {
                throw new AssertionError("member " + name + " gave no reply to '" + line + "' within " + timeout
                        + " (got " + reply + "); see " + log.toAbsolutePath());
            }
            return reply;
        }

        /** Like {@link #command} with a 30 second timeout. */
        public String command(String line) {
            return command(line, Duration.ofSeconds(30));
        }

        /** Sends {@code kill -9} and waits until the process is gone; returns when it was sent (nanoTime). */
        public long kill9() {
            long sent = System.nanoTime();
            process.destroyForcibly();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    throw new AssertionError("member " + name + " survived kill -9 for 10 s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            appendLog("test", "<killed with SIGKILL; exit " + process.exitValue() + ">");
            return sent;
        }

        @Override
        public String toString() {
            return name + "(pid " + process.pid() + ", port " + port + ")";
        }
    }

    /**
     * Waits until every member sees exactly {@code members}, has installed the same table version without syncing
     * replicas, every partition has min(n, 2) owners (one backup) among them, and each member holds ⌊P/n⌋..⌈P/n⌉ primaries and
     * as many backups.
     */
    public static void awaitSettled(List<ForkedMember> members, int partitions, Duration timeout) {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        List<String> last = new ArrayList<>();
        while (true) {
            last.clear();
            String problem = settledProblem(members, partitions, last);
            if (problem == null) {
                System.out.printf("settled on %d members after %d ms: %s%n", members.size(),
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), last.get(0));
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not settled within " + timeout + ": " + problem + "; last tables " + last
                        + logTails(members));
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    /** The last lines of each member's log, so that a failure on a CI machine explains itself. */
    private static String logTails(List<ForkedMember> members) {
        StringBuilder text = new StringBuilder();
        for (ForkedMember m : members) {
            text.append("\n--- last lines of ").append(m.log()).append(":\n");
            try {
                List<String> lines = Files.readAllLines(m.log());
                lines.subList(Math.max(0, lines.size() - 40), lines.size())
                        .forEach(line -> text.append(line).append('\n'));
            } catch (java.io.IOException e) {
                text.append("(unreadable: ").append(e).append(")\n");
            }
        }
        return text.toString();
    }

    private static String settledProblem(List<ForkedMember> members, int partitions, List<String> tables) {
        int n = members.size();
        TreeSet<String> names = new TreeSet<>();
        members.forEach(m -> names.add(m.name()));
        String expectedMembers = String.join(",", names);
        String version = null;
        for (ForkedMember m : members) {
            Map<String, String> view = fields(m.command("VIEW"));
            String seen = String.join(",", new TreeSet<>(List.of(view.get("members").split(","))));
            if (!seen.equals(expectedMembers)) {
                return m.name() + " sees " + seen;
            }
            String line = m.command("TABLE");
            tables.add(m.name() + ": " + line);
            Map<String, String> table = fields(line);
            if (version == null) {
                version = table.get("version");
            } else if (!version.equals(table.get("version"))) {
                return "table versions differ";
            }
            if (!"false".equals(table.get("syncing"))) {
                return m.name() + "'s table has syncing replicas";
            }
            if (!"held".equals(table.get("lease"))) {
                return m.name() + " does not hold its lease";
            }
            if (!"0".equals(table.get("merging"))) {
                return m.name() + " has " + table.get("merging") + " captured replicas still to merge";
            }
            int replicas = Math.min(n, 2);
            if (!table.get("minOwners").equals(Integer.toString(replicas))
                    || !table.get("maxOwners").equals(Integer.toString(replicas))) {
                return m.name() + "'s table does not have " + replicas + " owners everywhere";
            }
            if (!expectedMembers.equals(table.get("owners"))) {
                return m.name() + "'s table is owned by " + table.get("owners");
            }
            int floor = partitions / n;
            int ceil = (partitions + n - 1) / n;
            Map<String, Integer> primaries = counts(table.get("primaries"));
            Map<String, Integer> backups = counts(table.get("backups"));
            for (String name : names) {
                int p = primaries.getOrDefault(name, 0);
                if (p < floor || p > ceil) {
                    return name + " leads " + p + " partitions (expected " + floor + ".." + ceil + ")";
                }
                if (n > 1) {
                    int b = backups.getOrDefault(name, 0);
                    if (b < floor || b > ceil) {
                        return name + " backs up " + b + " partitions (expected " + floor + ".." + ceil + ")";
                    }
                }
            }
        }
        return null;
    }

    /** Parses {@code WORD k=v k=v ...} into its key/value fields. */
    public static Map<String, String> fields(String reply) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String word : reply.split("\\s+")) {
            int eq = word.indexOf('=');
            if (eq > 0) {
                fields.put(word.substring(0, eq), word.substring(eq + 1));
            }
        }
        return fields;
    }

    /** Parses {@code a:1,b:2} into a map. */
    public static Map<String, Integer> counts(String list) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        if (list == null || list.isEmpty()) {
            return counts;
        }
        for (String item : list.split(",")) {
            int colon = item.lastIndexOf(':');
            counts.put(item.substring(0, colon), Integer.parseInt(item.substring(colon + 1)));
        }
        return counts;
    }
}
