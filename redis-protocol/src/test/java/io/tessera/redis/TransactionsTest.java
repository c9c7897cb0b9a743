package io.tessera.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TransactionResult;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.tessera.redis.testing.ThreeMemberRespTest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.Response;
import redis.clients.jedis.Transaction;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * MULTI/EXEC/DISCARD/WATCH through Jedis on a three-member cluster: the commands of a transaction are applied
 * together or not at all, a watched key written by another client aborts EXEC, and Redis's error rules hold.
 */
class TransactionsTest extends ThreeMemberRespTest {

    @Test
    void execRunsTheQueuedCommandsInOrder_andAnswersEachAsItWouldAlone() {
        try (Jedis client = jedis(0, RedisProtocol.RESP2); Jedis reader = jedis(2, RedisProtocol.RESP3)) {
            Transaction t = client.multi();
            Response<String> set = t.set("{tx}:name", "tessera");
            Response<Long> incr = t.incr("{tx}:count");
            Response<Long> push = t.rpush("{tx}:list", "a", "b");
            Response<String> get = t.get("{tx}:name");
            Response<Object> echo = t.sendCommand(Protocol.Command.ECHO, "keyless");
            assertThat(t.exec()).hasSize(5);

            assertThat(set.get()).isEqualTo("OK");
            assertThat(incr.get()).isEqualTo(1L);
            assertThat(push.get()).isEqualTo(2L);
            assertThat(get.get()).isEqualTo("tessera");
            assertThat(new String((byte[]) echo.get(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("keyless");
            assertThat(reader.lrange("{tx}:list", 0, -1)).containsExactly("a", "b");
        }
    }

    @Test
    void aListWrittenWholeOrEmptied_inOneTransaction_takesLaterOperations() {
        try (Jedis client = jedis(2, RedisProtocol.RESP2)) {
            client.del("{live}:l");
            client.rpush("{live}:l", "old");
            Transaction t = client.multi();
            t.del("{live}:l");
            t.rpush("{live}:l", "a", "b");
            t.lpop("{live}:l");
            t.lpop("{live}:l");
            t.type("{live}:l");
            t.lpush("{live}:l", "c");
            assertThat(t.exec()).containsExactly(1L, 2L, "a", "b", "none", 1L);
            assertThat(client.lrange("{live}:l", 0, -1)).containsExactly("c");
        }
    }

    @Test
    void anErrorWhileQueuing_abortsTheTransaction_butAnErrorWhileRunning_doesNotStopTheOthers() {
        try (Jedis client = jedis(1, RedisProtocol.RESP2)) {
            client.set("{err}:s", "not a number");
            assertThat(text(send(client, "MULTI"))).isEqualTo("OK");
            assertThat(text(send(client, "INCR", "{err}:s"))).isEqualTo("QUEUED");
            assertThat(text(send(client, "SET", "{err}:t", "1"))).isEqualTo("QUEUED");
            @SuppressWarnings("unchecked")
            List<Object> replies = (List<Object>) send(client, "EXEC");
            assertThat(replies.get(0)).isInstanceOf(JedisDataException.class);
            assertThat(((JedisDataException) replies.get(0)).getMessage())
                    .isEqualTo("ERR value is not an integer or out of range");
            assertThat(client.get("{err}:t")).isEqualTo("1");

            assertThat(text(send(client, "MULTI"))).isEqualTo("OK");
            assertError(client, "ERR wrong number of arguments for 'set' command", "SET", "{err}:t");
            assertThat(text(send(client, "SET", "{err}:t", "2"))).isEqualTo("QUEUED");
            assertError(client, "EXECABORT Transaction discarded because of previous errors.", "EXEC");
            assertThat(client.get("{err}:t")).isEqualTo("1");

            assertError(client, "ERR EXEC without MULTI", "EXEC");
            assertError(client, "ERR DISCARD without MULTI", "DISCARD");
            assertThat(text(send(client, "MULTI"))).isEqualTo("OK");
            assertError(client, "ERR MULTI calls can not be nested", "MULTI");
            assertError(client, "ERR WATCH inside MULTI is not allowed", "WATCH", "{err}:t");
            assertThat(text(send(client, "SET", "{err}:t", "3"))).isEqualTo("QUEUED");
            assertThat(text(send(client, "DISCARD"))).isEqualTo("OK");
            assertThat(client.get("{err}:t")).isEqualTo("1");

            assertThat(text(send(client, "MULTI"))).isEqualTo("OK");
            assertThat(text(send(client, "SET", "a", "1"))).isEqualTo("QUEUED");
            assertThat(text(send(client, "SET", "b", "1"))).isEqualTo("QUEUED");
            assertError(client, "CROSSSLOT Keys in request don't hash to the same slot", "EXEC");
            assertThat(client.exists("a", "b")).isZero();
        }
    }

    @Test
    void aWatchedKeyWrittenByAnotherClient_abortsExec_andAnUntouchedOne_letsItRun() {
        try (Jedis watcher = jedis(0, RedisProtocol.RESP2); Jedis other = jedis(2, RedisProtocol.RESP2)) {
            watcher.set("{w}:balance", "100");
            watcher.watch("{w}:balance");
            int balance = Integer.parseInt(watcher.get("{w}:balance"));
            other.set("{w}:balance", "50"); // through another member
            Transaction t = watcher.multi();
            t.set("{w}:balance", Integer.toString(balance - 30));
            assertThat(t.exec()).isNull();
            assertThat(watcher.get("{w}:balance")).isEqualTo("50");

            watcher.watch("{w}:balance", "{w}:absent");
            t = watcher.multi();
            t.decrBy("{w}:balance", 30);
            assertThat(t.exec()).containsExactly(20L);

            // EXEC forgets the watched keys: a write now does not abort the next transaction.
            other.set("{w}:balance", "10");
            t = watcher.multi();
            t.incr("{w}:balance");
            assertThat(t.exec()).containsExactly(11L);

            watcher.watch("{w}:balance");
            watcher.unwatch();
            other.set("{w}:balance", "0");
            t = watcher.multi();
            t.incr("{w}:balance");
            assertThat(t.exec()).containsExactly(1L);
        }
    }

    @Test
    void concurrentTransactions_neverShowHalfOfAnother_andOptimisticLockingCountsExactly() throws Exception {
        int writers = 3;
        int rounds = 150;
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicInteger torn = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            int member = w;
            threads.add(new Thread(() -> {
                try (Jedis jedis = jedis(member, RedisProtocol.RESP2)) {
                    for (int i = 0; i < rounds; i++) {
                        Transaction t = jedis.multi();
                        t.incr("{pair}:a");
                        t.incr("{pair}:b");
                        t.exec();
                        // WATCH-based increment: retried until no one wrote in between.
                        while (true) {
                            jedis.watch("{cas}:n");
                            String seen = jedis.get("{cas}:n");
                            long next = (seen == null ? 0 : Long.parseLong(seen)) + 1;
                            Transaction cas = jedis.multi();
                            cas.set("{cas}:n", Long.toString(next));
                            if (cas.exec() != null) {
                                break;
                            }
                        }
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }));
        }
        threads.add(new Thread(() -> {
            try (Jedis observer = jedis(1, RedisProtocol.RESP3)) {
                for (int i = 0; i < 300; i++) {
                    Transaction t = observer.multi();
                    Response<String> a = t.get("{pair}:a");
                    Response<String> b = t.get("{pair}:b");
                    t.exec();
                    if (!java.util.Objects.equals(a.get(), b.get())) {
                        torn.incrementAndGet();
                    }
                }
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
            }
        }));
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
        assertThat(failure.get()).isNull();
        assertThat(torn.get()).as("reads that saw one INCR of a transaction without the other").isZero();
        try (Jedis jedis = jedis(2, RedisProtocol.RESP2)) {
            assertThat(jedis.get("{pair}:a")).isEqualTo(Integer.toString(writers * rounds));
            assertThat(jedis.get("{pair}:b")).isEqualTo(Integer.toString(writers * rounds));
            assertThat(jedis.get("{cas}:n")).isEqualTo(Integer.toString(writers * rounds));
        }
    }

    @Test
    void connectionCommandsAreRefusedInsideMulti_andResetLeavesIt() {
        try (Jedis client = jedis(0, RedisProtocol.RESP2)) {
            assertThat(text(send(client, "MULTI"))).isEqualTo("OK");
            assertError(client, "ERR Command not allowed inside a transaction", "SELECT", "1");
            assertThat(text(send(client, "RESET"))).isEqualTo("RESET");
            assertThat(text(send(client, "SET", "{r}:k", "v"))).isEqualTo("OK");
            assertError(client, "ERR EXEC without MULTI", "EXEC");
        }
    }

    @Test
    void lettuce_pipelinesATransaction_andGetsTheTypedResults() throws Exception {
        RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", cluster.port(2)));
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            RedisAsyncCommands<String, String> async = connection.async();
            connection.setAutoFlushCommands(false);
            RedisFuture<String> multi = async.multi();
            RedisFuture<String> set = async.set("{lt}:k", "v");
            RedisFuture<Long> pushed = async.lpush("{lt}:q", "x", "y");
            RedisFuture<String> get = async.get("{lt}:k");
            RedisFuture<TransactionResult> exec = async.exec();
            connection.flushCommands();

            TransactionResult result = exec.get(10, TimeUnit.SECONDS);
            assertThat(multi.get()).isEqualTo("OK");
            assertThat(result.wasDiscarded()).isFalse();
            assertThat(result.size()).isEqualTo(3);
            assertThat(set.get()).isEqualTo("OK");
            assertThat(pushed.get()).isEqualTo(2L);
            assertThat(get.get()).isEqualTo("v");
        } finally {
            client.shutdown();
        }
    }

    private static String text(Object reply) {
        return reply instanceof byte[] bytes ? new String(bytes, java.nio.charset.StandardCharsets.UTF_8)
                : String.valueOf(reply);
    }
}
