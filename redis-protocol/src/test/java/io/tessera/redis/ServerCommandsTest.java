package io.tessera.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.protocol.ProtocolVersion;
import io.tessera.redis.testing.ThreeMemberRespTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.util.SafeEncoder;

@Timeout(60)
class ServerCommandsTest extends ThreeMemberRespTest {

    /** Decodes byte arrays (recursively) so replies compare as text. */
    private static Object text(Object reply) {
        if (reply instanceof byte[] bytes) {
            return SafeEncoder.encode(bytes);
        }
        if (reply instanceof List<?> list) {
            List<Object> out = new ArrayList<>();
            for (Object o : list) {
                out.add(text(o));
            }
            return out;
        }
        if (reply instanceof java.util.Set<?> set) {
            List<Object> out = new ArrayList<>();
            for (Object o : set) {
                out.add(text(o));
            }
            return out;
        }
        if (reply instanceof Map<?, ?> map) {
            Map<Object, Object> out = new LinkedHashMap<>();
            map.forEach((k, v) -> out.put(text(k), text(v)));
            return out;
        }
        if (reply instanceof redis.clients.jedis.util.KeyValue<?, ?> kv) {
            return List.of(text(kv.getKey()), text(kv.getValue()));
        }
        return reply;
    }

    @ParameterizedTest
    @EnumSource(RedisProtocol.class)
    @SuppressWarnings("unchecked")
    void command_describesCommandsFromTheTable(RedisProtocol protocol) {
        try (Jedis jedis = jedis(0, protocol)) {
            long count = (Long) send(jedis, "COMMAND", "COUNT");
            @SuppressWarnings("unchecked")
            List<Object> all = (List<Object>) send(jedis, "COMMAND");
            assertThat(all).hasSize((int) count);
            @SuppressWarnings("unchecked")
            List<Object> info = (List<Object>) text(send(jedis, "COMMAND", "INFO", "get", "nosuch"));
            assertThat(info).hasSize(2);
            assertThat(info.get(1)).isNull();
            @SuppressWarnings("unchecked")
            List<Object> get = (List<Object>) info.get(0);
            assertThat(get).hasSize(10);
            assertThat(get.subList(0, 2)).containsExactly("get", 2L);
            assertThat((List<Object>) get.get(2)).containsExactlyInAnyOrder("readonly", "fast");
            assertThat(get.subList(3, 6)).containsExactly(1L, 1L, 1L);
            assertThat((List<Object>) get.get(6)).containsExactlyInAnyOrder("@read", "@string", "@fast");
            assertThat(get.subList(7, 10)).allMatch(o -> ((List<?>) o).isEmpty());
            if (protocol == RedisProtocol.RESP2) {
                assertThat(get).isEqualTo(List.of("get", 2L, List.of("readonly", "fast"), 1L, 1L, 1L,
                        List.of("@read", "@string", "@fast"), List.of(), List.of(), List.of()));
            }
            assertThat(text(send(jedis, "COMMAND", "LIST"))).asList().contains("get", "set", "client", "cluster",
                    "command", "info", "config");
            assertThat(text(send(jedis, "COMMAND", "LIST", "FILTERBY", "PATTERN", "cl*"))).asList()
                    .containsExactlyInAnyOrder("client", "cluster");
            assertThat(text(send(jedis, "COMMAND", "LIST", "FILTERBY", "ACLCAT", "string"))).asList()
                    .contains("get", "set").doesNotContain("client");
            assertError(jedis, "ERR syntax error", "COMMAND", "LIST", "FILTERBY", "COLOR", "red");
            assertError(jedis, "ERR unknown subcommand 'frob'. Try COMMAND HELP.", "COMMAND", "frob");
        }
    }

    @Test
    void commandDocs_givesSummarySinceAndGroup_inBothProtocols() {
        try (Jedis resp2 = jedis(1, RedisProtocol.RESP2); Jedis resp3 = jedis(1, RedisProtocol.RESP3)) {
            assertThat(text(send(resp2, "COMMAND", "DOCS", "get", "nosuch"))).isEqualTo(List.of("get",
                    List.of("summary", "Returns the string value of a key.", "since", "1.0.0", "group", "string")));
            // Jedis returns a RESP3 map from sendCommand as a list of KeyValue pairs
            Object raw = send(resp3, "COMMAND", "DOCS", "get");
            assertThat((List<?>) raw).singleElement().isInstanceOf(redis.clients.jedis.util.KeyValue.class);
            assertThat(text(raw)).isEqualTo(List.of(List.of("get", List.of(List.of("summary",
                    "Returns the string value of a key."), List.of("since", "1.0.0"), List.of("group", "string")))));
            assertThat(resp3.commandDocs("get").get("get").getSummary()).isEqualTo("Returns the string value of a key.");
            @SuppressWarnings("unchecked")
            List<Object> all = (List<Object>) text(send(resp3, "COMMAND", "DOCS"));
            assertThat(all).contains(List.of("client", List.of(List.of("summary",
                    "A container for client connection commands."), List.of("since", "2.4.0"),
                    List.of("group", "connection"))));
        }
    }

    @Test
    void info_hasRedisSections_andTheTesseraSection() {
        try (Jedis jedis = jedis(0, RedisProtocol.RESP3)) {
            String info = jedis.info();
            assertThat(info).startsWith("# Server\r\nredis_version:7.2.0\r\n")
                    .contains("\r\n\r\n# Clients\r\nconnected_clients:", "# Memory\r\n", "# Stats\r\n",
                            "# Replication\r\nrole:master\r\n", "# Cluster\r\ncluster_enabled:0\r\n",
                            "# Keyspace\r\n", "# Tessera\r\n", "tessera_members:3\r\n",
                            "tcp_port:" + cluster.port(0) + "\r\n");
            assertThat(jedis.info("everything")).contains("# Server", "# Keyspace", "# Tessera");
            String clients = jedis.info("clients");
            assertThat(clients).startsWith("# Clients\r\n").doesNotContain("# Server");
            assertThat(text(send(jedis, "INFO", "server", "tessera"))).asString().startsWith("# Server\r\n")
                    .contains("\r\n\r\n# Tessera\r\n").doesNotContain("# Clients");
            assertThat(jedis.info("nosuchsection")).isEmpty();
        }
    }

    @Test
    void infoKeyspace_countsTheKeysWritten_throughAnotherMember() {
        try (Jedis writer = jedis(1, RedisProtocol.RESP2); Jedis reader = jedis(2, RedisProtocol.RESP3)) {
            writer.select(7);
            for (int i = 0; i < 37; i++) {
                writer.set("ks:" + i, "v");
            }
            assertThat(reader.info("keyspace")).startsWith("# Keyspace\r\n")
                    .contains("db7:keys=37,expires=0,avg_ttl=0\r\n");
            writer.select(8);
            for (int i = 0; i < 10; i++) {
                writer.set("ttl:" + i, "v");
            }
            for (int i = 0; i < 4; i++) {
                writer.expire("ttl:" + i, 1000);
            }
            writer.pexpire("ttl:4", 500_000);
            // As Redis: expires counts the keys with a TTL, avg_ttl is their mean remaining TTL in milliseconds.
            String db8 = reader.info("keyspace").replaceAll("(?s).*\r\n(db8:[^\r]*)\r\n.*", "$1");
            assertThat(db8).startsWith("db8:keys=10,expires=5,avg_ttl=");
            long averageTtl = Long.parseLong(db8.substring(db8.lastIndexOf('=') + 1));
            assertThat(averageTtl).isBetween(900_000L - 10_000, 900_000L);
            writer.persist("ttl:0");
            assertThat(reader.info("keyspace")).contains("db8:keys=10,expires=4,");
        }
    }

    @Test
    void infoMemory_putsTheProcessAndTheHeapNextToTheGridsAccounting() {
        try (Jedis jedis = jedis(0, RedisProtocol.RESP2)) {
            String memory = jedis.info("memory");
            long rss = Long.parseLong(memory.replaceAll("(?s).*\r\nused_memory_rss:(\\d+)\r\n.*", "$1"));
            long heap = Long.parseLong(memory.replaceAll("(?s).*\r\nused_memory_jvm_heap:(\\d+)\r\n.*", "$1"));
            assertThat(memory).containsPattern("\r\nused_memory:\\d+\r\n");
            assertThat(heap).isPositive();
            // The test JVM holds three members: its resident set is tens of megabytes at least.
            assertThat(rss).isGreaterThan(32L << 20);
        }
    }

    @Test
    void infoStats_countsTheKeysThatExpired_onTheMembersThatLeadThem() {
        long before = expiredKeysOverTheCluster();
        try (Jedis jedis = jedis(0, RedisProtocol.RESP2)) {
            jedis.select(9);
            for (int i = 0; i < 6; i++) {
                jedis.psetex("short:" + i, 50, "v");
            }
            jedis.set("long", "v");
        }
        // Redis counts a key in expired_keys when it removes it; each member counts the keys its primaries removed.
        Awaitility.await().atMost(Duration.ofSeconds(15))
                .untilAsserted(() -> assertThat(expiredKeysOverTheCluster() - before).isEqualTo(6));
    }

    private long expiredKeysOverTheCluster() {
        long sum = 0;
        for (int i = 0; i < 3; i++) {
            try (Jedis jedis = jedis(i, RedisProtocol.RESP2)) {
                sum += Long.parseLong(jedis.info("stats").replaceAll("(?s).*\r\nexpired_keys:(\\d+)\r\n.*", "$1"));
            }
        }
        return sum;
    }

    @Test
    void tesseraSection_saysTheMemberIsReady_andCountsTheTable() {
        try (Jedis jedis = jedis(0, RedisProtocol.RESP2)) {
            assertThat(jedis.info("tessera")).contains("tessera_ready:1\r\n", "tessera_partitions_lost:0\r\n",
                    "tessera_partitions:" + cluster.grid().member(0).partitions().size() + "\r\n")
                    .containsPattern("tessera_table_version:[1-9]\\d*\r\n")
                    .containsPattern("tessera_backup_inflight:\\d+\r\ntessera_backup_lag_ms:\\d+\r\n");
        }
    }

    @Test
    void tesseraSection_accountsForEveryPartition() {
        int led = 0;
        for (int i = 0; i < 3; i++) {
            try (Jedis jedis = jedis(i, RedisProtocol.RESP2)) {
                String info = jedis.info("tessera");
                String value = info.replaceAll("(?s).*tessera_partitions_led:(\\d+).*", "$1");
                led += Integer.parseInt(value);
                assertThat(info).contains("tessera_cluster:" + cluster.grid().clusterName() + "\r\n");
            }
        }
        assertThat(led).isEqualTo(cluster.grid().member(0).partitions().size());
    }

    @Test
    void time_returnsSecondsAndMicroseconds() {
        try (Jedis jedis = jedis(2, RedisProtocol.RESP3)) {
            List<String> time = jedis.time();
            assertThat(time).hasSize(2);
            assertThat(Long.parseLong(time.get(0))).isCloseTo(System.currentTimeMillis() / 1000,
                    org.assertj.core.data.Offset.offset(5L));
            assertThat(Long.parseLong(time.get(1))).isBetween(0L, 999_999L);
        }
    }

    @ParameterizedTest
    @EnumSource(RedisProtocol.class)
    void configGet_matchesGlobs(RedisProtocol protocol) {
        try (Jedis jedis = jedis(0, protocol)) {
            assertThat(jedis.configGet("port")).isEqualTo(Map.of("port", Integer.toString(cluster.port(0))));
            assertThat(jedis.configGet("save")).isEqualTo(Map.of("save", ""));
            assertThat(jedis.configGet("appendonly")).isEqualTo(Map.of("appendonly", "no"));
            assertThat(jedis.configGet("*max*").keySet()).contains("maxclients", "proto-max-bulk-len",
                    "hash-max-ziplist-entries", "set-max-intset-entries").doesNotContain("port", "save");
            assertThat(jedis.configGet("max*").keySet()).containsExactlyInAnyOrder("maxclients", "maxmemory",
                    "maxmemory-policy", "maxmemory-samples");
            assertThat(jedis.configGet("databases", "notify-keyspace-events")).isEqualTo(Map.of("databases", "16",
                    "notify-keyspace-events", ""));
            assertThat(jedis.configGet("nosuch")).isEmpty();
            assertError(jedis, "ERR wrong number of arguments for 'config|get' command", "CONFIG", "GET");
        }
    }

    @Test
    void configSet_changesMaxclientsAndRequirepass_refusesTheRest() {
        try (Jedis admin = jedis(2, RedisProtocol.RESP2)) {
            assertThat(admin.configSet("maxclients", "500")).isEqualTo("OK");
            assertThat(admin.configGet("maxclients")).isEqualTo(Map.of("maxclients", "500"));
            assertThat(admin.configSet("maxclients", "10000")).isEqualTo("OK");
            assertError(admin, "ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument "
                    + "couldn't be parsed into an integer", "CONFIG", "SET", "maxclients", "lots");
            assertError(admin, "ERR CONFIG SET failed (possibly related to argument 'port') - can't set immutable "
                    + "config", "CONFIG", "SET", "port", "1234");
            assertError(admin, "ERR Unsupported CONFIG parameter: lazyfree-lazy-eviction", "CONFIG", "SET",
                    "lazyfree-lazy-eviction", "yes");
            assertError(admin, "ERR wrong number of arguments for 'config|set' command", "CONFIG", "SET", "x");
            assertError(admin, "ERR wrong number of arguments for 'config|set' command",
                    "CONFIG", "SET", "maxclients", "5", "requirepass");
            assertThat(admin.configGet("maxclients")).isEqualTo(Map.of("maxclients", "10000"));

            assertThat(admin.configSet("requirepass", "s3cret")).isEqualTo("OK");
            try (Jedis other = new Jedis("127.0.0.1", cluster.port(2))) {
                assertThatThrownBy(other::ping).isInstanceOf(JedisDataException.class)
                        .hasMessage("NOAUTH Authentication required.");
                assertThat(other.auth("s3cret")).isEqualTo("OK");
                assertThat(other.ping()).isEqualTo("PONG");
            } finally {
                assertThat(admin.configSet("requirepass", "")).isEqualTo("OK");
            }
            assertThat(admin.configResetStat()).isEqualTo("OK");
        }
    }

    @Test
    void configSet_acceptsRedisEncodingTunables_underBothNames_withRedisValidation() {
        try (Jedis admin = jedis(1, RedisProtocol.RESP2)) {
            assertThat(admin.configSet("hash-max-ziplist-value", "128")).isEqualTo("OK");
            assertThat(admin.configGet("hash-max-listpack-value")).isEqualTo(Map.of("hash-max-listpack-value", "128"));
            assertThat(admin.configGet("hash-max-ziplist-value")).isEqualTo(Map.of("hash-max-ziplist-value", "128"));
            assertThat(admin.configSet("list-max-listpack-size", "-3", "set-max-intset-entries", "1024",
                    "zset-max-listpack-value", "1kb")).isEqualTo("OK");
            assertThat(admin.configGet("list-max-ziplist-size")).isEqualTo(Map.of("list-max-ziplist-size", "-3"));
            assertThat(admin.configGet("zset-max-listpack-value"))
                    .isEqualTo(Map.of("zset-max-listpack-value", "1024"));
            assertThat(admin.configGet("*-entries")).containsEntry("set-max-intset-entries", "1024")
                    .containsEntry("hash-max-listpack-entries", "128").containsKey("stream-node-max-entries");

            assertError(admin, "ERR CONFIG SET failed (possibly related to argument 'set-max-intset-entries') - "
                    + "argument must be between 0 and 9223372036854775807 inclusive",
                    "CONFIG", "SET", "set-max-intset-entries", "-1");
            assertError(admin, "ERR CONFIG SET failed (possibly related to argument 'hash-max-listpack-entries') - "
                    + "argument couldn't be parsed into an integer", "CONFIG", "SET", "hash-max-listpack-entries", "x");
            assertError(admin, "ERR CONFIG SET failed (possibly related to argument 'hll-sparse-max-bytes') - "
                    + "argument must be a memory value", "CONFIG", "SET", "hll-sparse-max-bytes", "-1");
            assertError(admin, "ERR CONFIG SET failed (possibly related to argument 'list-max-listpack-size') - "
                    + "argument must be between -2147483648 and 2147483647 inclusive",
                    "CONFIG", "SET", "list-max-listpack-size", "100000000000");
            // all or nothing: the valid first pair of a refused SET is not applied either
            assertError(admin, "ERR CONFIG SET failed (possibly related to argument 'list-compress-depth') - "
                    + "argument must be between 0 and 2147483647 inclusive",
                    "CONFIG", "SET", "set-max-intset-entries", "7", "list-compress-depth", "-1");
            assertThat(admin.configGet("set-max-intset-entries")).isEqualTo(Map.of("set-max-intset-entries", "1024"));
        }
    }

    @Test
    void shutdown_isRefusedOnAnEmbeddedServer_andRunsTheOwnersAction() throws Exception {
        try (Jedis jedis = jedis(1, RedisProtocol.RESP2)) {
            assertError(jedis, "ERR SHUTDOWN is disabled on an embedded server", "SHUTDOWN");
            assertError(jedis, "ERR No shutdown in progress.", "SHUTDOWN", "ABORT");
            assertError(jedis, "ERR syntax error", "SHUTDOWN", "ABORT", "NOW");
            assertError(jedis, "ERR syntax error", "SHUTDOWN", "SAVE", "NOSAVE");
            assertError(jedis, "ERR syntax error", "SHUTDOWN", "LATER");
        }
        CountDownLatch ran = new CountDownLatch(1);
        cluster.server(1).onShutdownCommand(ran::countDown);
        try (Jedis jedis = jedis(1, RedisProtocol.RESP3)) {
            assertThatThrownBy(() -> send(jedis, "SHUTDOWN", "NOSAVE")).isInstanceOf(JedisConnectionException.class);
            assertThat(ran.await(5, TimeUnit.SECONDS)).isTrue();
        } finally {
            cluster.server(1).onShutdownCommand(null);
        }
    }

    @Test
    void lettuce_serverCommands_inResp2AndResp3() {
        for (ProtocolVersion version : ProtocolVersion.values()) {
            RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", cluster.port(0)));
            client.setOptions(ClientOptions.builder().protocolVersion(version).build());
            try (StatefulRedisConnection<String, String> connection = client.connect()) {
                RedisCommands<String, String> commands = connection.sync();
                assertThat(commands.info("server")).startsWith("# Server\r\nredis_version:7.2.0\r\n");
                assertThat(commands.configGet("port")).containsEntry("port", Integer.toString(cluster.port(0)));
                assertThat(commands.time()).hasSize(2);
                assertThat(commands.commandCount()).isGreaterThan(10L);
                assertThat(commands.commandInfo("set")).hasSize(1);
            } finally {
                client.shutdown();
            }
        }
    }
}
