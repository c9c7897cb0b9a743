package io.tessera.grid.internal.replica;

import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The partition threads of one member: partition {@code p} runs every task on thread {@code p mod T}, so the
 * operations of a partition are totally ordered without locks.
 *
 * <p>A task that throws is logged and the thread goes on: a bug in one operation must not stop a partition.
 */
public final class PartitionThreads {
    private static final Logger log = LoggerFactory.getLogger(PartitionThreads.class);

    private final ScheduledExecutorService[] threads;
    private final Thread[] owners;

    /** Starts {@code count} threads named after {@code memberName}. */
    public PartitionThreads(int count, String memberName) {
        threads = new ScheduledExecutorService[count];
        owners = new Thread[count];
        for (int i = 0; i < count; i++) {
            int index = i;
            ThreadFactory factory = runnable -> {
                Thread thread = new Thread(runnable, "tessera-partition-" + memberName + "-" + index);
                thread.setDaemon(true);
                owners[index] = thread;
                return thread;
            };
            threads[i] = Executors.newSingleThreadScheduledExecutor(factory);
            threads[i].execute(() -> { });
        }
    }

    /** The number of threads. */
    public int count() {
        return threads.length;
    }

    /** The thread index that runs {@code partition}. */
    public int threadOf(int partition) {
        return partition % threads.length;
    }

    /** Runs {@code task} on the thread of {@code partition}. */
    public void execute(int partition, Runnable task) {
        executeOnThread(threadOf(partition), task);
    }

    /** Runs {@code task} on thread {@code index}. */
    public void executeOnThread(int index, Runnable task) {
        try {
            threads[index].execute(() -> runSafely(task));
        } catch (RejectedExecutionException e) {
            log.debug("partition thread {} is shut down; dropping a task", index);
        }
    }

    /** Runs {@code task} every {@code periodMillis} on thread {@code index}. */
    public ScheduledFuture<?> scheduleOnThread(int index, Runnable task, long periodMillis) {
        return threads[index].scheduleWithFixedDelay(() -> runSafely(task), periodMillis, periodMillis,
                TimeUnit.MILLISECONDS);
    }

    /** Whether the calling thread is the thread of {@code partition}. */
    public boolean isThreadOf(int partition) {
        return Thread.currentThread() == owners[threadOf(partition)];
    }

    private static void runSafely(Runnable task) {
        try {
            task.run();
        } catch (Throwable t) {
            log.error("partition task failed", t);
        }
    }

    /** Stops the threads, letting queued tasks finish for up to a second. */
    public void shutdown() {
        for (ScheduledExecutorService thread : threads) {
            thread.shutdown();
        }
        for (ScheduledExecutorService thread : threads) {
            try {
                thread.awaitTermination(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            thread.shutdownNow();
        }
    }
}
