package io.tessera.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.grid.Grid;
import io.tessera.grid.internal.GridNode;
import io.tessera.grid.internal.store.Record;
import io.tessera.grid.testing.ReplicaProbe;
import io.tessera.redis.internal.command.ServerContext;
import io.tessera.redis.testing.ThreeMemberRespTest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.jgroups.protocols.MsgStats;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.RedisProtocol;

/**
 * Lists are stored for their operations: a push or a pop changes the live list on the key's primary and ships the
 * operation to the backups, which keep equal lists; a list of 100,000 elements costs no more per push than a short
 * one, on the wire as on the primary.
 */
class LiveListTest extends ThreeMemberRespTest {
    private static final String MAP = ServerContext.databaseMapName(0);

    private static long bytesSent(List<Grid> members) {
        long sent = 0;
        for (Grid member : members) {
            MsgStats stats = ((GridNode) member).cluster().channel().getProtocolStack().getTransport()
                    .getMessageStats().enable(true);
            sent += stats.getNumBytesSent();
        }
        return sent;
    }

    @Test
    void pushesAndPopsOnALargeList_shipTheirOperations_andEveryCopyIsTheSame() {
        byte[] key = "{queue}".getBytes(StandardCharsets.UTF_8);
        List<Grid> members = cluster.grid().members();
        try (Jedis producer = jedis(0, RedisProtocol.RESP2); Jedis consumer = jedis(1, RedisProtocol.RESP3)) {
            producer.del(key);
            Pipeline pipeline = producer.pipelined();
            for (int i = 0; i < 100_000; i++) {
                pipeline.rpush("{queue}", "job-" + i);
            }
            pipeline.sync();
            assertThat(consumer.llen("{queue}")).isEqualTo(100_000);

            long before = bytesSent(members);
            for (int i = 0; i < 200; i++) {
                producer.rpush("{queue}", "late-" + i);
                assertThat(consumer.lpop("{queue}")).isEqualTo("job-" + i);
            }
            // The list is about 1.2 MB: each push and pop crosses the wire as the command and its operation.
            assertThat((bytesSent(members) - before) / 400).isLessThan(2_000);

            Grid primary = ReplicaProbe.primaryOf(members, key);
            Grid backup = ReplicaProbe.ownerOf(members, key, 1);
            Record onPrimary = ReplicaProbe.recordOn(primary, MAP, key);
            Record onBackup = ReplicaProbe.recordOn(backup, MAP, key);
            assertThat(onPrimary.live()).as("the primary keeps the list live").isNotNull();
            assertThat(onBackup.live()).as("the backup applied the operations").isNotNull();
            assertThat(onBackup.value()).isEqualTo(onPrimary.value());

            assertThat(consumer.lrange("{queue}", 0, 1)).containsExactly("job-200", "job-201");
            assertThat(consumer.lrange("{queue}", -1, -1)).containsExactly("late-199");
            assertThat(producer.lpop("{queue}", 3)).containsExactly("job-200", "job-201", "job-202");
            assertThat(producer.rpop("{queue}")).isEqualTo("late-199");
            assertThat(producer.llen("{queue}")).isEqualTo(100_000 - 3 - 1);
            assertThat(producer.type("{queue}")).isEqualTo("list");
            assertThat(producer.del("{queue}")).isEqualTo(1);
        }
    }

    @Test
    void popsThatEmptyALiveList_deleteTheKey_andWrongTypesAreRefused() {
        try (Jedis jedis = jedis(2, RedisProtocol.RESP2)) {
            jedis.del("{l}short", "{l}str");
            assertThat(jedis.lpush("{l}short", "a", "b", "c")).isEqualTo(3);
            assertThat(jedis.rpop("{l}short", 5)).containsExactly("a", "b", "c");
            assertThat(jedis.exists("{l}short")).isFalse();
            assertThat(jedis.lpushx("{l}short", "x")).isZero();
            assertThat(jedis.exists("{l}short")).isFalse();
            jedis.set("{l}str", "v");
            assertThat(jedis.lpush("{l}list", "1")).isEqualTo(1);
            assertError(jedis, "WRONGTYPE Operation against a key holding the wrong kind of value", "LPUSH",
                    "{l}str", "x");
            assertError(jedis, "WRONGTYPE Operation against a key holding the wrong kind of value", "GET",
                    "{l}list");
            assertError(jedis, "WRONGTYPE Operation against a key holding the wrong kind of value", "SADD",
                    "{l}list", "x");
            assertThat(jedis.lindex("{l}list", 0)).isEqualTo("1");
            assertThat(jedis.lset("{l}list", 0, "one")).isEqualTo("OK");
            assertThat(jedis.rpush("{l}list", "two")).isEqualTo(2);
            assertThat(jedis.lrange("{l}list", 0, -1)).containsExactly("one", "two");
        }
    }
}
