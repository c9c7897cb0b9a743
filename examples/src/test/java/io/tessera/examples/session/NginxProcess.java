package io.tessera.examples.session;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A real nginx (Debian's {@code nginx-light}, which {@code .ci/run} installs) run from the demo's template
 * {@code examples/nginx/tessera-sessions.conf}, as the current user, in a private prefix directory (config, pid and
 * temp dirs), in the foreground, listening on 127.0.0.1 only.
 *
 * <p>The test runs it with {@code -g "master_process off;"}: one process, so that killing it leaves no worker behind
 * even if the test JVM is killed.
 */
final class NginxProcess extends LoadBalancerProcess {
    /** Relative to the examples module (the working directory of Maven's test JVMs). */
    static final Path TEMPLATE = Path.of("nginx", "tessera-sessions.conf");

    private NginxProcess(List<String> command, int port, Path log) throws IOException, InterruptedException {
        super("nginx", command, port, log);
    }

    /**
     * Fills in the template with a free listen port and the two nodes' HTTP ports, starts nginx with its prefix in
     * {@code dir} and waits until it accepts connections.
     */
    static NginxProcess start(Path dir, int node1Port, int node2Port) throws IOException, InterruptedException {
        String nginx = executable("nginx", "nginx-light");
        int port = freePort();
        Path conf = fillIn(TEMPLATE, dir.resolve("nginx.conf").toAbsolutePath(), port, node1Port, node2Port,
                "root".equals(System.getProperty("user.name")) ? "user root;" : "");
        return new NginxProcess(List.of(nginx, "-e", "stderr", "-p", dir.toAbsolutePath() + "/", "-c",
                conf.toString(), "-g", "master_process off;"), port, dir.resolve("nginx.log"));
    }
}
