package io.tessera.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.tessera.redis.testing.RawConnection;
import io.tessera.redis.testing.ThreeMemberRespTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;

/** Pub/sub across a three-member cluster, with Jedis (RESP2), Lettuce (RESP3) and raw connections. */
class PubSubTest extends ThreeMemberRespTest {

    @Test
    void messagePublishedOnOneMember_reachesChannelAndPatternSubscribersOnOthers_inOrder() throws Exception {
        String channel = "news." + UUID.randomUUID();
        List<String> jedisReceived = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch subscribed = new CountDownLatch(1);
        JedisPubSub listener = new JedisPubSub() {
            @Override
            public void onMessage(String ch, String message) {
                jedisReceived.add(ch + "=" + message);
            }

            @Override
            public void onSubscribe(String ch, int count) {
                subscribed.countDown();
            }
        };
        Thread subscriber = new Thread(() -> {
            try (Jedis jedis = new Jedis("127.0.0.1", cluster.port(0))) {
                jedis.subscribe(listener, channel);
            }
        });
        subscriber.start();
        assertThat(subscribed.await(10, TimeUnit.SECONDS)).isTrue();

        RedisClient lettuce = RedisClient.create(RedisURI.create("127.0.0.1", cluster.port(1)));
        try (StatefulRedisPubSubConnection<String, String> connection = lettuce.connectPubSub();
             Jedis publisher = new Jedis("127.0.0.1", cluster.port(2))) {
            List<String> lettuceReceived = Collections.synchronizedList(new ArrayList<>());
            connection.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String pattern, String ch, String message) {
                    lettuceReceived.add(pattern + "|" + ch + "=" + message);
                }
            });
            connection.sync().psubscribe("news.*");

            List<String> expectedJedis = new ArrayList<>();
            List<String> expectedLettuce = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                assertThat(publisher.publish(channel, "m" + i)).isEqualTo(2);
                expectedJedis.add(channel + "=m" + i);
                expectedLettuce.add("news.*|" + channel + "=m" + i);
            }
            assertThat(publisher.publish("other." + channel, "x")).isZero();
            await().atMost(Duration.ofSeconds(10)).until(() -> jedisReceived.size() == 100
                    && lettuceReceived.size() == 100);
            assertThat(jedisReceived).containsExactlyElementsOf(expectedJedis);
            assertThat(lettuceReceived).containsExactlyElementsOf(expectedLettuce);

            assertThat(publisher.pubsubNumSub(channel)).containsEntry(channel, 1L);
            assertThat(publisher.pubsubNumPat()).isGreaterThanOrEqualTo(1L);
            connection.sync().punsubscribe("news.*");
            listener.unsubscribe();
            subscriber.join(10_000);
            await().atMost(Duration.ofSeconds(5)).until(() -> publisher.pubsubNumSub(channel).get(channel) == 0L);
        } finally {
            lettuce.shutdown();
        }
    }

    @Test
    void resp2SubscribeMode_allowsOnlySubscriptionCommands_andConfirmsEachChannel() {
        try (RawConnection raw = new RawConnection(cluster.port(1))) {
            assertThat(raw.call("UNSUBSCRIBE")).isEqualTo("*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:0\r\n");
            raw.send("SUBSCRIBE", "a", "b", "a");
            assertThat(raw.read()).isEqualTo("*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n");
            assertThat(raw.read()).isEqualTo("*3\r\n$9\r\nsubscribe\r\n$1\r\nb\r\n:2\r\n");
            assertThat(raw.read()).isEqualTo("*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:2\r\n");
            assertThat(raw.call("GET", "k")).isEqualTo("-ERR Can't execute 'get': only (P|S)SUBSCRIBE / "
                    + "(P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n");
            assertThat(raw.call("PING")).isEqualTo("*2\r\n$4\r\npong\r\n$0\r\n\r\n");
            assertThat(raw.call("PUBSUB", "CHANNELS")).startsWith("-ERR Can't execute 'pubsub'");
            raw.send("UNSUBSCRIBE");
            assertThat(raw.read()).isEqualTo("*3\r\n$11\r\nunsubscribe\r\n$1\r\na\r\n:1\r\n");
            assertThat(raw.read()).isEqualTo("*3\r\n$11\r\nunsubscribe\r\n$1\r\nb\r\n:0\r\n");
            assertThat(raw.call("PING")).isEqualTo("+PONG\r\n");
        }
    }

    @Test
    void resp3_messagesArePushes_andOtherCommandsStillWorkWhileSubscribed() {
        String channel = "push-" + UUID.randomUUID();
        try (RawConnection raw = new RawConnection(cluster.port(0));
             Jedis publisher = new Jedis("127.0.0.1", cluster.port(2))) {
            assertThat(raw.call("HELLO", "3")).startsWith("%7\r\n");
            assertThat(raw.call("SUBSCRIBE", channel)).isEqualTo(">3\r\n$9\r\nsubscribe\r\n$" + channel.length()
                    + "\r\n" + channel + "\r\n:1\r\n");
            assertThat(raw.call("PING")).isEqualTo("+PONG\r\n");
            assertThat(publisher.publish(channel, "hello")).isEqualTo(1);
            assertThat(raw.read()).isEqualTo(">3\r\n$7\r\nmessage\r\n$" + channel.length() + "\r\n" + channel
                    + "\r\n$5\r\nhello\r\n");
            assertThat(raw.call("PUBSUB", "CHANNELS", "push-*")).isEqualTo("*1\r\n$" + channel.length() + "\r\n"
                    + channel + "\r\n");
        }
        // the closed connection took its subscription with it
        try (Jedis publisher = new Jedis("127.0.0.1", cluster.port(1))) {
            await().atMost(Duration.ofSeconds(5)).until(() -> publisher.publish(channel, "gone") == 0);
        }
    }

    @Test
    void pubsubHelp_andUnknownSubcommand() {
        try (RawConnection raw = new RawConnection(cluster.port(2))) {
            assertThat(raw.call("PUBSUB", "NOPE")).isEqualTo("-ERR unknown subcommand 'NOPE'. Try PUBSUB HELP.\r\n");
            assertThat(raw.call("PUBSUB", "NUMPAT", "x"))
                    .isEqualTo("-ERR wrong number of arguments for 'pubsub|numpat' command\r\n");
            assertThat(raw.call("PUBSUB", "NUMSUB")).isEqualTo("*0\r\n");
        }
    }
}
