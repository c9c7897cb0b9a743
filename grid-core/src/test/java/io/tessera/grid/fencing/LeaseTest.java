package io.tessera.grid.fencing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tessera.grid.Grid;
import io.tessera.grid.GridMap;
import io.tessera.grid.internal.GridNode;
import io.tessera.grid.internal.cluster.MembershipLease;
import io.tessera.grid.testing.GridCluster;
import io.tessera.grid.testing.ManualClock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A member's lease on acting as a primary (docs/architecture.md, "Fencing, epochs and exactly-once"), driven by a clock
 * the test moves instead of by real pauses: a member whose clock jumps past its lease has, as far as it can tell, been
 * paused; it serves nothing as a primary until every other member answered it again, and then takes up its partitions
 * as before (nobody excluded it: the view did not change).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LeaseTest {

    @Test
    void leaseLength_followsTheStacksFailureDetection() {
        try (GridCluster cluster = GridCluster.start(2)) {
            MembershipLease lease = ((GridNode) cluster.member(0)).lease();
            // local stack: FD_ALL3 timeout 3 s, interval 0.5 s, VERIFY_SUSPECT2 0.5 s: (3 - 0.5 + 0.5) * 0.8
            assertThat(lease.leaseMillis()).isEqualTo(2_400);
            assertThat(lease.holds()).isTrue();
        }
    }

    @Test
    void memberWhoseClockJumpsPastItsLease_servesNothingAsPrimary_untilTheOthersAnsweredAgain() {
        ManualClock clock = new ManualClock();
        try (GridCluster cluster = GridCluster.start(2)) {
            Grid paused = cluster.addMember(b -> b.clock(clock));
            cluster.awaitSettled();
            GridNode node = (GridNode) paused;
            List<Integer> servedBefore = node.servedPrimaries().join();
            assertThat(servedBefore).as("partitions the member leads").isNotEmpty();
            GridMap<String, String> map = cluster.member(0).map("lease");
            map.put("k", "v");

            pause(node, clock);

            assertThat(node.lease().holds()).isFalse();
            assertThat(node.servedPrimaries().join()).as("served right after the jump").isEmpty();
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                assertThat(node.lease().holds()).isTrue();
                assertThat(node.servedPrimaries().join()).isEqualTo(servedBefore);
            });
            assertThat(node.lease().isolated()).isFalse();
            assertThat(map.get("k")).isEqualTo("v");
        }
    }

    /** Moves the member's own clock past its lease, as a SIGSTOP or a long GC pause would. */
    private static void pause(GridNode node, ManualClock clock) {
        clock.advanceMonotonic(Duration.ofMillis(node.lease().leaseMillis() * 2));
    }
}
