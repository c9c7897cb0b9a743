package io.tessera.grid.internal.cluster;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@link CompletableFuture#orTimeout} and {@link CompletableFuture#completeOnTimeout} on a scheduler the member owns.
 * The JDK's run on one JVM-wide thread ({@code CompletableFutureDelayScheduler}) that starts with the first timeout
 * and never stops; started from a web application, it keeps that application's class loader as its context class
 * loader after the application is undeployed (Tomcat reports it as a leak). The member's scheduler stops when the
 * member closes.
 *
 * <p>As with the JDK's, whatever depends on a future that times out runs on the scheduler's thread. A timeout asked
 * for after the scheduler stopped (the member is closing) completes the future at once as if it had expired.
 */
public final class Timeouts {
    private Timeouts() {
    }

    /**
     * Completes {@code future} with a {@link TimeoutException} unless it completes within {@code millis}.
     *
     * @return {@code future}
     */
    public static <T> CompletableFuture<T> failAfter(CompletableFuture<T> future, long millis,
                                                     ScheduledExecutorService scheduler) {
        return schedule(future, millis, scheduler, () -> future.completeExceptionally(
                new TimeoutException("no answer within " + millis + " ms")));
    }

    /**
     * Completes {@code future} with {@code value} unless it completes within {@code millis}.
     *
     * @return {@code future}
     */
    public static <T> CompletableFuture<T> completeAfter(CompletableFuture<T> future, T value, long millis,
                                                         ScheduledExecutorService scheduler) {
        return schedule(future, millis, scheduler, () -> future.complete(value));
    }

    private static <T> CompletableFuture<T> schedule(CompletableFuture<T> future, long millis,
                                                     ScheduledExecutorService scheduler, Runnable expire) {
        if (future.isDone()) {
            return future;
        }
        ScheduledFuture<?> expiry;
        try {
            expiry = scheduler.schedule(expire, millis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closing) {
            expire.run();
            return future;
        }
        future.whenComplete((value, failure) -> expiry.cancel(false));
        return future;
    }
}
