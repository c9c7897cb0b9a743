package io.tessera.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.tessera.redis.testing.RespCluster;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

/** The RESP server's meters in the grid's registry: live connections, calls by command, errors by prefix. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RespMetersTest {

    @Test
    void meters_countConnectionsCommandsAndErrorsByPrefix_andLeaveWithTheServer() {
        try (RespCluster cluster = RespCluster.start(1)) {
            MeterRegistry registry = cluster.grid().member(0).meterRegistry();
            String member = cluster.grid().member(0).localMember().name();
            try (Jedis a = new Jedis("127.0.0.1", cluster.port(0)); Jedis b = new Jedis("127.0.0.1", cluster.port(0))) {
                for (int i = 0; i < 5; i++) {
                    a.set("m:" + i, "v");
                }
                a.get("m:0");
                assertThatThrownBy(() -> a.lpush("m:0", "x")).isInstanceOf(JedisDataException.class);
                assertThatThrownBy(() -> a.incr("m:1")).isInstanceOf(JedisDataException.class);
                assertThatThrownBy(() -> a.incr("m:2")).isInstanceOf(JedisDataException.class);
                b.ping();
                a.configResetStat(); // INFO starts over; the counters do not

                assertThat(registry.get("tessera.redis.connections").tag("member", member).gauge().value())
                        .isEqualTo(2.0);
                assertThat(registry.get("tessera.redis.commands").tag("command", "set").functionCounter().count())
                        .isEqualTo(5.0);
                assertThat(registry.get("tessera.redis.commands").tag("command", "get").functionCounter().count())
                        .isEqualTo(1.0);
                assertThat(registry.get("tessera.redis.commands.time").tag("command", "set").functionCounter()
                        .count()).isPositive();
                assertThat(registry.get("tessera.redis.errors").tag("prefix", "WRONGTYPE").functionCounter().count())
                        .isEqualTo(1.0);
                assertThat(registry.get("tessera.redis.errors").tag("prefix", "ERR").functionCounter().count())
                        .isEqualTo(2.0);
                assertThat(registry.get("tessera.redis.blocked.clients").gauge().value()).isZero();
            }
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(registry.get("tessera.redis.connections").gauge().value()).isZero());

            cluster.server(0).close();
            assertThat(registry.find("tessera.redis.commands").meters()).isEmpty();
            assertThat(registry.find("tessera.redis.connections").meters()).isEmpty();
        }
    }
}
