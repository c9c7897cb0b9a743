package io.tessera.redis.internal.launcher;

import io.tessera.grid.Grid;
import io.tessera.grid.Member;
import io.tessera.grid.Partition;
import io.tessera.redis.RespEventLoops;
import io.tessera.redis.RespServer;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running standalone node: one grid member with a RESP server in front of it.
 *
 * <p>The grid's partitions run on the RESP server's event loops ({@link RespEventLoops}). Stopping is a graceful
 * leave: the RESP server closes (clients are disconnected), then {@link Grid#close()} hands this member's partitions
 * to the others before it disconnects, and only then do the event loops stop. It happens once, on the first of: the
 * JVM's shutdown hook (SIGTERM, SIGINT, {@code System.exit}), or the {@code SHUTDOWN} command, which stops on a
 * thread of its own and then exits the JVM with 0. A second caller waits for the first to finish, so the shutdown
 * hook that {@code System.exit} runs does not return before the leave is done.
 *
 * <p>While running, a daemon thread ({@code tessera-status}) logs the partition table whenever its summary changes,
 * which tells an operator (and the multi-process tests) when the cluster has settled.
 */
public final class StandaloneNode {
    private static final Logger log = LoggerFactory.getLogger(StandaloneNode.class);
    private static final long STOP_WAIT_SECONDS = 120;

    private final NodeSettings settings;
    private final Grid grid;
    private final RespServer server;
    private final RespEventLoops loops;
    private final ScheduledExecutorService statusLog;
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile String lastStatus = "";

    private StandaloneNode(NodeSettings settings, Grid grid, RespServer server, RespEventLoops loops) {
        this.settings = settings;
        this.grid = grid;
        this.server = server;
        this.loops = loops;
        this.statusLog = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tessera-status");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Joins the cluster, starts the RESP server and installs the shutdown hook.
     *
     * @throws io.tessera.grid.GridException if the member cannot join
     * @throws IllegalStateException if the RESP port cannot be bound (the grid member has left again)
     */
    public static StandaloneNode start(NodeSettings settings) {
        log.info("starting {} {}: {}", Launcher.PROGRAM, Launcher.version(), settings);
        // The partitions run on the RESP server's event loops: a command for a partition of its connection's loop
        // is decoded, executed and answered without a thread hand-off.
        RespEventLoops loops = RespEventLoops.create(settings.serverConfig().ioThreads());
        Grid grid;
        try {
            grid = settings.gridBuilder().partitionThreads(loops.executors()).start();
        } catch (RuntimeException e) {
            loops.close();
            throw e;
        }
        RespServer server;
        try {
            server = RespServer.start(grid, settings.serverConfig(), loops);
        } catch (RuntimeException e) {
            grid.close();
            loops.close();
            throw e;
        }
        StandaloneNode node = new StandaloneNode(settings, grid, server, loops);
        server.onShutdownCommand(node::onShutdownCommand);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> node.stop("shutdown signal"), "tessera-shutdown-hook"));
        node.statusLog.scheduleWithFixedDelay(node::logStatusIfChanged, 0, 1, TimeUnit.SECONDS);
        log.info("node {} ready: RESP on {}:{}, cluster '{}' with {} members", grid.localMember().name(),
                settings.bind(), server.port(), grid.clusterName(), grid.members().size());
        return node;
    }

    /** The RESP port actually bound. */
    public int port() {
        return server.port();
    }

    /** Blocks until the node has stopped. */
    public void awaitStopped() {
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Leaves the cluster gracefully, once; a concurrent or later call waits for the first to finish.
     *
     * @param reason what asked for the stop, for the log
     */
    public void stop(String reason) {
        if (!stopping.compareAndSet(false, true)) {
            try {
                stopped.await(STOP_WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return;
        }
        String name = grid.localMember().name();
        try {
            log.info("{}: node {} is leaving cluster '{}' gracefully (closing the RESP server, handing off"
                    + " partitions)", reason, name, grid.clusterName());
            statusLog.shutdownNow();
            server.close();
            grid.close();
            loops.close();
            log.info("node {} left the cluster '{}' gracefully", name, settings.clusterName());
        } catch (RuntimeException e) {
            log.error("node {} could not leave the cluster gracefully; the other nodes' backups take over", name, e);
        } finally {
            stopped.countDown();
        }
    }

    private void onShutdownCommand() {
        // Called on a Netty event loop, which server.close() waits for: leave on a thread of our own.
        Thread thread = new Thread(() -> {
            stop("SHUTDOWN command");
            System.exit(Launcher.EXIT_OK);
        }, "tessera-shutdown-command");
        thread.start();
    }

    private void logStatusIfChanged() {
        try {
            String status = status();
            if (!status.equals(lastStatus)) {
                lastStatus = status;
                log.info("{}", status);
            }
        } catch (RuntimeException e) {
            log.debug("cannot read the partition table", e);
        }
    }

    /**
     * {@code partition table: 3 members, 256/256 partitions with 1 backup(s), primaries {a=86, b=85, c=85}}: how
     * many partitions have every backup the cluster can hold (min(backups, members - 1)).
     */
    String status() {
        List<Member> members = grid.members();
        List<Partition> partitions = grid.partitions();
        int wanted = Math.min(settings.backups(), members.size() - 1);
        int complete = 0;
        Map<String, Integer> primaries = new TreeMap<>();
        for (Partition partition : partitions) {
            if (partition.primary() == null) {
                continue;
            }
            primaries.merge(partition.primary().name(), 1, Integer::sum);
            if (partition.backups().size() >= wanted) {
                complete++;
            }
        }
        return "partition table: " + members.size() + " members, " + complete + "/" + partitions.size()
                + " partitions with " + wanted + " backup(s), primaries " + primaries;
    }
}
