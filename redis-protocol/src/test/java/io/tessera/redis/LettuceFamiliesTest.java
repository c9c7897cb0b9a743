package io.tessera.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.BitFieldArgs;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.protocol.ProtocolVersion;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.tessera.redis.testing.ThreeMemberRespTest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Timeout;

/**
 * The families other tests hold to redis-server's replies (bitmaps, HyperLogLog, keyspace notifications), driven
 * by Lettuce in RESP2 and RESP3 across members: written through one member, read or heard through another, with
 * Lettuce's own typed decoding of each reply.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LettuceFamiliesTest extends ThreeMemberRespTest {

    private static RedisClient lettuce(int member, ProtocolVersion protocol) {
        RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", cluster.port(member)));
        client.setOptions(ClientOptions.builder().protocolVersion(protocol).build());
        return client;
    }

    @ParameterizedTest
    @EnumSource(ProtocolVersion.class)
    void bitmaps_writtenThroughOneMember_readThroughAnother(ProtocolVersion protocol) {
        RedisClient writerClient = lettuce(0, protocol);
        RedisClient readerClient = lettuce(2, protocol);
        try (StatefulRedisConnection<String, String> w = writerClient.connect();
             StatefulRedisConnection<String, String> r = readerClient.connect()) {
            RedisCommands<String, String> writer = w.sync();
            RedisCommands<String, String> reader = r.sync();
            String key = "bits-" + protocol;
            writer.del(key);
            assertThat(writer.setbit(key, 7, 1)).isZero();
            assertThat(writer.setbit(key, 100, 1)).isZero();
            assertThat(writer.setbit(key, 7, 1)).isEqualTo(1);
            assertThat(reader.getbit(key, 7)).isEqualTo(1);
            assertThat(reader.getbit(key, 8)).isZero();
            assertThat(reader.bitcount(key)).isEqualTo(2);
            assertThat(reader.bitpos(key, true)).isEqualTo(7);
            assertThat(writer.bitfield(key, BitFieldArgs.Builder.set(BitFieldArgs.unsigned(8), 16, 200)
                    .incrBy(BitFieldArgs.unsigned(8), 16, 100).overflow(BitFieldArgs.OverflowType.SAT)
                    .incrBy(BitFieldArgs.unsigned(8), 16, 100))).containsExactly(0L, 44L, 144L);
            assertThat(reader.bitfield(key, BitFieldArgs.Builder.get(BitFieldArgs.unsigned(8), 16)))
                    .containsExactly(144L);
            writer.set("bits-other-" + protocol, "\u00ff");
            assertThat(writer.bitopAnd("bits-and-" + protocol, key, "bits-other-" + protocol)).isEqualTo(13);
            assertThat(reader.bitcount("bits-and-" + protocol)).isEqualTo(1);
        } finally {
            writerClient.shutdown();
            readerClient.shutdown();
        }
    }

    @ParameterizedTest
    @EnumSource(ProtocolVersion.class)
    void hyperLogLog_addedThroughOneMember_countedAndMergedThroughAnother(ProtocolVersion protocol) {
        RedisClient writerClient = lettuce(1, protocol);
        RedisClient readerClient = lettuce(0, protocol);
        try (StatefulRedisConnection<String, String> w = writerClient.connect();
             StatefulRedisConnection<String, String> r = readerClient.connect()) {
            RedisCommands<String, String> writer = w.sync();
            RedisCommands<String, String> reader = r.sync();
            String a = "{hll-" + protocol + "}a";
            String b = "{hll-" + protocol + "}b";
            writer.del(a, b);
            for (int i = 0; i < 1000; i += 100) {
                String[] batch = new String[100];
                for (int j = 0; j < 100; j++) {
                    batch[j] = "a" + (i + j);
                }
                writer.pfadd(a, batch);
            }
            assertThat(writer.pfadd(b, "a1", "a2", "b1", "b2")).isEqualTo(1);
            long countA = reader.pfcount(a);
            assertThat(countA).isBetween(980L, 1020L);
            assertThat(reader.pfmerge(b, a)).isEqualTo("OK");
            assertThat(reader.pfcount(b)).isBetween(countA, countA + 3);
            assertThat(writer.pfcount(a, b)).isEqualTo(reader.pfcount(b));
        } finally {
            writerClient.shutdown();
            readerClient.shutdown();
        }
    }

    @ParameterizedTest
    @EnumSource(ProtocolVersion.class)
    void keyspaceNotifications_heardThroughAnotherMember_expiredIncluded(ProtocolVersion protocol) {
        RedisClient writerClient = lettuce(0, protocol);
        RedisClient listenerClient = lettuce(2, protocol);
        try (StatefulRedisConnection<String, String> w = writerClient.connect();
             StatefulRedisPubSubConnection<String, String> sub = listenerClient.connectPubSub()) {
            RedisCommands<String, String> writer = w.sync();
            // Notifications are per member, as in Redis: switch them on where writes are served and expire.
            for (int member = 0; member < 3; member++) {
                RedisClient admin = lettuce(member, protocol);
                try (StatefulRedisConnection<String, String> c = admin.connect()) {
                    c.sync().configSet("notify-keyspace-events", "KEA");
                } finally {
                    admin.shutdown();
                }
            }
            List<String> heard = new CopyOnWriteArrayList<>();
            String key = "ksn-" + protocol;
            sub.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String pattern, String channel, String message) {
                    if (message.equals(key)) {
                        heard.add(channel);
                    }
                }
            });
            sub.sync().psubscribe("__keyevent@0__:*");
            writer.set(key, "v");
            writer.append(key, "w");
            writer.pexpire(key, 200);
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(heard).containsExactly(
                    "__keyevent@0__:set", "__keyevent@0__:append", "__keyevent@0__:expire",
                    "__keyevent@0__:expired"));
        } finally {
            for (int member = 0; member < 3; member++) {
                RedisClient admin = lettuce(member, protocol);
                try (StatefulRedisConnection<String, String> c = admin.connect()) {
                    c.sync().configSet("notify-keyspace-events", "");
                } finally {
                    admin.shutdown();
                }
            }
            writerClient.shutdown();
            listenerClient.shutdown();
        }
    }
}
