package io.tessera.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.redis.testing.ServerProcesses.ServerNode;
import io.tessera.redis.testing.ServerProcessesTestBase;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * A job queue as Redis users write it, on three {@code tessera-server} processes: producers RPUSH 100,000 jobs
 * through every node, workers on the other two nodes take them with {@code BLPOP}, and the queue key's primary is
 * killed with {@code kill -9} a third of the way through. Every job is processed exactly once: none lost, none twice.
 *
 * <p>The workers connect to the nodes that survive. A client's connection is its serving member: a pop in flight on
 * a member that dies with it is lost with the connection, in Tessera as in Redis (reliable queues use BLMOVE into a
 * processing list for that). What this test holds the grid to is the harder part, the death of the <em>primary</em>
 * that pops: the pops that were running there are answered once, from the backup that takes over.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class BlockingQueueFailoverIT extends ServerProcessesTestBase {
    private static final int JOBS = 100_000;
    private static final int BATCH = 50;
    private static final String QUEUE = "jobs";

    @Test
    void kill9OfTheQueuesPrimary_whileWorkersBlpop_processesEveryJobExactlyOnce() throws Exception {
        List<ServerNode> nodes = processes.startCluster(3, "queue-it-" + ProcessHandle.current().pid());
        ServerNode primary = TransactionFailoverIT.primaryOf(nodes, QUEUE);
        List<ServerNode> survivors = nodes.stream().filter(n -> n != primary).toList();

        Set<String> pushed = ConcurrentHashMap.newKeySet(); // acknowledged pushes
        Set<String> maybePushed = ConcurrentHashMap.newKeySet(); // pushes whose outcome the failover hid
        Map<String, Integer> processed = new ConcurrentHashMap<>();
        AtomicInteger processedCount = new AtomicInteger();
        AtomicInteger popErrors = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();

        List<Thread> workers = new ArrayList<>();
        for (ServerNode node : survivors) {
            for (int w = 0; w < 6; w++) {
                workers.add(new Thread(() -> {
                    Jedis jedis = new Jedis("127.0.0.1", node.port(), 30_000);
                    try {
                        while (!stop.get()) {
                            List<String> job;
                            try {
                                job = jedis.blpop(1, QUEUE);
                            } catch (JedisException e) {
                                popErrors.incrementAndGet();
                                jedis.close();
                                jedis = new Jedis("127.0.0.1", node.port(), 30_000);
                                continue;
                            }
                            if (job != null) {
                                processed.merge(job.get(1), 1, Integer::sum);
                                processedCount.incrementAndGet();
                            }
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    } finally {
                        jedis.close();
                    }
                }, "worker-" + node.port() + "-" + w));
            }
        }
        List<Thread> producers = new ArrayList<>();
        AtomicInteger nextBatch = new AtomicInteger();
        for (ServerNode node : nodes) {
            producers.add(new Thread(() -> {
                Jedis jedis = new Jedis("127.0.0.1", node.port(), 30_000);
                try {
                    int batch;
                    while ((batch = nextBatch.getAndIncrement()) < JOBS / BATCH) {
                        String[] jobs = new String[BATCH];
                        for (int i = 0; i < BATCH; i++) {
                            jobs[i] = "job-" + (batch * BATCH + i);
                        }
                        try {
                            jedis.rpush(QUEUE, jobs);
                            pushed.addAll(List.of(jobs));
                        } catch (JedisException e) {
                            maybePushed.addAll(List.of(jobs)); // refused, or applied with the answer lost
                            jedis.close();
                            if (node == primary) {
                                return; // its node is dead: the other producers take the remaining batches
                            }
                            jedis = new Jedis("127.0.0.1", node.port(), 30_000);
                        }
                        Thread.sleep(2); // a steady stream, so the kill lands while jobs flow
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                } finally {
                    jedis.close();
                }
            }, "producer-" + node.port()));
        }
        workers.forEach(Thread::start);
        producers.forEach(Thread::start);

        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (processedCount.get() < JOBS / 3 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        int beforeKill = processedCount.get();
        primary.kill9();
        for (Thread producer : producers) {
            producer.join(TimeUnit.MINUTES.toMillis(3));
        }
        // Drained: every acknowledged job processed and the queue empty, as seen from a survivor.
        try (Jedis observer = new Jedis("127.0.0.1", survivors.get(0).port(), 30_000)) {
            while (System.nanoTime() < deadline
                    && !(processed.keySet().containsAll(pushed) && observer.llen(QUEUE) == 0)) {
                Thread.sleep(100);
            }
            Thread.sleep(1_500); // a pop still running gets its last chance to show a duplicate
            stop.set(true);
            for (Thread worker : workers) {
                worker.join();
            }
            assertThat(failure.get()).isNull();
            assertThat(beforeKill).as("jobs processed before the kill").isGreaterThan(1_000);
            assertThat(observer.llen(QUEUE)).as("jobs left in the queue").isZero();
        }
        List<String> twice = processed.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey)
                .toList();
        assertThat(twice).as("jobs processed more than once").isEmpty();
        List<String> lost = pushed.stream().filter(job -> !processed.containsKey(job)).toList();
        assertThat(lost).as("acknowledged jobs never processed (%d pop errors)", popErrors.get()).isEmpty();
        assertThat(processed.keySet()).as("processed jobs that were never pushed")
                .allMatch(job -> pushed.contains(job) || maybePushed.contains(job));
        assertThat(pushed.size() + maybePushed.size()).isEqualTo(JOBS);
        System.out.printf("queue: %d jobs pushed (+%d unknown), %d processed once, %d before the kill, %d pop errors%n",
                pushed.size(), maybePushed.size(), processed.size(), beforeKill, popErrors.get());
    }
}
