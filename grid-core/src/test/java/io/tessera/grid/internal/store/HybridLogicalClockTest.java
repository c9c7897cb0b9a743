package io.tessera.grid.internal.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The hybrid logical clock stamped on every write: monotonic, causal across members, close to wall time. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class HybridLogicalClockTest {
    private final AtomicLong wall = new AtomicLong(1_000_000);
    private final HybridLogicalClock clock = new HybridLogicalClock(wall::get);

    @Test
    void tick_whenWallClockAdvances_physicalPartIsWallClockAndLogicalRestartsAtZero() {
        long first = clock.tick();
        assertThat(HybridLogicalClock.physicalMillis(first)).isEqualTo(1_000_000);
        assertThat(HybridLogicalClock.logical(first)).isZero();

        wall.set(1_000_250);
        long later = clock.tick();
        assertThat(HybridLogicalClock.physicalMillis(later)).isEqualTo(1_000_250);
        assertThat(HybridLogicalClock.logical(later)).isZero();
        assertThat(later).isGreaterThan(first);
    }

    @Test
    void tick_withinOneMillisecond_isStrictlyIncreasingThroughTheLogicalCounter() {
        long previous = clock.tick();
        for (int i = 1; i <= 1_000; i++) {
            long next = clock.tick();
            assertThat(next).isGreaterThan(previous);
            assertThat(HybridLogicalClock.physicalMillis(next)).isEqualTo(1_000_000);
            assertThat(HybridLogicalClock.logical(next)).isEqualTo(i);
            previous = next;
        }
    }

    @Test
    void tick_whenWallClockGoesBackwards_neverGoesBackwards() {
        wall.set(2_000_000);
        long before = clock.tick();
        wall.set(1_500_000); // NTP stepped the clock back
        long after = clock.tick();
        assertThat(after).isGreaterThan(before);
        assertThat(HybridLogicalClock.physicalMillis(after)).isEqualTo(2_000_000);
        assertThat(HybridLogicalClock.logical(after)).isEqualTo(1);

        wall.set(2_000_001); // wall time catches up: the physical part follows it again
        long caughtUp = clock.tick();
        assertThat(HybridLogicalClock.physicalMillis(caughtUp)).isEqualTo(2_000_001);
        assertThat(HybridLogicalClock.logical(caughtUp)).isZero();
    }

    @Test
    void observe_ofRemoteStampAhead_movesNextTickPastIt() {
        HybridLogicalClock remoteClock = new HybridLogicalClock(() -> 5_000_000); // a member whose clock runs ahead
        long remote = remoteClock.tick();
        remote = remoteClock.tick(); // logical 1

        clock.observe(remote);
        long local = clock.tick();

        assertThat(local).isGreaterThan(remote);
        assertThat(HybridLogicalClock.physicalMillis(local)).isEqualTo(5_000_000);
        assertThat(HybridLogicalClock.logical(local)).isEqualTo(2);
    }

    @Test
    void observe_ofRemoteStampBehind_doesNotMoveTheClockBack() {
        wall.set(3_000_000);
        long current = clock.tick();
        long stale = new HybridLogicalClock(() -> 1_000).tick();

        clock.observe(stale);
        long next = clock.tick();

        assertThat(next).isGreaterThan(current);
        assertThat(HybridLogicalClock.physicalMillis(next)).isEqualTo(3_000_000);
    }

    @Test
    void causality_writeAfterObservingARemoteWrite_isOrderedAfterIt_evenWithSkewedClocks() {
        AtomicLong aheadWall = new AtomicLong(10_000_000);
        HybridLogicalClock ahead = new HybridLogicalClock(aheadWall::get);
        HybridLogicalClock behind = clock; // 1_000_000: nine seconds slow

        long a1 = ahead.tick();
        behind.observe(a1);
        long b1 = behind.tick();
        ahead.observe(b1);
        long a2 = ahead.tick();

        assertThat(b1).isGreaterThan(a1);
        assertThat(a2).isGreaterThan(b1);
    }

    @Test
    void tick_fromManyThreads_neverRepeatsAStamp() {
        int threads = 8;
        int perThread = 20_000;
        List<CompletableFuture<long[]>> runs = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            runs.add(CompletableFuture.supplyAsync(() -> {
                long[] stamps = new long[perThread];
                for (int i = 0; i < perThread; i++) {
                    stamps[i] = clock.tick();
                    if (i % 1000 == 0) {
                        wall.incrementAndGet();
                    }
                }
                return stamps;
            }));
        }
        Set<Long> all = new HashSet<>();
        for (CompletableFuture<long[]> run : runs) {
            long[] stamps = run.join();
            for (int i = 0; i < stamps.length; i++) {
                if (i > 0) {
                    assertThat(stamps[i]).as("per-thread monotonic").isGreaterThan(stamps[i - 1]);
                }
                all.add(stamps[i]);
            }
        }
        assertThat(all).hasSize(threads * perThread);
    }

    @Test
    void realClock_physicalPartTracksSystemTime() {
        HybridLogicalClock real = new HybridLogicalClock(System::currentTimeMillis);
        long before = System.currentTimeMillis();
        long stamp = real.tick();
        long after = System.currentTimeMillis();
        assertThat(HybridLogicalClock.physicalMillis(stamp)).isBetween(before, after);
    }
}
