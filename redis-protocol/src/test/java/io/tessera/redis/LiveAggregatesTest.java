package io.tessera.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.grid.Grid;
import io.tessera.grid.internal.GridNode;
import io.tessera.grid.internal.store.Record;
import io.tessera.grid.testing.ReplicaProbe;
import io.tessera.redis.internal.command.ServerContext;
import io.tessera.redis.internal.store.Bytes;
import io.tessera.redis.internal.store.LiveHash;
import io.tessera.redis.internal.store.LiveSet;
import io.tessera.redis.testing.ThreeMemberRespTest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.jgroups.protocols.MsgStats;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.Transaction;

/**
 * Hashes and sets are stored for their operations, as lists are: HSET, HDEL, HINCRBY, SADD, SREM, SPOP and SMOVE
 * change the live value on the key's primary and ship the change, the backups keep exactly what the primary keeps
 * (order included), and an emptied hash or set exists on no replica.
 */
@Timeout(120)
class LiveAggregatesTest extends ThreeMemberRespTest {
    private static final String MAP = ServerContext.databaseMapName(0);

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static long bytesSent(List<Grid> members) {
        long sent = 0;
        for (Grid member : members) {
            MsgStats stats = ((GridNode) member).cluster().channel().getProtocolStack().getTransport()
                    .getMessageStats().enable(true);
            sent += stats.getNumBytesSent();
        }
        return sent;
    }

    /** The key's records on its primary and its backup, both live and with equal bytes; answers the backup's bytes. */
    private static byte[] sameOnPrimaryAndBackup(String key, Class<?> liveType) {
        List<Grid> members = cluster.grid().members();
        Record onPrimary = ReplicaProbe.recordOn(ReplicaProbe.primaryOf(members, bytes(key)), MAP, bytes(key));
        Record onBackup = ReplicaProbe.recordOn(ReplicaProbe.ownerOf(members, bytes(key), 1), MAP, bytes(key));
        assertThat(onPrimary.live()).as("the primary keeps %s live", key).isInstanceOf(liveType);
        assertThat(onBackup.live()).as("the backup applied the operations to %s", key).isInstanceOf(liveType);
        assertThat(onBackup.value()).as(key).isEqualTo(onPrimary.value());
        return onBackup.value();
    }

    /** The key's bytes on its primary and its backup, equal however they are held; answers them. */
    private static byte[] sameBytesOnPrimaryAndBackup(String key) {
        List<Grid> members = cluster.grid().members();
        Record onPrimary = ReplicaProbe.recordOn(ReplicaProbe.primaryOf(members, bytes(key)), MAP, bytes(key));
        Record onBackup = ReplicaProbe.recordOn(ReplicaProbe.ownerOf(members, bytes(key), 1), MAP, bytes(key));
        assertThat(onBackup.value()).as(key).isEqualTo(onPrimary.value());
        return onBackup.value();
    }

    private static void onNoReplica(String key) {
        for (Grid member : cluster.grid().members()) {
            assertThat(ReplicaProbe.recordOn(member, MAP, bytes(key))).as("%s on %s", key, member.localMember())
                    .isNull();
        }
    }

    private static Map<String, String> decodedHash(byte[] stored) {
        Map<String, String> fields = new LinkedHashMap<>();
        LiveHash.decode(stored).view().forEach((f, v) -> fields.put(f.toString(), new String(v, StandardCharsets.UTF_8)));
        return fields;
    }

    private static List<String> decodedSet(byte[] stored) {
        List<String> members = new ArrayList<>();
        LiveSet.decode(stored).view().forEach(m -> members.add(m.toString()));
        return members;
    }

    @Test
    void manyWritesThroughEveryMember_leaveTheBackupHoldingWhatThePrimaryHolds() {
        SplittableRandom random = new SplittableRandom(11);
        Jedis[] clients = {jedis(0, RedisProtocol.RESP2), jedis(1, RedisProtocol.RESP3), jedis(2, RedisProtocol.RESP2)};
        try {
            clients[0].del("{agg}h", "{agg}s1", "{agg}s2");
            LinkedHashMap<String, String> hash = new LinkedHashMap<>();
            LinkedHashSet<String> s1 = new LinkedHashSet<>();
            LinkedHashSet<String> s2 = new LinkedHashSet<>();
            for (int step = 0; step < 3_000; step++) {
                Jedis jedis = clients[random.nextInt(clients.length)];
                int i = random.nextInt(40);
                switch (random.nextInt(9)) {
                    case 0 -> {
                        long created = (Long) send(jedis, "HSET", "{agg}h", "s" + i, "v" + step, "s" + (i + 1),
                                "w" + step);
                        long expected = (hash.put("s" + i, "v" + step) == null ? 1 : 0)
                                + (hash.put("s" + (i + 1), "w" + step) == null ? 1 : 0);
                        assertThat(created).isEqualTo(expected);
                    }
                    case 1 -> {
                        long deleted = jedis.hdel("{agg}h", "s" + i, "n" + i % 5, "f" + i % 3);
                        long expected = (hash.remove("s" + i) != null ? 1 : 0) + (hash.remove("n" + i % 5) != null
                                ? 1 : 0) + (hash.remove("f" + i % 3) != null ? 1 : 0);
                        assertThat(deleted).isEqualTo(expected);
                    }
                    case 2 -> {
                        long result = jedis.hincrBy("{agg}h", "n" + i % 5, i - 20);
                        hash.put("n" + i % 5, Long.toString(Long.parseLong(hash.getOrDefault("n" + i % 5, "0"))
                                + i - 20));
                        assertThat(Long.toString(result)).isEqualTo(hash.get("n" + i % 5));
                    }
                    case 3 -> {
                        String reply = new String((byte[]) send(jedis, "HINCRBYFLOAT", "{agg}h", "f" + i % 3,
                                i % 2 == 0 ? "0.1" : "-2.5e-3"), StandardCharsets.UTF_8);
                        hash.put("f" + i % 3, reply);
                    }
                    case 4 -> assertThat(jedis.hsetnx("{agg}h", "s" + i, "nx" + step))
                            .isEqualTo(hash.putIfAbsent("s" + i, "nx" + step) == null ? 1 : 0);
                    case 5 -> assertThat(jedis.sadd("{agg}s1", "m" + i, "m" + (i + 3)))
                            .isEqualTo((s1.add("m" + i) ? 1 : 0) + (s1.add("m" + (i + 3)) ? 1 : 0));
                    case 6 -> assertThat(jedis.srem("{agg}s1", "m" + i)).isEqualTo(s1.remove("m" + i) ? 1 : 0);
                    case 7 -> {
                        List<String> popped = new ArrayList<>(jedis.spop("{agg}s1", 1 + i % 3));
                        assertThat(s1).containsAll(popped);
                        popped.forEach(s1::remove);
                    }
                    default -> {
                        long moved = jedis.smove("{agg}s1", "{agg}s2", "m" + i);
                        assertThat(moved).isEqualTo(s1.remove("m" + i) ? 1 : 0);
                        if (moved == 1) {
                            s2.add("m" + i);
                        }
                    }
                }
            }
            assertThat(hash).isNotEmpty();
            assertThat(decodedHash(sameOnPrimaryAndBackup("{agg}h", LiveHash.class))).containsExactlyEntriesOf(hash);
            assertThat(clients[1].hgetAll("{agg}h")).isEqualTo(hash);
            List<String> fields = new ArrayList<>();
            for (Object field : (List<?>) send(clients[2], "HKEYS", "{agg}h")) {
                fields.add(new String((byte[]) field, StandardCharsets.UTF_8));
            }
            assertThat(fields).as("in stored order").containsExactlyElementsOf(hash.keySet());
            assertThat(clients[0].hlen("{agg}h")).isEqualTo(hash.size());
            if (!s1.isEmpty()) {
                assertThat(decodedSet(sameOnPrimaryAndBackup("{agg}s1", LiveSet.class))).containsExactlyElementsOf(s1);
            }
            assertThat(decodedSet(sameOnPrimaryAndBackup("{agg}s2", LiveSet.class))).containsExactlyElementsOf(s2);
            assertThat(clients[2].smembers("{agg}s2")).containsExactlyInAnyOrderElementsOf(s2);
            assertThat(clients[0].scard("{agg}s2")).isEqualTo(s2.size());
            assertThat(clients[1].smismember("{agg}s2", "m1", "nope")).containsExactly(s2.contains("m1"), false);
        } finally {
            for (Jedis client : clients) {
                client.close();
            }
        }
    }

    @Test
    void writesToLargeHashesAndSets_shipOnlyTheChange() {
        List<Grid> members = cluster.grid().members();
        try (Jedis writer = jedis(0, RedisProtocol.RESP2); Jedis reader = jedis(1, RedisProtocol.RESP3)) {
            writer.del("{big}h", "{big}s");
            Pipeline pipeline = writer.pipelined();
            for (int i = 0; i < 100_000; i++) {
                pipeline.hset("{big}h", "field-" + i, "value-" + i);
                pipeline.sadd("{big}s", "member-" + i);
            }
            pipeline.sync();
            assertThat(reader.hlen("{big}h")).isEqualTo(100_000);
            assertThat(reader.scard("{big}s")).isEqualTo(100_000);

            long before = bytesSent(members);
            for (int i = 0; i < 100; i++) {
                writer.hset("{big}h", "late-" + i, "x");
                writer.hdel("{big}h", "field-" + i);
                writer.sadd("{big}s", "late-" + i);
                assertThat(reader.spop("{big}s")).isNotNull();
            }
            // each value is about 2 MB: every write crosses the wire as the command and its operation
            assertThat((bytesSent(members) - before) / 400).isLessThan(2_000);

            sameOnPrimaryAndBackup("{big}h", LiveHash.class);
            sameOnPrimaryAndBackup("{big}s", LiveSet.class);
            assertThat(reader.hget("{big}h", "late-7")).isEqualTo("x");
            assertThat(reader.hexists("{big}h", "field-7")).isFalse();
            assertThat(reader.hlen("{big}h")).isEqualTo(100_000);
            assertThat(reader.scard("{big}s")).isEqualTo(100_000);
            assertThat(reader.srandmember("{big}s", 5)).hasSize(5).doesNotHaveDuplicates()
                    .allSatisfy(member -> assertThat(reader.sismember("{big}s", member)).isTrue());
            assertThat(writer.del("{big}h", "{big}s")).isEqualTo(2);
        }
    }

    @Test
    void emptiedHashesAndSets_existOnNoReplica() {
        try (Jedis jedis = jedis(2, RedisProtocol.RESP2)) {
            jedis.del("{e}h", "{e}s", "{e}p", "{e}from", "{e}to");
            jedis.hset("{e}h", Map.of("a", "1", "b", "2"));
            sameOnPrimaryAndBackup("{e}h", LiveHash.class);
            assertThat(jedis.hdel("{e}h", "a", "b", "c")).isEqualTo(2);
            assertThat(jedis.exists("{e}h")).isFalse();
            onNoReplica("{e}h");

            jedis.sadd("{e}s", "a", "b");
            assertThat(jedis.srem("{e}s", "a", "b")).isEqualTo(2);
            onNoReplica("{e}s");

            jedis.sadd("{e}p", "a", "b", "c");
            assertThat(jedis.spop("{e}p", 5)).containsExactlyInAnyOrder("a", "b", "c");
            onNoReplica("{e}p");

            jedis.sadd("{e}from", "x");
            assertThat(jedis.smove("{e}from", "{e}to", "x")).isEqualTo(1);
            onNoReplica("{e}from");
            assertThat(decodedSet(sameOnPrimaryAndBackup("{e}to", LiveSet.class))).containsExactly("x");
            assertThat(jedis.spop("{e}to")).isEqualTo("x");
            onNoReplica("{e}to");

            // nothing to change: no key is made, nothing is shipped
            assertThat(jedis.hdel("{e}h", "a")).isZero();
            assertThat(jedis.srem("{e}s", "a")).isZero();
            assertThat(jedis.spop("{e}s")).isNull();
            onNoReplica("{e}h");
            onNoReplica("{e}s");
        }
    }

    @Test
    void hincrbyfloat_storesTheTextThePrimaryFormatted_onEveryReplica() {
        String[] increments = {"0.1", "0.2", "1e-17", "3.0e5", "-7.25", "10.5", "5.0e3", "1.1", "-0.3",
                "123456789.123456789", "1e-300"};
        List<Jedis> clients = List.of(jedis(0, RedisProtocol.RESP2), jedis(1, RedisProtocol.RESP3),
                jedis(2, RedisProtocol.RESP2));
        try {
            clients.get(0).del("{f}h");
            String last = null;
            for (int i = 0; i < increments.length * 3; i++) {
                last = new String((byte[]) send(clients.get(i % 3), "HINCRBYFLOAT", "{f}h", "x",
                        increments[i % increments.length]), StandardCharsets.UTF_8);
            }
            assertThat(clients.get(1).hget("{f}h", "x")).isEqualTo(last);
            assertThat(LiveHash.decode(sameOnPrimaryAndBackup("{f}h", LiveHash.class)).get(Bytes.of("x")))
                    .isEqualTo(bytes(last));
        } finally {
            clients.forEach(Jedis::close);
        }
    }

    @Test
    void transactions_mixWholeValueWritesWithOperations_onOneKey() {
        try (Jedis jedis = jedis(1, RedisProtocol.RESP2)) {
            jedis.del("{t}h", "{t}s", "{t}l");
            jedis.hset("{t}h", "old", "1");
            Transaction multi = jedis.multi();
            multi.del("{t}h");
            multi.hset("{t}h", "f", "v");
            multi.hincrBy("{t}h", "n", 5);
            multi.hdel("{t}h", "f");
            multi.hgetAll("{t}h");
            assertThat(multi.exec()).containsExactly(1L, 1L, 5L, 1L, Map.of("n", "5"));
            assertThat(decodedHash(sameBytesOnPrimaryAndBackup("{t}h"))).containsExactly(Map.entry("n", "5"));
            assertThat(jedis.hset("{t}h", "later", "x")).isEqualTo(1);
            assertThat(decodedHash(sameOnPrimaryAndBackup("{t}h", LiveHash.class)))
                    .containsExactly(Map.entry("n", "5"), Map.entry("later", "x"));

            multi = jedis.multi();
            multi.sadd("{t}s", "a");
            multi.srem("{t}s", "a");
            multi.type("{t}s");
            multi.sadd("{t}s", "b");
            multi.scard("{t}s");
            assertThat(multi.exec()).containsExactly(1L, 1L, "none", 1L, 1L);
            assertThat(jedis.smembers("{t}s")).containsExactly("b");

            multi = jedis.multi();
            multi.rpush("{t}l", "a");
            multi.lpop("{t}l");
            multi.type("{t}l");
            multi.llen("{t}l");
            assertThat(multi.exec()).containsExactly(1L, "a", "none", 0L);
            assertThat(jedis.exists("{t}l")).isFalse();
        }
    }
}
