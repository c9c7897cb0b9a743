package io.tessera.grid.fencing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.tessera.grid.Grid;
import io.tessera.grid.GridMap;
import io.tessera.grid.internal.wire.MessageType;
import io.tessera.grid.testing.GridCluster;
import io.tessera.grid.testing.ReplicaProbe;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The backup stream's meters on the primary while its backup holds the acknowledgements back (the backup's incoming
 * replication messages are held): messages in flight and the age of the oldest, and both back to zero once the
 * backup applied them.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class BackupLagMetersTest {
    private static double gauge(Grid member, String name) {
        MeterRegistry registry = member.meterRegistry();
        return registry.get(name).gauge().value();
    }

    private static double lagMillis(Grid member) {
        return member.meterRegistry().get("tessera.backup.lag").timeGauge().value(TimeUnit.MILLISECONDS);
    }

    @Test
    void heldAcknowledgements_showAsBackupsInFlightAndLag_untilTheBackupApplies() {
        try (GridCluster cluster = GridCluster.start(2)) {
            List<Grid> members = cluster.members();
            Grid primary = members.get(0);
            Grid backup = members.get(1);
            List<String> keys = ReplicaProbe.keysWithPrimary(members, primary, "lag-", 20);
            String first = keys.get(0);
            String second = keys.stream().filter(k -> Faults.partitionOf(primary, k) != Faults.partitionOf(primary,
                    first)).findFirst().orElseThrow();
            GridMap<String, String> map = primary.map("lagging");
            map.set(first, "before");
            assertThat(gauge(primary, "tessera.backup.inflight")).isZero();
            assertThat(lagMillis(primary)).isZero();

            MessageGate gate = MessageGate.on(backup).holdIncoming(
                    r -> r.type() == MessageType.BACKUP || r.type() == MessageType.BACKUP_BATCH, r -> false);
            CompletableFuture<Void> one;
            CompletableFuture<Void> two;
            try {
                one = map.setAsync(first, "held", Duration.ZERO);
                two = map.setAsync(second, "held too", Duration.ZERO);
                await("writes waiting for their backup").atMost(Duration.ofSeconds(10))
                        .until(() -> gate.heldCount() >= 1 && gauge(primary, "tessera.backup.inflight") == 2);
                await("lag grows").atMost(Duration.ofSeconds(10)).until(() -> lagMillis(primary) >= 50);
                assertThat(gauge(primary, "tessera.backup.inflight.max")).as("one message per partition").isEqualTo(1);
                assertThat(one).isNotDone();
            } finally {
                gate.open();
            }
            CompletableFuture.allOf(one, two).join();
            await("acknowledged").atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                assertThat(gauge(primary, "tessera.backup.inflight")).isZero();
                assertThat(lagMillis(primary)).isZero();
            });
        }
    }
}
