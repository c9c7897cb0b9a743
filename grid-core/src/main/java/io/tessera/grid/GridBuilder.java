package io.tessera.grid;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tessera.grid.internal.GridNode;
import io.tessera.grid.internal.cluster.JGroupsStacks;
import io.tessera.grid.internal.partition.SlotHashing;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * Configures and starts a grid member. Every setter validates at once; {@link #start()} returns once the member has
 * joined and knows the partition table.
 *
 * <p>Defaults: cluster {@value #DEFAULT_CLUSTER_NAME}, stack {@code tcp} on 127.0.0.1 port 7800 (the next free one
 * up to 7810), {@value #DEFAULT_PARTITION_COUNT} partitions, at most {@value #DEFAULT_MAX_BACKUPS} backup per
 * partition, a {@value #DEFAULT_OPERATION_TIMEOUT_SECONDS} second operation deadline, the JVM's clock, and deletions
 * remembered for merges for {@value #DEFAULT_TOMBSTONE_RETENTION_MINUTES} minutes, and no authentication or
 * encryption between members ({@link #clusterSecret}, {@link #keystore}).
 */
public final class GridBuilder {
    /**
     * The cluster name a member joins unless {@link #clusterName} sets another: {@value}.
     */
    public static final String DEFAULT_CLUSTER_NAME = "tessera";
    /**
     * The number of partitions unless {@link #partitionCount} sets another: {@value}.
     */
    public static final int DEFAULT_PARTITION_COUNT = 256;
    /**
     * The number of backup owners the partition table keeps per partition unless {@link #maxBackups} sets another:
     * {@value}.
     */
    public static final int DEFAULT_MAX_BACKUPS = 1;
    /**
     * The default operation deadline in seconds ({@value}); {@link #DEFAULT_OPERATION_TIMEOUT} as a number.
     */
    public static final int DEFAULT_OPERATION_TIMEOUT_SECONDS = 15;
    /**
     * The default operation deadline: longer than it takes the bundled stacks to exclude a hung member (about 7 s)
     * and re-settle the table, so that a write waiting for a paused backup completes instead of timing out.
     */
    public static final Duration DEFAULT_OPERATION_TIMEOUT = Duration.ofSeconds(DEFAULT_OPERATION_TIMEOUT_SECONDS);
    /**
     * The default tombstone retention in minutes ({@value}); {@link #DEFAULT_TOMBSTONE_RETENTION} as a number.
     */
    public static final int DEFAULT_TOMBSTONE_RETENTION_MINUTES = 5;
    /** How long a deletion is remembered, by default, so that a merge does not bring the deleted key back. */
    public static final Duration DEFAULT_TOMBSTONE_RETENTION = Duration.ofMinutes(DEFAULT_TOMBSTONE_RETENTION_MINUTES);
    /**
     * The names of the JGroups stacks Tessera ships, which {@link #stack} accepts besides a file: {@code tcp} (the
     * default), {@code local}, {@code udp} and {@code kubernetes}.
     */
    public static final List<String> BUNDLED_STACKS = List.of("tcp", "local", "udp", "kubernetes");
    /** The fewest characters {@link #clusterSecret} accepts: {@value}. */
    public static final int MIN_CLUSTER_SECRET_LENGTH = 16;

    private String clusterName = DEFAULT_CLUSTER_NAME;
    private String stack = "tcp";
    private String bindAddress;
    private int bindPort;
    private List<String> initialMembers = List.of();
    private String dnsQuery;
    private String dnsAddress;
    private String dnsRecordType;
    private int partitionCount = DEFAULT_PARTITION_COUNT;
    private int maxBackups = DEFAULT_MAX_BACKUPS;
    private SerializationConfig serialization = SerializationConfig.defaults();
    private Duration operationTimeout = DEFAULT_OPERATION_TIMEOUT;
    private String memberName;
    private GridClock clock = GridClock.system();
    private Executor executor;
    private List<Executor> partitionExecutors = List.of();
    private Duration tombstoneRetention = DEFAULT_TOMBSTONE_RETENTION;
    private MeterRegistry meterRegistry;
    private ClusterSecurity security = ClusterSecurity.none();

    GridBuilder() {
    }

    /**
     * Sets the cluster name: only members with the same name form a cluster.
     *
     * @param clusterName the cluster's name, not blank (default {@value #DEFAULT_CLUSTER_NAME})
     * @return this builder
     * @throws IllegalArgumentException if {@code clusterName} is blank
     */
    public GridBuilder clusterName(String clusterName) {
        Objects.requireNonNull(clusterName, "clusterName");
        if (clusterName.isBlank()) {
            throw new IllegalArgumentException("clusterName: \"" + clusterName + "\" (expected a non-blank name)");
        }
        this.clusterName = clusterName;
        return this;
    }

    /**
     * Sets the JGroups stack: a bundled name ({@code tcp}, the default; {@code local} for many members in one JVM;
     * {@code udp}; {@code kubernetes}) or the path or URL of a JGroups XML file.
     *
     * @param stack one of {@link #BUNDLED_STACKS}, or the path or URL of a JGroups XML file
     * @return this builder
     * @throws IllegalArgumentException if {@code stack} is blank
     */
    public GridBuilder stack(String stack) {
        Objects.requireNonNull(stack, "stack");
        if (stack.isBlank()) {
            throw new IllegalArgumentException("stack: \"\" (expected one of " + BUNDLED_STACKS + " or a path)");
        }
        this.stack = stack;
        return this;
    }

    /**
     * Sets the address the transport binds to (default 127.0.0.1 for {@code tcp}).
     *
     * @param bindAddress a host name or IP address of this machine
     * @return this builder
     */
    public GridBuilder bindAddress(String bindAddress) {
        this.bindAddress = Objects.requireNonNull(bindAddress, "bindAddress");
        return this;
    }

    /**
     * Sets the exact port the transport binds (default: the first free one of 7800..7810).
     *
     * @param bindPort the port, 1..65535
     * @return this builder
     * @throws IllegalArgumentException if {@code bindPort} is out of range
     */
    public GridBuilder bindPort(int bindPort) {
        if (bindPort < 1 || bindPort > 65535) {
            throw new IllegalArgumentException("bindPort: " + bindPort + " (expected 1..65535)");
        }
        this.bindPort = bindPort;
        return this;
    }

    /**
     * Sets the {@code host:port} members the static {@code tcp} stack contacts to join.
     *
     * @param members the {@code host:port} addresses to contact
     * @return this builder
     * @throws IllegalArgumentException if an entry is not {@code host:port} with a numeric port
     */
    public GridBuilder initialMembers(String... members) {
        Objects.requireNonNull(members, "initialMembers");
        for (String member : members) {
            Objects.requireNonNull(member, "initialMembers entry");
            int colon = member.lastIndexOf(':');
            if (colon <= 0 || colon == member.length() - 1 || !member.substring(colon + 1).chars()
                    .allMatch(Character::isDigit)) {
                throw new IllegalArgumentException("initialMembers: \"" + member + "\" (expected host:port)");
            }
        }
        this.initialMembers = List.of(members);
        return this;
    }

    /**
     * Sets the DNS name whose records list the members, for the {@code kubernetes} stack's DNS discovery: the headless
     * Service, {@code <service>.<namespace>.svc.cluster.local} (default: {@code -Dtessera.kubernetes.dns_query}, else
     * {@code tessera-headless.default.svc.cluster.local}); several names may be separated by commas.
     *
     * @param query one DNS name, or several separated by commas
     * @return this builder
     * @throws IllegalArgumentException if {@code query} is {@code null} or not a list of DNS names
     */
    public GridBuilder dnsQuery(String query) {
        this.dnsQuery = JGroupsStacks.checkDnsQuery(query);
        return this;
    }

    /**
     * Sets the DNS server the {@code kubernetes} stack's discovery asks, as {@code host} or {@code host:port}
     * (default: {@code -Dtessera.kubernetes.dns_address}, else the system's resolver, which in a pod is the cluster
     * DNS).
     *
     * @param address the DNS server as {@code host} or {@code host:port}, without a scheme such as {@code dns://}
     * @return this builder
     * @throws IllegalArgumentException if {@code address} is {@code null}, blank or not {@code host[:port]}
     */
    public GridBuilder dnsAddress(String address) {
        this.dnsAddress = JGroupsStacks.checkDnsAddress(address);
        return this;
    }

    /**
     * Sets the DNS records the {@code kubernetes} stack's discovery asks for: {@code A} (the default, else
     * {@code -Dtessera.kubernetes.dns_record_type}), whose addresses are probed on this member's own grid port, so
     * every member must bind the same port; {@code AAAA} likewise for IPv6; or {@code SRV}, whose records carry each
     * member's port as well.
     *
     * @param type {@code A}, {@code AAAA} or {@code SRV}, in any case
     * @return this builder
     * @throws IllegalArgumentException if {@code type} is none of these
     */
    public GridBuilder dnsRecordType(String type) {
        this.dnsRecordType = JGroupsStacks.checkDnsRecordType(type);
        return this;
    }

    /**
     * Secures the cluster with a shared secret: every member encrypts what it sends to the others (AES, keys derived
     * from the secret with PBKDF2 and the cluster name as salt), and a member that joins must prove it has the same
     * secret; a member with another secret, or none, is refused and its {@link #start()} fails saying so. Every
     * member of the cluster must be given the same secret. Off by default.
     *
     * @param secret the shared secret, at least {@value #MIN_CLUSTER_SECRET_LENGTH} characters (for example 32
     *     random bytes in Base64: {@code openssl rand -base64 32})
     * @return this builder
     * @throws IllegalArgumentException if the secret is shorter than {@value #MIN_CLUSTER_SECRET_LENGTH} characters
     *     or has spaces around it
     * @throws IllegalStateException if a secret was already set
     */
    public GridBuilder clusterSecret(String secret) {
        Objects.requireNonNull(secret, "clusterSecret");
        if (security.clusterSecret() != null) {
            throw new IllegalStateException("clusterSecret was already set");
        }
        checkSecret("clusterSecret", secret);
        this.security = security.withSecret(secret);
        return this;
    }

    /**
     * Also accepts members that use {@code secret} instead of {@link #clusterSecret}: this member admits joiners that
     * prove either secret and decrypts traffic encrypted with keys of either, but sends with the cluster secret's
     * keys only. It is how a running cluster moves to a new secret without stopping: one rolling restart that adds the
     * new secret as the accepted one, a second that makes it the cluster secret and accepts the old one, and a third,
     * whenever convenient, that drops the old one (docs/security.md shows the commands).
     *
     * @param secret the second secret, under the same rules as {@link #clusterSecret}'s, and different from it
     * @return this builder
     * @throws IllegalArgumentException if the secret is shorter than {@value #MIN_CLUSTER_SECRET_LENGTH} characters
     *     or has spaces around it
     * @throws IllegalStateException if an accepted secret was already set
     */
    public GridBuilder acceptedClusterSecret(String secret) {
        Objects.requireNonNull(secret, "acceptedClusterSecret");
        if (security.acceptedClusterSecret() != null) {
            throw new IllegalStateException("acceptedClusterSecret was already set");
        }
        checkSecret("acceptedClusterSecret", secret);
        this.security = security.withAcceptedSecret(secret);
        return this;
    }

    private static void checkSecret(String what, String secret) {
        if (secret.length() < MIN_CLUSTER_SECRET_LENGTH) {
            throw new IllegalArgumentException(what + ": " + secret.length() + " characters (expected at least "
                    + MIN_CLUSTER_SECRET_LENGTH + "; generate one with: openssl rand -base64 32)");
        }
        if (!secret.strip().equals(secret)) {
            throw new IllegalArgumentException(what + ": has spaces or line breaks around it (expected the"
                    + " secret alone; a secret read from a file often ends with a newline)");
        }
    }

    /**
     * Encrypts the cluster's traffic with the AES key stored under {@code alias} in a PKCS12 or JCEKS keystore (made
     * with {@code keytool -genseckey -keyalg AES -keysize 256}), and requires joining members to prove they hold
     * the same key; with {@link #clusterSecret} as well, they must hold both. Every member needs a copy of the same
     * key. Off by default.
     *
     * @param path the keystore file
     * @param password the password of the keystore and of the key
     * @param alias the alias of the AES key
     * @return this builder
     * @throws IllegalArgumentException if the file is not readable or the alias is blank (the key itself is read,
     *     and checked, when the member starts)
     * @throws IllegalStateException if a keystore was already set
     */
    public GridBuilder keystore(Path path, String password, String alias) {
        Objects.requireNonNull(path, "keystore path");
        Objects.requireNonNull(password, "keystore password");
        Objects.requireNonNull(alias, "keystore alias");
        if (security.keystore() != null) {
            throw new IllegalStateException("keystore was already set to " + security.keystore());
        }
        if (!Files.isReadable(path)) {
            throw new IllegalArgumentException("keystore: " + path + " (expected a readable keystore file)");
        }
        if (alias.isBlank()) {
            throw new IllegalArgumentException("keystore alias: \"" + alias + "\" (expected the alias of an AES key)");
        }
        this.security = security.withKeystore(path, password, alias);
        return this;
    }

    /**
     * Also accepts members that encrypt with the AES key stored under {@code alias} in the {@link #keystore}'s file
     * (with the same password) instead of the keystore's own key: this member admits joiners that hold either key
     * and decrypts with either, but sends with the keystore's key only. It is how a running cluster moves to a new
     * key without stopping, in three rolling restarts as with {@link #acceptedClusterSecret}: add the new key to
     * every copy of the keystore ({@code keytool -genseckey} under a new alias) and accept it, then send with it and
     * accept the old one, then drop the old one.
     *
     * @param alias the alias of the second AES key, different from the keystore's
     * @return this builder
     * @throws IllegalArgumentException if the alias is blank
     * @throws IllegalStateException if an accepted alias was already set
     */
    public GridBuilder acceptedKeystoreAlias(String alias) {
        Objects.requireNonNull(alias, "acceptedKeystoreAlias");
        if (security.acceptedKeystoreAlias() != null) {
            throw new IllegalStateException("acceptedKeystoreAlias was already set to " + security.acceptedKeystoreAlias());
        }
        if (alias.isBlank()) {
            throw new IllegalArgumentException("acceptedKeystoreAlias: \"" + alias + "\" (expected the alias of an AES"
                    + " key)");
        }
        this.security = security.withAcceptedKeystoreAlias(alias);
        return this;
    }

    /**
     * Sets the number of partitions: a power of two that divides 16384 (default 256); the same on every member.
     *
     * @param partitionCount the number of partitions, a power of two from 1 to 16384
     * @return this builder
     * @throws IllegalArgumentException if {@code partitionCount} is not such a power of two
     */
    public GridBuilder partitionCount(int partitionCount) {
        SlotHashing.checkPartitionCount(partitionCount);
        this.partitionCount = partitionCount;
        return this;
    }

    /**
     * Sets how many backup owners the partition table keeps per partition (0..6, default 1); a map may keep at most
     * this many backups. The same on every member.
     *
     * @param maxBackups the backup owners per partition, 0 to {@link MapConfig#MAX_BACKUPS}
     * @return this builder
     * @throws IllegalArgumentException if {@code maxBackups} is out of range
     */
    public GridBuilder maxBackups(int maxBackups) {
        if (maxBackups < 0 || maxBackups > MapConfig.MAX_BACKUPS) {
            throw new IllegalArgumentException("maxBackups: " + maxBackups + " (expected 0.." + MapConfig.MAX_BACKUPS
                    + ")");
        }
        this.maxBackups = maxBackups;
        return this;
    }

    /**
     * Sets the classes values, keys and entry processors may have; register them alike on every member.
     *
     * @param serialization the class registrations (default {@link SerializationConfig#defaults()})
     * @return this builder
     */
    public GridBuilder serialization(SerializationConfig serialization) {
        this.serialization = Objects.requireNonNull(serialization, "serialization");
        return this;
    }

    /**
     * Sets the deadline of every operation, retries included (default {@value #DEFAULT_OPERATION_TIMEOUT_SECONDS} s).
     *
     * @param operationTimeout how long an operation may take before it fails with {@link OperationTimeoutException};
     *     positive
     * @return this builder
     * @throws IllegalArgumentException if {@code operationTimeout} is zero or negative
     */
    public GridBuilder operationTimeout(Duration operationTimeout) {
        Objects.requireNonNull(operationTimeout, "operationTimeout");
        if (operationTimeout.isZero() || operationTimeout.isNegative()) {
            throw new IllegalArgumentException("operationTimeout: " + operationTimeout + " (expected > 0)");
        }
        this.operationTimeout = operationTimeout;
        return this;
    }

    /**
     * Sets this member's name in logs and {@link Member#name()} (default: JGroups' generated name).
     *
     * @param memberName the name, as it appears in logs, thread names and {@link Member#name()}
     * @return this builder
     */
    public GridBuilder memberName(String memberName) {
        this.memberName = Objects.requireNonNull(memberName, "memberName");
        return this;
    }

    /**
     * Sets the clock that expiry, leases, deadlines and the write stamps read (default {@link GridClock#system()}).
     * Tests pass a clock they advance by hand.
     *
     * @param clock the clock
     * @return this builder
     */
    public GridBuilder clock(GridClock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        return this;
    }

    /**
     * Sets the executor that completes the futures of asynchronous map operations, and so runs the caller's
     * continuations (default: a small pool of this member's own).
     *
     * <p>{@code Runnable::run} completes them on the grid's own threads (a partition thread, or the JGroups thread
     * that delivered a remote answer), which saves a thread hand-off per operation. Only a caller whose
     * continuations never block may choose it: a continuation that waits for another grid operation would wait on
     * the thread that has to run it. The RESP server's launcher does, since its continuations only queue a reply.
     *
     * @param executor the executor that completes asynchronous results
     * @return this builder
     */
    public GridBuilder executor(Executor executor) {
        this.executor = Objects.requireNonNull(executor, "executor");
        return this;
    }

    /**
     * Runs the partitions on {@code executors} instead of threads of the member's own (one per core): partition
     * {@code p} runs on executor {@code p mod executors.size()}. Each executor must run its tasks one at a time on one
     * thread, in the order they were submitted, and its thread must never block. An embedder whose I/O runs on event
     * loops (Netty's, Vert.x's) passes those loops: an operation that arrives on the loop of its partition then runs
     * without any thread hand-off, as the RESP server's launcher does. The member never shuts the executors down;
     * they must outlive {@link Grid#close()}. Never call a blocking map method on one of them.
     *
     * @param executors one or more single-threaded, non-blocking executors
     * @return this builder
     * @throws IllegalArgumentException if {@code executors} is empty
     */
    public GridBuilder partitionThreads(List<? extends Executor> executors) {
        Objects.requireNonNull(executors, "executors");
        if (executors.isEmpty()) {
            throw new IllegalArgumentException("partitionThreads: expected at least one executor");
        }
        this.partitionExecutors = List.copyOf(executors);
        return this;
    }

    /**
     * Sets how long a deletion or expiry is remembered (as a tombstone) so that a merge after a split does not bring
     * the key back (default {@value #DEFAULT_TOMBSTONE_RETENTION_MINUTES} minutes). A side that was apart longer than
     * this merges only entries written after the deletions it may have missed were forgotten.
     *
     * @param tombstoneRetention how long a tombstone is kept; positive
     * @return this builder
     * @throws IllegalArgumentException if {@code tombstoneRetention} is zero or negative
     */
    public GridBuilder tombstoneRetention(Duration tombstoneRetention) {
        Objects.requireNonNull(tombstoneRetention, "tombstoneRetention");
        if (tombstoneRetention.isZero() || tombstoneRetention.isNegative()) {
            throw new IllegalArgumentException("tombstoneRetention: " + tombstoneRetention + " (expected > 0)");
        }
        this.tombstoneRetention = tombstoneRetention;
        return this;
    }

    /**
     * Registers the member's meters (operations, entries, backups, migrations, merges, near caches; every meter's
     * name starts with {@code tessera.}, tagged with {@code member} and, where it applies, {@code map}) in
     * {@code registry} instead of a {@link SimpleMeterRegistry} of the member's own. Pass the registry the rest of
     * the application reports through (Prometheus, JMX, a composite). The member removes its meters when it closes.
     *
     * @param registry the registry to register the member's meters in
     * @return this builder
     */
    public GridBuilder meterRegistry(MeterRegistry registry) {
        this.meterRegistry = Objects.requireNonNull(registry, "registry");
        return this;
    }

    /**
     * Returns the immutable settings this builder holds now, with the defaults filled in (a {@link SimpleMeterRegistry}
     * of the member's own if none was set).
     *
     * @return a snapshot of the settings; later setter calls do not change it
     * @throws IllegalStateException if an accepted cluster secret or keystore alias is set without the secret or
     *     keystore it stands beside, or equals it
     */
    public GridConfig config() {
        checkAcceptedKeys();
        return new GridConfig(clusterName, stack, bindAddress, bindPort, initialMembers, dnsQuery, dnsAddress,
                dnsRecordType, partitionCount, maxBackups,
                serialization, operationTimeout, memberName, clock, executor, partitionExecutors, tombstoneRetention,
                meterRegistry != null ? meterRegistry : new SimpleMeterRegistry(), security);
    }

    private void checkAcceptedKeys() {
        if (security.acceptedClusterSecret() != null) {
            if (security.clusterSecret() == null) {
                throw new IllegalStateException("acceptedClusterSecret is set without clusterSecret (set the secret"
                        + " this member sends with too; the accepted one is only checked and decrypted with)");
            }
            if (security.acceptedClusterSecret().equals(security.clusterSecret())) {
                throw new IllegalStateException("acceptedClusterSecret is the clusterSecret itself (expected the"
                        + " other secret of a rotation: the new one before it is sent with, or the old one after)");
            }
        }
        if (security.acceptedKeystoreAlias() != null) {
            if (security.keystore() == null) {
                throw new IllegalStateException("acceptedKeystoreAlias is set without a keystore (set the keystore"
                        + " and the alias this member sends with too)");
            }
            if (security.acceptedKeystoreAlias().equals(security.keystoreAlias())) {
                throw new IllegalStateException("acceptedKeystoreAlias is the keystore's own alias \""
                        + security.keystoreAlias() + "\" (expected the other key of a rotation)");
            }
        }
    }

    /**
     * Starts the member: connects to the cluster, waits until it knows the partition table, and returns it.
     *
     * @return the started member, which is part of the cluster
     * @throws GridException if the member cannot join (the message says why)
     * @throws IllegalStateException as {@link #config()} does
     */
    public Grid start() {
        return GridNode.start(config());
    }
}
