package io.tessera.redis.internal.launcher;

import io.tessera.grid.Grid;
import io.tessera.grid.GridBuilder;
import io.tessera.grid.GridStatus;
import io.tessera.grid.Member;
import io.tessera.grid.Partition;
import io.tessera.redis.RespEventLoops;
import io.tessera.redis.RespServer;
import io.tessera.redis.internal.admin.AdminServer;
import io.tessera.redis.internal.admin.NodeMetrics;
import io.tessera.redis.internal.admin.Readiness;
import io.tessera.redis.internal.admin.StatusJson;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.time.Instant;
import java.util.EnumMap;
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
 *
 * <p>With {@code --admin-port} (or {@code --jmx}), the meters of the grid, the RESP server and the JVM go to
 * Prometheus (and JMX) through {@link NodeMetrics}, and an {@link AdminServer} serves them with the health checks
 * and the status page. It starts before the member joins, so liveness answers (and readiness says "joining") while
 * the join takes; it stops last. A stop turns readiness to 503 before anything else, so load balancers stop sending
 * clients first.
 */
public final class StandaloneNode {
    private static final Logger log = LoggerFactory.getLogger(StandaloneNode.class);
    private static final long STOP_WAIT_SECONDS = 120;

    private final NodeSettings settings;
    private final Grid grid;
    private final RespServer server;
    private final RespEventLoops loops;
    private final ScheduledExecutorService statusLog;
    private final NodeMetrics metrics;
    private final AdminServer admin;
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile String lastStatus = "";

    private StandaloneNode(NodeSettings settings, Grid grid, RespServer server, RespEventLoops loops,
                           NodeMetrics metrics, AdminServer admin) {
        this.settings = settings;
        this.grid = grid;
        this.server = server;
        this.loops = loops;
        this.metrics = metrics;
        this.admin = admin;
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
        NodeMetrics metrics = null;
        AdminServer admin = null;
        AdminSource adminSource = new AdminSource();
        if (settings.metricsEnabled()) {
            metrics = new NodeMetrics(settings.jmx());
            adminSource.metrics = metrics;
            if (settings.jmx()) {
                log.info("meters published as JMX MBeans, domain {}", NodeMetrics.JMX_DOMAIN);
            }
        }
        if (settings.adminEnabled()) {
            try {
                admin = AdminServer.start(settings.adminBind(), settings.adminPort(), adminSource);
            } catch (RuntimeException e) {
                metrics.close();
                throw e;
            }
            log.info("admin HTTP on http://{}:{}/ (status page; /metrics, /health/live, /health/ready,"
                    + " /status.json)", settings.adminBind(), admin.address().getPort());
        }
        // The partitions run on the RESP server's event loops: a command for a partition of its connection's loop
        // is decoded, executed and answered without a thread hand-off.
        RespEventLoops loops = RespEventLoops.create(settings.serverConfig().ioThreads());
        Grid grid;
        try {
            GridBuilder builder = settings.gridBuilder().partitionThreads(loops.executors());
            if (metrics != null) {
                builder.meterRegistry(metrics.registry());
            }
            grid = builder.start();
        } catch (RuntimeException e) {
            loops.close();
            closeAdmin(admin, metrics);
            throw e;
        }
        RespServer server;
        try {
            server = RespServer.start(grid, settings.serverConfig(), loops);
        } catch (RuntimeException e) {
            grid.close();
            loops.close();
            closeAdmin(admin, metrics);
            throw e;
        }
        StandaloneNode node = new StandaloneNode(settings, grid, server, loops, metrics, admin);
        adminSource.node = node;
        server.onShutdownCommand(node::onShutdownCommand);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> node.stop("shutdown signal"), "tessera-shutdown-hook"));
        node.statusLog.scheduleWithFixedDelay(node::logStatusIfChanged, 0, 1, TimeUnit.SECONDS);
        log.info("node {} ready: RESP on {}, cluster '{}' with {} members", grid.localMember().name(),
                server.endpoints(), grid.clusterName(), grid.members().size());
        return node;
    }

    private static void closeAdmin(AdminServer admin, NodeMetrics metrics) {
        if (admin != null) {
            admin.close();
        }
        if (metrics != null) {
            metrics.close();
        }
    }

    /** What the admin port reads: nothing but "joining" until the node has started. */
    private static final class AdminSource implements AdminServer.Source {
        volatile NodeMetrics metrics;
        volatile StandaloneNode node;

        @Override
        public String prometheusText() {
            return metrics.prometheusText();
        }

        @Override
        public Readiness readiness() {
            StandaloneNode started = node;
            return started == null ? Readiness.down("joining the cluster") : started.readiness();
        }

        @Override
        public String statusJson() {
            StandaloneNode started = node;
            return started == null ? null : started.statusJson();
        }
    }

    /**
     * Whether clients should be sent here: not while stopping, nor without the RESP port, nor while the grid says
     * this member is not ready (an unsettled table), nor while it sees fewer members than {@code --min-cluster-size}
     * (every key would answer CLUSTERDOWN).
     */
    Readiness readiness() {
        if (stopping.get()) {
            return Readiness.down("shutting down");
        }
        if (!server.isListening()) {
            return Readiness.down("the RESP port is not bound");
        }
        GridStatus status = grid.status();
        if (!status.ready()) {
            return Readiness.down(notReadyReason(status));
        }
        int members = status.members().size();
        if (members < settings.minClusterSize()) {
            return Readiness.down("sees " + members + " of the " + settings.minClusterSize() + " members"
                    + " --min-cluster-size asks for (keys answer CLUSTERDOWN)");
        }
        return Readiness.UP;
    }

    /** {@code partition table not settled (12 MIGRATING, 3 SYNCING)}: what the grid's table says. */
    static String notReadyReason(GridStatus status) {
        if (status.tableVersion() == 0) {
            return "no partition table yet";
        }
        Map<GridStatus.PartitionState, Integer> moving = new EnumMap<>(GridStatus.PartitionState.class);
        for (GridStatus.PartitionStatus partition : status.partitions()) {
            if (partition.state() != GridStatus.PartitionState.STABLE) {
                moving.merge(partition.state(), 1, Integer::sum);
            }
        }
        StringBuilder reason = new StringBuilder("partition table not settled");
        if (!moving.isEmpty()) {
            StringBuilder counts = new StringBuilder();
            moving.forEach((state, count) -> counts.append(counts.isEmpty() ? "" : ", ").append(count).append(' ')
                    .append(state));
            reason.append(" (").append(counts).append(')');
        }
        return reason.toString();
    }

    /** The status page's document, or null when the grid cannot say (it is closing). */
    String statusJson() {
        GridStatus status;
        try {
            status = grid.status();
        } catch (RuntimeException e) {
            log.debug("no grid status", e);
            return null;
        }
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        StatusJson.ServerFigures figures = new StatusJson.ServerFigures(Launcher.version(),
                server.endpoints(), server.connectedClients(), server.opsPerSecond(),
                Instant.ofEpochMilli(ManagementFactory.getRuntimeMXBean().getStartTime()), heap.getUsed(),
                heap.getMax());
        return StatusJson.write(status, readiness(), figures, Instant.now());
    }

    /** The plain RESP port actually bound, or {@link io.tessera.redis.RespServerConfig#PORT_OFF}. */
    public int port() {
        return server.port();
    }

    /** The TLS RESP port actually bound, or {@link io.tessera.redis.RespServerConfig#PORT_OFF}. */
    public int tlsPort() {
        return server.tlsPort();
    }

    /** The admin HTTP port actually bound, or {@link NodeSettings#ADMIN_OFF} without one. */
    public int adminPort() {
        return admin == null ? NodeSettings.ADMIN_OFF : admin.address().getPort();
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
        // From here on readiness answers 503 "shutting down" (stopping is set): load balancers drain first.
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
            try {
                closeAdmin(admin, metrics);
            } finally {
                stopped.countDown();
            }
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
