package io.tessera.redis.internal.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.grid.GridConfig;
import io.tessera.redis.RespServerConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The launcher's settings: sources, precedence (file &lt; environment &lt; flags) and the messages of bad values. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LauncherTest {
    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private Launcher.Parsed parse(Map<String, String> env, String... args) {
        return Launcher.parse(args, env, new PrintWriter(out), new PrintWriter(err));
    }

    private NodeSettings settings(Map<String, String> env, String... args) {
        Launcher.Parsed parsed = parse(env, args);
        assertThat(parsed.settings()).as(err.toString()).isNotNull();
        return parsed.settings();
    }

    @Test
    void noArguments_giveTheDefaults() {
        NodeSettings s = settings(Map.of());

        assertThat(s.port()).isEqualTo(6379);
        assertThat(s.bind()).isEqualTo("127.0.0.1");
        assertThat(s.clusterName()).isEqualTo("tessera");
        assertThat(s.stack()).isEqualTo("tcp");
        assertThat(s.members()).isEmpty();
        assertThat(s.gridPort()).isZero();
        assertThat(s.partitions()).isEqualTo(256);
        assertThat(s.backups()).isEqualTo(1);
        assertThat(s.requirePass()).isNull();
        assertThat(s.maxClients()).isEqualTo(10_000);
        assertThat(s.databases()).isEqualTo(16);
        assertThat(s.maxMemory()).isZero();
        assertThat(s.maxMemoryPolicy()).isEqualTo("noeviction");
        assertThat(s.adminEnabled()).isFalse();
        assertThat(s.adminPort()).isEqualTo(NodeSettings.ADMIN_OFF);
        assertThat(s.adminBind()).isEqualTo("127.0.0.1");
        assertThat(s.toString()).contains("admin-port=(off)");
        assertThat(s.jmx()).isFalse();
        assertThat(s.metricsEnabled()).isFalse();
    }

    @Test
    void jmx_isItsOwnSwitch_takingTrueOrFalse() {
        NodeSettings jmx = settings(Map.of("TESSERA_JMX", "TRUE"));
        assertThat(jmx.jmx()).isTrue();
        assertThat(jmx.adminEnabled()).isFalse();
        assertThat(jmx.metricsEnabled()).isTrue();
        assertThat(settings(Map.of("TESSERA_JMX", "true"), "--jmx", "no").jmx()).isFalse();
        assertThat(settings(Map.of(), "--admin-port", "0").metricsEnabled()).isTrue();

        assertThat(parse(Map.of(), "--jmx", "maybe").exitCode()).isEqualTo(2);
        assertThat(err.toString()).contains("--jmx: \"maybe\" (expected true or false)");
    }

    @Test
    void adminPort_andAdminBind_fromFlagsEnvironmentAndFile() throws IOException {
        NodeSettings flags = settings(Map.of(), "--admin-port", "9100", "--admin-bind", "0.0.0.0");
        assertThat(flags.adminEnabled()).isTrue();
        assertThat(flags.adminPort()).isEqualTo(9100);
        assertThat(flags.adminBind()).isEqualTo("0.0.0.0");
        assertThat(flags.toString()).contains("admin-port=9100 admin-bind=0.0.0.0");

        NodeSettings env = settings(Map.of("TESSERA_ADMIN_PORT", "0", "TESSERA_ADMIN_BIND", "10.0.0.5"));
        assertThat(env.adminPort()).as("0 picks a free port").isZero();
        assertThat(env.adminEnabled()).isTrue();
        assertThat(env.adminBind()).isEqualTo("10.0.0.5");

        Path yaml = dir.resolve("admin.yml");
        Files.writeString(yaml, "admin-port: 9200\n");
        assertThat(settings(Map.of(), "--config", yaml.toString()).adminPort()).isEqualTo(9200);
        assertThat(Setting.ADMIN_PORT.environmentVariable()).isEqualTo("TESSERA_ADMIN_PORT");
    }

    @Test
    void aclfile_mustBeReadable_andReachesTheServerConfig() throws IOException {
        Path file = java.nio.file.Files.writeString(dir.resolve("users.acl"), "user a on nopass ~* +@all\n");
        assertThat(settings(Map.of(), "--aclfile", file.toString()).serverConfig().aclFile()).isEqualTo(file);
        assertThat(settings(Map.of()).serverConfig().aclFile()).isNull();
        assertThat(parse(Map.of(), "--aclfile", dir.resolve("missing.acl").toString()).exitCode()).isEqualTo(2);
        assertThat(err.toString()).contains("--aclfile: \"" + dir.resolve("missing.acl") + "\" (expected a readable "
                + "file;");
    }

    @Test
    void badAdminPort_isAnError_namingTheOption() {
        assertThat(parse(Map.of(), "--admin-port", "-1").exitCode()).isEqualTo(2);
        assertThat(parse(Map.of("TESSERA_ADMIN_PORT", "http")).exitCode()).isEqualTo(2);
        assertThat(parse(Map.of(), "--admin-bind", " ").exitCode()).isEqualTo(2);
        assertThat(err.toString()).contains("--admin-port: \"-1\" (expected an integer 0..65535)")
                .contains("--admin-port: \"http\" from TESSERA_ADMIN_PORT (expected an integer 0..65535)")
                .contains("--admin-bind: \" \" (expected a non-empty value)");
    }

    @Test
    void maxmemory_takesRedisUnits_andRefusesWhatRedisRefuses() {
        assertThat(settings(Map.of(), "--maxmemory", "1gb").maxMemory()).isEqualTo(1L << 30);
        assertThat(settings(Map.of(), "--maxmemory", "100k").maxMemory()).isEqualTo(100_000);
        assertThat(settings(Map.of("TESSERA_MAXMEMORY_POLICY", "VOLATILE-TTL")).maxMemoryPolicy())
                .isEqualTo("volatile-ttl");
        assertThat(parse(Map.of(), "--maxmemory", "lots").exitCode()).isEqualTo(2);
        assertThat(parse(Map.of(), "--maxmemory-policy", "lru").exitCode()).isEqualTo(2);
        assertThat(err.toString()).contains("--maxmemory: \"lots\" (expected a number of bytes")
                .contains("--maxmemory-policy: \"lru\" (expected one of volatile-lru, volatile-lfu,");
    }

    @Test
    void flags_setEverySetting() {
        NodeSettings s = settings(Map.of(), "--port", "7000", "--bind", "0.0.0.0", "--cluster-name", "shop",
                "--stack", "kubernetes", "--members", "10.0.0.1:7800, 10.0.0.2:7801", "--grid-port", "7900",
                "--grid-bind", "10.0.0.1", "--dns-query", "t.shop.svc.cluster.local", "--dns-address", "10.96.0.10",
                "--dns-record-type", "SRV", "--name", "a", "--partitions", "64", "--backups", "2",
                "--requirepass", "pw", "--maxclients", "5", "--databases=4", "--maxmemory", "64mb",
                "--maxmemory-policy", "allkeys-lru", "--io-threads", "1", "--admin-port", "9100", "--admin-bind",
                "10.0.0.1", "--jmx", "true", "--protected-mode", "no");

        assertThat(s).isEqualTo(new NodeSettings(7000, "0.0.0.0", "shop", "kubernetes",
                List.of("10.0.0.1:7800", "10.0.0.2:7801"), 7900, "10.0.0.1", "t.shop.svc.cluster.local", "10.96.0.10",
                "SRV", null, null, null, "tessera", null, null, "a", 64, 2, 0, "pw", 5, 4,
                64L * 1024 * 1024, "allkeys-lru", 1, 9100, "10.0.0.1", true, false, RespServerConfig.PORT_OFF,
                null, null, null, RespServerConfig.TlsAuthClients.YES, List.of(), RespServerConfig.TlsProvider.AUTO,
                null));
        assertThat(s.serverConfig().maxMemory()).isEqualTo(64L * 1024 * 1024);
        assertThat(s.serverConfig().ioThreads()).isOne();
        assertThat(s.toString()).contains("requirepass=(set)").doesNotContain("pw ");
    }

    @Test
    void dnsDiscoverySettings_reachTheGridBuilder_fromTheEnvironmentToo() {
        NodeSettings s = settings(Map.of("TESSERA_DNS_QUERY", "tessera-headless.shop.svc.cluster.local",
                "TESSERA_DNS_RECORD_TYPE", "srv"), "--stack", "kubernetes", "--dns-address", "127.0.0.1:5353");

        GridConfig config = s.gridBuilder().config();
        assertThat(config.dnsQuery()).isEqualTo("tessera-headless.shop.svc.cluster.local");
        assertThat(config.dnsAddress()).isEqualTo("127.0.0.1:5353");
        assertThat(config.dnsRecordType()).isEqualTo("SRV");
        assertThat(s.toString()).contains(" dns-query=tessera-headless.shop.svc.cluster.local"
                + " dns-address=127.0.0.1:5353 dns-record-type=srv ");
        GridConfig defaults = settings(Map.of(), "--stack", "kubernetes").gridBuilder().config();
        assertThat(defaults.dnsQuery()).isNull();
        assertThat(defaults.dnsAddress()).isNull();
        assertThat(defaults.dnsRecordType()).isNull();
    }

    @Test
    void badDnsDiscoverySettings_andDnsSettingsWithAnotherStack_areErrors() {
        assertThat(parse(Map.of(), "--stack", "kubernetes", "--dns-record-type", "CNAME").exitCode()).isEqualTo(2);
        assertThat(err.toString()).contains("--dns-record-type: \"CNAME\" is not accepted: dnsRecordType: \"CNAME\""
                + " (expected one of A, AAAA, SRV)");
        assertThat(parse(Map.of(), "--stack", "kubernetes", "--dns-address", "dns://10.96.0.10").exitCode())
                .isEqualTo(2);
        assertThat(err.toString()).contains("--dns-address: \"dns://10.96.0.10\" is not accepted: dnsAddress:");
        assertThat(parse(Map.of("TESSERA_DNS_QUERY", "a.b.svc.cluster.local")).exitCode()).isEqualTo(2);
        assertThat(err.toString()).contains("--dns-query: \"a.b.svc.cluster.local\" from TESSERA_DNS_QUERY applies"
                + " to --stack kubernetes (DNS discovery), not tcp; remove it or use --stack kubernetes");
    }

    @Test
    void fileIsBeatenByEnvironment_whichIsBeatenByFlags() throws IOException {
        Path yaml = dir.resolve("node.yml");
        Files.writeString(yaml, "port: 7001\ncluster-name: from-file\npartitions: 32\nbackups: 0\n"
                + "members:\n  - 127.0.0.1:7800\n  - 127.0.0.1:7801\n");

        NodeSettings s = settings(Map.of("TESSERA_CLUSTER_NAME", "from-env", "TESSERA_PORT", "7002",
                "TESSERA_PARTITIONS", "16"), "--config", yaml.toString(), "--port", "7003");

        assertThat(s.port()).isEqualTo(7003);
        assertThat(s.clusterName()).isEqualTo("from-env");
        assertThat(s.partitions()).isEqualTo(16);
        assertThat(s.backups()).isZero();
        assertThat(s.members()).containsExactly("127.0.0.1:7800", "127.0.0.1:7801");
    }

    @Test
    void propertiesFile_namedByTheEnvironment() throws IOException {
        Path properties = dir.resolve("node.properties");
        Files.writeString(properties, "cluster-name=props\ngrid-port=7805\nrequirepass=\n");

        NodeSettings s = settings(Map.of("TESSERA_CONFIG", properties.toString()));

        assertThat(s.clusterName()).isEqualTo("props");
        assertThat(s.gridPort()).isEqualTo(7805);
        assertThat(s.requirePass()).isNull();
    }

    @Test
    void minClusterSize_becomesTheDatabasesQuorum_andTheirBackupsFollowTheGrid() {
        NodeSettings s = settings(Map.of("TESSERA_MIN_CLUSTER_SIZE", "3"), "--backups", "2");

        assertThat(s.minClusterSize()).isEqualTo(3);
        assertThat(s.serverConfig().databaseConfig().minClusterSize()).isEqualTo(3);
        assertThat(s.serverConfig().databaseConfig().backups()).isEqualTo(2);
        assertThat(s.toString()).contains("min-cluster-size=3");
        assertThat(settings(Map.of()).serverConfig().databaseConfig().minClusterSize()).isZero();
    }

    @Test
    void negativeMinClusterSize_isAnError() {
        assertThat(parse(Map.of(), "--min-cluster-size", "-1").exitCode()).isEqualTo(2);
        assertThat(err.toString()).contains("--min-cluster-size: \"-1\" (expected an integer 0..1024)");
    }

    @Test
    void badFlagValue_exits2_namingTheOption() {
        Launcher.Parsed parsed = parse(Map.of(), "--port", "abc");

        assertThat(parsed.settings()).isNull();
        assertThat(parsed.exitCode()).isEqualTo(2);
        assertThat(err.toString()).startsWith("tessera-server: --port: \"abc\" (expected an integer 0..65535)\n");
    }

    @Test
    void badEnvironmentValue_namesTheOptionAndTheVariable() {
        assertThat(parse(Map.of("TESSERA_MAXCLIENTS", "0")).exitCode()).isEqualTo(2);
        assertThat(err.toString()).contains("--maxclients: \"0\" from TESSERA_MAXCLIENTS (expected an integer"
                + " 1..2147483647)");
    }

    @Test
    void badFileValue_namesTheOptionTheKeyAndTheFile() throws IOException {
        Path yaml = dir.resolve("bad.yaml");
        Files.writeString(yaml, "partitions: 100\n");

        assertThat(parse(Map.of(), "--config", yaml.toString()).exitCode()).isEqualTo(2);
        assertThat(err.toString()).contains("--partitions: \"100\" from partitions in " + yaml
                + " is not accepted: partitionCount: 100 (expected a power of two between 1 and 16384)");
    }

    @Test
    void unknownKeyInFile_isAnError() throws IOException {
        Path yaml = dir.resolve("typo.yml");
        Files.writeString(yaml, "clustername: x\n");

        assertThat(parse(Map.of(), "--config", yaml.toString()).exitCode()).isEqualTo(2);
        assertThat(err.toString()).contains("unknown setting \"clustername\"");
    }

    @Test
    void missingFile_andBadMember_areErrors() {
        assertThat(parse(Map.of(), "--config", dir.resolve("none.yml").toString()).exitCode()).isEqualTo(2);
        assertThat(err.toString()).contains("--config: ").contains("does not exist");

        assertThat(parse(Map.of(), "--members", "localhost").exitCode()).isEqualTo(2);
        assertThat(err.toString()).contains("--members: \"localhost\" is not accepted");
    }

    @Test
    void clusterSecret_reachesTheGridBuilder_fromFlagEnvironmentOrFile_andIsNeverShown() throws IOException {
        String secret = "flag secret of 24 chars!";
        NodeSettings fromFlag = settings(Map.of(), "--cluster-secret", secret);
        assertThat(fromFlag.gridBuilder().config().security().clusterSecret()).isEqualTo(secret);
        assertThat(fromFlag.toString()).contains("cluster-secret=(set)").doesNotContain(secret);
        assertThat(fromFlag.gridBuilder().config().toString()).doesNotContain(secret);

        NodeSettings fromEnv = settings(Map.of("TESSERA_CLUSTER_SECRET", "environment secret 123"));
        assertThat(fromEnv.gridBuilder().config().security().clusterSecret()).isEqualTo("environment secret 123");

        Path yaml = dir.resolve("secured.yml");
        Files.writeString(yaml, "cluster-secret: file secret of some length\n");
        NodeSettings fromFile = settings(Map.of(), "--config", yaml.toString());
        assertThat(fromFile.gridBuilder().config().security().clusterSecret()).isEqualTo("file secret of some length");

        assertThat(settings(Map.of()).gridBuilder().config().security().enabled()).isFalse();
        assertThat(settings(Map.of()).toString()).contains("cluster-secret=(none) cluster-keystore=(none)");
    }

    @Test
    void badClusterSecret_orKeystoreWithoutPassword_areErrors_thatNeverEchoTheSecret() throws Exception {
        assertThat(parse(Map.of("TESSERA_CLUSTER_SECRET", "short-one")).exitCode()).isEqualTo(2);
        assertThat(parse(Map.of("TESSERA_CLUSTER_SECRET", "")).exitCode()).isEqualTo(2);
        Path keystore = dir.resolve("grid.p12");
        Files.write(keystore, new byte[] {1});
        assertThat(parse(Map.of(), "--cluster-keystore", keystore.toString()).exitCode()).isEqualTo(2);
        assertThat(parse(Map.of(), "--cluster-keystore-password", "pw").exitCode()).isEqualTo(2);
        assertThat(parse(Map.of(), "--cluster-keystore", dir.resolve("none.p12").toString(),
                "--cluster-keystore-password", "pw").exitCode()).isEqualTo(2);
        assertThat(err.toString())
                .contains("--cluster-secret from TESSERA_CLUSTER_SECRET is not accepted: clusterSecret: 9 characters"
                        + " (expected at least 16")
                .contains("--cluster-secret from TESSERA_CLUSTER_SECRET is empty")
                .contains("--cluster-keystore: \"" + keystore + "\" needs --cluster-keystore-password (or"
                        + " TESSERA_CLUSTER_KEYSTORE_PASSWORD)")
                .contains("--cluster-keystore-password is set without --cluster-keystore")
                .contains("(expected a readable keystore file)")
                .doesNotContain("short-one");

        NodeSettings withKeystore = settings(Map.of("TESSERA_CLUSTER_KEYSTORE_PASSWORD", "pw"),
                "--cluster-keystore", keystore.toString(), "--cluster-keystore-alias", "grid");
        var security = withKeystore.gridBuilder().config().security();
        assertThat(security.keystore()).isEqualTo(keystore);
        assertThat(security.keystorePassword()).isEqualTo("pw");
        assertThat(security.keystoreAlias()).isEqualTo("grid");
        assertThat(withKeystore.toString()).contains("cluster-keystore=" + keystore + " alias=grid")
                .doesNotContain("pw ");
    }

    @Test
    void acceptedSecretAndAlias_reachTheBuilder_andAreRefusedAloneOrEqualToTheirOwn() throws Exception {
        NodeSettings rotating = settings(Map.of("TESSERA_CLUSTER_SECRET", "the secret of this year 2026",
                "TESSERA_ACCEPTED_CLUSTER_SECRET", "the secret of last year 2025"));
        var security = rotating.gridBuilder().config().security();
        assertThat(security.clusterSecret()).isEqualTo("the secret of this year 2026");
        assertThat(security.acceptedClusterSecret()).isEqualTo("the secret of last year 2025");
        assertThat(rotating.toString()).contains("cluster-secret=(set)", "accepted-cluster-secret=(set)")
                .doesNotContain("2025");

        assertThat(parse(Map.of("TESSERA_ACCEPTED_CLUSTER_SECRET", "the secret of last year 2025")).exitCode())
                .isEqualTo(2);
        assertThat(parse(Map.of("TESSERA_CLUSTER_SECRET", "the secret of this year 2026",
                "TESSERA_ACCEPTED_CLUSTER_SECRET", "the secret of this year 2026")).exitCode()).isEqualTo(2);
        assertThat(parse(Map.of("TESSERA_CLUSTER_SECRET", "the secret of this year 2026",
                "TESSERA_ACCEPTED_CLUSTER_SECRET", "short-two")).exitCode()).isEqualTo(2);
        assertThat(parse(Map.of(), "--accepted-cluster-keystore-alias", "old").exitCode()).isEqualTo(2);
        assertThat(err.toString())
                .contains("--accepted-cluster-secret from TESSERA_ACCEPTED_CLUSTER_SECRET is set without"
                        + " --cluster-secret")
                .contains("--accepted-cluster-secret from TESSERA_ACCEPTED_CLUSTER_SECRET equals --cluster-secret"
                        + " (expected the other secret of a rotation")
                .contains("--accepted-cluster-secret from TESSERA_ACCEPTED_CLUSTER_SECRET is not accepted:"
                        + " acceptedClusterSecret: 9 characters")
                .contains("--accepted-cluster-keystore-alias: \"old\" is set without --cluster-keystore")
                .doesNotContain("2025", "2026", "short-two");

        Path keystore = dir.resolve("rotating.p12");
        Files.write(keystore, new byte[] {1});
        NodeSettings withAlias = settings(Map.of("TESSERA_CLUSTER_KEYSTORE_PASSWORD", "pw"),
                "--cluster-keystore", keystore.toString(), "--cluster-keystore-alias", "key-2026",
                "--accepted-cluster-keystore-alias", "key-2025");
        assertThat(withAlias.gridBuilder().config().security().acceptedKeystoreAlias()).isEqualTo("key-2025");
        assertThat(withAlias.toString()).contains("accepted-cluster-keystore-alias=key-2025");
        assertThat(parse(Map.of("TESSERA_CLUSTER_KEYSTORE_PASSWORD", "pw"), "--cluster-keystore",
                keystore.toString(), "--accepted-cluster-keystore-alias", "tessera").exitCode()).isEqualTo(2);
        assertThat(err.toString()).contains("--accepted-cluster-keystore-alias: \"tessera\" (expected the alias"
                + " of the other key of a rotation, not --cluster-keystore-alias's)");
    }

    @Test
    void help_andVersion_exit0() {
        assertThat(parse(Map.of(), "--help").exitCode()).isZero();
        assertThat(out.toString()).startsWith("Usage: tessera-server").contains("TESSERA_PORT")
                .contains("--admin-port=PORT", "TESSERA_ADMIN_PORT", "--admin-bind=ADDRESS");

        Launcher.Parsed version = parse(Map.of(), "-V");
        assertThat(version.settings()).isNull();
        assertThat(version.exitCode()).isZero();
        assertThat(out.toString()).contains("tessera-server " + Launcher.version());
    }

    @Test
    void everySettingHasAnEnvironmentVariableInUpperSnakeCase() {
        assertThat(Setting.CLUSTER_NAME.environmentVariable()).isEqualTo("TESSERA_CLUSTER_NAME");
        assertThat(Setting.GRID_PORT.environmentVariable()).isEqualTo("TESSERA_GRID_PORT");
        assertThat(Setting.ofKey("requirepass")).isEqualTo(Setting.REQUIREPASS);
    }
}
