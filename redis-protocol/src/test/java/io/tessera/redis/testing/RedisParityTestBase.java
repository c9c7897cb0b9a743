package io.tessera.redis.testing;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.commands.ProtocolCommand;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * The base of the tests that hold Tessera to a real {@code redis-server}: the three-member cluster of
 * {@link ThreeMemberRespTest}, one {@link RealRedis} for the class, and replies rendered as text (bulk strings in
 * hex, errors with their message) so that the two servers' answers compare as strings.
 */
public abstract class RedisParityTestBase extends ThreeMemberRespTest {
    /** The reference server of the running test class. */
    protected static RealRedis redis;

    @BeforeAll
    static void startRedis() throws Exception {
        redis = RealRedis.start();
    }

    @AfterAll
    static void stopRedis() {
        if (redis != null) {
            redis.close();
        }
    }

    /** The reply to {@code args} (ISO-8859-1, so any byte can be written) as text, errors included. */
    protected static String reply(Jedis jedis, String... args) {
        return reply(jedis, Arrays.stream(args).map(a -> a.getBytes(StandardCharsets.ISO_8859_1))
                .toArray(byte[][]::new));
    }

    /** The reply to {@code args} as text, errors included. */
    protected static String reply(Jedis jedis, byte[]... args) {
        ProtocolCommand command = () -> args[0];
        byte[][] rest = Arrays.copyOfRange(args, 1, args.length);
        try {
            return render(jedis.sendCommand(command, rest));
        } catch (JedisDataException e) {
            return "error: " + e.getMessage();
        }
    }

    private static String render(Object reply) {
        if (reply instanceof byte[] bytes) {
            return "bulk:" + HexFormat.of().formatHex(bytes);
        }
        if (reply instanceof List<?> list) {
            List<String> items = new ArrayList<>();
            list.forEach(item -> items.add(render(item)));
            return items.toString();
        }
        return String.valueOf(reply);
    }
}
