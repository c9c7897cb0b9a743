package io.tessera.redis.commands;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.protocol.ProtocolVersion;
import io.tessera.grid.GridMap;
import io.tessera.redis.internal.command.ServerContext;
import io.tessera.redis.testing.RespCluster;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.exceptions.JedisDataException;

/** Client helpers for the command-family tests: real clients pointed at chosen members of a {@link RespCluster}. */
final class Clients {
    private Clients() {
    }

    static Jedis jedis(RespCluster cluster, int member, RedisProtocol protocol) {
        return jedis(cluster, member, protocol, 0);
    }

    static Jedis jedis(RespCluster cluster, int member, RedisProtocol protocol, int database) {
        return new Jedis(new HostAndPort("127.0.0.1", cluster.port(member)),
                DefaultJedisClientConfig.builder().protocol(protocol).database(database).timeoutMillis(10_000)
                        .build());
    }

    static RedisClient lettuce(RespCluster cluster, int member, ProtocolVersion protocol) {
        RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", cluster.port(member)));
        client.setOptions(ClientOptions.builder().protocolVersion(protocol).build());
        return client;
    }

    /** Sends a raw command; bulk strings come back as Java strings, arrays as lists. */
    static Object raw(Jedis jedis, String... args) {
        String[] rest = new String[args.length - 1];
        System.arraycopy(args, 1, rest, 0, rest.length);
        return text(jedis.sendCommand(() -> args[0].getBytes(StandardCharsets.UTF_8), rest));
    }

    private static Object text(Object reply) {
        if (reply instanceof byte[] bytes) {
            return new String(bytes, StandardCharsets.UTF_8);
        }
        if (reply instanceof List<?> list) {
            List<Object> items = new ArrayList<>();
            for (Object item : list) {
                items.add(text(item));
            }
            return items;
        }
        return reply;
    }

    static void assertError(ThrowingCallable call, String text) {
        assertThatThrownBy(call).isInstanceOf(JedisDataException.class).hasMessage(text);
    }

    /** Writes a value of any type straight into database 0's grid map (types whose commands other families own). */
    static void putStored(RespCluster cluster, String key, byte[] stored) {
        GridMap<byte[], byte[]> map = cluster.grid().members().get(0).map(ServerContext.databaseMapName(0));
        map.set(key.getBytes(StandardCharsets.UTF_8), stored);
    }
}
