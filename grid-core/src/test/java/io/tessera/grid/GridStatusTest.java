package io.tessera.grid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tessera.grid.GridStatus.MembershipEvent;
import io.tessera.grid.GridStatus.MembershipEventKind;
import io.tessera.grid.GridStatus.MemberStatus;
import io.tessera.grid.GridStatus.PartitionState;
import io.tessera.grid.internal.GridNode;
import io.tessera.grid.testing.GridCluster;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link Grid#status()} on in-JVM clusters: the other members' reported figures, maps, partitions, readiness, and the
 * membership events a join, a crash and a graceful leave leave in every survivor's window.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class GridStatusTest {
    private static final Duration GENEROUS = Duration.ofSeconds(30);

    /** Stops {@code grid} as a crash would: no hand-off, no graceful leave (its channel just goes away). */
    static void crash(Grid grid) throws ReflectiveOperationException {
        Method stop = GridNode.class.getDeclaredMethod("shutdownNow");
        stop.setAccessible(true);
        stop.invoke(grid);
    }

    private static List<MembershipEvent> events(Grid grid, MembershipEventKind kind) {
        return grid.status().events().stream().filter(e -> e.kind() == kind).toList();
    }

    @Test
    void otherMembersFigures_arePopulatedWithinSeconds() {
        try (GridCluster cluster = GridCluster.start(3)) {
            Grid a = cluster.member(0);
            GridMap<String, String> map = a.map("figures");
            for (int i = 0; i < 300; i++) {
                map.set("k" + i, "v");
            }
            await("every member's figures on " + a.localMember().name()).atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
                        List<MemberStatus> members = a.status().members();
                        assertThat(members).hasSize(3);
                        for (MemberStatus m : members) {
                            assertThat(m.reportedAt()).as("%s reported", m.member().name()).isNotNull();
                            assertThat(m.startedAt()).isNotNull();
                            assertThat(m.heapMaxBytes()).isPositive();
                            assertThat(m.heapUsedBytes()).isPositive();
                            assertThat(m.opsPerSecond()).isNotNegative();
                        }
                        assertThat(members.stream().mapToLong(MemberStatus::entries).sum())
                                .as("primary entries over the members").isEqualTo(300);
                    });
            GridStatus status = a.status();
            assertThat(status.members().get(0).member().isLocal()).as("the coordinator comes first").isTrue();
            assertThat(status.ready()).isTrue();
            assertThat(status.tableVersion()).isEqualTo(((GridNode) a).table().version());
            assertThat(status.partitions()).hasSize(256)
                    .allMatch(p -> p.state() == PartitionState.STABLE && p.primary() != null && p.backups().size() == 1);
            assertThat(status.migrations()).isEmpty();
            assertThat(status.maps()).singleElement().satisfies(m -> {
                assertThat(m.name()).isEqualTo("figures");
                assertThat(m.entries()).isBetween(1L, 299L);
                assertThat(m.memoryBytes()).isPositive();
            });
            assertThat(status.events()).first().satisfies(e -> {
                assertThat(e.kind()).isEqualTo(MembershipEventKind.JOINED);
                assertThat(e.members()).containsExactly(a.localMember());
            });
        }
    }

    @Test
    void operationsPerSecond_showOnTheMembersThatServedThem() {
        try (GridCluster cluster = GridCluster.start(2)) {
            Grid a = cluster.member(0);
            GridMap<String, String> map = a.map("busy");
            await("ops/s reported").atMost(GENEROUS).pollInterval(Duration.ofMillis(10)).until(() -> {
                for (int i = 0; i < 50; i++) {
                    map.set("k" + i, "v");
                }
                GridStatus status = cluster.member(1).status();
                return status.members().stream().allMatch(m -> m.opsPerSecond() > 0)
                        && status.maps().stream().anyMatch(m -> m.name().equals("busy") && m.opsPerSecond() > 0);
            });
        }
    }

    @Test
    void joinCrashAndLeave_showInTheSurvivorsEvents() throws Exception {
        try (GridCluster cluster = GridCluster.start(3)) {
            cluster.member(0).map("events").set("k", "v");
            Grid joiner = cluster.addMember();
            cluster.awaitSettled();
            for (Grid g : List.of(cluster.member(0), cluster.member(1), cluster.member(2))) {
                assertThat(events(g, MembershipEventKind.JOINED)).as("joins %s saw", g.localMember().name())
                        .anyMatch(e -> e.members().contains(joiner.localMember())
                                && e.viewSize() == 4);
            }

            Grid crashing = cluster.member(1);
            Member crashed = crashing.localMember();
            cluster.forget(crashing);
            crash(crashing);
            cluster.awaitSettled();
            // A settled table on the coordinator does not mean every survivor has been delivered the view yet.
            await("the crash seen").atMost(GENEROUS).untilAsserted(() -> {
                for (Grid g : cluster.members()) {
                    assertThat(events(g, MembershipEventKind.CRASHED)).as("crashes %s saw", g.localMember().name())
                            .singleElement().satisfies(e -> assertThat(e.members()).containsExactly(crashed));
                    assertThat(events(g, MembershipEventKind.LEFT)).isEmpty();
                }
            });

            Grid leaving = cluster.member(2);
            Member left = leaving.localMember();
            assertThat(leaving.status().ready()).isTrue();
            cluster.closeMember(2);
            assertThat(leaving.status().ready()).as("a closed member is not ready").isFalse();
            await("the leave seen").atMost(GENEROUS).untilAsserted(() -> {
                for (Grid g : cluster.members()) {
                    assertThat(events(g, MembershipEventKind.LEFT)).as("leaves %s saw", g.localMember().name())
                            .singleElement().satisfies(e -> {
                                assertThat(e.members()).containsExactly(left);
                                assertThat(e.viewSize()).isEqualTo(2);
                            });
                    assertThat(events(g, MembershipEventKind.CRASHED)).hasSize(1);
                }
            });
            cluster.awaitSettled();
            assertThat(cluster.members()).allMatch(g -> g.status().ready());
        }
    }
}
