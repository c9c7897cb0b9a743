package io.tessera.redis.testing;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.util.SafeEncoder;

/**
 * The base of the command tests: one in-JVM cluster of three members per test class, each with its own RESP port,
 * and the ways tests talk to it (Jedis in either protocol, any command, Redis's exact error text).
 */
public abstract class ThreeMemberRespTest {
    /** The cluster of the running test class. */
    protected static RespCluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = RespCluster.start(3);
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
            cluster = null;
        }
    }

    /** A Jedis connection to {@code member} speaking {@code protocol} (RESP3 sends HELLO 3 first). */
    protected static Jedis jedis(int member, RedisProtocol protocol) {
        return new Jedis(new HostAndPort("127.0.0.1", cluster.port(member)),
                DefaultJedisClientConfig.builder().protocol(protocol).build());
    }

    /** Sends any command as given (name first) and returns Jedis's raw reply. */
    protected static Object send(Jedis jedis, String... args) {
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        return jedis.sendCommand(() -> SafeEncoder.encode(args[0]), rest);
    }

    /** Asserts that the command answers exactly the error {@code message}. */
    protected static void assertError(Jedis jedis, String message, String... args) {
        assertThatThrownBy(() -> send(jedis, args)).isInstanceOf(JedisDataException.class).hasMessage(message);
    }
}
