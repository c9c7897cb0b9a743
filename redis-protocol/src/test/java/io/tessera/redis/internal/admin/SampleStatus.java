package io.tessera.redis.internal.admin;

import io.tessera.grid.GridStatus;
import io.tessera.grid.GridStatus.MapStatus;
import io.tessera.grid.GridStatus.MemberStatus;
import io.tessera.grid.GridStatus.MembershipEvent;
import io.tessera.grid.GridStatus.MembershipEventKind;
import io.tessera.grid.GridStatus.MigrationStatus;
import io.tessera.grid.GridStatus.PartitionState;
import io.tessera.grid.GridStatus.PartitionStatus;
import io.tessera.grid.Member;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link GridStatus} with every field filled, as grid-core will report it: four members (one with no report yet and
 * a name that needs escaping), 256 partitions of which some sync, migrate or are lost, migrations with and without a
 * known size, maps and membership events.
 */
final class SampleStatus {
    static final Instant NOW = Instant.parse("2026-12-07T17:30:00Z");
    static final String ODD_NAME = "edge \"4\" <b>\\</b>\u2028";
    static final Member A = new Member("id-a", "alpha", true);
    static final Member B = new Member("id-b", "bravo", false);
    static final Member C = new Member("id-c", "charlie", false);
    static final Member D = new Member("id-d", ODD_NAME, false);
    static final int SYNCING = 5;
    static final int MIGRATING = 3;
    static final int LOST = 2;

    private SampleStatus() {
    }

    static GridStatus status() {
        List<MemberStatus> members = List.of(
                new MemberStatus(A, "10.0.0.1:7800", NOW.minus(Duration.ofHours(26)), 310L << 20, 1L << 30, 120_431,
                        1520.5, NOW),
                new MemberStatus(B, "10.0.0.2:7800", NOW.minus(Duration.ofMinutes(42)), 205L << 20, 1L << 30, 118_002,
                        1310, NOW),
                new MemberStatus(C, "10.0.0.3:7800", NOW.minusSeconds(75), 96L << 20, 1L << 30, 31_337, 410, NOW),
                new MemberStatus(D, null, null, -1, -1, -1, -1, null));
        Member[] owners = {A, B, C, D};
        List<PartitionStatus> partitions = new ArrayList<>();
        for (int p = 0; p < 256; p++) {
            Member primary = owners[p * 4 / 256];
            Member backup = owners[(p * 4 / 256 + 1) % 4];
            PartitionState state = PartitionState.STABLE;
            if (p >= 250 && p < 250 + LOST) {
                partitions.add(new PartitionStatus(p, null, List.of(), PartitionState.LOST));
                continue;
            }
            if (p >= 200 && p < 200 + SYNCING) {
                state = PartitionState.SYNCING;
            } else if (p >= 220 && p < 220 + MIGRATING) {
                state = PartitionState.MIGRATING;
            }
            partitions.add(new PartitionStatus(p, primary, List.of(backup), state));
        }
        List<MigrationStatus> migrations = List.of(
                new MigrationStatus(220, D, A, 3L << 20, 6L << 20, NOW.minusSeconds(2)),
                new MigrationStatus(221, D, B, 700_000, -1, NOW.minusSeconds(1)));
        List<MapStatus> maps = List.of(
                new MapStatus("sessions", 2_210, 9L << 20, 18),
                new MapStatus("redis-db-10", 0, 0, 0),
                new MapStatus("redis-db-0", 120_431, 48L << 20, 1502.25));
        List<MembershipEvent> events = List.of(
                new MembershipEvent(NOW.minus(Duration.ofMinutes(42)), MembershipEventKind.JOINED, List.of(B), 2),
                new MembershipEvent(NOW.minusSeconds(300), MembershipEventKind.JOINED, List.of(C, D), 4),
                new MembershipEvent(NOW.minusSeconds(80), MembershipEventKind.CRASHED, List.of(C), 3),
                new MembershipEvent(NOW.minusSeconds(75), MembershipEventKind.JOINED, List.of(C), 4));
        return new GridStatus("shop", A, 42, false, members, partitions, migrations, maps, events);
    }

    static StatusJson.ServerFigures server() {
        return new StatusJson.ServerFigures("0.1.0-test", "10.0.0.1:6379", 37, 4120, NOW.minusSeconds(93_600),
                312L << 20, 1L << 30);
    }
}
