package io.tessera.grid.internal.replica;

import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The partition threads of one member: partition {@code p} runs every task on thread {@code p mod T}, so the
 * operations of a partition are totally ordered without locks.
 *
 * <p>By default each thread is the member's own and drains its own lock-free queue, parking only when the queue is
 * empty; a producer wakes it only then. This replaced a {@code ScheduledThreadPoolExecutor} per thread, whose
 * delay-ordered heap every task went through although almost none asks for a delay (14% of a node's samples under
 * redis-benchmark). Periodic work runs on the same thread between tasks, checked every
 * {@value #TASKS_BETWEEN_CLOCK_READS} tasks and whenever the queue runs dry, so a busy thread still ticks.
 *
 * <p>An embedder may instead give single-threaded executors of its own (event loops): the partitions then run on
 * those, and a timer thread of the member posts the periodic work to them.
 *
 * <p>A task that throws is logged and the thread goes on: a bug in one operation must not stop a partition.
 */
public final class PartitionThreads {
    private static final Logger log = LoggerFactory.getLogger(PartitionThreads.class);
    private static final int TASKS_BETWEEN_CLOCK_READS = 64;

    private final Lane[] lanes;
    private final ScheduledExecutorService ticks;

    /** Starts {@code count} threads named after {@code memberName}. */
    public PartitionThreads(int count, String memberName) {
        lanes = new Lane[count];
        for (int i = 0; i < count; i++) {
            Worker worker = new Worker("tessera-partition-" + memberName + "-" + i);
            worker.start();
            lanes[i] = worker;
        }
        ticks = null;
    }

    /**
     * Runs the partitions on {@code executors}, each single-threaded; waits until each has run a first task (which
     * tells which thread it is).
     */
    public PartitionThreads(List<Executor> executors, String memberName) {
        lanes = new Lane[executors.size()];
        ticks = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "tessera-partition-ticks-" + memberName);
            thread.setDaemon(true);
            return thread;
        });
        for (int i = 0; i < lanes.length; i++) {
            lanes[i] = new ExecutorLane(executors.get(i), ticks);
        }
    }

    /** The number of threads. */
    public int count() {
        return lanes.length;
    }

    /** The thread index that runs {@code partition}. */
    public int threadOf(int partition) {
        return partition % lanes.length;
    }

    /** Runs {@code task} on the thread of {@code partition}. */
    public void execute(int partition, Runnable task) {
        executeOnThread(threadOf(partition), task);
    }

    /** Runs {@code task} on thread {@code index}; after {@link #shutdown} the task is dropped. */
    public void executeOnThread(int index, Runnable task) {
        lanes[index].submit(task);
    }

    /** Runs {@code task} every {@code periodMillis} on thread {@code index}, the first time after one period. */
    public void scheduleOnThread(int index, Runnable task, long periodMillis) {
        lanes[index].every(task, periodMillis);
    }

    /** Whether the calling thread is the thread of {@code partition}. */
    public boolean isThreadOf(int partition) {
        return lanes[threadOf(partition)].isCurrent();
    }

    /**
     * Stops the threads, letting queued tasks finish for up to a second. Executors given by the embedder are not shut
     * down: tasks submitted from now on are dropped, and the ones queued before get that second to run.
     */
    public void shutdown() {
        if (ticks != null) {
            ticks.shutdownNow();
        }
        for (Lane lane : lanes) {
            lane.finish();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        for (Lane lane : lanes) {
            try {
                lane.awaitFinished(Math.max(0, deadline - System.nanoTime()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** One thread's worth of partitions. */
    private interface Lane {
        void submit(Runnable task);

        /** Runs {@code task} every {@code periodMillis} on the lane, the first time after one period. */
        void every(Runnable task, long periodMillis);

        boolean isCurrent();

        void finish();

        void awaitFinished(long nanos) throws InterruptedException;
    }

    /**
     * An executor of the embedder: submission order, one thread, which its first task reveals.
     *
     * <p>A task submitted on the lane's own thread from outside a partition task (an event-loop handler that received
     * an operation for a partition of its loop) runs at once, in the caller, unless this thread queued a partition task
     * on itself that has not run yet: running it now answers the request within the same read, with its reply in the
     * same flush. Otherwise it is queued, so it never overtakes a task its own thread submitted before it (the
     * operations of one connection stay in order), and a task never runs inside another.
     */
    private static final class ExecutorLane implements Lane {
        private final Executor executor;
        private final ScheduledExecutorService ticks;
        private final Thread thread;
        private volatile boolean finishing;
        private final CountDownLatch drained = new CountDownLatch(1);
        /** Whether the lane's thread is running a partition task now; only that thread reads or writes it. */
        private boolean inTask;
        /** Partition tasks this lane's thread queued on itself that have not run yet; only that thread uses it.
         *  (Tasks of other threads may be overtaken: no order binds the calls of different threads.) */
        private int queuedBySelf;

        ExecutorLane(Executor executor, ScheduledExecutorService ticks) {
            this.executor = executor;
            this.ticks = ticks;
            CompletableFuture<Thread> first = new CompletableFuture<>();
            executor.execute(() -> first.complete(Thread.currentThread()));
            try {
                this.thread = first.get(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while starting the partition executors", e);
            } catch (ExecutionException | TimeoutException e) {
                throw new IllegalStateException("a partition executor did not run a task within 10 s: " + e, e);
            }
        }

        @Override
        public void submit(Runnable task) {
            if (finishing) {
                log.debug("partition executor {} is shut down; dropping a task", thread.getName());
                return;
            }
            Runnable queuedTask = () -> run(task);
            if (Thread.currentThread() == thread) {
                if (!inTask && queuedBySelf == 0) {
                    run(task);
                    return;
                }
                queuedBySelf++;
                queuedTask = () -> {
                    queuedBySelf--;
                    run(task);
                };
            }
            try {
                executor.execute(queuedTask);
            } catch (RejectedExecutionException e) {
                if (Thread.currentThread() == thread) {
                    queuedBySelf--;
                }
                log.debug("partition executor {} refused a task (shut down)", thread.getName());
            }
        }

        /** The member's timer posts each tick; at most one is queued, so a lane that falls behind skips ticks. */
        @Override
        public void every(Runnable task, long periodMillis) {
            AtomicBoolean queued = new AtomicBoolean();
            ticks.scheduleWithFixedDelay(() -> {
                if (queued.compareAndSet(false, true)) {
                    submit(() -> {
                        queued.set(false);
                        task.run();
                    });
                }
            }, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
        }

        private void run(Runnable task) {
            inTask = true;
            try {
                runSafely(task);
            } finally {
                inTask = false;
            }
        }

        @Override
        public boolean isCurrent() {
            return Thread.currentThread() == thread;
        }

        @Override
        public void finish() {
            try {
                executor.execute(drained::countDown);
            } catch (RejectedExecutionException e) {
                drained.countDown();
            }
            finishing = true;
        }

        @Override
        public void awaitFinished(long nanos) throws InterruptedException {
            if (!isCurrent()) {
                drained.await(nanos, TimeUnit.NANOSECONDS);
            }
        }
    }

    private static void runSafely(Runnable task) {
        try {
            task.run();
        } catch (Throwable t) {
            log.error("partition task failed", t);
        }
    }

    /** A periodic task and the next time it is due. */
    private static final class Periodic {
        final Runnable task;
        final long periodNanos;
        long dueNanos;

        Periodic(Runnable task, long periodNanos) {
            this.task = task;
            this.periodNanos = periodNanos;
            this.dueNanos = System.nanoTime() + periodNanos;
        }
    }

    /** One partition thread: its queue, its periodic tasks, and whether it is parked. */
    private static final class Worker extends Thread implements Lane {
        private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
        private final List<Periodic> periodic = new CopyOnWriteArrayList<>();
        private final AtomicBoolean parked = new AtomicBoolean();
        private volatile boolean stopping;

        Worker(String name) {
            super(name);
            setDaemon(true);
        }

        @Override
        public void submit(Runnable task) {
            if (stopping) {
                log.debug("{} is shut down; dropping a task", getName());
                return;
            }
            tasks.offer(task);
            // The worker sets parked before its last look at the queue, so either it sees this task or we see it
            // parked and wake it.
            if (parked.get() && parked.compareAndSet(true, false)) {
                LockSupport.unpark(this);
            }
        }

        @Override
        public void every(Runnable task, long periodMillis) {
            periodic.add(new Periodic(task, TimeUnit.MILLISECONDS.toNanos(periodMillis)));
            LockSupport.unpark(this);
        }

        @Override
        public boolean isCurrent() {
            return Thread.currentThread() == this;
        }

        @Override
        public void finish() {
            stopping = true;
            LockSupport.unpark(this);
        }

        @Override
        public void awaitFinished(long nanos) throws InterruptedException {
            join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanos)));
            interrupt();
        }

        @Override
        public void run() {
            int sinceClockRead = 0;
            while (true) {
                Runnable task = tasks.poll();
                if (task != null) {
                    runSafely(task);
                    if (++sinceClockRead == TASKS_BETWEEN_CLOCK_READS) {
                        sinceClockRead = 0;
                        runDuePeriodic();
                    }
                    continue;
                }
                long waitNanos = runDuePeriodic();
                if (stopping) {
                    if (tasks.isEmpty()) {
                        return;
                    }
                    continue;
                }
                parked.set(true);
                if (tasks.isEmpty()) {
                    LockSupport.parkNanos(this, waitNanos);
                }
                parked.set(false);
                if (Thread.interrupted() && stopping) {
                    return;
                }
            }
        }

        /** Runs the periodic tasks that are due; returns the nanoseconds until the next one (a second if none). */
        private long runDuePeriodic() {
            long now = System.nanoTime();
            long wait = TimeUnit.SECONDS.toNanos(1);
            for (Periodic p : periodic) {
                if (now - p.dueNanos >= 0) {
                    runSafely(p.task);
                    now = System.nanoTime();
                    p.dueNanos = now + p.periodNanos;
                }
                wait = Math.min(wait, p.dueNanos - now);
            }
            return Math.max(wait, 1);
        }
    }
}
