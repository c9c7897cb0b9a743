package io.tessera.grid.internal.replica;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The partition threads keep a partition's tasks in order on one thread, whether they are the member's own or an
 * embedder's event loops; periodic work runs on them; a task never runs inside another; after shutdown tasks are
 * dropped.
 */
class PartitionThreadsTest {
    private final List<ExecutorService> loops = new ArrayList<>();
    private PartitionThreads threads;

    @AfterEach
    void stop() {
        if (threads != null) {
            threads.shutdown();
        }
        loops.forEach(ExecutorService::shutdownNow);
    }

    private List<Executor> loops(int count) {
        for (int i = 0; i < count; i++) {
            loops.add(Executors.newSingleThreadExecutor());
        }
        return List.copyOf(loops);
    }

    @Test
    void ownThreadsRunAPartitionsTasksInOrderOnOneThread() throws InterruptedException {
        threads = new PartitionThreads(2, "t");
        assertTasksOfAPartitionRunInOrderOnItsThread();
    }

    @Test
    void embedderExecutorsRunAPartitionsTasksInOrderOnOneThread() throws InterruptedException {
        threads = new PartitionThreads(loops(2), "t");
        assertTasksOfAPartitionRunInOrderOnItsThread();
    }

    private void assertTasksOfAPartitionRunInOrderOnItsThread() throws InterruptedException {
        List<Integer> seen = Collections.synchronizedList(new ArrayList<>());
        AtomicReference<Thread> runner = new AtomicReference<>();
        AtomicInteger otherThread = new AtomicInteger();
        AtomicInteger notOwner = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(1000);
        for (int i = 0; i < 1000; i++) {
            int n = i;
            threads.execute(5, () -> {
                runner.compareAndSet(null, Thread.currentThread());
                if (runner.get() != Thread.currentThread()) {
                    otherThread.incrementAndGet();
                }
                if (!threads.isThreadOf(5) || threads.isThreadOf(6)) {
                    notOwner.incrementAndGet();
                }
                seen.add(n);
                done.countDown();
            });
        }
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(seen).isSorted().hasSize(1000);
        assertThat(otherThread).hasValue(0);
        assertThat(notOwner).hasValue(0);
        assertThat(threads.isThreadOf(5)).isFalse();
    }

    @Test
    void aTaskSubmittedFromAnEmbedderLoopOutsideATaskRunsAtOnceAndOneFromInsideATaskAfterIt() throws Exception {
        threads = new PartitionThreads(loops(1), "t");
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        loops.get(0).submit(() -> {
            // An event-loop handler (not a partition task) submitting work for its own loop's partition.
            threads.execute(0, () -> {
                order.add("outer starts");
                threads.execute(0, () -> order.add("inner"));
                order.add("outer ends");
            });
            order.add("handler goes on");
        }).get(10, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(10)).until(() -> order.size() == 4);
        assertThat(order).containsExactly("outer starts", "outer ends", "handler goes on", "inner");
    }


    @Test
    void aLoopsTaskNeverOvertakesOneItQueuedOnItselfBefore_butOtherThreadsTasksDoNotHoldItBack() throws Exception {
        threads = new PartitionThreads(loops(1), "t");
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch otherThreadQueued = new CountDownLatch(1);
        loops.get(0).submit(() -> {
            // Inside a partition task the loop queues "first" on itself; back in its handler (outside a task) it
            // submits "second", which must wait for "first" (one connection's operations keep their order).
            threads.execute(0, () -> threads.execute(0, () -> order.add("first")));
            threads.execute(0, () -> order.add("second"));
            // A task another thread queued meanwhile does not stop the loop from running its own at once.
            Thread other = new Thread(() -> {
                threads.execute(0, () -> order.add("other thread's"));
                otherThreadQueued.countDown();
            });
            other.start();
            try {
                otherThreadQueued.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }).get(10, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(10)).until(() -> order.size() == 3);
        assertThat(order).containsExactly("first", "second", "other thread's");

        order.clear();
        CountDownLatch queued = new CountDownLatch(1);
        loops.get(0).submit(() -> {
            Thread other = new Thread(() -> {
                threads.execute(0, () -> order.add("other thread's"));
                queued.countDown();
            });
            other.start();
            try {
                queued.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            threads.execute(0, () -> order.add("loop's own, at once"));
        }).get(10, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(10)).until(() -> order.size() == 2);
        assertThat(order).containsExactly("loop's own, at once", "other thread's");
    }
    @Test
    void periodicWorkRunsOnThePartitionThreadEvenWhileItIsBusy() {
        threads = new PartitionThreads(1, "t");
        assertPeriodicWorkRunsOnItsThread();
    }

    @Test
    void periodicWorkRunsOnAnEmbedderLoop() {
        threads = new PartitionThreads(loops(1), "t");
        assertPeriodicWorkRunsOnItsThread();
    }

    private void assertPeriodicWorkRunsOnItsThread() {
        AtomicInteger ticks = new AtomicInteger();
        AtomicInteger offThread = new AtomicInteger();
        threads.scheduleOnThread(0, () -> {
            if (!threads.isThreadOf(0)) {
                offThread.incrementAndGet();
            }
            ticks.incrementAndGet();
        }, 10);
        // Keep the thread busy with a stream of short tasks: the ticks must still come.
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
        while (System.nanoTime() < until) {
            threads.execute(0, () -> { });
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> ticks.get() >= 5);
        assertThat(offThread).hasValue(0);
    }

    @Test
    void aFailingTaskDoesNotStopThePartition() throws InterruptedException {
        threads = new PartitionThreads(1, "t");
        CountDownLatch after = new CountDownLatch(1);
        threads.execute(0, () -> {
            throw new IllegalStateException("a bug in one operation");
        });
        threads.execute(0, after::countDown);
        assertThat(after.await(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void afterShutdownTasksAreDroppedAndEmbedderLoopsKeepRunning() throws Exception {
        threads = new PartitionThreads(loops(1), "t");
        threads.shutdown();
        AtomicInteger ran = new AtomicInteger();
        threads.execute(0, ran::incrementAndGet);
        assertThat(loops.get(0).submit(() -> "alive").get(10, TimeUnit.SECONDS)).isEqualTo("alive");
        assertThat(ran).hasValue(0);
        threads = null;
    }
}
