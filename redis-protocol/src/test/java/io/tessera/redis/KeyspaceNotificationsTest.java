package io.tessera.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tessera.redis.testing.RedisParityTestBase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.RedisProtocol;

/**
 * Keyspace notifications: with the same {@code notify-keyspace-events}, the same commands make Tessera and a real
 * {@code redis-server} publish the same messages on the same channels, in the same order; on Tessera the commands go
 * through one node and the subscriber listens on another.
 */
class KeyspaceNotificationsTest extends RedisParityTestBase {
    /** A subscriber to every keyspace and keyevent channel, recording "channel message" in arrival order. */
    private static final class Listener extends JedisPubSub {
        final List<String> messages = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void onPMessage(String pattern, String channel, String message) {
            messages.add(channel + " " + message);
        }

        static Listener on(Jedis connection) throws InterruptedException {
            Listener listener = new Listener();
            Thread thread = new Thread(() -> connection.psubscribe(listener, "__key*@*__:*"));
            thread.setDaemon(true);
            thread.start();
            await().atMost(Duration.ofSeconds(10)).until(listener::isSubscribed);
            return listener;
        }
    }

    @Test
    void configGetAndSet_parseAndPrintTheClassesAsRedis() {
        try (Jedis tessera = jedis(0, RedisProtocol.RESP2); Jedis real = redis.client()) {
            for (String classes : List.of("KEA", "Ex", "g$lshzxetdKE", "Kl", "", "AKEm", "gn$K", "Q", "KEA")) {
                assertThat(reply(tessera, "CONFIG", "SET", "notify-keyspace-events", classes)).as(classes)
                        .isEqualTo(reply(real, "CONFIG", "SET", "notify-keyspace-events", classes));
                assertThat(reply(tessera, "CONFIG", "GET", "notify-keyspace-events")).as(classes)
                        .isEqualTo(reply(real, "CONFIG", "GET", "notify-keyspace-events"));
            }
            tessera.configSet("notify-keyspace-events", "");
        }
    }

    @Test
    void theSameCommands_publishTheSameEvents_asRedisServer() throws Exception {
        try (Jedis tessera = jedis(0, RedisProtocol.RESP2); Jedis real = redis.client();
             Jedis tesseraSubscriber = jedis(1, RedisProtocol.RESP2); Jedis realSubscriber = redis.client()) {
            real.flushAll();
            tessera.del("s", "n", "l", "{k}a", "{k}b", "set", "h", "{m}1", "{m}2", "bits", "gone", "marker");
            for (Jedis j : List.of(tessera, real)) {
                j.configSet("notify-keyspace-events", "KEA");
            }
            Listener onTessera = Listener.on(tesseraSubscriber);
            Listener onRedis = Listener.on(realSubscriber);
            String[][] script = {
                {"SET", "s", "v"}, {"SET", "s", "w", "EX", "100"}, {"SET", "s", "x", "NX"}, {"APPEND", "s", "y"},
                {"PERSIST", "s"}, {"EXPIRE", "s", "50"}, {"PERSIST", "s"}, {"SETRANGE", "s", "1", "abc"},
                {"INCR", "n"}, {"INCRBY", "n", "5"}, {"DECR", "n"}, {"INCRBYFLOAT", "n", "1.5"},
                {"RPUSH", "l", "a", "b"}, {"LPUSH", "l", "z"}, {"LPOP", "l"}, {"RPOP", "l"}, {"RPOP", "l"},
                {"RPOP", "l"},
                {"RPUSH", "{k}a", "1", "2"}, {"LMOVE", "{k}a", "{k}b", "LEFT", "RIGHT"},
                {"RPOPLPUSH", "{k}a", "{k}b"}, {"RENAME", "{k}b", "{k}a"},
                {"SADD", "set", "a", "b"}, {"SADD", "set", "a"}, {"SREM", "set", "a"}, {"SREM", "set", "b"},
                {"HSET", "h", "f", "1"}, {"HINCRBY", "h", "f", "2"}, {"HDEL", "h", "f"},
                {"MSET", "{m}1", "1", "{m}2", "2"}, {"DEL", "{m}1", "{m}2", "{m}missing"}, {"GETDEL", "s"},
                {"SETBIT", "bits", "7", "1"}, {"SET", "gone", "v"}, {"EXPIRE", "gone", "-1"},
                {"SET", "marker", "end"}};
            for (String[] command : script) {
                assertThat(reply(tessera, command)).as(String.join(" ", command)).isEqualTo(reply(real, command));
            }
            String last = "__keyevent@0__:set marker";
            await().atMost(Duration.ofSeconds(10)).until(() -> onRedis.messages.contains(last)
                    && onTessera.messages.contains(last));
            assertThat(onTessera.messages).containsExactlyElementsOf(onRedis.messages);
            assertThat(onRedis.messages).hasSizeGreaterThan(60);

            // Expiry: reported once, by the key's primary, whichever node the subscriber is on. The setting is per
            // node, as in Redis Cluster: set it on every node.
            for (int member = 1; member < 3; member++) {
                try (Jedis node = jedis(member, RedisProtocol.RESP2)) {
                    node.configSet("notify-keyspace-events", "KEA");
                }
            }
            tessera.psetex("short", 100, "v");
            await().atMost(Duration.ofSeconds(15))
                    .until(() -> onTessera.messages.contains("__keyevent@0__:expired short"));
            Thread.sleep(500);
            assertThat(onTessera.messages.stream().filter(m -> m.equals("__keyevent@0__:expired short"))).hasSize(1);
            assertThat(onTessera.messages).contains("__keyspace@0__:short expired");

            onTessera.punsubscribe();
            onRedis.punsubscribe();
            for (Jedis j : List.of(tessera, real)) {
                j.configSet("notify-keyspace-events", "");
            }
            for (int member = 1; member < 3; member++) {
                try (Jedis node = jedis(member, RedisProtocol.RESP2)) {
                    node.configSet("notify-keyspace-events", "");
                }
            }
        }
    }
}
