package io.tessera.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.tessera.redis.testing.RawConnection;
import io.tessera.redis.testing.ThreeMemberRespTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.Response;

/**
 * Pipelines of 10,000 commands through one member and read back through another, with Jedis (RESP2 and RESP3) and
 * Lettuce (RESP3, manual flushing); the replies come back in request order although the keys live on different
 * primaries and complete out of order inside the grid.
 */
class PipelineTest extends ThreeMemberRespTest {
    private static final int COMMANDS = 10_000;

    @Test
    void jedisPipelines_inBothProtocols_keepRequestOrder() {
        for (RedisProtocol protocol : List.of(RedisProtocol.RESP2, RedisProtocol.RESP3)) {
            String prefix = "jp:" + protocol + ":";
            try (Jedis writer = jedis(0, protocol); Jedis reader = jedis(2, protocol)) {
                Pipeline pipeline = writer.pipelined();
                List<Response<String>> sets = new ArrayList<>(COMMANDS);
                for (int i = 0; i < COMMANDS; i++) {
                    sets.add(pipeline.set(prefix + i, "v" + i));
                }
                pipeline.sync();
                sets.forEach(r -> assertThat(r.get()).isEqualTo("OK"));

                Pipeline reads = reader.pipelined();
                List<Response<String>> gets = new ArrayList<>(COMMANDS);
                for (int i = 0; i < COMMANDS; i++) {
                    gets.add(reads.get(prefix + i));
                }
                reads.sync();
                for (int i = 0; i < COMMANDS; i++) {
                    assertThat(gets.get(i).get()).isEqualTo("v" + i);
                }
            }
        }
    }

    @Test
    void lettuceManualFlush_sendsTenThousandCommandsAtOnce_andGetsEveryReplyInOrder() {
        RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", cluster.port(1)));
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            connection.setAutoFlushCommands(false);
            RedisAsyncCommands<String, String> async = connection.async();
            List<RedisFuture<String>> sets = new ArrayList<>(COMMANDS);
            for (int i = 0; i < COMMANDS; i++) {
                sets.add(async.set("lp:" + i, "v" + i));
            }
            connection.flushCommands();
            assertThat(LettuceFutures.awaitAll(Duration.ofSeconds(60), sets.toArray(new RedisFuture[0]))).isTrue();
            List<RedisFuture<String>> gets = new ArrayList<>(COMMANDS);
            for (int i = 0; i < COMMANDS; i++) {
                gets.add(async.get("lp:" + i));
            }
            connection.flushCommands();
            assertThat(LettuceFutures.awaitAll(Duration.ofSeconds(60), gets.toArray(new RedisFuture[0]))).isTrue();
            for (int i = 0; i < COMMANDS; i++) {
                assertThat(gets.get(i).toCompletableFuture().join()).isEqualTo("v" + i);
            }
        } finally {
            client.shutdown();
        }
    }

    @Test
    void inlineCommands_andQuit_answerInOrder_thenClose() {
        try (RawConnection raw = new RawConnection(cluster.port(0))) {
            raw.sendRaw("SET inline:k \"a b\"\r\nGET inline:k\r\nPING\r\nQUIT\r\nPING\r\n".getBytes());
            assertThat(raw.read()).isEqualTo("+OK\r\n");
            assertThat(raw.read()).isEqualTo("$3\r\na b\r\n");
            assertThat(raw.read()).isEqualTo("+PONG\r\n");
            assertThat(raw.read()).isEqualTo("+OK\r\n");
            assertThat(raw.closedByServer()).isTrue();
        }
    }

    @Test
    void protocolError_isAnsweredWithRedisText_thenTheConnectionCloses_andOthersAreUnaffected() {
        try (RawConnection bad = new RawConnection(cluster.port(0)); RawConnection good = new RawConnection(
                cluster.port(0))) {
            assertThat(good.call("SET", "unaffected", "1")).isEqualTo("+OK\r\n");
            bad.sendRaw("*1\r\n$x\r\n".getBytes());
            assertThat(bad.read()).isEqualTo("-ERR Protocol error: invalid bulk length\r\n");
            assertThat(bad.closedByServer()).isTrue();
            assertThat(good.call("GET", "unaffected")).isEqualTo("$1\r\n1\r\n");
        }
    }

}
