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
 * A real nginx (Debian's {@code nginx-light}, which {@code .ci/run} installs) run from the demo's template
 * {@code examples/nginx/tessera-sessions.conf}, as the current user, in a private prefix directory (config, pid and
 * temp dirs), in the foreground, listening on 127.0.0.1 only.
 *
 * <p>The test runs it with {@code -g "master_process off;"}: one process, so that killing it leaves no worker behind
 * even if the test JVM is killed. {@link #close()} asks it to stop (SIGTERM), then kills it.
 */
final class NginxProcess implements AutoCloseable {
    /** The template, relative to the examples module (the working directory of Maven's test JVMs). */
    static final Path TEMPLATE = Path.of("nginx", "tessera-sessions.conf");
    private static final ConcurrentLinkedQueue<Process> ALL = new ConcurrentLinkedQueue<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> ALL.forEach(Process::destroyForcibly),
                "nginx-reaper"));
    }

    private final Process process;
    private final int port;
    private final Path log;

    private NginxProcess(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /**
     * Fills in the template with a free listen port and the two nodes' HTTP ports, starts nginx with its prefix in
     * {@code dir} and waits until it accepts connections.
     */
    static NginxProcess start(Path dir, int node1Port, int node2Port) throws IOException, InterruptedException {
        String nginx = findNginx();
        int port = freePort();
        Files.createDirectories(dir);
        String config = Files.readString(TEMPLATE, StandardCharsets.UTF_8)
                .replace("@LISTEN_PORT@", Integer.toString(port))
                .replace("@NODE1_PORT@", Integer.toString(node1Port))
                .replace("@NODE2_PORT@", Integer.toString(node2Port))
                .replace("@USER_DIRECTIVE@", "root".equals(System.getProperty("user.name")) ? "user root;" : "");
        Path conf = dir.resolve("nginx.conf").toAbsolutePath();
        Files.writeString(conf, config, StandardCharsets.UTF_8);
        Path log = dir.resolve("nginx.log");
        Process process = new ProcessBuilder(List.of(nginx, "-e", "stderr", "-p", dir.toAbsolutePath() + "/",
                "-c", conf.toString(), "-g", "master_process off;"))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        ALL.add(process);
        NginxProcess started = new NginxProcess(process, port, log);
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!accepts(port)) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                started.close();
                throw new AssertionError("nginx did not start listening on 127.0.0.1:" + port + ": "
                        + Files.readString(log));
            }
            Thread.sleep(50);
        }
        return started;
    }

    private static String findNginx() {
        for (String candidate : List.of("/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/bin/nginx")) {
            if (Files.isExecutable(Path.of(candidate))) {
                return candidate;
            }
        }
        throw new AssertionError("nginx not found in /usr/sbin, /usr/local/sbin or /usr/bin: install Debian's"
                + " nginx-light (.ci/run does)");
    }

    /** A port free on 127.0.0.1 right now (also for {@link HaproxyProcess}). */
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

    /** The port nginx listens on (127.0.0.1). */
    int port() {
        return port;
    }

    /** What nginx logged. */
    String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops nginx (SIGTERM, then SIGKILL after 5 s). */
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
}
