package io.tessera.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.sync.RedisAdvancedClusterCommands;
import io.tessera.grid.Grid;
import io.tessera.grid.Partition;
import io.tessera.redis.testing.ThreeMemberRespTest;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisCluster;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.util.SafeEncoder;

@Timeout(60)
class ClusterCommandsTest extends ThreeMemberRespTest {

    /** Node id -> RESP port, from each member's CLUSTER MYID. */
    private static Map<String, Integer> portsById() {
        Map<String, Integer> ports = new HashMap<>();
        for (int i = 0; i < cluster.size(); i++) {
            try (Jedis jedis = jedis(i, RedisProtocol.RESP2)) {
                ports.put(jedis.clusterMyId(), cluster.port(i));
            }
        }
        return ports;
    }

    private static int memberIndex(io.tessera.grid.Member member) {
        List<Grid> members = cluster.grid().members();
        for (int i = 0; i < members.size(); i++) {
            if (members.get(i).localMember().equals(member)) {
                return i;
            }
        }
        throw new AssertionError("no member " + member);
    }

    @Test
    void keyslot_followsRedisHashing() {
        try (Jedis jedis = jedis(1, RedisProtocol.RESP3)) {
            assertThat(jedis.clusterKeySlot("foo")).isEqualTo(12182);
            assertThat(jedis.clusterKeySlot("somekey")).isEqualTo(11058);
            assertThat(jedis.clusterKeySlot("foo{hash_tag}")).isEqualTo(2515);
            assertThat(jedis.clusterKeySlot("{user1000}.following")).isEqualTo(3443);
            assertThatThrownBy(() -> send(jedis, "CLUSTER", "KEYSLOT"))
                    .isInstanceOf(JedisDataException.class)
                    .hasMessage("ERR wrong number of arguments for 'cluster|keyslot' command");
            assertThatThrownBy(() -> send(jedis, "CLUSTER", "FROB", "x"))
                    .isInstanceOf(JedisDataException.class)
                    .hasMessage("ERR unknown subcommand 'FROB'. Try CLUSTER HELP.");
        }
    }

    @Test
    void myid_isFortyHexDigits_distinctPerMember() {
        Map<String, Integer> ports = portsById();
        assertThat(ports).hasSize(3);
        assertThat(ports.keySet()).allMatch(id -> id.matches("[0-9a-f]{40}"));
    }

    @ParameterizedTest
    @EnumSource(RedisProtocol.class)
    @SuppressWarnings("unchecked")
    void slots_coverEverySlotOnce_andNameThePrimarysRealPort(RedisProtocol protocol) {
        Map<String, Integer> ports = portsById();
        Grid grid = cluster.grid().members().get(0);
        for (int member = 0; member < 3; member++) {
            try (Jedis jedis = jedis(member, protocol)) {
                List<Object> slots = jedis.clusterSlots();
                BitSet seen = new BitSet(16384);
                for (Object o : slots) {
                    List<Object> range = (List<Object>) o;
                    int first = ((Long) range.get(0)).intValue();
                    int last = ((Long) range.get(1)).intValue();
                    assertThat(seen.get(first, last + 1).isEmpty()).as("slots %d-%d listed twice", first, last)
                            .isTrue();
                    seen.set(first, last + 1);
                    List<Object> primary = (List<Object>) range.get(2);
                    assertThat(primary).hasSize(4);
                    assertThat(SafeEncoder.encode((byte[]) primary.get(0))).isEqualTo("127.0.0.1");
                    String id = SafeEncoder.encode((byte[]) primary.get(2));
                    assertThat(((Long) primary.get(1)).intValue()).isEqualTo(ports.get(id));
                    // the primary named is the partition table's primary for the range
                    Partition partition = grid.partitions().stream()
                            .filter(p -> p.firstSlot() <= first && first <= p.lastSlot()).findFirst().orElseThrow();
                    assertThat(cluster.port(memberIndex(partition.primary()))).isEqualTo(ports.get(id));
                    // backups follow as replicas, each a real member
                    for (int r = 3; r < range.size(); r++) {
                        List<Object> replica = (List<Object>) range.get(r);
                        String replicaId = SafeEncoder.encode((byte[]) replica.get(2));
                        assertThat(((Long) replica.get(1)).intValue()).isEqualTo(ports.get(replicaId));
                        assertThat(replicaId).isNotEqualTo(id);
                    }
                }
                assertThat(seen.cardinality()).isEqualTo(16384);
            }
        }
    }

    @Test
    void nodes_listEveryMemberOnce_myselfFlagged_slotsComplete() {
        Map<String, Integer> ports = portsById();
        for (int member = 0; member < 3; member++) {
            try (Jedis jedis = jedis(member, RedisProtocol.RESP3)) {
                String myId = jedis.clusterMyId();
                String[] lines = jedis.clusterNodes().split("\n");
                assertThat(lines).hasSize(3);
                BitSet seen = new BitSet(16384);
                Set<String> ids = new HashSet<>();
                for (String line : lines) {
                    String[] f = line.split(" ");
                    ids.add(f[0]);
                    assertThat(f[1]).isEqualTo("127.0.0.1:" + ports.get(f[0]) + "@0");
                    assertThat(f[2]).isEqualTo(f[0].equals(myId) ? "myself,master" : "master");
                    assertThat(f[3]).isEqualTo("-");
                    assertThat(f[7]).isEqualTo("connected");
                    for (int i = 8; i < f.length; i++) {
                        String[] bounds = f[i].split("-");
                        int first = Integer.parseInt(bounds[0]);
                        int last = Integer.parseInt(bounds[bounds.length - 1]);
                        assertThat(seen.get(first, last + 1).isEmpty()).isTrue();
                        seen.set(first, last + 1);
                    }
                }
                assertThat(ids).isEqualTo(ports.keySet());
                assertThat(seen.cardinality()).isEqualTo(16384);
            }
        }
    }

    @Test
    void info_reportsAHealthyThreeNodeCluster() {
        try (Jedis jedis = jedis(2, RedisProtocol.RESP2)) {
            String info = jedis.clusterInfo();
            assertThat(info).startsWith("cluster_state:ok\r\n")
                    .contains("cluster_slots_assigned:16384\r\n", "cluster_slots_ok:16384\r\n",
                            "cluster_known_nodes:3\r\n", "cluster_size:3\r\n");
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void shards_onePerPrimary_coveringEverySlot() {
        Map<String, Integer> ports = portsById();
        try (Jedis jedis = jedis(0, RedisProtocol.RESP2)) {
            List<Object> shards = (List<Object>) send(jedis, "CLUSTER", "SHARDS");
            assertThat(shards).hasSize(3);
            BitSet seen = new BitSet(16384);
            for (Object o : shards) {
                List<Object> shard = (List<Object>) o; // RESP2: flat key/value list
                assertThat(SafeEncoder.encode((byte[]) shard.get(0))).isEqualTo("slots");
                List<Object> slots = (List<Object>) shard.get(1);
                for (int i = 0; i < slots.size(); i += 2) {
                    int first = ((Long) slots.get(i)).intValue();
                    int last = ((Long) slots.get(i + 1)).intValue();
                    assertThat(seen.get(first, last + 1).isEmpty()).isTrue();
                    seen.set(first, last + 1);
                }
                assertThat(SafeEncoder.encode((byte[]) shard.get(2))).isEqualTo("nodes");
                List<Object> node = (List<Object>) ((List<Object>) shard.get(3)).get(0);
                Map<String, Object> fields = new HashMap<>();
                for (int i = 0; i < node.size(); i += 2) {
                    fields.put(SafeEncoder.encode((byte[]) node.get(i)), node.get(i + 1));
                }
                String id = SafeEncoder.encode((byte[]) fields.get("id"));
                assertThat(((Long) fields.get("port")).intValue()).isEqualTo(ports.get(id));
                assertThat(SafeEncoder.encode((byte[]) fields.get("role"))).isEqualTo("master");
                assertThat(SafeEncoder.encode((byte[]) fields.get("health"))).isEqualTo("online");
            }
            assertThat(seen.cardinality()).isEqualTo(16384);
        }
    }

    @Test
    void countkeysinslot_countsTheKeysOfOneSlot() {
        try (Jedis writer = jedis(0, RedisProtocol.RESP2); Jedis reader = jedis(2, RedisProtocol.RESP3)) {
            for (int i = 0; i < 5; i++) {
                writer.set("{cks-tag}:" + i, "v");
            }
            int slot = (int) reader.clusterKeySlot("{cks-tag}:0");
            assertThat(reader.clusterCountKeysInSlot(slot)).isEqualTo(5);
            assertThatThrownBy(() -> reader.clusterCountKeysInSlot(16384))
                    .isInstanceOf(JedisDataException.class).hasMessage("ERR Invalid slot");
            assertThatThrownBy(() -> send(reader, "CLUSTER", "COUNTKEYSINSLOT", "x"))
                    .isInstanceOf(JedisDataException.class)
                    .hasMessage("ERR value is not an integer or out of range");
        }
    }

    @Test
    void lettuceClusterClient_routesOneHundredKeys() {
        RedisClusterClient client = RedisClusterClient.create(RedisURI.create("127.0.0.1", cluster.port(0)));
        try (StatefulRedisClusterConnection<String, String> connection = client.connect()) {
            RedisAdvancedClusterCommands<String, String> commands = connection.sync();
            for (int i = 0; i < 100; i++) {
                assertThat(commands.set("lettuce-cluster:" + i, "v" + i)).isEqualTo("OK");
            }
            for (int i = 0; i < 100; i++) {
                assertThat(commands.get("lettuce-cluster:" + i)).isEqualTo("v" + i);
            }
            assertThat(connection.getPartitions().size()).isEqualTo(3);
            Set<Integer> ports = new HashSet<>();
            connection.getPartitions().forEach(node -> ports.add(node.getUri().getPort()));
            assertThat(ports).containsExactlyInAnyOrder(cluster.port(0), cluster.port(1), cluster.port(2));
        } finally {
            client.shutdown();
        }
    }

    @Test
    void jedisCluster_routesOneHundredKeys() {
        try (JedisCluster jedis = new JedisCluster(Set.of(new HostAndPort("127.0.0.1", cluster.port(1))),
                DefaultJedisClientConfig.builder().protocol(RedisProtocol.RESP3).build())) {
            for (int i = 0; i < 100; i++) {
                assertThat(jedis.set("jedis-cluster:" + i, "v" + i)).isEqualTo("OK");
            }
            List<String> values = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                values.add(jedis.get("jedis-cluster:" + i));
            }
            assertThat(values).hasSize(100).allMatch(v -> v.startsWith("v"));
            assertThat(jedis.getClusterNodes()).hasSize(3);
        }
    }

    @Test
    void help_listsTheSubcommands() {
        try (Jedis jedis = jedis(0, RedisProtocol.RESP2)) {
            @SuppressWarnings("unchecked")
            List<Object> help = (List<Object>) send(jedis, "CLUSTER", "HELP");
            assertThat(SafeEncoder.encode((byte[]) help.get(0)))
                    .isEqualTo("CLUSTER <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
            assertThat(SafeEncoder.encode((byte[]) help.get(help.size() - 1))).isEqualTo("    Prints this help.");
        }
    }
}
