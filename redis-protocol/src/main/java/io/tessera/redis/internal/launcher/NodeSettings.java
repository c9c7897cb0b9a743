package io.tessera.redis.internal.launcher;

import io.tessera.grid.Grid;
import io.tessera.grid.GridBuilder;
import io.tessera.grid.MapConfig;
import io.tessera.grid.SerializationConfig;
import io.tessera.redis.RespServer;
import io.tessera.redis.RespServerConfig;
import io.tessera.redis.internal.command.Maxmemory;
import io.tessera.redis.internal.server.TlsContexts;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The settings of one standalone node, resolved and checked: a config file's values, overridden by the environment,
 * overridden by command-line flags. Immutable.
 *
 * @param port the RESP port (0: a free one)
 * @param bind the RESP listen address
 * @param clusterName the grid's cluster name
 * @param stack the JGroups stack name or XML path
 * @param members the {@code host:port} grid addresses TCPPING contacts; empty for the stack's default
 * @param gridPort the exact grid transport port, or 0 for the stack's default (the first free of 7800..7810)
 * @param gridBind the grid transport address, or {@code null} for the stack's default
 * @param dnsQuery the DNS name(s) the kubernetes stack's discovery asks, or {@code null} for the stack's default
 * @param dnsAddress the DNS server ({@code host[:port]}) discovery asks, or {@code null} for the system's resolver
 * @param dnsRecordType {@code A}, {@code AAAA} or {@code SRV}, or {@code null} for the stack's default
 * @param clusterSecret the secret the grid's member authentication and encryption derive from, or {@code null}
 * @param clusterKeystore the keystore whose AES key encrypts the grid traffic, or {@code null}
 * @param clusterKeystorePassword the password of the keystore and its key, or {@code null} without a keystore
 * @param clusterKeystoreAlias the alias of the AES key in the keystore
 * @param acceptedClusterSecret a second secret accepted from other members during a rotation, or {@code null}
 * @param acceptedClusterKeystoreAlias the alias of a second AES key accepted during a rotation, or {@code null}
 * @param name the member name, or {@code null} for a generated one
 * @param partitions the partition count
 * @param backups the backup owners per partition
 * @param minClusterSize the fewest members a node must see to serve keys, 0 for no minimum
 * @param requirePass the AUTH password, or {@code null}
 * @param maxClients the most clients at once
 * @param databases the number of databases
 * @param maxMemory the most bytes this node keeps of each database, 0 for no bound
 * @param maxMemoryPolicy what the node evicts beyond {@code maxMemory}, by its Redis name
 * @param ioThreads the RESP event loops, which also run the partitions; 0 for one per core (at least 2)
 * @param adminPort the admin HTTP port (metrics, health, status page), 0 for a free one, {@link #ADMIN_OFF} for none
 * @param adminBind the admin HTTP listen address
 * @param jmx whether the meters are also published as JMX MBeans
 * @param protectedMode whether clients from other hosts are refused while no password is set
 * @param tlsPort the TLS port (0: a free one), or {@link RespServerConfig#PORT_OFF}
 * @param tlsCertFile the TLS certificate chain (PEM), or {@code null}
 * @param tlsKeyFile the TLS private key (PKCS#8 PEM), or {@code null}
 * @param tlsCaCertFile the CA certificates client certificates must chain to, or {@code null}
 * @param tlsAuthClients whether TLS clients must present a certificate
 * @param tlsProtocols the TLS versions offered, empty for the JDK's
 * @param tlsProvider the TLS library asked for
 * @param aclFile the ACL file whose users the node stores in the cluster at start, or {@code null}
 */
public record NodeSettings(int port, String bind, String clusterName, String stack, List<String> members,
                           int gridPort, String gridBind, String dnsQuery, String dnsAddress,
                           String dnsRecordType, String clusterSecret, Path clusterKeystore,
                           String clusterKeystorePassword, String clusterKeystoreAlias, String acceptedClusterSecret,
                           String acceptedClusterKeystoreAlias, String name, int partitions, int backups,
                           int minClusterSize, String requirePass, int maxClients, int databases, long maxMemory,
                           String maxMemoryPolicy, int ioThreads, int adminPort, String adminBind,
                           boolean jmx, boolean protectedMode, int tlsPort, Path tlsCertFile, Path tlsKeyFile,
                           Path tlsCaCertFile, RespServerConfig.TlsAuthClients tlsAuthClients,
                           List<String> tlsProtocols, RespServerConfig.TlsProvider tlsProvider, Path aclFile) {

    /** The alias of the AES key in the cluster keystore unless {@link Setting#CLUSTER_KEYSTORE_ALIAS} says another. */
    public static final String DEFAULT_KEYSTORE_ALIAS = "tessera";

    /** {@link #adminPort()} when the node serves no admin port (the default). */
    public static final int ADMIN_OFF = -1;

    /** A value of a setting and where it came from ({@code --port}, {@code TESSERA_PORT}, {@code port in x.yml}). */
    private record Sourced(String value, String source) {
    }

    /**
     * Resolves the settings: every value of {@code file} (may be empty), replaced by the one in {@code env}, replaced
     * by the one in {@code flags}; then checks each.
     *
     * @param flags the values given on the command line
     * @param env the process environment ({@code TESSERA_*} variables are read)
     * @param file the config file's values, and {@code fileName} its path for messages
     * @throws UsageException naming the setting, value, source and what was expected, for the first bad value
     */
    public static NodeSettings resolve(Map<Setting, String> flags, Map<String, String> env, Map<Setting, String> file,
                                       Path fileName) {
        Map<Setting, Sourced> values = new EnumMap<>(Setting.class);
        file.forEach((setting, value) -> values.put(setting, new Sourced(value,
                setting.key() + " in " + fileName)));
        for (Setting setting : Setting.values()) {
            String value = env.get(setting.environmentVariable());
            if (value != null) {
                values.put(setting, new Sourced(value, setting.environmentVariable()));
            }
        }
        flags.forEach((setting, value) -> values.put(setting, new Sourced(value, setting.option())));

        Resolver r = new Resolver(values);
        NodeSettings settings = new NodeSettings(
                r.integer(Setting.PORT, 6379, 0, 65535),
                r.text(Setting.BIND, "127.0.0.1"),
                r.text(Setting.CLUSTER_NAME, GridBuilder.DEFAULT_CLUSTER_NAME),
                r.text(Setting.STACK, "tcp"),
                r.members(),
                r.integer(Setting.GRID_PORT, 0, 1, 65535),
                r.text(Setting.GRID_BIND, null),
                r.text(Setting.DNS_QUERY, null),
                r.text(Setting.DNS_ADDRESS, null),
                r.text(Setting.DNS_RECORD_TYPE, null),
                r.secret(Setting.CLUSTER_SECRET),
                r.keystore(),
                r.secret(Setting.CLUSTER_KEYSTORE_PASSWORD),
                r.text(Setting.CLUSTER_KEYSTORE_ALIAS, DEFAULT_KEYSTORE_ALIAS),
                r.secret(Setting.ACCEPTED_CLUSTER_SECRET),
                r.text(Setting.ACCEPTED_CLUSTER_KEYSTORE_ALIAS, null),
                r.text(Setting.NAME, null),
                r.integer(Setting.PARTITIONS, GridBuilder.DEFAULT_PARTITION_COUNT, 1, 16384),
                r.integer(Setting.BACKUPS, GridBuilder.DEFAULT_MAX_BACKUPS, 0, MapConfig.MAX_BACKUPS),
                r.integer(Setting.MIN_CLUSTER_SIZE, 0, 0, 1024),
                r.password(),
                r.integer(Setting.MAXCLIENTS, 10_000, 1, Integer.MAX_VALUE),
                r.integer(Setting.DATABASES, 16, 1, 1024),
                r.memory(Setting.MAXMEMORY),
                r.policy(Setting.MAXMEMORY_POLICY),
                r.integer(Setting.IO_THREADS, 0, 0, 1024),
                r.integer(Setting.ADMIN_PORT, ADMIN_OFF, 0, 65535),
                r.text(Setting.ADMIN_BIND, "127.0.0.1"),
                r.bool(Setting.JMX, false),
                r.bool(Setting.PROTECTED_MODE, true),
                r.integer(Setting.TLS_PORT, RespServerConfig.PORT_OFF, 0, 65535),
                r.path(Setting.TLS_CERT_FILE),
                r.path(Setting.TLS_KEY_FILE),
                r.path(Setting.TLS_CA_CERT_FILE),
                r.authClients(),
                r.protocols(),
                r.provider(),
                r.readableFile(Setting.ACLFILE));
        // The builders check the rest (partition count a power of two, the stack's name); map their complaints
        // back to the setting the user wrote.
        r.check(Setting.PARTITIONS, () -> Grid.builder().partitionCount(settings.partitions));
        r.check(Setting.MEMBERS, () -> Grid.builder().initialMembers(settings.members.toArray(String[]::new)));
        r.check(Setting.DNS_QUERY, () -> Grid.builder().dnsQuery(settings.dnsQuery));
        r.check(Setting.DNS_ADDRESS, () -> Grid.builder().dnsAddress(settings.dnsAddress));
        r.check(Setting.DNS_RECORD_TYPE, () -> Grid.builder().dnsRecordType(settings.dnsRecordType));
        r.onlyWithDnsDiscovery(settings.stack, Setting.DNS_QUERY, Setting.DNS_ADDRESS, Setting.DNS_RECORD_TYPE);
        r.checkSecret(Setting.CLUSTER_SECRET, () -> Grid.builder().clusterSecret(settings.clusterSecret));
        r.keystoreWithPassword(settings.clusterKeystore, settings.clusterKeystorePassword);
        r.acceptedKeys(settings);
        r.checkTls(settings);
        return settings;
    }

    /** Whether the node serves the admin HTTP port. */
    public boolean adminEnabled() {
        return adminPort != ADMIN_OFF;
    }

    /** Whether the node keeps meters of its own to publish: for the admin port, JMX or both. */
    public boolean metricsEnabled() {
        return adminEnabled() || jmx;
    }

    /** A builder for this node's grid member, with the RESP server's classes registered. */
    public GridBuilder gridBuilder() {
        GridBuilder builder = Grid.builder()
                .clusterName(clusterName)
                .stack(stack)
                .partitionCount(partitions)
                .maxBackups(backups)
                .serialization(RespServer.registerTypes(SerializationConfig.builder()).build())
                // Command continuations only build a reply and queue it for the connection's event loop: they may
                // run on the thread that completed the operation, one hand-off fewer per command.
                .executor(Runnable::run);
        if (!members.isEmpty()) {
            builder.initialMembers(members.toArray(String[]::new));
        }
        if (gridPort != 0) {
            builder.bindPort(gridPort);
        }
        if (gridBind != null) {
            builder.bindAddress(gridBind);
        }
        if (dnsQuery != null) {
            builder.dnsQuery(dnsQuery);
        }
        if (dnsAddress != null) {
            builder.dnsAddress(dnsAddress);
        }
        if (dnsRecordType != null) {
            builder.dnsRecordType(dnsRecordType);
        }
        if (name != null) {
            builder.memberName(name);
        }
        if (clusterSecret != null) {
            builder.clusterSecret(clusterSecret);
        }
        if (clusterKeystore != null) {
            builder.keystore(clusterKeystore, clusterKeystorePassword, clusterKeystoreAlias);
        }
        if (acceptedClusterSecret != null) {
            builder.acceptedClusterSecret(acceptedClusterSecret);
        }
        if (acceptedClusterKeystoreAlias != null) {
            builder.acceptedKeystoreAlias(acceptedClusterKeystoreAlias);
        }
        return builder;
    }

    /** This node's RESP server configuration. */
    public RespServerConfig serverConfig() {
        return RespServerConfig.builder()
                .bindAddress(bind)
                // Redis's TLS-only form: port 0 next to a TLS port means no plain port, not a free one.
                .port(port == 0 && tlsPort != RespServerConfig.PORT_OFF ? RespServerConfig.PORT_OFF : port)
                .protectedMode(protectedMode)
                .tlsPort(tlsPort)
                .tlsCertFile(tlsCertFile)
                .tlsKeyFile(tlsKeyFile)
                .tlsCaCertFile(tlsCaCertFile)
                .tlsAuthClients(tlsAuthClients)
                .tlsProtocols(tlsProtocols)
                .tlsProvider(tlsProvider)
                .requirePass(requirePass)
                .maxClients(maxClients)
                .databases(databases)
                .maxMemory(maxMemory)
                .maxMemoryPolicy(maxMemoryPolicy)
                .ioThreads(ioThreads)
                .aclFile(aclFile)
                .databaseConfig(MapConfig.builder().backups(backups)
                        .minClusterSize(minClusterSize).build())
                .build();
    }

    /** The settings for the log, the password masked. */
    @Override
    public String toString() {
        return "port=" + port + " bind=" + bind + " cluster-name=" + clusterName + " stack=" + stack + " members="
                + (members.isEmpty() ? "(stack default)" : String.join(",", members)) + " grid-port="
                + (gridPort == 0 ? "(first free of 7800..7810)" : gridPort) + " grid-bind="
                + (gridBind == null ? "(stack default)" : gridBind) + dnsText() + " cluster-secret="
                + (clusterSecret == null ? "(none)" : "(set)") + " cluster-keystore="
                + (clusterKeystore == null ? "(none)" : clusterKeystore + " alias=" + clusterKeystoreAlias)
                + (acceptedClusterSecret == null ? "" : " accepted-cluster-secret=(set)")
                + (acceptedClusterKeystoreAlias == null ? "" : " accepted-cluster-keystore-alias="
                + acceptedClusterKeystoreAlias) + " name="
                + (name == null ? "(generated)" : name)
                + " partitions=" + partitions + " backups=" + backups + " min-cluster-size=" + minClusterSize
                + " requirepass="
                + (requirePass == null ? "(none)" : "(set)") + " maxclients=" + maxClients + " databases="
                + databases + " maxmemory=" + maxMemory + " maxmemory-policy=" + maxMemoryPolicy + " io-threads="
                + (ioThreads == 0 ? "(one per core)" : ioThreads) + " admin-port="
                + (adminPort == ADMIN_OFF ? "(off)" : adminPort + " admin-bind=" + adminBind) + " jmx=" + jmx
                + " protected-mode=" + (protectedMode ? "yes" : "no") + " aclfile="
                + (aclFile == null ? "(none)" : aclFile) + tlsText();
    }

    /** The TLS settings for the log, if the node has a TLS port. */
    private String tlsText() {
        if (tlsPort == RespServerConfig.PORT_OFF) {
            return "";
        }
        return " tls-port=" + tlsPort + " tls-cert-file=" + tlsCertFile + " tls-key-file=" + tlsKeyFile
                + " tls-ca-cert-file=" + (tlsCaCertFile == null ? "(none)" : tlsCaCertFile) + " tls-auth-clients="
                + tlsAuthClients.name().toLowerCase(Locale.ROOT) + " tls-protocols="
                + (tlsProtocols.isEmpty() ? "(JDK default)" : String.join(" ", tlsProtocols)) + " tls-provider="
                + tlsProvider.name().toLowerCase(Locale.ROOT);
    }

    /** The DNS discovery settings for the log, if any is set: they mean nothing to the other stacks. */
    private String dnsText() {
        if (dnsQuery == null && dnsAddress == null && dnsRecordType == null) {
            return "";
        }
        return " dns-query=" + (dnsQuery == null ? "(stack default)" : dnsQuery) + " dns-address="
                + (dnsAddress == null ? "(system resolver)" : dnsAddress) + " dns-record-type="
                + (dnsRecordType == null ? "(stack default)" : dnsRecordType);
    }

    private static final class Resolver {
        private final Map<Setting, Sourced> values;

        Resolver(Map<Setting, Sourced> values) {
            this.values = values;
        }

        int integer(Setting setting, int defaultValue, int min, int max) {
            Sourced sourced = values.get(setting);
            if (sourced == null) {
                return defaultValue;
            }
            String expected = "expected an integer " + min + ".." + max;
            long value;
            try {
                value = Long.parseLong(sourced.value.trim());
            } catch (NumberFormatException e) {
                throw bad(setting, sourced, expected);
            }
            if (value < min || value > max) {
                throw bad(setting, sourced, expected);
            }
            return (int) value;
        }

        String text(Setting setting, String defaultValue) {
            Sourced sourced = values.get(setting);
            if (sourced == null) {
                return defaultValue;
            }
            String value = sourced.value.trim();
            if (value.isEmpty()) {
                throw bad(setting, sourced, "expected a non-empty value");
            }
            return value;
        }

        boolean bool(Setting setting, boolean defaultValue) {
            Sourced sourced = values.get(setting);
            if (sourced == null) {
                return defaultValue;
            }
            return switch (sourced.value.trim().toLowerCase(Locale.ROOT)) {
                case "true", "yes", "on" -> true;
                case "false", "no", "off" -> false;
                default -> throw bad(setting, sourced, "expected true or false");
            };
        }

        long memory(Setting setting) {
            Sourced sourced = values.get(setting);
            if (sourced == null) {
                return 0;
            }
            Long value = Maxmemory.parse(sourced.value.trim());
            if (value == null || value < 0) {
                throw bad(setting, sourced, "expected a number of bytes, optionally with a unit: 64mb, 1gb, 100000");
            }
            return value;
        }

        String policy(Setting setting) {
            Sourced sourced = values.get(setting);
            if (sourced == null) {
                return Maxmemory.Policy.NOEVICTION.redisName();
            }
            Maxmemory.Policy policy = Maxmemory.Policy.of(sourced.value.trim());
            if (policy == null) {
                throw bad(setting, sourced, "expected one of " + Maxmemory.Policy.names());
            }
            return policy.redisName();
        }

        Path path(Setting setting) {
            String text = text(setting, null);
            return text == null ? null : Path.of(text);
        }

        RespServerConfig.TlsAuthClients authClients() {
            Sourced sourced = values.get(Setting.TLS_AUTH_CLIENTS);
            if (sourced == null) {
                return RespServerConfig.TlsAuthClients.YES;
            }
            return switch (sourced.value.trim().toLowerCase(Locale.ROOT)) {
                case "yes" -> RespServerConfig.TlsAuthClients.YES;
                case "no" -> RespServerConfig.TlsAuthClients.NO;
                case "optional" -> RespServerConfig.TlsAuthClients.OPTIONAL;
                default -> throw bad(Setting.TLS_AUTH_CLIENTS, sourced, "expected yes, no or optional");
            };
        }

        List<String> protocols() {
            Sourced sourced = values.get(Setting.TLS_PROTOCOLS);
            if (sourced == null) {
                return List.of();
            }
            List<String> protocols = new ArrayList<>();
            for (String part : sourced.value.trim().split("[\\s,]+")) {
                if (part.isEmpty()) {
                    continue;
                }
                if (!RespServerConfig.TLS_PROTOCOLS.contains(part)) {
                    throw bad(Setting.TLS_PROTOCOLS, sourced, "expected TLSv1.2 and/or TLSv1.3, separated by spaces");
                }
                protocols.add(part);
            }
            if (protocols.isEmpty()) {
                throw bad(Setting.TLS_PROTOCOLS, sourced, "expected TLSv1.2 and/or TLSv1.3, separated by spaces");
            }
            return List.copyOf(protocols);
        }

        RespServerConfig.TlsProvider provider() {
            Sourced sourced = values.get(Setting.TLS_PROVIDER);
            if (sourced == null) {
                return RespServerConfig.TlsProvider.AUTO;
            }
            return switch (sourced.value.trim().toLowerCase(Locale.ROOT)) {
                case "auto" -> RespServerConfig.TlsProvider.AUTO;
                case "jdk" -> RespServerConfig.TlsProvider.JDK;
                case "openssl" -> RespServerConfig.TlsProvider.OPENSSL;
                default -> throw bad(Setting.TLS_PROVIDER, sourced, "expected auto, jdk or openssl");
            };
        }

        /**
         * Checks the TLS settings together, and reads the certificate and key now: a wrong path or format stops the
         * node as a bad setting (exit code 2), named, before it joins the cluster.
         */
        void checkTls(NodeSettings settings) {
            Setting[] tlsFiles = {Setting.TLS_CERT_FILE, Setting.TLS_KEY_FILE, Setting.TLS_CA_CERT_FILE,
                Setting.TLS_AUTH_CLIENTS, Setting.TLS_PROTOCOLS, Setting.TLS_PROVIDER};
            Sourced tlsPort = values.get(Setting.TLS_PORT);
            if (tlsPort == null) {
                for (Setting setting : tlsFiles) {
                    Sourced sourced = values.get(setting);
                    if (sourced != null) {
                        throw new UsageException(setting.option() + ": \"" + sourced.value + "\"" + from(setting,
                                sourced) + " applies to the TLS port only; set --tls-port too, or remove it");
                    }
                }
                return;
            }
            try {
                TlsContexts.forServer(settings.serverConfig());
            } catch (IllegalArgumentException e) {
                throw new UsageException("--" + e.getMessage(), e);
            }
        }

        Path readableFile(Setting setting) {
            Sourced sourced = values.get(setting);
            if (sourced == null || sourced.value.isEmpty()) {
                return null;
            }
            Path path = Path.of(sourced.value);
            if (!java.nio.file.Files.isReadable(path)) {
                throw bad(setting, sourced, "expected a readable file; " + path.toAbsolutePath() + " is not one");
            }
            return path;
        }

        String password() {
            Sourced sourced = values.get(Setting.REQUIREPASS);
            // An empty password means none, as in redis.conf.
            return sourced == null || sourced.value.isEmpty() ? null : sourced.value;
        }

        List<String> members() {
            Sourced sourced = values.get(Setting.MEMBERS);
            if (sourced == null) {
                return List.of();
            }
            List<String> members = new ArrayList<>();
            for (String part : sourced.value.split(",")) {
                String member = part.trim();
                if (!member.isEmpty()) {
                    members.add(member);
                }
            }
            if (members.isEmpty()) {
                throw bad(Setting.MEMBERS, sourced, "expected host:port[,host:port...]");
            }
            return List.copyOf(members);
        }

        /**
         * Refuses {@code dnsSettings} with a bundled stack that has no DNS discovery; a JGroups XML file may have
         * DNS_PING, which the grid checks when it starts.
         */
        void onlyWithDnsDiscovery(String stack, Setting... dnsSettings) {
            String bundled = stack.toLowerCase(Locale.ROOT);
            if (!GridBuilder.BUNDLED_STACKS.contains(bundled) || bundled.equals("kubernetes")) {
                return;
            }
            for (Setting setting : dnsSettings) {
                Sourced sourced = values.get(setting);
                if (sourced != null) {
                    throw new UsageException(setting.option() + ": \"" + sourced.value + "\"" + from(setting, sourced)
                            + " applies to --stack kubernetes (DNS discovery), not " + stack
                            + "; remove it or use --stack kubernetes");
                }
            }
        }

        /** A secret as given, spaces included (the builder refuses padded secrets); never echoed in errors. */
        String secret(Setting setting) {
            Sourced sourced = values.get(setting);
            if (sourced == null) {
                return null;
            }
            if (sourced.value.isEmpty()) {
                throw new UsageException(setting.option() + from(setting, sourced) + " is empty (expected a value;"
                        + " leave the setting out to go without)");
            }
            return sourced.value;
        }

        Path keystore() {
            return path(Setting.CLUSTER_KEYSTORE);
        }

        /** {@link #check} for a secret: the message names where it came from but not its value. */
        void checkSecret(Setting setting, Runnable builderCall) {
            check(setting, builderCall, false);
        }

        void keystoreWithPassword(Path keystore, String password) {
            Sourced path = values.get(Setting.CLUSTER_KEYSTORE);
            if (keystore != null && password == null) {
                throw new UsageException(Setting.CLUSTER_KEYSTORE.option() + ": \"" + keystore + "\""
                        + from(Setting.CLUSTER_KEYSTORE, path) + " needs "
                        + Setting.CLUSTER_KEYSTORE_PASSWORD.option() + " (or "
                        + Setting.CLUSTER_KEYSTORE_PASSWORD.environmentVariable() + ")");
            }
            if (keystore == null && password != null) {
                throw new UsageException(Setting.CLUSTER_KEYSTORE_PASSWORD.option() + " is set without "
                        + Setting.CLUSTER_KEYSTORE.option() + "; set both or neither");
            }
            if (keystore != null) {
                check(Setting.CLUSTER_KEYSTORE, () -> Grid.builder().keystore(keystore, password,
                        text(Setting.CLUSTER_KEYSTORE_ALIAS, DEFAULT_KEYSTORE_ALIAS)));
            }
        }

        /**
         * Checks the keys accepted during a rotation against the ones they stand beside: an accepted secret needs a
         * cluster secret, an accepted alias a keystore, and neither may equal the one this node sends with.
         */
        void acceptedKeys(NodeSettings settings) {
            Sourced secret = values.get(Setting.ACCEPTED_CLUSTER_SECRET);
            if (secret != null) {
                if (settings.clusterSecret == null) {
                    throw new UsageException(Setting.ACCEPTED_CLUSTER_SECRET.option()
                            + from(Setting.ACCEPTED_CLUSTER_SECRET, secret) + " is set without "
                            + Setting.CLUSTER_SECRET.option() + " (set the secret this node sends with too)");
                }
                checkSecret(Setting.ACCEPTED_CLUSTER_SECRET,
                        () -> Grid.builder().acceptedClusterSecret(settings.acceptedClusterSecret));
                if (settings.acceptedClusterSecret.equals(settings.clusterSecret)) {
                    throw new UsageException(Setting.ACCEPTED_CLUSTER_SECRET.option()
                            + from(Setting.ACCEPTED_CLUSTER_SECRET, secret) + " equals "
                            + Setting.CLUSTER_SECRET.option() + " (expected the other secret of a rotation: the new"
                            + " one before nodes send with it, or the old one after)");
                }
            }
            Sourced alias = values.get(Setting.ACCEPTED_CLUSTER_KEYSTORE_ALIAS);
            if (alias != null) {
                if (settings.clusterKeystore == null) {
                    throw new UsageException(Setting.ACCEPTED_CLUSTER_KEYSTORE_ALIAS.option() + ": \"" + alias.value
                            + "\"" + from(Setting.ACCEPTED_CLUSTER_KEYSTORE_ALIAS, alias) + " is set without "
                            + Setting.CLUSTER_KEYSTORE.option() + " (the accepted key is read from that keystore)");
                }
                if (settings.acceptedClusterKeystoreAlias.equals(settings.clusterKeystoreAlias)) {
                    throw bad(Setting.ACCEPTED_CLUSTER_KEYSTORE_ALIAS, alias, "expected the alias of the other key"
                            + " of a rotation, not " + Setting.CLUSTER_KEYSTORE_ALIAS.option() + "'s");
                }
            }
        }

        void check(Setting setting, Runnable builderCall) {
            check(setting, builderCall, true);
        }

        private void check(Setting setting, Runnable builderCall, boolean showValue) {
            Sourced sourced = values.get(setting);
            if (sourced == null) {
                return;
            }
            try {
                builderCall.run();
            } catch (IllegalArgumentException e) {
                throw new UsageException(setting.option() + (showValue ? ": \"" + sourced.value + "\"" : "")
                        + from(setting, sourced) + " is not accepted: " + e.getMessage(), e);
            }
        }

        private static UsageException bad(Setting setting, Sourced sourced, String expected) {
            return new UsageException(setting.option() + ": \"" + sourced.value + "\"" + from(setting, sourced) + " ("
                    + expected + ")");
        }

        private static String from(Setting setting, Sourced sourced) {
            return sourced == null || sourced.source.equals(setting.option()) ? "" : " from " + sourced.source;
        }
    }
}
