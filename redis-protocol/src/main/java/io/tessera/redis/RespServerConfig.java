package io.tessera.redis;

import io.tessera.grid.MapConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * How a {@link RespServer} listens and what it allows. Immutable; build with {@link #builder()}. The defaults are
 * Redis's: 127.0.0.1:6379, no password, 10,000 clients, 16 databases, 512 MB bulk strings, 1 GB query buffer, no
 * maxmemory and {@code noeviction}; the databases are grid maps with {@link MapConfig#defaults()}; no TLS port;
 * protected mode on.
 *
 * <p>TLS for clients uses Redis's setting names: a {@link Builder#tlsPort TLS port} next to (or instead of) the plain
 * one, a PEM certificate chain and PKCS#8 PEM key, a CA file to check client certificates against, whether clients
 * must present one ({@link TlsAuthClients}) and the protocol versions offered; and, Tessera's own, which TLS library
 * serves the port ({@link TlsProvider}).
 */
public final class RespServerConfig {
    /** {@link #port()} or {@link #tlsPort()} when that port is not served. */
    public static final int PORT_OFF = -1;
    /** The protocol versions {@link Builder#tlsProtocols} accepts; the JDK refuses older ones by default. */
    public static final Set<String> TLS_PROTOCOLS = Set.of("TLSv1.2", "TLSv1.3");

    /** Redis's {@code tls-auth-clients}: whether a client on the TLS port must present a certificate. */
    public enum TlsAuthClients {
        /** A client must present a certificate the CA signed, or the handshake fails (Redis's default). */
        YES,
        /** A client may present a certificate; if it does, the CA must have signed it. */
        OPTIONAL,
        /** Client certificates are not asked for. */
        NO
    }

    /** Which TLS library serves the TLS port ({@code tls-provider}). */
    public enum TlsProvider {
        /** OpenSSL where its native library loads on this machine, else the JDK's (the default). */
        AUTO,
        /** The JDK's TLS, which runs wherever Java does. */
        JDK,
        /**
         * OpenSSL: BoringSSL from netty-tcnative-boringssl-static, which tessera-server.jar carries for Linux on
         * x86_64 and aarch64 and an embedding application adds for its platform; the server refuses to start where
         * it does not load.
         */
        OPENSSL
    }

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
    private final int tlsPort;
    private final Path tlsCertFile;
    private final Path tlsKeyFile;
    private final Path tlsCaCertFile;
    private final TlsAuthClients tlsAuthClients;
    private final List<String> tlsProtocols;
    private final TlsProvider tlsProvider;
    private final boolean protectedMode;
    private final java.nio.file.Path aclFile;

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
        this.tlsPort = b.tlsPort;
        this.tlsCertFile = b.tlsCertFile;
        this.tlsKeyFile = b.tlsKeyFile;
        this.tlsCaCertFile = b.tlsCaCertFile;
        this.tlsAuthClients = b.tlsAuthClients;
        this.tlsProtocols = b.tlsProtocols;
        this.tlsProvider = b.tlsProvider;
        this.protectedMode = b.protectedMode;
        this.aclFile = b.aclFile;
    }

    /**
     * Returns the ACL file ({@code aclfile}): its users are stored in the cluster when the server starts, and
     * {@code ACL LOAD} / {@code ACL SAVE} read and write it.
     *
     * @return the file, or {@code null} for none (the default)
     */
    public java.nio.file.Path aclFile() {
        return aclFile;
    }

    /**
     * Returns a builder that starts from the defaults.
     *
     * @return a new builder holding the defaults listed above
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns the config with Redis's defaults listed above.
     *
     * @return a config with every default
     */
    public static RespServerConfig defaults() {
        return builder().build();
    }

    /**
     * Returns the address the server listens on (default 127.0.0.1).
     *
     * @return a host name or IP address of this machine
     */
    public String bindAddress() {
        return bindAddress;
    }

    /**
     * Returns the plain TCP port (default 6379; 0 picks a free one, see {@link RespServer#port()}), or
     * {@link #PORT_OFF} when only the TLS port is served.
     *
     * @return the port, 0 to 65535, or {@link #PORT_OFF}
     */
    public int port() {
        return port;
    }

    /**
     * Returns the password clients must give with {@code AUTH}, or {@code null} for none (the default).
     *
     * @return the password, or {@code null}
     */
    public String requirePass() {
        return requirePass;
    }

    /**
     * Returns how many clients may be connected at once ({@code maxclients}); one more is refused with
     * {@code ERR max number of clients reached}.
     *
     * @return the most connections, at least 1 (default 10,000)
     */
    public int maxClients() {
        return maxClients;
    }

    /**
     * Returns how many databases {@code SELECT} offers; each is its own grid map.
     *
     * @return the number of databases, 1 to 1024 (default 16)
     */
    public int databases() {
        return databases;
    }

    /**
     * Returns the longest bulk string a client may send ({@code proto-max-bulk-len}).
     *
     * @return the bound in bytes, at least 1 MB (default 512 MB)
     */
    public int protoMaxBulkLen() {
        return protoMaxBulkLen;
    }

    /**
     * Returns the most a client may have buffered of one unfinished request ({@code client-query-buffer-limit}).
     *
     * @return the bound in bytes, at least 1 MB (default 1 GB)
     */
    public long clientQueryBufferLimit() {
        return clientQueryBufferLimit;
    }

    /**
     * Returns the number of Netty I/O threads (0: one per core).
     *
     * @return the number of I/O threads, or 0 (the default)
     */
    public int ioThreads() {
        return ioThreads;
    }

    /**
     * The map configuration of every database (backups, minimum cluster size, merge policy); its memory bound and
     * eviction are the server's {@link #maxMemory()} and {@link #maxMemoryPolicy()}.
     *
     * @return the databases' map config (default {@link MapConfig#defaults()})
     */
    public MapConfig databaseConfig() {
        return databaseConfig;
    }

    /**
     * Redis's {@code maxmemory}: the most this node holds of each database by the grid's estimate (see
     * {@link MapConfig#maxMemory()}), its backup copies included; 0 (the default) for no bound.
     *
     * @return the bound in bytes, or 0
     */
    public long maxMemory() {
        return maxMemory;
    }

    /**
     * Returns Redis's {@code maxmemory-policy}: {@code noeviction} (the default), {@code allkeys-lru},
     * {@code allkeys-lfu}, {@code allkeys-random}, {@code volatile-lru}, {@code volatile-lfu}, {@code volatile-random}
     * or
     * {@code volatile-ttl}.
     *
     * @return the policy's Redis name as it was given (matched in any case)
     */
    public String maxMemoryPolicy() {
        return maxMemoryPolicy;
    }

    /**
     * Returns the port clients reach over TLS ({@code tls-port}; 0 picks a free one, see
     * {@link RespServer#tlsPort()}), or {@link #PORT_OFF} (the default) for none.
     *
     * @return the port, 0 to 65535, or {@link #PORT_OFF}
     */
    public int tlsPort() {
        return tlsPort;
    }

    /**
     * Returns whether the server has a TLS port.
     *
     * @return whether {@link #tlsPort()} is not {@link #PORT_OFF}
     */
    public boolean tlsEnabled() {
        return tlsPort != PORT_OFF;
    }

    /**
     * Returns the PEM file of the server's certificate chain ({@code tls-cert-file}), or {@code null}.
     *
     * @return the file, or {@code null} without TLS
     */
    public Path tlsCertFile() {
        return tlsCertFile;
    }

    /**
     * Returns the PEM file of the server's unencrypted PKCS#8 private key ({@code tls-key-file}), or {@code null}.
     *
     * @return the file, or {@code null} without TLS
     */
    public Path tlsKeyFile() {
        return tlsKeyFile;
    }

    /**
     * Returns the PEM file of the CA certificates client certificates are checked against ({@code tls-ca-cert-file}),
     * or {@code null}.
     *
     * @return the file, or {@code null}
     */
    public Path tlsCaCertFile() {
        return tlsCaCertFile;
    }

    /**
     * Returns whether clients on the TLS port must present a certificate ({@code tls-auth-clients}, default
     * {@link TlsAuthClients#YES}).
     *
     * @return the client certificate policy
     */
    public TlsAuthClients tlsAuthClients() {
        return tlsAuthClients;
    }

    /**
     * Returns the TLS protocol versions offered ({@code tls-protocols}); empty (the default) for the JDK's
     * defaults, TLSv1.2 and TLSv1.3.
     *
     * @return the versions, from {@link #TLS_PROTOCOLS}
     */
    public List<String> tlsProtocols() {
        return tlsProtocols;
    }

    /**
     * Returns which TLS library serves the TLS port ({@code tls-provider}, default {@link TlsProvider#AUTO});
     * {@link RespServer#tlsProvider()} says which one a running server chose.
     *
     * @return the provider asked for
     */
    public TlsProvider tlsProvider() {
        return tlsProvider;
    }

    /**
     * Returns Redis's {@code protected-mode} (default on): while it is on and no password is set, clients from other
     * hosts are refused with Redis's {@code -DENIED} error; clients on a loopback address are always served.
     *
     * @return whether protected mode is on
     */
    public boolean protectedMode() {
        return protectedMode;
    }

    /**
     * Returns a builder that starts from this config, to derive a changed copy.
     *
     * @return a new builder holding this config's settings
     */
    public Builder toBuilder() {
        return builder().bindAddress(bindAddress).port(port).requirePass(requirePass).maxClients(maxClients)
                .databases(databases).protoMaxBulkLen(protoMaxBulkLen)
                .clientQueryBufferLimit(clientQueryBufferLimit).ioThreads(ioThreads).databaseConfig(databaseConfig)
                .maxMemory(maxMemory).maxMemoryPolicy(maxMemoryPolicy).tlsPort(tlsPort).tlsCertFile(tlsCertFile)
                .tlsKeyFile(tlsKeyFile).tlsCaCertFile(tlsCaCertFile).tlsAuthClients(tlsAuthClients)
                .tlsProtocols(tlsProtocols).tlsProvider(tlsProvider).protectedMode(protectedMode)
                .aclFile(aclFile);
    }

    @Override
    public String toString() {
        return "RespServerConfig[bind=" + bindAddress + ", port=" + port + ", requirepass="
                + (requirePass == null ? "none" : "set") + ", maxclients=" + maxClients + ", databases=" + databases
                + ", proto-max-bulk-len=" + protoMaxBulkLen + ", client-query-buffer-limit=" + clientQueryBufferLimit
                + ", io-threads=" + ioThreads + ", maxmemory=" + maxMemory + ", maxmemory-policy=" + maxMemoryPolicy
                + ", databases-map=" + databaseConfig + ", tls-port=" + tlsPort + ", tls-cert-file=" + tlsCertFile
                + ", tls-key-file=" + tlsKeyFile + ", tls-ca-cert-file=" + tlsCaCertFile + ", tls-auth-clients="
                + tlsAuthClients + ", tls-protocols=" + tlsProtocols + ", tls-provider=" + tlsProvider
                + ", protected-mode=" + protectedMode + ", aclfile=" + aclFile + "]";
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
        private int tlsPort = PORT_OFF;
        private Path tlsCertFile;
        private Path tlsKeyFile;
        private Path tlsCaCertFile;
        private TlsAuthClients tlsAuthClients = TlsAuthClients.YES;
        private List<String> tlsProtocols = List.of();
        private TlsProvider tlsProvider = TlsProvider.AUTO;
        private boolean protectedMode = true;
        private java.nio.file.Path aclFile;

        private Builder() {
        }

        /**
         * Sets the port clients reach over TLS ({@code tls-port}); 0 picks a free one, {@link #PORT_OFF} (the
         * default) serves none. A TLS port needs {@link #tlsCertFile} and {@link #tlsKeyFile}.
         *
         * @param tlsPort the port, 0 to 65535, or {@link #PORT_OFF}; {@link #build()} refuses others
         * @return this builder
         */
        public Builder tlsPort(int tlsPort) {
            this.tlsPort = tlsPort;
            return this;
        }

        /**
         * Sets the PEM file of the server's certificate, followed by any intermediate certificates
         * ({@code tls-cert-file}).
         *
         * @param tlsCertFile the file, or {@code null} for none
         * @return this builder
         */
        public Builder tlsCertFile(Path tlsCertFile) {
            this.tlsCertFile = tlsCertFile;
            return this;
        }

        /**
         * Sets the PEM file of the server's private key, unencrypted PKCS#8 ({@code BEGIN PRIVATE KEY};
         * {@code openssl pkcs8 -topk8 -nocrypt} converts other forms) ({@code tls-key-file}).
         *
         * @param tlsKeyFile the file, or {@code null} for none
         * @return this builder
         */
        public Builder tlsKeyFile(Path tlsKeyFile) {
            this.tlsKeyFile = tlsKeyFile;
            return this;
        }

        /**
         * Sets the PEM file of the CA certificates that client certificates must chain to ({@code tls-ca-cert-file});
         * needed unless {@link #tlsAuthClients} is {@link TlsAuthClients#NO}.
         *
         * @param tlsCaCertFile the file, or {@code null} for none
         * @return this builder
         */
        public Builder tlsCaCertFile(Path tlsCaCertFile) {
            this.tlsCaCertFile = tlsCaCertFile;
            return this;
        }

        /**
         * Sets whether clients on the TLS port must present a certificate ({@code tls-auth-clients}, default
         * {@link TlsAuthClients#YES} as in Redis).
         *
         * @param tlsAuthClients the client certificate policy
         * @return this builder
         */
        public Builder tlsAuthClients(TlsAuthClients tlsAuthClients) {
            this.tlsAuthClients = Objects.requireNonNull(tlsAuthClients, "tlsAuthClients");
            return this;
        }

        /**
         * Sets the TLS protocol versions offered ({@code tls-protocols}): {@code TLSv1.2}, {@code TLSv1.3} or both;
         * empty (the default) for the JDK's defaults.
         *
         * @param tlsProtocols the versions; {@link #build()} refuses others than {@link #TLS_PROTOCOLS}
         * @return this builder
         */
        public Builder tlsProtocols(List<String> tlsProtocols) {
            this.tlsProtocols = List.copyOf(tlsProtocols);
            return this;
        }

        /**
         * Sets which TLS library serves the TLS port ({@code tls-provider}, default {@link TlsProvider#AUTO}:
         * OpenSSL where it loads, else the JDK's). {@link TlsProvider#OPENSSL} where OpenSSL does not load makes
         * {@link RespServer#start} fail, naming the reason.
         *
         * @param tlsProvider the provider
         * @return this builder
         */
        public Builder tlsProvider(TlsProvider tlsProvider) {
            this.tlsProvider = Objects.requireNonNull(tlsProvider, "tlsProvider");
            return this;
        }

        /**
         * Sets Redis's {@code protected-mode} (default on): while on and no password is set, clients from other
         * hosts are refused with Redis's {@code -DENIED} error and disconnected.
         *
         * @param protectedMode whether protected mode is on
         * @return this builder
         */
        public Builder protectedMode(boolean protectedMode) {
            this.protectedMode = protectedMode;
            return this;
        }

        /**
         * Sets the ACL file ({@code aclfile}, Redis's format: one {@code user <name> <rule>...} per line), whose users
         * the server stores in the cluster when it starts.
         *
         * @param aclFile the file, or {@code null} for none
         * @return this builder
         */
        public Builder aclFile(java.nio.file.Path aclFile) {
            this.aclFile = aclFile;
            return this;
        }

        /**
         * Sets {@code maxmemory}, the most this node holds of each database, in bytes (0, the default: no bound).
         *
         * @param maxMemory the bound in bytes, or 0 for none; {@link #build()} refuses a negative one
         * @return this builder
         */
        public Builder maxMemory(long maxMemory) {
            this.maxMemory = maxMemory;
            return this;
        }

        /**
         * Sets {@code maxmemory-policy} by its Redis name ({@code allkeys-lru}, {@code volatile-ttl}, ...; default
         * {@code noeviction}).
         *
         * @param maxMemoryPolicy the policy's Redis name; {@link #build()} refuses an unknown one
         * @return this builder
         */
        public Builder maxMemoryPolicy(String maxMemoryPolicy) {
            this.maxMemoryPolicy = Objects.requireNonNull(maxMemoryPolicy, "maxMemoryPolicy");
            return this;
        }

        /**
         * Sets the address to listen on (default 127.0.0.1); {@code 0.0.0.0} listens on every interface.
         *
         * @param bindAddress a host name or IP address of this machine
         * @return this builder
         */
        public Builder bindAddress(String bindAddress) {
            this.bindAddress = Objects.requireNonNull(bindAddress, "bindAddress");
            return this;
        }

        /**
         * Sets the plain TCP port (default 6379); 0 picks a free one, {@link #PORT_OFF} serves clients on the
         * {@link #tlsPort TLS port} only.
         *
         * @param port the port, 0 to 65535, or {@link #PORT_OFF}; {@link #build()} refuses others
         * @return this builder
         */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /**
         * Sets the password clients must give with {@code AUTH} ({@code requirepass}); {@code null} or empty: no
         * password.
         *
         * @param requirePass the password, or {@code null} or empty for none
         * @return this builder
         */
        public Builder requirePass(String requirePass) {
            this.requirePass = requirePass == null || requirePass.isEmpty() ? null : requirePass;
            return this;
        }

        /**
         * Sets how many clients may be connected at once (default 10,000).
         *
         * @param maxClients the most connections; {@link #build()} refuses less than 1
         * @return this builder
         */
        public Builder maxClients(int maxClients) {
            this.maxClients = maxClients;
            return this;
        }

        /**
         * Sets how many databases {@code SELECT} offers (default 16).
         *
         * @param databases the number of databases; {@link #build()} refuses less than 1 or more than 1024
         * @return this builder
         */
        public Builder databases(int databases) {
            this.databases = databases;
            return this;
        }

        /**
         * Sets the longest bulk string a client may send, in bytes (default 512 MB).
         *
         * @param protoMaxBulkLen the bound in bytes; {@link #build()} refuses less than 1 MB
         * @return this builder
         */
        public Builder protoMaxBulkLen(int protoMaxBulkLen) {
            this.protoMaxBulkLen = protoMaxBulkLen;
            return this;
        }

        /**
         * Sets the most a client may have buffered of one unfinished request, in bytes (default 1 GB).
         *
         * @param clientQueryBufferLimit the bound in bytes; {@link #build()} refuses less than 1 MB
         * @return this builder
         */
        public Builder clientQueryBufferLimit(long clientQueryBufferLimit) {
            this.clientQueryBufferLimit = clientQueryBufferLimit;
            return this;
        }

        /**
         * Sets the number of Netty I/O threads (0, the default: one per core).
         *
         * @param ioThreads the number of threads, or 0; {@link #build()} refuses a negative one
         * @return this builder
         */
        public Builder ioThreads(int ioThreads) {
            this.ioThreads = ioThreads;
            return this;
        }

        /**
         * Sets the map configuration of every database: for example {@code MapConfig.builder().minClusterSize(3)} so
         * that the smaller side of a split answers {@code CLUSTERDOWN} instead of taking writes. Every member of the
         * cluster must use the same.
         *
         * @param databaseConfig the map config of every database
         * @return this builder
         */
        public Builder databaseConfig(MapConfig databaseConfig) {
            this.databaseConfig = Objects.requireNonNull(databaseConfig, "databaseConfig");
            return this;
        }

        /**
         * Builds the config, checking every setting.
         *
         * @return the immutable config
         * @throws IllegalArgumentException naming the setting if one is out of range, {@code maxmemory-policy} is
         *     unknown, or the TLS settings do not fit together
         */
        public RespServerConfig build() {
            require(port == PORT_OFF || port >= 0 && port <= 65535, "port must be 0..65535, got " + port);
            require(tlsPort == PORT_OFF || tlsPort >= 0 && tlsPort <= 65535, "tls-port must be 0..65535, got "
                    + tlsPort);
            require(port != PORT_OFF || tlsPort != PORT_OFF, "port is off and there is no tls-port: set one of them");
            for (String protocol : tlsProtocols) {
                require(TLS_PROTOCOLS.contains(protocol), "tls-protocols must name TLSv1.2 and/or TLSv1.3, got "
                        + protocol);
            }
            if (tlsPort != PORT_OFF) {
                require(tlsCertFile != null, "tls-port needs tls-cert-file (the server's PEM certificate chain)");
                require(tlsKeyFile != null, "tls-port needs tls-key-file (the server's PEM private key)");
                require(tlsAuthClients == TlsAuthClients.NO || tlsCaCertFile != null, "tls-auth-clients "
                        + tlsAuthClients.name().toLowerCase(Locale.ROOT) + " needs tls-ca-cert-file (the CA"
                        + " that signs client certificates); or set tls-auth-clients no");
            }
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
