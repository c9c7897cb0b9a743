package io.tessera.examples.session;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * A real load balancer process in front of the demo's two nodes (nginx, HAProxy), run in the foreground as the
 * current user, listening on 127.0.0.1 only: what {@link NginxProcess} and {@link HaproxyProcess} share. A JVM that
 * exits with some still running kills them. {@link #close()} asks it to stop (SIGTERM), then kills it.
 */
abstract class LoadBalancerProcess implements AutoCloseable {
    private static final ConcurrentLinkedQueue<Process> ALL = new ConcurrentLinkedQueue<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> ALL.forEach(Process::destroyForcibly),
                "load-balancer-reaper"));
    }

    private final String name;
    private final Process process;
    private final int port;
    private final Path log;

    /**
     * Starts {@code command} (its output into {@code log}) and waits up to 20 s until it accepts connections on
     * 127.0.0.1:{@code port}; a process that dies or does not listen in time fails the test with its log.
     */
    LoadBalancerProcess(String name, List<String> command, int port, Path log)
            throws IOException, InterruptedException {
        this.name = name;
        this.port = port;
        this.log = log;
        this.process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        ALL.add(process);
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!accepts(port)) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                close();
                throw new AssertionError(name + " did not start listening on 127.0.0.1:" + port + ": "
                        + Files.readString(log));
            }
            Thread.sleep(50);
        }
    }

    /** {@code template} with the listen port and the two nodes' HTTP ports filled in, written to {@code target}. */
    static Path fillIn(Path template, Path target, int port, int node1Port, int node2Port, String userDirective)
            throws IOException {
        Files.createDirectories(target.getParent());
        String config = Files.readString(template, StandardCharsets.UTF_8)
                .replace("@LISTEN_PORT@", Integer.toString(port))
                .replace("@NODE1_PORT@", Integer.toString(node1Port))
                .replace("@NODE2_PORT@", Integer.toString(node2Port))
                .replace("@USER_DIRECTIVE@", userDirective);
        Files.writeString(target, config, StandardCharsets.UTF_8);
        return target;
    }

    /** The first of {@code /usr/sbin}, {@code /usr/local/sbin} and {@code /usr/bin} that holds {@code command}. */
    static String executable(String command, String debianPackage) {
        for (String dir : List.of("/usr/sbin", "/usr/local/sbin", "/usr/bin")) {
            Path candidate = Path.of(dir, command);
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        throw new AssertionError(command + " not found in /usr/sbin, /usr/local/sbin or /usr/bin: install Debian's "
                + debianPackage + " (.ci/run does)");
    }

    /** A port free on 127.0.0.1 right now. */
    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** Whether something accepts TCP connections on 127.0.0.1:{@code port}. */
    static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The port it listens on (127.0.0.1). */
    int port() {
        return port;
    }

    /** What it printed (warnings, alerts, servers going down). */
    String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops it (SIGTERM, then SIGKILL after 5 s). */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        ALL.remove(process);
    }

    @Override
    public String toString() {
        return name + " on 127.0.0.1:" + port;
    }
}
