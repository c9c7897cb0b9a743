package io.tessera.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.redis.testing.ServerProcessesTestBase;
import io.tessera.redis.testing.ServerProcesses.ServerNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Transaction;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Transactions survive {@code kill -9} of their slot's primary: three standalone processes, clients on the two
 * others running {@code MULTI INCR {tx}a INCR {tx}b RPUSH {tx}log <id> EXEC} while the primary dies. Every
 * transaction is applied whole or not at all, none twice, and every one whose EXEC was answered is in the log.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class TransactionFailoverIT extends ServerProcessesTestBase {
    /** The node whose port CLUSTER SLOTS names as the master of {@code key}'s slot. */
    static ServerNode primaryOf(List<ServerNode> nodes, String key) {
        try (Jedis jedis = new Jedis("127.0.0.1", nodes.get(0).port())) {
            long slot = jedis.clusterKeySlot(key);
            for (Object range : jedis.clusterSlots()) {
                List<?> entry = (List<?>) range;
                if ((Long) entry.get(0) <= slot && slot <= (Long) entry.get(1)) {
                    long port = (Long) ((List<?>) entry.get(2)).get(1);
                    return nodes.stream().filter(n -> n.port() == port).findFirst().orElseThrow();
                }
            }
        }
        throw new AssertionError("no master for " + key);
    }

    @Test
    void kill9OfTheSlotsPrimary_midTransactions_appliesEachWholeOnceOrNotAtAll() throws Exception {
        List<ServerNode> nodes = processes.startCluster(3, "tx-it-" + ProcessHandle.current().pid());
        ServerNode primary = primaryOf(nodes, "{tx}");
        List<ServerNode> survivors = nodes.stream().filter(n -> n != primary).toList();

        AtomicBoolean stop = new AtomicBoolean();
        Set<String> acknowledged = Collections.synchronizedSet(new HashSet<>());
        AtomicInteger unknown = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < survivors.size(); c++) {
            ServerNode node = survivors.get(c);
            String client = "c" + c;
            clients.add(new Thread(() -> {
                int i = 0;
                Jedis jedis = new Jedis("127.0.0.1", node.port(), 15_000);
                try {
                    while (!stop.get()) {
                        String id = client + "-" + i++;
                        try {
                            Transaction t = jedis.multi();
                            t.incr("{tx}a");
                            t.incr("{tx}b");
                            t.rpush("{tx}log", id);
                            List<Object> replies = t.exec();
                            assertThat(replies).hasSize(3);
                            for (Object reply : replies) {
                                if (reply instanceof Exception e) {
                                    throw e;
                                }
                            }
                            acknowledged.add(id);
                        } catch (JedisException e) {
                            unknown.incrementAndGet(); // may or may not have been applied; the checks allow for it
                            jedis.close();
                            jedis = new Jedis("127.0.0.1", node.port(), 15_000);
                        }
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                } finally {
                    jedis.close();
                }
            }));
        }
        clients.forEach(Thread::start);
        Thread.sleep(2_000);
        int before = acknowledged.size();
        primary.kill9();
        Thread.sleep(6_000);
        stop.set(true);
        for (Thread t : clients) {
            t.join();
        }
        assertThat(failure.get()).isNull();
        assertThat(before).as("transactions before the kill").isGreaterThan(20);
        assertThat(acknowledged.size()).as("transactions after the kill").isGreaterThan(before + 20);

        try (Jedis jedis = new Jedis("127.0.0.1", survivors.get(0).port())) {
            long a = Long.parseLong(jedis.get("{tx}a"));
            long b = Long.parseLong(jedis.get("{tx}b"));
            List<String> log = jedis.lrange("{tx}log", 0, -1);
            assertThat(b).as("both increments of every transaction, or neither").isEqualTo(a);
            assertThat(log).hasSize((int) a).doesNotHaveDuplicates();
            assertThat(log).containsAll(acknowledged);
            assertThat(a).isBetween((long) acknowledged.size(), (long) acknowledged.size() + unknown.get());
        }
    }
}
