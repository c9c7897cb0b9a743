package io.tessera.redis.internal.command;

import io.tessera.grid.Grid;
import io.tessera.grid.GridMap;
import io.tessera.grid.MapConfig;
import io.tessera.redis.RespServerConfig;
import java.util.Collection;
import java.util.List;
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
    private volatile boolean protectedMode;
    private volatile int maxClients;
    private volatile int port;
    private volatile Runnable shutdownAction;
    private final java.util.concurrent.ExecutorService adminExecutor;
    private volatile String advertisedEndpoint;
    private final PubSubHub pubSub;
    private final CommandStats commandStats = new CommandStats();
    private final SlowLog slowLog = new SlowLog();
    private final Map<String, String> encodingSettings = new ConcurrentHashMap<>();
    private volatile int keyspaceEventFlags;
    private final Map<GridMap<byte[], byte[]>, java.util.UUID> expiryListeners = new java.util.HashMap<>();
    private final BlockedClients blockedClients;
    private final AclUsers acl;
    private volatile long maxmemory;
    private volatile Maxmemory.Policy maxmemoryPolicy;
    /** Whether denyoom commands are checked against maxmemory: noeviction with a maxmemory. */
    private volatile boolean refusesBeyondMaxmemory;
    public final AtomicLong connectionsReceived = new AtomicLong();
    public final AtomicLong rejectedConnections = new AtomicLong();
    public final AtomicLong keyspaceHits = new AtomicLong();
    public final AtomicLong keyspaceMisses = new AtomicLong();

    public ServerContext(Grid grid, RespServerConfig config) {
        List<AclUser> fromAclFile = List.of();
        if (config.aclFile() != null) { // read first: a bad file stops the server before it holds anything
            try {
                fromAclFile = AclCommands.readFile(config.aclFile(), CommandTable.standard());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("aclfile: " + e.getMessage().substring("ERR ".length())
                        + " (fix the file or start without --aclfile)", e);
            }
        }
        this.grid = grid;
        this.config = config;
        this.databases = new AtomicReferenceArray<>(config.databases());
        this.requirePass = config.requirePass();
        this.protectedMode = config.protectedMode();
        this.maxClients = config.maxClients();
        this.port = config.port();
        this.runId = java.util.HexFormat.of().formatHex(randomBytes(20));
        java.util.concurrent.atomic.AtomicInteger threads = new java.util.concurrent.atomic.AtomicInteger();
        this.adminExecutor = java.util.concurrent.Executors.newCachedThreadPool(task -> {
            Thread thread = new Thread(task, "tessera-resp-admin-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        this.pubSub = new PubSubHub(grid);
        this.blockedClients = new BlockedClients(this::database, adminExecutor, grid.localMember().name());
        this.maxmemory = config.maxMemory();
        this.maxmemoryPolicy = Maxmemory.Policy.of(config.maxMemoryPolicy());
        this.refusesBeyondMaxmemory = maxmemory > 0 && maxmemoryPolicy == Maxmemory.Policy.NOEVICTION;
        // Every database is opened here, so that this node bounds all of them by its own maxmemory, even the ones
        // only other nodes' clients write to (a member applies its own config of a map it opened).
        for (int db = 0; db < databases.length(); db++) {
            database(db);
        }
        this.acl = new AclUsers(grid, config.databaseConfig(), CommandTable.standard(), this::requirePass,
                this::clients);
        fromAclFile.forEach(acl::store);
    }

    /** The cluster's ACL users. */
    public AclUsers acl() {
        return acl;
    }

    /** The clients of this member blocked on keys (BLPOP and its kin). */
    public BlockedClients blockedClients() {
        return blockedClients;
    }

    /** This member's pub/sub subscribers and the cluster-wide topic. */
    public PubSubHub pubSub() {
        return pubSub;
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

    /** Database {@code index}'s map. */
    public GridMap<byte[], byte[]> database(int index) {
        GridMap<byte[], byte[]> map = databases.get(index);
        if (map == null) {
            synchronized (this) {
                map = databases.get(index);
                if (map == null) {
                    map = grid.map(databaseMapName(index), databaseConfig());
                    databases.set(index, map);
                }
            }
        }
        return map;
    }

    /** The map config of every database on this node now: the server's, bounded by maxmemory. */
    private MapConfig databaseConfig() {
        return maxmemoryPolicy.apply(config.databaseConfig(), maxmemory);
    }

    /** This node's maxmemory in bytes, 0 for none. */
    public long maxmemory() {
        return maxmemory;
    }

    /** This node's maxmemory-policy. */
    public Maxmemory.Policy maxmemoryPolicy() {
        return maxmemoryPolicy;
    }

    /** Bounds this node's databases (CONFIG SET maxmemory / maxmemory-policy); other nodes keep their bounds. */
    public synchronized void maxmemory(long bytes, Maxmemory.Policy policy) {
        maxmemory = bytes;
        maxmemoryPolicy = policy;
        refusesBeyondMaxmemory = bytes > 0 && policy == Maxmemory.Policy.NOEVICTION;
        MapConfig bounded = databaseConfig();
        for (int db = 0; db < databases.length(); db++) {
            database(db).reconfigure(bounded);
        }
    }

    /** What this node holds of its databases, by the grid's estimate: INFO's used_memory. */
    public long usedMemory() {
        long used = 0;
        for (int db = 0; db < databases.length(); db++) {
            used += database(db).localStats().memoryBytes();
        }
        return used;
    }

    /** The keys this node's primaries evicted: INFO's evicted_keys. */
    public long evictedKeys() {
        long evicted = 0;
        for (int db = 0; db < databases.length(); db++) {
            evicted += database(db).localStats().evictions();
        }
        return evicted;
    }

    /** Whether commands that may grow the data are checked against maxmemory: noeviction with a maxmemory. */
    public boolean checksMaxmemory() {
        return refusesBeyondMaxmemory;
    }

    /**
     * Whether a command that may grow the data (flag {@code denyoom}) is refused here, as Redis refuses it: the
     * policy is noeviction and this node's databases take more than maxmemory.
     */
    public boolean refusesGrowth() {
        return refusesBeyondMaxmemory && usedMemory() > maxmemory;
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

    /** What this node's commands did (INFO commandstats, INFO stats). */
    public CommandStats commandStats() {
        return commandStats;
    }

    /** The slow commands (SLOWLOG). */
    public SlowLog slowLog() {
        return slowLog;
    }

    /** The connected clients. */
    public Collection<ClientSession> clients() {
        return clients.values();
    }

    /** The client with {@code id}, or {@code null}. */
    public ClientSession client(long id) {
        return clients.get(id);
    }

    /** An encoding tunable's value (CONFIG GET), by its Redis 7 name; see {@code ServerCommands}. */
    public String encodingSetting(String name) {
        return encodingSettings.getOrDefault(name, ConfigCommands.ENCODING_DEFAULTS.get(name));
    }

    /** Records an encoding tunable's value (CONFIG SET); Tessera's storage does not depend on it. */
    public void encodingSetting(String name, String value) {
        encodingSettings.put(name, value);
    }

    /** The notify-keyspace-events flags ({@link KeyspaceEvents}); 0 when off, the default. */
    public int keyspaceEventFlags() {
        return keyspaceEventFlags;
    }

    /**
     * Sets the notify-keyspace-events flags. With {@code x} or {@code e}, this node listens to the grid's expiries and
     * evictions of every database (which costs the cluster an event per write to this node, so only then) and
     * reports those of the keys it is the primary of, so that each is published once.
     */
    public synchronized void keyspaceEventFlags(int flags) {
        keyspaceEventFlags = flags;
        boolean expiries = KeyspaceEvents.enabled(flags)
                && (flags & (KeyspaceEvents.EXPIRED | KeyspaceEvents.EVICTED)) != 0;
        if (expiries && expiryListeners.isEmpty()) {
            for (int db = 0; db < databaseCount(); db++) {
                int database = db;
                GridMap<byte[], byte[]> map = database(db);
                java.util.UUID id = map.addListener(new io.tessera.grid.EntryListener<>() {
                    @Override
                    public void entryExpired(io.tessera.grid.EntryEvent<byte[], byte[]> event) {
                        publishIfPrimary(database, KeyspaceEvents.EXPIRED, "expired", event.key());
                    }

                    @Override
                    public void entryEvicted(io.tessera.grid.EntryEvent<byte[], byte[]> event) {
                        publishIfPrimary(database, KeyspaceEvents.EVICTED, "evicted", event.key());
                    }
                }, false);
                expiryListeners.put(map, id);
            }
        } else if (!expiries && !expiryListeners.isEmpty()) {
            expiryListeners.forEach(GridMap::removeListener);
            expiryListeners.clear();
        }
    }

    /**
     * Publishes an event the grid reported (an expiry, an eviction) if this node is the key's primary: every node
     * that listens hears it, and the primary, which made it, speaks for the cluster, so subscribers hear it once.
     */
    private void publishIfPrimary(int database, int type, String event, byte[] key) {
        var partition = grid.partitionOf(key);
        if (partition.primary() != null && partition.primary().equals(grid.localMember())) {
            publishKeyspaceEvents(database, java.util.List.of(new KeyspaceEvents.Event(type, event, key)));
        }
    }

    /** Publishes keyspace events that happened in {@code database}, through the cluster-wide pub/sub. */
    public void publishKeyspaceEvents(int database, java.util.List<KeyspaceEvents.Event> events) {
        int flags = keyspaceEventFlags;
        for (KeyspaceEvents.Event event : events) {
            for (byte[][] message : KeyspaceEvents.messages(flags, database, event)) {
                pubSub().publish(message[0], message[1]);
            }
        }
    }

    public String requirePass() {
        return requirePass;
    }

    public void requirePass(String requirePass) {
        this.requirePass = requirePass == null || requirePass.isEmpty() ? null : requirePass;
    }

    /**
     * Whether a client must prove who it is before commands run: the {@code default} user (which a
     * {@code requirepass} or an ACL rule gives a password) needs a password, as Redis decides it. Protected mode
     * applies only while this is false.
     */
    public boolean hasAnyPasswordOrUser() {
        AclUsers users = acl();
        return users == null ? requirePass != null : !users.defaultUser().nopass();
    }

    /** Redis's {@code protected-mode}: set at start, changed by CONFIG SET. */
    public boolean protectedMode() {
        return protectedMode;
    }

    public void protectedMode(boolean protectedMode) {
        this.protectedMode = protectedMode;
    }

    /**
     * Whether a client connecting from {@code remote} is refused by protected mode: it is on, no password or user is
     * set, and the client is not on a loopback address.
     */
    public boolean refusedByProtectedMode(java.net.SocketAddress remote) {
        return protectedMode && !hasAnyPasswordOrUser() && !ClientAddresses.isLocal(remote);
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

    /**
     * What {@code SHUTDOWN} does: set by whoever owns the process (the standalone node leaves the grid gracefully and
     * exits). Without one, {@code SHUTDOWN} is refused: an embedded server must not end its host's grid.
     */
    public void shutdownAction(Runnable action) {
        this.shutdownAction = action;
    }

    /** The action {@code SHUTDOWN} runs, or {@code null} when it is refused. */
    public Runnable shutdownAction() {
        return shutdownAction;
    }

    /**
     * Where commands that block on cluster-wide reads ({@code INFO keyspace}, {@code CLUSTER COUNTKEYSINSLOT},
     * {@code SHUTDOWN}) do their work, so that no Netty event loop waits. Its threads are daemons, created on demand.
     */
    public java.util.concurrent.Executor adminExecutor() {
        return adminExecutor;
    }

    /** The grid map in which every member's RESP server publishes its {@code host:port}, by member id. */
    public static final String ENDPOINTS_MAP = "tessera.resp-endpoints";

    /** The grid map of RESP endpoints (member id to {@code host:port}). */
    public io.tessera.grid.GridMap<String, String> endpoints() {
        return grid.map(ENDPOINTS_MAP);
    }

    /**
     * Publishes this server's address (the bind address, or this host's address when bound to every interface) so
     * that {@code CLUSTER SLOTS/SHARDS/NODES} on any member can name this member's RESP port. Blocks; call it from
     * the thread that starts the server.
     */
    public void publishEndpoint() {
        String host = config.bindAddress();
        if (host.equals("0.0.0.0") || host.equals("::") || host.equals("*")) {
            try {
                host = java.net.InetAddress.getLocalHost().getHostAddress();
            } catch (java.net.UnknownHostException e) {
                host = "127.0.0.1";
            }
        }
        advertisedEndpoint = host + ":" + port;
        endpoints().put(grid.localMember().id(), advertisedEndpoint);
    }

    /** This server's published {@code host:port}, or {@code null} before {@link #publishEndpoint()}. */
    public String advertisedEndpoint() {
        return advertisedEndpoint;
    }

    /** Withdraws the published endpoint (if the grid is still up) and stops the admin executor. Blocks. */
    public void close() {
        acl.close();
        pubSub.close();
        blockedClients.close();
        try {
            if (advertisedEndpoint != null) {
                endpoints().remove(grid.localMember().id(), advertisedEndpoint);
            }
        } catch (RuntimeException e) {
            // the grid is gone or leaving: members filter endpoints by the current view anyway
        } finally {
            adminExecutor.shutdownNow();
        }
    }

    /**
     * The Redis Cluster node id of a member: 40 hex digits, the SHA-1 of its member id, so that every member derives
     * the same id for it.
     */
    public static String nodeId(io.tessera.grid.Member member) {
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-1")
                    .digest(member.id().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(digest);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is missing from this JVM", e);
        }
    }
}
