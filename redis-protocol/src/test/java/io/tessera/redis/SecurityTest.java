package io.tessera.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.tessera.redis.testing.RawConnection;
import io.tessera.redis.testing.RespCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.exceptions.JedisDataException;

/** requirepass, AUTH and HELLO AUTH with Redis's texts; maxclients refuses the connection beyond the limit. */
class SecurityTest {
    private static final String PASSWORD = "s3cret";
    private static final int MAX_CLIENTS = 4;
    private static RespCluster cluster;

    @BeforeAll
    static void start() {
        cluster = RespCluster.start(2, b -> b.requirePass(PASSWORD).maxClients(MAX_CLIENTS));
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void withoutAuth_onlyAuthHelloQuitAndResetRun() {
        try (RawConnection raw = new RawConnection(cluster.port(0))) {
            assertThat(raw.call("GET", "k")).isEqualTo("-NOAUTH Authentication required.\r\n");
            assertThat(raw.call("PING")).isEqualTo("-NOAUTH Authentication required.\r\n");
            assertThat(raw.call("HELLO", "3")).isEqualTo("-NOAUTH HELLO must be called with the client already "
                    + "authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to "
                    + "authenticate the client and select the RESP protocol version at the same time\r\n");
            assertThat(raw.call("AUTH", "wrong"))
                    .isEqualTo("-WRONGPASS invalid username-password pair or user is disabled.\r\n");
            assertThat(raw.call("AUTH", "someone", PASSWORD))
                    .isEqualTo("-WRONGPASS invalid username-password pair or user is disabled.\r\n");
            assertThat(raw.call("GET", "k")).isEqualTo("-NOAUTH Authentication required.\r\n");
            assertThat(raw.call("AUTH", "default", PASSWORD)).isEqualTo("+OK\r\n");
            assertThat(raw.call("SET", "secured", "1")).isEqualTo("+OK\r\n");
            assertThat(raw.call("RESET")).isEqualTo("+RESET\r\n");
            assertThat(raw.call("GET", "secured")).isEqualTo("-NOAUTH Authentication required.\r\n");
            assertThat(raw.call("HELLO", "3", "AUTH", "default", PASSWORD)).startsWith("%7\r\n");
            assertThat(raw.call("GET", "secured")).isEqualTo("$1\r\n1\r\n");
        }
    }

    @Test
    void jedisAndLettuce_authenticateWithThePassword() {
        try (Jedis jedis = new Jedis(new HostAndPort("127.0.0.1", cluster.port(0)),
                DefaultJedisClientConfig.builder().password(PASSWORD).protocol(RedisProtocol.RESP3).build())) {
            assertThat(jedis.set("jedis-auth", "ok")).isEqualTo("OK");
        }
        try (Jedis unauthenticated = new Jedis("127.0.0.1", cluster.port(0))) {
            assertThatThrownBy(() -> unauthenticated.get("jedis-auth")).isInstanceOf(JedisDataException.class)
                    .hasMessage("NOAUTH Authentication required.");
        }
        RedisClient lettuce = RedisClient.create(RedisURI.builder().withHost("127.0.0.1").withPort(cluster.port(0))
                .withPassword(PASSWORD.toCharArray()).build());
        try (StatefulRedisConnection<String, String> connection = lettuce.connect()) {
            assertThat(connection.sync().get("jedis-auth")).isEqualTo("ok");
        } finally {
            lettuce.shutdown();
        }
    }

    /** Member 1 serves only this test, so no other test's connections count against its limit. */
    @Test
    void connectionsBeyondMaxclients_getRedisErrorAndAreClosed_andAFreedSlotIsReused() {
        List<RawConnection> open = new ArrayList<>();
        try {
            for (int i = 0; i < MAX_CLIENTS; i++) {
                RawConnection connection = new RawConnection(cluster.port(1));
                assertThat(connection.call("AUTH", PASSWORD)).isEqualTo("+OK\r\n");
                open.add(connection);
            }
            try (RawConnection refused = new RawConnection(cluster.port(1))) {
                assertThat(refused.read()).isEqualTo("-ERR max number of clients reached\r\n");
                assertThat(refused.closedByServer()).isTrue();
            }
            open.remove(0).close();
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                try (RawConnection again = new RawConnection(cluster.port(1))) {
                    assertThat(again.call("AUTH", PASSWORD)).isEqualTo("+OK\r\n");
                }
            });
            assertThat(open.get(0).call("PING")).isEqualTo("+PONG\r\n");
        } finally {
            open.forEach(RawConnection::close);
        }
    }

    @Test
    void serverBindsToLoopbackByDefault() {
        assertThat(RespServerConfig.defaults().bindAddress()).isEqualTo("127.0.0.1");
        assertThat(cluster.server(0).address().getAddress().isLoopbackAddress()).isTrue();
    }
}
