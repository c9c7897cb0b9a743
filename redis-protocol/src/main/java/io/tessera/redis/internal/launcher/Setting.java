package io.tessera.redis.internal.launcher;

import java.util.Locale;

/**
 * Every setting of the standalone node, once: its key (the long option without dashes, also the key in a config
 * file), its environment variable ({@code TESSERA_} and the key in upper snake case), and the text {@code --help}
 * shows. The command-line options, the environment and config-file lookups are all derived from this table.
 */
public enum Setting {
    PORT("port", "PORT", "The RESP (Redis protocol) port; 0 picks a free one, or, beside --tls-port, turns the"
            + " plain port off.", "6379"),
    BIND("bind", "ADDRESS", "The address the RESP port listens on.", "127.0.0.1"),
    CLUSTER_NAME("cluster-name", "NAME", "Nodes with the same cluster name form one cluster.", "tessera"),
    STACK("stack", "STACK", "The JGroups stack: tcp, udp, kubernetes, local, or the path of a JGroups XML file.",
            "tcp"),
    MEMBERS("members", "HOST:PORT,...", "The grid addresses (host:grid-port) of the nodes to contact when joining"
            + " (tcp stack).", "127.0.0.1:7800..7810"),
    GRID_PORT("grid-port", "PORT", "The port the grid (JGroups) transport binds, exactly; FD_SOCK2 also uses"
            + " this port + 100..103.", "the first free of 7800..7810"),
    GRID_BIND("grid-bind", "ADDRESS", "The address the grid transport binds.", "127.0.0.1"),
    DNS_QUERY("dns-query", "NAME", "The DNS name whose records list the nodes (kubernetes stack): the headless"
            + " Service, <service>.<namespace>.svc.cluster.local; with SRV records"
            + " _<port-name>._tcp.<service>.<namespace>.svc.cluster.local. Several names may be separated by commas.",
            "tessera-headless.default.svc.cluster.local (or -Dtessera.kubernetes.dns_query)"),
    DNS_ADDRESS("dns-address", "HOST[:PORT]", "The DNS server the kubernetes stack's discovery asks instead of the"
            + " system's resolver (in a pod, the cluster DNS).", "the system's resolver (or"
            + " -Dtessera.kubernetes.dns_address)"),
    DNS_RECORD_TYPE("dns-record-type", "TYPE", "The records the kubernetes stack's discovery asks for: A, every"
            + " address the name resolves to is probed on this node's grid port, so every node binds the same port;"
            + " AAAA, the same for IPv6; SRV, each record's port is probed.",
            "A (or -Dtessera.kubernetes.dns_record_type)"),
    CLUSTER_SECRET("cluster-secret", "SECRET", "A shared secret of at least 16 characters, the same on every node:"
            + " nodes encrypt the grid traffic with keys derived from it and refuse nodes that lack it. Prefer the"
            + " environment variable or the config file to this flag, which other users of the machine see in ps.",
            "none (no authentication or encryption between nodes)"),
    CLUSTER_KEYSTORE("cluster-keystore", "FILE", "A PKCS12 or JCEKS keystore holding an AES key (keytool -genseckey"
            + " -keyalg AES -keysize 256) that encrypts the grid traffic; every node needs the same key, and nodes"
            + " without it are refused. May be combined with --cluster-secret.", "none"),
    CLUSTER_KEYSTORE_PASSWORD("cluster-keystore-password", "PASSWORD", "The password of --cluster-keystore and of"
            + " its key. Prefer the environment variable or the config file.", "none"),
    CLUSTER_KEYSTORE_ALIAS("cluster-keystore-alias", "ALIAS", "The alias of the AES key in --cluster-keystore.",
            "tessera"),
    ACCEPTED_CLUSTER_SECRET("accepted-cluster-secret", "SECRET", "A second secret this node accepts from other"
            + " nodes (it admits nodes that have it and decrypts their traffic) but never sends with: the middle"
            + " steps of moving a running cluster to a new --cluster-secret by rolling restarts (docs/security.md).",
            "none"),
    ACCEPTED_CLUSTER_KEYSTORE_ALIAS("accepted-cluster-keystore-alias", "ALIAS", "The alias of a second AES key in"
            + " --cluster-keystore that this node accepts from other nodes but never sends with: the middle steps"
            + " of moving a running cluster to a new key by rolling restarts (docs/security.md).", "none"),
    NAME("name", "NAME", "This node's name in logs and the cluster view.", "generated"),
    PARTITIONS("partitions", "N", "The number of partitions (a power of two up to 16384); the same on every node.",
            "256"),
    BACKUPS("backups", "N", "Backup copies kept of every partition (0..6); the same on every node.", "1"),
    MIN_CLUSTER_SIZE("min-cluster-size", "N", "The fewest nodes a node must see to serve keys; below it commands"
            + " answer CLUSTERDOWN, so the smaller side of a network split takes no writes a merge would discard."
            + " Use a majority of the cluster's size (3 of 5); the same on every node.", "0 (no minimum)"),
    REQUIREPASS("requirepass", "PASSWORD", "The password clients must give with AUTH.", "none"),
    PROTECTED_MODE("protected-mode", "yes|no", "While no password is set, refuse clients that do not connect from a"
            + " loopback address with Redis's DENIED error (a node bound to 0.0.0.0 without --requirepass is not open"
            + " to the network by mistake).", "yes"),
    TLS_PORT("tls-port", "PORT", "The port clients reach over TLS, next to --port; 0 picks a free one. With a TLS"
            + " port, --port 0 turns the plain port off (as in Redis).", "off"),
    TLS_CERT_FILE("tls-cert-file", "FILE", "The TLS port's certificate chain, PEM.", "none"),
    TLS_KEY_FILE("tls-key-file", "FILE", "The TLS port's private key, unencrypted PKCS#8 PEM (BEGIN PRIVATE KEY;"
            + " convert others with openssl pkcs8 -topk8 -nocrypt).", "none"),
    TLS_CA_CERT_FILE("tls-ca-cert-file", "FILE", "The CA certificates, PEM, that client certificates must chain to;"
            + " needed unless --tls-auth-clients no.", "none"),
    TLS_AUTH_CLIENTS("tls-auth-clients", "yes|no|optional", "Whether TLS clients must present a certificate: yes,"
            + " no, or optional (checked if presented).", "yes"),
    TLS_PROTOCOLS("tls-protocols", "\"TLSv1.2 TLSv1.3\"", "The TLS versions offered, separated by spaces.",
            "the JDK's: TLSv1.2 TLSv1.3"),
    TLS_PROVIDER("tls-provider", "auto|jdk|openssl", "The TLS library serving the TLS port: openssl (BoringSSL, shipped"
            + " for Linux on x86_64 and aarch64), jdk (the JDK's, anywhere), or auto (openssl where it loads, else"
            + " jdk).", "auto"),
    ACLFILE("aclfile", "PATH", "An ACL file in Redis's format (lines 'user <name> <rule>...'): its users are stored"
            + " in the cluster when the node starts, ACL LOAD and ACL SAVE read and write it.", "none"),
    MAXCLIENTS("maxclients", "N", "How many clients may be connected at once.", "10000"),
    DATABASES("databases", "N", "How many databases SELECT offers (1..1024).", "16"),
    MAXMEMORY("maxmemory", "BYTES", "The most this node keeps of each database, its backup copies included, by the"
            + " grid's estimate (INFO used_memory): bytes, or with a unit as in redis.conf (64mb, 1gb). Per node;"
            + " CONFIG SET changes it at run time.", "0 (no limit)"),
    IO_THREADS("io-threads", "N", "The event loops that serve clients and run the partitions (0: one per core, at"
            + " least 2). One loop runs every command on one thread, as redis-server does; more serve more clients"
            + " on more cores.", "0"),
    MAXMEMORY_POLICY("maxmemory-policy", "POLICY", "What a node beyond maxmemory evicts: noeviction (refuse writes"
            + " with OOM), allkeys-lru, allkeys-lfu, allkeys-random, volatile-lru, volatile-lfu, volatile-random,"
            + " volatile-ttl.", "noeviction"),
    ADMIN_PORT("admin-port", "PORT", "The admin HTTP port: Prometheus metrics (/metrics), health checks"
            + " (/health/live, /health/ready) and a live status page (/); 0 picks a free one.", "off"),
    ADMIN_BIND("admin-bind", "ADDRESS", "The address the admin port listens on. Keep it private: the metrics and"
            + " the status page show the cluster's layout to whoever reaches them.", "127.0.0.1"),
    JMX("jmx", "BOOLEAN", "Also publish the meters as JMX MBeans (domain tessera), for jconsole and JMX agents; with or"
            + " without --admin-port. Off by default: a JMX timer costs five to six times a Prometheus one on every"
            + " timed operation.", "false");

    /** The environment variable that names a config file (the {@code --config} flag beats it). */
    public static final String CONFIG_ENV = "TESSERA_CONFIG";

    private final String key;
    private final String paramLabel;
    private final String description;
    private final String defaultText;

    Setting(String key, String paramLabel, String description, String defaultText) {
        this.key = key;
        this.paramLabel = paramLabel;
        this.description = description;
        this.defaultText = defaultText;
    }

    /** The config-file key, e.g. {@code cluster-name}. */
    public String key() {
        return key;
    }

    /** The command-line option, e.g. {@code --cluster-name}. */
    public String option() {
        return "--" + key;
    }

    /** The environment variable, e.g. {@code TESSERA_CLUSTER_NAME}. */
    public String environmentVariable() {
        return "TESSERA_" + key.replace('-', '_').toUpperCase(Locale.ROOT);
    }

    /** The placeholder of the option's value in {@code --help}. */
    public String paramLabel() {
        return paramLabel;
    }

    /** The {@code --help} line, with the default and the environment variable. */
    public String helpText() {
        return description + " Default: " + defaultText + ". Env: " + environmentVariable() + ".";
    }

    /** The setting whose config-file key is {@code key}, or {@code null}. */
    public static Setting ofKey(String key) {
        for (Setting setting : values()) {
            if (setting.key.equals(key)) {
                return setting;
            }
        }
        return null;
    }
}
