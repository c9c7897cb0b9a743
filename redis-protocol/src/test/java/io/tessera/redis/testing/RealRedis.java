package io.tessera.redis.testing;

import java.net.ServerSocket;
import java.util.concurrent.TimeUnit;
import redis.clients.jedis.Jedis;

/**
 * A real {@code redis-server} (Debian's package, which {@code .ci/run} installs) on a free 127.0.0.1 port, without
 * persistence: the reference the command tests compare Tessera's replies with.
 */
public final class RealRedis implements AutoCloseable {
    private final Process process;
    private final int port;

    private RealRedis(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Starts the server and waits until it answers PING. */
    public static RealRedis start() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Process process = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind",
                "127.0.0.1", "--save", "", "--appendonly", "no").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            try (Jedis probe = new Jedis("127.0.0.1", port)) {
                probe.ping();
                return new RealRedis(process, port);
            } catch (Exception notYet) {
                if (System.nanoTime() > deadline || !process.isAlive()) {
                    process.destroyForcibly();
                    throw new IllegalStateException("redis-server did not start on port " + port
                            + " (Debian: apt-get install redis-server)", notYet);
                }
                Thread.sleep(50);
            }
        }
    }

    /** The server's port on 127.0.0.1 (for raw connections). */
    public int port() {
        return port;
    }

    /** A new client of the server. */
    public Jedis client() {
        return new Jedis("127.0.0.1", port);
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
