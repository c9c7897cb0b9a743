package io.tessera.redis;

import io.tessera.grid.MapConfig;
import java.util.Objects;

/**
 * How a {@link RespServer} listens and what it allows. Immutable; build with {@link #builder()}. The defaults are
 * Redis's: 127.0.0.1:6379, no password, 10,000 clients, 16 databases, 512 MB bulk strings, 1 GB query buffer, no
 * maxmemory and {@code noeviction}; the databases are grid maps with {@link MapConfig#defaults()}.
 */
public final class RespServerConfig {
    private final String bindAddress;
    private final int port;
    private final String requirePass;
    private final int maxClients;
    private final int databases;
    private final int protoMaxBulkLen;
    private final long clientQueryBufferLimit;
    private final int ioThreads;
    private final MapConfig databaseConfig;
    private final long maxMemory;
    private final String maxMemoryPolicy;

    private RespServerConfig(Builder b) {
        this.bindAddress = b.bindAddress;
        this.port = b.port;
        this.requirePass = b.requirePass;
        this.maxClients = b.maxClients;
        this.databases = b.databases;
        this.protoMaxBulkLen = b.protoMaxBulkLen;
        this.clientQueryBufferLimit = b.clientQueryBufferLimit;
        this.ioThreads = b.ioThreads;
        this.databaseConfig = b.databaseConfig;
        this.maxMemory = b.maxMemory;
        this.maxMemoryPolicy = b.maxMemoryPolicy;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The defaults. */
    public static RespServerConfig defaults() {
        return builder().build();
    }

    /** The address to listen on (default 127.0.0.1). */
    public String bindAddress() {
        return bindAddress;
    }

    /** The TCP port (default 6379; 0 picks a free one, see {@link RespServer#port()}). */
    public int port() {
        return port;
    }

    /** The password clients must give with {@code AUTH}, or {@code null} for none. */
    public String requirePass() {
        return requirePass;
    }

    /** How many clients may be connected at once. */
    public int maxClients() {
        return maxClients;
    }

    /** How many databases {@code SELECT} offers; each is its own grid map. */
    public int databases() {
        return databases;
    }

    /** The longest bulk string a client may send ({@code proto-max-bulk-len}). */
    public int protoMaxBulkLen() {
        return protoMaxBulkLen;
    }

    /** The most a client may have buffered of one unfinished request ({@code client-query-buffer-limit}). */
    public long clientQueryBufferLimit() {
        return clientQueryBufferLimit;
    }

    /** Netty I/O threads (0: one per core). */
    public int ioThreads() {
        return ioThreads;
    }

    /**
     * The map configuration of every database (backups, minimum cluster size, merge policy); its memory bound and
     * eviction are the server's {@link #maxMemory()} and {@link #maxMemoryPolicy()}.
     */
    public MapConfig databaseConfig() {
        return databaseConfig;
    }

    /**
     * Redis's {@code maxmemory}: the most this node holds of each database by the grid's estimate (see
     * {@link MapConfig#maxMemory()}), its backup copies included; 0 (the default) for no bound.
     */
    public long maxMemory() {
        return maxMemory;
    }

    /** Redis's {@code maxmemory-policy}: {@code noeviction} (the default), {@code allkeys-lru}, ... */
    public String maxMemoryPolicy() {
        return maxMemoryPolicy;
    }

    /** A builder starting from this configuration. */
    public Builder toBuilder() {
        return builder().bindAddress(bindAddress).port(port).requirePass(requirePass).maxClients(maxClients)
                .databases(databases).protoMaxBulkLen(protoMaxBulkLen)
                .clientQueryBufferLimit(clientQueryBufferLimit).ioThreads(ioThreads).databaseConfig(databaseConfig)
                .maxMemory(maxMemory).maxMemoryPolicy(maxMemoryPolicy);
    }

    @Override
    public String toString() {
        return "RespServerConfig[bind=" + bindAddress + ", port=" + port + ", requirepass="
                + (requirePass == null ? "none" : "set") + ", maxclients=" + maxClients + ", databases=" + databases
                + ", proto-max-bulk-len=" + protoMaxBulkLen + ", client-query-buffer-limit=" + clientQueryBufferLimit
                + ", io-threads=" + ioThreads + ", maxmemory=" + maxMemory + ", maxmemory-policy=" + maxMemoryPolicy
                + ", databases-map=" + databaseConfig + "]";
    }

    /** Collects settings; {@link #build()} checks them. */
    public static final class Builder {
        private String bindAddress = "127.0.0.1";
        private int port = 6379;
        private String requirePass;
        private int maxClients = 10_000;
        private int databases = 16;
        private int protoMaxBulkLen = 512 * 1024 * 1024;
        private long clientQueryBufferLimit = 1024L * 1024 * 1024;
        private int ioThreads;
        private MapConfig databaseConfig = MapConfig.defaults();
        private long maxMemory;
        private String maxMemoryPolicy = "noeviction";

        private Builder() {
        }

        /** Sets maxmemory in bytes (0: no bound). */
        public Builder maxMemory(long maxMemory) {
            this.maxMemory = maxMemory;
            return this;
        }

        /** Sets maxmemory-policy by its Redis name ({@code allkeys-lru}, {@code volatile-ttl}, ...). */
        public Builder maxMemoryPolicy(String maxMemoryPolicy) {
            this.maxMemoryPolicy = Objects.requireNonNull(maxMemoryPolicy, "maxMemoryPolicy");
            return this;
        }

        public Builder bindAddress(String bindAddress) {
            this.bindAddress = Objects.requireNonNull(bindAddress, "bindAddress");
            return this;
        }

        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** {@code null} or empty: no password. */
        public Builder requirePass(String requirePass) {
            this.requirePass = requirePass == null || requirePass.isEmpty() ? null : requirePass;
            return this;
        }

        public Builder maxClients(int maxClients) {
            this.maxClients = maxClients;
            return this;
        }

        public Builder databases(int databases) {
            this.databases = databases;
            return this;
        }

        public Builder protoMaxBulkLen(int protoMaxBulkLen) {
            this.protoMaxBulkLen = protoMaxBulkLen;
            return this;
        }

        public Builder clientQueryBufferLimit(long clientQueryBufferLimit) {
            this.clientQueryBufferLimit = clientQueryBufferLimit;
            return this;
        }

        public Builder ioThreads(int ioThreads) {
            this.ioThreads = ioThreads;
            return this;
        }

        /**
         * Sets the map configuration of every database: for example {@code MapConfig.builder().minClusterSize(3)} so
         * that the smaller side of a split answers {@code CLUSTERDOWN} instead of taking writes. Every member of the
         * cluster must use the same.
         */
        public Builder databaseConfig(MapConfig databaseConfig) {
            this.databaseConfig = Objects.requireNonNull(databaseConfig, "databaseConfig");
            return this;
        }

        public RespServerConfig build() {
            require(port >= 0 && port <= 65535, "port must be 0..65535, got " + port);
            require(maxClients >= 1, "maxclients must be at least 1, got " + maxClients);
            require(databases >= 1 && databases <= 1024, "databases must be 1..1024, got " + databases);
            require(protoMaxBulkLen >= 1024 * 1024, "proto-max-bulk-len must be at least 1 MB, got "
                    + protoMaxBulkLen);
            require(clientQueryBufferLimit >= 1024 * 1024, "client-query-buffer-limit must be at least 1 MB, got "
                    + clientQueryBufferLimit);
            require(ioThreads >= 0, "io threads must not be negative, got " + ioThreads);
            require(maxMemory >= 0, "maxmemory must not be negative, got " + maxMemory);
            require(io.tessera.redis.internal.command.Maxmemory.Policy.of(maxMemoryPolicy) != null,
                    "maxmemory-policy must be one of "
                    + io.tessera.redis.internal.command.Maxmemory.Policy.names() + ", got " + maxMemoryPolicy);
            return new RespServerConfig(this);
        }

        private static void require(boolean condition, String message) {
            if (!condition) {
                throw new IllegalArgumentException(message);
            }
        }
    }
}
