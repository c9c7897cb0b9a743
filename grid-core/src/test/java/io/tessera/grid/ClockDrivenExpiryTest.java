package io.tessera.grid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tessera.grid.internal.GridNode;
import io.tessera.grid.internal.store.RecordStore;
import io.tessera.grid.testing.GridCluster;
import io.tessera.grid.testing.ManualClock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Time-driven behaviour under a clock the test moves ({@link GridBuilder#clock}): an hour-long time to live ends, and
 * a deletion is forgotten after the tombstone retention, without the test waiting for either.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClockDrivenExpiryTest {

    @Test
    void anHourLongTtl_endsWhenTheClockSaysSo() {
        ManualClock clock = new ManualClock();
        try (GridCluster cluster = GridCluster.start(2, b -> b.clock(clock))) {
            GridMap<String, String> map = cluster.member(0).map("clocked");
            map.put("session", "s", Duration.ofHours(1));
            map.put("forever", "f");
            assertThat(map.ttl("session")).hasValueSatisfying(ttl -> assertThat(ttl).isGreaterThan(
                    Duration.ofMinutes(59)));

            clock.advanceWall(Duration.ofMinutes(61));

            assertThat(map.get("session")).isNull();
            assertThat(map.get("forever")).isEqualTo("f");
            assertThat(cluster.member(1).<String, String>map("clocked").containsKey("session")).isFalse();
        }
    }

    @Test
    void aDeletionIsRemembered_forTheTombstoneRetention_andForgottenAfter() {
        ManualClock clock = new ManualClock();
        try (GridCluster cluster = GridCluster.start(2, b -> b.clock(clock)
                .tombstoneRetention(Duration.ofMinutes(10)))) {
            Grid member = cluster.member(0);
            GridMap<String, String> map = member.map("tombstones");
            map.put("k", "v");
            map.remove("k");
            int p = member.partitionOf("k").id();
            assertThat(tombstones(cluster, p)).as("the primary's and the backup's tombstones").isEqualTo(2);

            clock.advanceWall(Duration.ofMinutes(9));
            assertThat(tombstones(cluster, p)).as("within the retention").isEqualTo(2);

            clock.advanceWall(Duration.ofMinutes(2));
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(tombstones(cluster, p)).as("after the retention").isZero());
        }
    }

    /** How many tombstones of map "tombstones" the members hold in partition {@code p}. */
    private static int tombstones(GridCluster cluster, int p) {
        int count = 0;
        for (Grid g : cluster.members()) {
            CompletableFuture<Integer> held = new CompletableFuture<>();
            ((GridNode) g).replicas().execute(p, replica -> {
                RecordStore store = replica.existingStore("tombstones");
                held.complete(store == null ? 0 : store.tombstoneCount());
            });
            count += held.join();
        }
        return count;
    }
}
