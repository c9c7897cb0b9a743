package io.tessera.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.protocol.ProtocolVersion;
import io.tessera.grid.Grid;
import io.tessera.grid.testing.ReplicaProbe;
import io.tessera.redis.internal.command.ClientSession;
import io.tessera.redis.testing.RawConnection;
import io.tessera.redis.testing.RedisParityTestBase;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.Transaction;
import redis.clients.jedis.args.ListDirection;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * The blocking list commands on a three-member cluster: a client blocked through one member wakes when a client of
 * another member pushes, clients blocked on one key are served in the order they blocked, timeouts and CLIENT UNBLOCK
 * answer as Redis does, a blocked client's next requests wait for it, and the non-blocking answers and error texts
 * match a real redis-server's.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BlockingCommandsTest extends RedisParityTestBase {
    private static final Duration GENEROUS = Duration.ofSeconds(20);

    @Test
    void nonBlockingAnswersAndErrors_matchRedis() {
        try (Jedis tessera = jedis(1, RedisProtocol.RESP2); Jedis real = redis.client()) {
            String[][] script = {
                {"DEL", "{b}:a", "{b}:b", "{b}:s"},
                {"RPUSH", "{b}:a", "1", "2", "3", "4", "5"},
                {"SET", "{b}:s", "string"},
                {"LMPOP", "2", "{b}:none", "{b}:a", "LEFT"},
                {"LMPOP", "2", "{b}:none", "{b}:a", "RIGHT", "COUNT", "2"},
                {"LMPOP", "1", "{b}:none", "LEFT"},
                {"LMPOP", "0", "{b}:a", "LEFT"},
                {"LMPOP", "-1", "{b}:a", "LEFT"},
                {"LMPOP", "2", "{b}:a", "LEFT"},
                {"LMPOP", "1", "{b}:a", "MIDDLE"},
                {"LMPOP", "1", "{b}:a", "LEFT", "COUNT", "0"},
                {"LMPOP", "1", "{b}:a", "LEFT", "COUNT"},
                {"LMPOP", "1", "{b}:a", "LEFT", "LIMIT", "1"},
                {"LMPOP", "1", "{b}:s", "LEFT"},
                {"BLPOP", "{b}:none", "{b}:a", "0"},
                {"BRPOP", "{b}:a", "0.01"},
                {"BLPOP", "{b}:none", "0.01"},
                {"BLPOP", "{b}:none", "-1"},
                {"BLPOP", "{b}:none", "abc"},
                {"BLPOP", "{b}:none", "nan"},
                {"BLPOP", "{b}:none", "inf"},
                {"BLPOP", "{b}:s", "0"},
                {"RPUSH", "{b}:a", "x", "y", "z"},
                {"BLMPOP", "0", "2", "{b}:none", "{b}:a", "LEFT", "COUNT", "5"},
                {"BLMPOP", "0.01", "1", "{b}:a", "RIGHT"},
                {"BLMPOP", "-2", "1", "{b}:a", "RIGHT"},
                {"BLMPOP", "0", "0", "{b}:a", "RIGHT"},
                {"RPUSH", "{b}:a", "m", "n"},
                {"BRPOPLPUSH", "{b}:a", "{b}:b", "0"},
                {"BLMOVE", "{b}:a", "{b}:b", "LEFT", "LEFT", "0"},
                {"BLMOVE", "{b}:b", "{b}:b", "LEFT", "RIGHT", "0"},
                {"LRANGE", "{b}:b", "0", "-1"},
                {"BLMOVE", "{b}:a", "{b}:b", "LEFT", "LEFT", "0.01"},
                {"BRPOPLPUSH", "{b}:a", "{b}:b", "0.01"},
                {"BLMOVE", "{b}:b", "{b}:s", "LEFT", "LEFT", "0"},
                {"BLMOVE", "{b}:b", "{b}:a", "UP", "LEFT", "0"},
                {"EXISTS", "{b}:a"},
                {"ZADD", "{b}:z", "1.5", "a", "2", "b", "-inf", "c", "3", "d"},
                {"BZPOPMIN", "{b}:none", "{b}:z", "0"},
                {"BZPOPMAX", "{b}:z", "0"},
                {"BZMPOP", "0", "2", "{b}:none", "{b}:z", "MAX", "COUNT", "5"},
                {"BZPOPMAX", "{b}:z", "0.01"},
                {"BZMPOP", "0.01", "1", "{b}:z", "MIN"},
                {"BZPOPMIN", "{b}:s", "0"},
                {"BZMPOP", "0", "0", "{b}:z", "MAX"},
                {"BZMPOP", "0", "1", "{b}:z", "UP"},
                {"BZMPOP", "-1", "1", "{b}:z", "MIN"},
                {"BZPOPMIN", "{b}:z", "x"},
                // keys in different slots: served key by key, with the same answers
                {"DEL", "x0", "x1", "x2", "y0", "y1"},
                {"RPUSH", "x1", "a", "b", "c"},
                {"LMPOP", "2", "x0", "x1", "LEFT", "COUNT", "2"},
                {"RPUSH", "x2", "d"},
                {"BLMPOP", "0", "3", "x0", "x2", "x1", "RIGHT", "COUNT", "5"},
                {"BLPOP", "x0", "x1", "0"},
                {"ZADD", "y1", "1", "m", "2", "n"},
                {"BZMPOP", "0", "2", "y0", "y1", "MAX", "COUNT", "1"},
                {"BZPOPMIN", "y0", "y1", "0"},
            };
            for (String[] command : script) {
                assertThat(reply(tessera, command)).as(String.join(" ", command)).isEqualTo(reply(real, command));
            }
        }
    }

    @Test
    void insideMulti_aBlockingPopAnswersAtOnce() {
        try (Jedis client = jedis(0, RedisProtocol.RESP2)) {
            client.del("{m}:q");
            Transaction t = client.multi();
            t.blpop(0, "{m}:q");
            t.sendCommand(() -> "BLMPOP".getBytes(), "0", "1", "{m}:q", "LEFT");
            t.rpush("{m}:q", "v");
            t.brpop(0, "{m}:q");
            List<Object> replies = t.exec();
            assertThat(replies.get(0)).isNull();
            assertThat(replies.get(1)).isNull();
            assertThat(replies.get(2)).isEqualTo(1L);
            assertThat(replies.get(3)).asList().containsExactly("{m}:q", "v");
        }
    }

    @Test
    void clientBlockedThroughOneMember_wakesOnAPushThroughAnother_forKeysOfEveryPrimary() throws Exception {
        for (int i = 0; i < 6; i++) {
            String key = "wake-" + i;
            try (Jedis blocked = jedis(i % 3, RedisProtocol.RESP2); Jedis pusher = jedis((i + 1) % 3,
                    i % 2 == 0 ? RedisProtocol.RESP2 : RedisProtocol.RESP3)) {
                CompletableFuture<List<String>> popped = CompletableFuture.supplyAsync(() -> blocked.blpop(0, key));
                awaitBlocked(i % 3, 1);
                assertThat(popped).isNotDone();
                pusher.rpush(key, "job-" + i);
                assertThat(popped.get(20, TimeUnit.SECONDS)).containsExactly(key, "job-" + i);
                assertThat(pusher.exists(key)).isFalse();
            }
        }
    }

    @Test
    void clientsBlockedOnOneKey_areServedInTheOrderTheyBlocked() throws Exception {
        String key = "fifo";
        List<Jedis> clients = new ArrayList<>();
        List<CompletableFuture<List<String>>> pops = new ArrayList<>();
        try (Jedis pusher = jedis(2, RedisProtocol.RESP2)) {
            for (int i = 0; i < 4; i++) {
                Jedis client = jedis(1, RedisProtocol.RESP2);
                clients.add(client);
                pops.add(CompletableFuture.supplyAsync(() -> client.brpop(0, key)));
                awaitBlocked(1, i + 1);
            }
            for (int i = 0; i < 4; i++) {
                pusher.lpush(key, "e" + i);
                int served = i;
                await().atMost(GENEROUS).until(() -> pops.get(served).isDone());
                assertThat(pops.get(i).get()).as("client %d", i).containsExactly(key, "e" + i);
                for (int later = i + 1; later < 4; later++) {
                    assertThat(pops.get(later)).as("client %d, blocked after client %d", later, i).isNotDone();
                }
            }
        } finally {
            clients.forEach(Jedis::close);
        }
    }

    @Test
    void sortedSetPops_wakeAcrossMembers_inBothProtocols_withTheScore() throws Exception {
        for (RedisProtocol protocol : List.of(RedisProtocol.RESP2, RedisProtocol.RESP3)) {
            String key = "zwake-" + protocol;
            try (Jedis blocked = jedis(2, protocol); Jedis blocked2 = jedis(2, protocol);
                 Jedis writer = jedis(0, RedisProtocol.RESP2)) {
                CompletableFuture<Object> min = CompletableFuture.supplyAsync(
                        () -> send(blocked, "BZPOPMIN", key, "0"));
                awaitBlocked(2, 1);
                CompletableFuture<Object> mpop = CompletableFuture.supplyAsync(
                        () -> send(blocked2, "BZMPOP", "0", "1", key, "MAX", "COUNT", "2"));
                awaitBlocked(2, 2);
                writer.zadd(key, 2.5, "first");
                assertThat(render(min.get(20, TimeUnit.SECONDS))).isEqualTo("[" + key + ", first, 2.5]");
                assertThat(mpop).isNotDone();
                writer.zadd(key, Map.of("x", 1.0, "y", 7.0, "z", 3.0));
                assertThat(render(mpop.get(20, TimeUnit.SECONDS))).isEqualTo("[" + key + ", [[y, 7], [z, 3]]]");
                assertThat(writer.zrange(key, 0, -1)).containsExactly("x");
            }
        }
    }

    /** A reply as text: bulk strings as UTF-8, RESP3 doubles and RESP2 score strings alike. */
    private static String render(Object reply) {
        if (reply instanceof byte[] bytes) {
            return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
        }
        if (reply instanceof Double d) {
            return d == Math.rint(d) ? Long.toString(d.longValue()) : d.toString();
        }
        if (reply instanceof List<?> list) {
            return list.stream().map(BlockingCommandsTest::render).toList().toString();
        }
        return String.valueOf(reply);
    }

    /**
     * Redis serves the clients blocked on a key at the push, longest-waiting first, one element each: a push of two
     * elements wakes the two clients that blocked first, whichever members they came through, and the third waits on.
     */
    @Test
    void pushOfTwoElements_servesTheTwoClientsThatBlockedFirst_andTheThirdWaitsOn() throws Exception {
        String key = "fifo-two";
        List<Jedis> clients = new ArrayList<>();
        List<CompletableFuture<List<String>>> pops = new ArrayList<>();
        int[] members = {1, 2, 0};
        try (Jedis pusher = jedis(0, RedisProtocol.RESP2)) {
            int[] blockedPer = new int[3];
            for (int member : members) {
                Jedis client = jedis(member, RedisProtocol.RESP2);
                clients.add(client);
                pops.add(CompletableFuture.supplyAsync(() -> client.blpop(0, key)));
                awaitBlocked(member, ++blockedPer[member]);
            }
            pusher.rpush(key, "a", "b");
            await().atMost(GENEROUS).until(() -> pops.get(0).isDone() && pops.get(1).isDone());
            assertThat(List.of(pops.get(0).get().get(1), pops.get(1).get().get(1)))
                    .as("the elements the first two clients got").containsExactlyInAnyOrder("a", "b");
            assertThat(pops.get(2)).as("the client that blocked third, with nothing left").isNotDone();
            pusher.rpush(key, "c");
            assertThat(pops.get(2).get(GENEROUS.toMillis(), TimeUnit.MILLISECONDS)).containsExactly(key, "c");
        } finally {
            clients.forEach(Jedis::close);
        }
    }

    @Test
    void clientsBlockedOnOneKeyThroughDifferentMembers_areServedInTheOrderTheyBlocked() throws Exception {
        String key = "fifo-cluster";
        List<Jedis> clients = new ArrayList<>();
        List<CompletableFuture<List<String>>> pops = new ArrayList<>();
        int[] members = {2, 0, 1, 2, 1, 0};
        try (Jedis pusher = jedis(0, RedisProtocol.RESP2)) {
            int[] blockedPer = new int[3];
            for (int i = 0; i < members.length; i++) {
                Jedis client = jedis(members[i], RedisProtocol.RESP2);
                clients.add(client);
                pops.add(CompletableFuture.supplyAsync(() -> client.blpop(0, key)));
                awaitBlocked(members[i], ++blockedPer[members[i]]);
            }
            for (int i = 0; i < members.length; i++) {
                pusher.rpush(key, "e" + i);
                int served = i;
                await().atMost(GENEROUS).until(() -> pops.get(served).isDone());
                assertThat(pops.get(i).get()).as("client %d (through member %d)", i, members[i])
                        .containsExactly(key, "e" + i);
                for (int later = i + 1; later < members.length; later++) {
                    assertThat(pops.get(later)).as("client %d, blocked after client %d", later, i).isNotDone();
                }
            }
        } finally {
            clients.forEach(Jedis::close);
        }
    }

    @Test
    void timeoutAnswersNull_inBothProtocols_afterTheTimeout() {
        for (RedisProtocol protocol : List.of(RedisProtocol.RESP2, RedisProtocol.RESP3)) {
            try (Jedis client = jedis(0, protocol)) {
                long start = System.nanoTime();
                assertThat(client.blpop(0.3, "never-pushed")).isNull();
                assertThat(client.blmove("never-pushed", "dst", ListDirection.LEFT, ListDirection.LEFT, 0.05)).isNull();
                assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(350));
                assertThat(client.ping()).isEqualTo("PONG");
            }
        }
    }

    @Test
    void clientUnblock_endsTheWait_withTimeoutsNullOrAnError() throws Exception {
        try (Jedis blocked = jedis(2, RedisProtocol.RESP2); Jedis admin = jedis(2, RedisProtocol.RESP2)) {
            long id = blocked.clientId();
            CompletableFuture<List<String>> first = CompletableFuture.supplyAsync(() -> blocked.blpop(0, "unblock"));
            awaitBlocked(2, 1);
            assertThat(admin.clientList()).contains("id=" + id + " ").containsPattern("id=" + id + " .* flags=b ");
            assertThat(admin.info("clients")).contains("blocked_clients:1").contains("total_blocking_keys:1");
            assertThat(send(admin, "CLIENT", "UNBLOCK", Long.toString(id), "TIMEOUT")).isEqualTo(1L);
            assertThat(first.get(10, TimeUnit.SECONDS)).isNull();

            CompletableFuture<List<String>> second = CompletableFuture.supplyAsync(() -> blocked.blpop(0, "unblock"));
            awaitBlocked(2, 1);
            assertThat(send(admin, "CLIENT", "UNBLOCK", Long.toString(id), "ERROR")).isEqualTo(1L);
            assertThatThrownBy(() -> second.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(JedisDataException.class)
                    .hasMessageContaining("UNBLOCKED client unblocked via CLIENT UNBLOCK");
            assertThat(send(admin, "CLIENT", "UNBLOCK", Long.toString(id))).isEqualTo(0L);
            assertError(admin, "ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR", "CLIENT", "UNBLOCK",
                    Long.toString(id), "LATER");
        }
    }

    @Test
    void requestsPipelinedAfterABlockingPop_waitForIt() throws Exception {
        try (RawConnection raw = new RawConnection(cluster.port(0));
             Jedis other = jedis(1, RedisProtocol.RESP2)) {
            other.del("{p}:q", "{p}:after");
            raw.send("BLPOP", "{p}:q", "0");
            raw.send("SET", "{p}:after", "ran");
            awaitBlocked(0, 1);
            Thread.sleep(200);
            assertThat(other.exists("{p}:after")).as("SET sent after a blocked BLPOP ran before it").isFalse();
            other.rpush("{p}:q", "v");
            assertThat(raw.read()).isEqualTo("*2\r\n$5\r\n{p}:q\r\n$1\r\nv\r\n");
            assertThat(raw.read()).isEqualTo("+OK\r\n");
            assertThat(other.get("{p}:after")).isEqualTo("ran");
        }
    }

    @Test
    void aClientThatLeftWhileBlocked_takesNothing() throws Exception {
        try (Jedis pusher = jedis(0, RedisProtocol.RESP2)) {
            pusher.del("left");
            Jedis leaving = jedis(1, RedisProtocol.RESP2);
            CompletableFuture.runAsync(() -> {
                try {
                    leaving.blpop(0, "left");
                } catch (RuntimeException closed) {
                    // the socket is closed under it
                }
            });
            awaitBlocked(1, 1);
            leaving.close();
            await().atMost(GENEROUS).until(() -> blockedClients(1) == 0);
            pusher.rpush("left", "kept");
            Thread.sleep(300);
            assertThat(pusher.lrange("left", 0, -1)).containsExactly("kept");
        }
    }

    /**
     * A blocked client killed just as an element arrives: its pop may run for a connection that is going away. The
     * element must then be put back, or reach the client before its connection closes; never vanish. (The client's
     * own close would race its socket against the answer, which no server can win: Redis loses the element then
     * too. The kill comes through the server, which so learns of the close on its side.) Rounds make each outcome
     * likely, not certain; the assertion holds either way.
     */
    @Test
    void clientsKilledJustAsAnElementArrives_loseNoElement() throws Exception {
        try (Jedis pusher = jedis(0, RedisProtocol.RESP2)) {
            for (int round = 0; round < 20; round++) {
                String key = "race-" + round;
                int member = 1 + round % 2;
                Jedis leaving = jedis(member, RedisProtocol.RESP2);
                long id = leaving.clientId();
                CompletableFuture<List<String>> popped = CompletableFuture.supplyAsync(() -> {
                    try {
                        return leaving.brpop(0, key);
                    } catch (RuntimeException killed) {
                        return null; // the connection was closed under it before an answer came
                    }
                });
                awaitBlocked(member, 1);
                try (Jedis killer = jedis(member, RedisProtocol.RESP2)) {
                    CompletableFuture<Object> kill = CompletableFuture.supplyAsync(() ->
                            killer.sendCommand(Protocol.Command.CLIENT, "KILL", "ID", Long.toString(id)));
                    pusher.lpush(key, "a", "b");
                    kill.get(20, TimeUnit.SECONDS);
                }
                List<String> delivered = popped.get(20, TimeUnit.SECONDS);
                leaving.close();
                List<String> expected = delivered == null ? List.of("b", "a") : List.of("b");
                if (delivered != null) {
                    assertThat(delivered).as("round %d: what the killed client received", round)
                            .containsExactly(key, "a");
                }
                int thisRound = round;
                await().atMost(GENEROUS).untilAsserted(() -> assertThat(pusher.lrange(key, 0, -1))
                        .as("round %d (the killed client received %s)", thisRound, delivered)
                        .isEqualTo(expected));
                await().atMost(GENEROUS).until(() -> blockedClients(1) == 0 && blockedClients(2) == 0);
            }
        }
    }

    /**
     * The narrowest window of the race above, made certain: the pop served the client and its reply is on its way,
     * but the client's event loop has not written it yet when the kill comes. The connection then drops the reply,
     * and the element must go back.
     */
    @Test
    void aClientKilledBetweenItsPopAndTheWriteOfItsReply_getsTheElementPutBack() throws Exception {
        List<Grid> members = cluster.grid().members();
        Grid victimMember = members.get(1);
        // Served off the victim's member (primary and backup elsewhere), so the pop completes while its loop stalls.
        String key = null;
        for (int i = 0; key == null; i++) {
            String candidate = "kill-window-" + i;
            byte[] bytes = candidate.getBytes(StandardCharsets.UTF_8);
            if (ReplicaProbe.ownerOf(members, bytes, 0) != victimMember
                    && ReplicaProbe.ownerOf(members, bytes, 1) != victimMember) {
                key = candidate;
            }
        }
        String k = key;
        try (Jedis pusher = jedis(0, RedisProtocol.RESP2); Jedis victim = jedis(1, RedisProtocol.RESP2)) {
            ClientSession session = cluster.server(1).client(victim.clientId());
            CompletableFuture<List<String>> popped = CompletableFuture.supplyAsync(() -> {
                try {
                    return victim.brpop(0, k);
                } catch (RuntimeException killed) {
                    return null;
                }
            });
            awaitBlocked(1, 1);
            CountDownLatch release = new CountDownLatch(1);
            session.channel().eventLoop().execute(() -> {
                try {
                    release.await(20, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            try {
                pusher.lpush(k, "a", "b");
                await().atMost(GENEROUS).until(() -> !session.isBlocked()); // served: its reply waits for the loop
                assertThat(pusher.lrange(k, 0, -1)).containsExactly("b");
                session.kill(); // what CLIENT KILL does
            } finally {
                release.countDown();
            }
            assertThat(popped.get(20, TimeUnit.SECONDS)).as("the killed client's reply").isNull();
            await().atMost(GENEROUS).untilAsserted(() -> assertThat(pusher.lrange(k, 0, -1))
                    .as("the popped element, put back").containsExactly("b", "a"));
        }
    }

    @Test
    void lettuce_blpopInBothProtocols_acrossMembers() throws Exception {
        for (ProtocolVersion version : List.of(ProtocolVersion.RESP2, ProtocolVersion.RESP3)) {
            RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", cluster.port(2)));
            client.setOptions(io.lettuce.core.ClientOptions.builder().protocolVersion(version).build());
            try (StatefulRedisConnection<String, String> connection = client.connect();
                 Jedis pusher = jedis(0, RedisProtocol.RESP2)) {
                String key = "lettuce-" + version;
                var popped = connection.async().blpop(0, "other-" + version, key);
                awaitBlocked(2, 1);
                pusher.rpush(key, "hello");
                KeyValue<String, String> value = popped.get(20, TimeUnit.SECONDS);
                assertThat(value.getKey()).isEqualTo(key);
                assertThat(value.getValue()).isEqualTo("hello");
            } finally {
                client.shutdown();
            }
        }
    }

    private static void awaitBlocked(int member, int count) {
        await().atMost(GENEROUS).until(() -> blockedClients(member) >= count);
    }

    private static int blockedClients(int member) {
        try (Jedis info = jedis(member, RedisProtocol.RESP2)) {
            String clients = info.info("clients");
            return Integer.parseInt(clients.replaceAll("(?s).*blocked_clients:(\\d+).*", "$1"));
        }
    }
}
