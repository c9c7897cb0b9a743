package io.tessera.redis.internal.command;

import io.tessera.grid.Grid;
import io.tessera.grid.GridMap;
import io.tessera.redis.RespServerConfig;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * What every command of one server shares: the grid and its databases, the settings that {@code CONFIG SET} may
 * change, the connected clients and the counters {@code INFO} reports. Thread-safe; shared by all event loops.
 */
public final class ServerContext {
    /** The grid map that holds database {@code index}. */
    public static String databaseMapName(int index) {
        return "redis-db-" + index;
    }

    private final Grid grid;
    private final RespServerConfig config;
    private final AtomicReferenceArray<GridMap<byte[], byte[]>> databases;
    private final Map<Long, ClientSession> clients = new ConcurrentHashMap<>();
    private final AtomicLong nextClientId = new AtomicLong();
    private final long startMillis = System.currentTimeMillis();
    private final String runId;
    private volatile String requirePass;
    private volatile int maxClients;
    private volatile int port;
    private volatile Runnable shutdownAction = () -> { };
    private final PubSubHub pubSub;
    /** Counters for INFO stats. */
    public final AtomicLong commandsProcessed = new AtomicLong();
    public final AtomicLong connectionsReceived = new AtomicLong();
    public final AtomicLong rejectedConnections = new AtomicLong();
    public final AtomicLong keyspaceHits = new AtomicLong();
    public final AtomicLong keyspaceMisses = new AtomicLong();

    public ServerContext(Grid grid, RespServerConfig config) {
        this.grid = grid;
        this.config = config;
        this.databases = new AtomicReferenceArray<>(config.databases());
        this.requirePass = config.requirePass();
        this.maxClients = config.maxClients();
        this.port = config.port();
        this.runId = java.util.HexFormat.of().formatHex(randomBytes(20));
        this.pubSub = new PubSubHub(grid);
    }

    /** This member's pub/sub subscribers and the cluster-wide topic. */
    public PubSubHub pubSub() {
        return pubSub;
    }

    /** Releases what the server holds in the grid (its topic subscription). */
    public void close() {
        pubSub.close();
    }

    private static byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        new java.security.SecureRandom().nextBytes(bytes);
        return bytes;
    }

    public Grid grid() {
        return grid;
    }

    public RespServerConfig config() {
        return config;
    }

    /** Database {@code index}'s map (created on first use). */
    public GridMap<byte[], byte[]> database(int index) {
        GridMap<byte[], byte[]> map = databases.get(index);
        if (map == null) {
            map = grid.map(databaseMapName(index));
            databases.compareAndSet(index, null, map);
            map = databases.get(index);
        }
        return map;
    }

    /** How many databases there are. */
    public int databaseCount() {
        return databases.length();
    }

    /** A new, unique client id. */
    public long nextClientId() {
        return nextClientId.incrementAndGet();
    }

    /** Registers a connected client. */
    public void clientConnected(ClientSession client) {
        clients.put(client.id(), client);
        client.subscriptionReset(() -> pubSub.unsubscribeAll(client));
        client.onClose(() -> pubSub.unsubscribeAll(client));
    }

    /** Forgets a disconnected client. */
    public void clientDisconnected(ClientSession client) {
        clients.remove(client.id());
    }

    /** The connected clients. */
    public Collection<ClientSession> clients() {
        return clients.values();
    }

    /** The client with {@code id}, or {@code null}. */
    public ClientSession client(long id) {
        return clients.get(id);
    }

    public String requirePass() {
        return requirePass;
    }

    public void requirePass(String requirePass) {
        this.requirePass = requirePass == null || requirePass.isEmpty() ? null : requirePass;
    }

    public int maxClients() {
        return maxClients;
    }

    public void maxClients(int maxClients) {
        this.maxClients = maxClients;
    }

    /** The port actually bound. */
    public int port() {
        return port;
    }

    public void port(int port) {
        this.port = port;
    }

    public long startMillis() {
        return startMillis;
    }

    /** A random id of this server's run, as Redis's {@code run_id}. */
    public String runId() {
        return runId;
    }

    /** What {@code SHUTDOWN} does: set by whoever owns the process (the standalone node leaves and exits). */
    public void shutdownAction(Runnable action) {
        this.shutdownAction = action;
    }

    public Runnable shutdownAction() {
        return shutdownAction;
    }
}
