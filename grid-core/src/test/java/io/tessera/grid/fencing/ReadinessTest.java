package io.tessera.grid.fencing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tessera.grid.Grid;
import io.tessera.grid.GridMap;
import io.tessera.grid.GridStatus;
import io.tessera.grid.GridStatus.PartitionState;
import io.tessera.grid.internal.wire.MessageType;
import io.tessera.grid.testing.GridCluster;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link GridStatus#ready()} while a joining member is still waiting for its replicas: the primaries are kept from
 * copying (their {@code SYNC_REPLICA} requests are held), so the table with the joiner as a syncing replica stays in
 * force for as long as the test looks at it.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ReadinessTest {
    private static final Duration GENEROUS = Duration.ofSeconds(30);

    @Test
    void joiningMember_isNotReadyUntilItHoldsItsReplicas_andTheMovingPartitionsShow() {
        try (GridCluster cluster = GridCluster.start(2)) {
            GridMap<String, String> map = cluster.member(0).map("ready");
            for (int i = 0; i < 200; i++) {
                map.set("k" + i, "v");
            }
            assertThat(cluster.members()).allMatch(g -> g.status().ready());
            List<MessageGate> gates = cluster.members().stream()
                    .map(g -> MessageGate.on(g).holdIncoming(r -> r.type() == MessageType.SYNC_REPLICA, r -> false))
                    .toList();
            try {
                Grid joiner = cluster.addMember();
                await("copies held").atMost(GENEROUS)
                        .until(() -> gates.stream().mapToInt(MessageGate::heldCount).sum() > 0);
                assertThat(Faults.table(joiner).hasSyncing()).as("the joiner waits for its replicas").isTrue();
                assertThat(joiner.status().ready()).as("the joiner is ready while its replicas are held").isFalse();
                assertThat(cluster.member(0).status().ready()).as("the coordinator, mid-round").isFalse();
                await("moving partitions in the joiner's status").atMost(GENEROUS).untilAsserted(() -> {
                    List<PartitionState> states = joiner.status().partitions().stream()
                            .map(GridStatus.PartitionStatus::state).toList();
                    assertThat(states).contains(PartitionState.SYNCING, PartitionState.MIGRATING)
                            .doesNotContain(PartitionState.LOST);
                });
                Grid coordinator = cluster.member(0);
                assertThat(coordinator.meterRegistry().get("tessera.rebalance.partitions").gauge().value())
                        .as("partitions the held round copies").isEqualTo(170);

                // Let the copies start, but hold the snapshots at the joiner: they are running, with their sizes.
                MessageGate atJoiner = MessageGate.on(joiner)
                        .holdIncoming(r -> r.type() == MessageType.SNAPSHOT, r -> false);
                gates.forEach(MessageGate::open);
                await("copies running in the joiner's status").atMost(GENEROUS).untilAsserted(() ->
                        assertThat(joiner.status().migrations()).isNotEmpty().allSatisfy(m -> {
                            assertThat(m.target()).isEqualTo(joiner.localMember());
                            assertThat(m.totalBytes()).isPositive();
                            assertThat(m.copiedBytes()).isPositive().isLessThanOrEqualTo(m.totalBytes());
                            assertThat(m.startedAt()).isNotNull();
                        }));
                assertThat(joiner.status().ready()).isFalse();
                atJoiner.open();
            } finally {
                gates.forEach(MessageGate::open);
            }
            cluster.awaitSettled();
            await("everyone ready").atMost(GENEROUS).until(() -> cluster.members().stream()
                    .allMatch(g -> g.status().ready()));
            assertThat(cluster.member(2).status().partitions())
                    .allMatch(p -> p.state() == PartitionState.STABLE);
        }
    }
}
