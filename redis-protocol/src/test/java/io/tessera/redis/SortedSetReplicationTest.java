package io.tessera.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.grid.Grid;
import io.tessera.grid.internal.GridNode;
import io.tessera.grid.internal.store.Record;
import io.tessera.grid.testing.ReplicaProbe;
import io.tessera.redis.internal.command.ServerContext;
import io.tessera.redis.internal.store.LiveSortedSet;
import io.tessera.redis.testing.ThreeMemberRespTest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.jgroups.protocols.MsgStats;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.resps.Tuple;

/**
 * Sorted sets are stored for their operations: a ZADD, ZREM, ZINCRBY or ZPOPMIN changes the live set on the key's
 * primary and ships the operation, and every backup, applying the same operations to its own copy, holds the same
 * set; the last copies serve it unchanged once the primary is gone. A set of 100,000 members costs no more on the
 * wire per write than a short one.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class SortedSetReplicationTest extends ThreeMemberRespTest {
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

    private static List<String> all(Jedis jedis, String key) {
        return jedis.zrangeWithScores(key, 0, -1).stream().map(t -> t.getElement() + "=" + t.getScore()).toList();
    }

    @Test
    void writesToALargeSet_shipTheirOperations_everyCopyIsTheSame_andTheBackupServesItAfterThePrimaryLeaves() {
        String name = "{leaders}";
        byte[] key = name.getBytes(StandardCharsets.UTF_8);
        List<Grid> members = cluster.grid().members();
        SplittableRandom random = new SplittableRandom(3);
        try (Jedis writer = jedis(0, RedisProtocol.RESP2); Jedis other = jedis(1, RedisProtocol.RESP3)) {
            writer.del(name);
            Pipeline pipeline = writer.pipelined();
            for (int i = 0; i < 100_000; i++) {
                pipeline.zadd(name, random.nextInt(1_000_000), "player-" + i);
            }
            pipeline.sync();
            assertThat(other.zcard(name)).isEqualTo(100_000);

            long before = bytesSent(members);
            for (int i = 0; i < 100; i++) {
                Jedis client = i % 2 == 0 ? writer : other;
                client.zadd(name, random.nextInt(1_000_000), "player-" + random.nextInt(120_000));
                client.zincrby(name, random.nextInt(100) - 50.5, "player-" + random.nextInt(100_000));
                client.zrem(name, "player-" + random.nextInt(100_000));
                Tuple lowest = client.zpopmin(name);
                double next = client.zrangeWithScores(name, 0, 0).get(0).getScore();
                assertThat(lowest.getScore()).isLessThanOrEqualTo(next);
            }
            // The set is about 2.5 MB: each write crosses the wire as the command and its operation.
            assertThat((bytesSent(members) - before) / 400).isLessThan(2_000);

            Grid primary = ReplicaProbe.primaryOf(members, key);
            Grid backup = ReplicaProbe.ownerOf(members, key, 1);
            Record onPrimary = ReplicaProbe.recordOn(primary, MAP, key);
            Record onBackup = ReplicaProbe.recordOn(backup, MAP, key);
            assertThat(onPrimary.live()).as("the primary keeps the set live").isInstanceOf(LiveSortedSet.class);
            assertThat(onBackup.live()).as("the backup applied the operations").isInstanceOf(LiveSortedSet.class);
            byte[] stored = onPrimary.value();
            assertThat(onBackup.value()).isEqualTo(stored);
            assertThat(LiveSortedSet.decode(stored).toBytes()).as("the stored form round-trips").isEqualTo(stored);

            // A set stored whole (a ZUNIONSTORE result) becomes live again on its first write, on every copy.
            String copy = name + ":copy";
            assertThat(writer.zunionstore(copy, name)).isEqualTo(other.zcard(name));
            assertThat(ReplicaProbe.recordOn(primary, MAP, copy.getBytes(StandardCharsets.UTF_8)).live()).isNull();
            writer.zadd(copy, -1, "newcomer");
            writer.zpopmax(copy, 3);
            byte[] copyKey = copy.getBytes(StandardCharsets.UTF_8);
            Record copyOnPrimary = ReplicaProbe.recordOn(primary, MAP, copyKey);
            assertThat(copyOnPrimary.live()).isInstanceOf(LiveSortedSet.class);
            assertThat(ReplicaProbe.recordOn(backup, MAP, copyKey).value()).isEqualTo(copyOnPrimary.value());

            List<String> expected = all(other, name);
            int primaryIndex = members.indexOf(primary);
            int survivor = primaryIndex == 0 ? 1 : 0;
            cluster.grid().closeMember(primaryIndex);
            cluster.grid().awaitSettled();
            try (Jedis after = jedis(survivor, RedisProtocol.RESP3)) {
                assertThat(all(after, name)).isEqualTo(expected);
                assertThat(after.zscore(copy, "newcomer")).isEqualTo(-1.0);
                assertThat(after.zadd(name, 1e9, "after-failover")).isEqualTo(1);
                assertThat(after.zrevrank(name, "after-failover")).isZero();
            }
        }
    }
}
