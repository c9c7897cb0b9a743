package io.tessera.examples.session;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * A real HAProxy (Debian's {@code haproxy}, which {@code .ci/run} installs) run from one of the demo's templates under
 * {@code examples/haproxy/}, as the current user, in the foreground ({@code -db}: one process, no daemon, no
 * pidfile), listening on 127.0.0.1 only. {@link #close()} asks it to stop (SIGTERM), then kills it.
 */
final class HaproxyProcess implements AutoCloseable {
    /** Round robin, no stickiness; relative to the examples module (the working directory of Maven's test JVMs). */
    static final Path ROUND_ROBIN = Path.of("haproxy", "tessera-sessions.cfg");
    /** Sticky by an inserted {@code TESSERA_NODE} cookie. */
    static final Path STICKY = Path.of("haproxy", "tessera-sessions-sticky.cfg");
    private static final ConcurrentLinkedQueue<Process> ALL = new ConcurrentLinkedQueue<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> ALL.forEach(Process::destroyForcibly),
                "haproxy-reaper"));
    }

    private final Process process;
    private final int port;
    private final Path log;

    private HaproxyProcess(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /**
     * Fills in {@code template} with a free listen port and the two nodes' HTTP ports, writes it to {@code dir},
     * starts HAProxy on it and waits until it accepts connections.
     */
    static HaproxyProcess start(Path template, Path dir, int node1Port, int node2Port)
            throws IOException, InterruptedException {
        String haproxy = findHaproxy();
        int port = NginxProcess.freePort();
        Files.createDirectories(dir);
        String config = Files.readString(template, StandardCharsets.UTF_8)
                .replace("@LISTEN_PORT@", Integer.toString(port))
                .replace("@NODE1_PORT@", Integer.toString(node1Port))
                .replace("@NODE2_PORT@", Integer.toString(node2Port));
        Path cfg = dir.resolve("haproxy.cfg").toAbsolutePath();
        Files.writeString(cfg, config, StandardCharsets.UTF_8);
        Path log = dir.resolve("haproxy.log");
        Process process = new ProcessBuilder(List.of(haproxy, "-db", "-f", cfg.toString()))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        ALL.add(process);
        HaproxyProcess started = new HaproxyProcess(process, port, log);
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!NginxProcess.accepts(port)) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                started.close();
                throw new AssertionError("haproxy did not start listening on 127.0.0.1:" + port + ": "
                        + Files.readString(log));
            }
            Thread.sleep(50);
        }
        return started;
    }

    private static String findHaproxy() {
        for (String candidate : List.of("/usr/sbin/haproxy", "/usr/local/sbin/haproxy", "/usr/bin/haproxy")) {
            if (Files.isExecutable(Path.of(candidate))) {
                return candidate;
            }
        }
        throw new AssertionError("haproxy not found in /usr/sbin, /usr/local/sbin or /usr/bin: install Debian's"
                + " haproxy (.ci/run does)");
    }

    /** The port HAProxy listens on (127.0.0.1). */
    int port() {
        return port;
    }

    /** What HAProxy printed (warnings, alerts, servers going down). */
    String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops HAProxy (SIGTERM, then SIGKILL after 5 s). */
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
