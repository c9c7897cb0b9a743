package io.tessera.grid.internal.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Timeouts on the member's own scheduler: they expire what is not answered, and leave nothing behind what is. */
class TimeoutsTest {
    private final ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1);

    {
        scheduler.setRemoveOnCancelPolicy(true);
    }

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    @Test
    void anUnansweredFuture_failsWithATimeout_orCompletesWithTheFallback() {
        CompletableFuture<String> failing = Timeouts.failAfter(new CompletableFuture<>(), 20, scheduler);
        assertThatThrownBy(() -> failing.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(TimeoutException.class).hasMessageContaining("no answer within 20 ms");
        CompletableFuture<String> falling = Timeouts.completeAfter(new CompletableFuture<>(), "none", 20, scheduler);
        assertThat(falling.orTimeout(5, TimeUnit.SECONDS).join()).isEqualTo("none");
    }

    @Test
    void anAnsweredFuture_keepsItsAnswer_andItsExpiryLeavesTheQueue() {
        CompletableFuture<String> answered = Timeouts.failAfter(new CompletableFuture<>(), 60_000, scheduler);
        assertThat(scheduler.getQueue()).hasSize(1);
        answered.complete("yes");
        assertThat(answered.join()).isEqualTo("yes");
        assertThat(scheduler.getQueue()).isEmpty();
        assertThat(Timeouts.failAfter(CompletableFuture.completedFuture("done"), 10, scheduler).join())
                .isEqualTo("done");
        assertThat(scheduler.getQueue()).isEmpty();
    }

    @Test
    void aTimeoutAskedOfAStoppedScheduler_expiresAtOnce() {
        scheduler.shutdownNow();
        assertThat(Timeouts.failAfter(new CompletableFuture<>(), 60_000, scheduler))
                .isCompletedExceptionally();
        assertThat(Timeouts.completeAfter(new CompletableFuture<String>(), "none", 60_000, scheduler).join())
                .isEqualTo("none");
    }
}
