package io.tessera.examples.session;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A real HAProxy (Debian's {@code haproxy}, which {@code .ci/run} installs) run from one of the demo's templates under
 * {@code examples/haproxy/}, as the current user, in the foreground ({@code -db}: one process, no daemon, no
 * pidfile), listening on 127.0.0.1 only.
 */
final class HaproxyProcess extends LoadBalancerProcess {
    /** Round robin, no stickiness; relative to the examples module (the working directory of Maven's test JVMs). */
    static final Path ROUND_ROBIN = Path.of("haproxy", "tessera-sessions.cfg");
    /** Sticky by an inserted {@code TESSERA_NODE} cookie. */
    static final Path STICKY = Path.of("haproxy", "tessera-sessions-sticky.cfg");

    private HaproxyProcess(List<String> command, int port, Path log) throws IOException, InterruptedException {
        super("haproxy", command, port, log);
    }

    /**
     * Fills in {@code template} with a free listen port and the two nodes' HTTP ports, writes it to {@code dir},
     * starts HAProxy on it and waits until it accepts connections.
     */
    static HaproxyProcess start(Path template, Path dir, int node1Port, int node2Port)
            throws IOException, InterruptedException {
        String haproxy = executable("haproxy", "haproxy");
        int port = freePort();
        Path cfg = fillIn(template, dir.resolve("haproxy.cfg").toAbsolutePath(), port, node1Port, node2Port, "");
        return new HaproxyProcess(List.of(haproxy, "-db", "-f", cfg.toString()), port, dir.resolve("haproxy.log"));
    }
}
