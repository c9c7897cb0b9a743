package io.tessera.grid.fencing;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.grid.Grid;
import io.tessera.grid.GridMap;
import io.tessera.grid.testing.GridCluster;
import io.tessera.grid.testing.ReplicaProbe;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 7, finding 2: a merge resurrects deletes. docs/architecture.md ("Fencing, epochs and exactly-once",
 * tombstones): deletes leave HLC-stamped tombstones that take part in merge, so a returning member's stale copy never
 * resurrects a deleted key.
 *
 * <p>Three members on the {@code local} stack, one backup. Member {@code x} holds replicas (as primary and as backup)
 * of keys that the survivors delete, with acknowledgement, while {@code x} is cut off; then the cut heals, JGroups
 * delivers a {@code MergeView}, the table settles, and every deleted key must still be absent.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MergeTombstoneTest {
    private static final int PARTITIONS = 32;
    private static final String MAP = "tombstones";

    @Test
    void keysDeletedWhileAMemberWasSplitOff_stayDeletedAfterTheMerge() {
        deletedKeysStayDeleted("split", (x, survivors) -> Faults.isolate(x, survivors));
    }

    @Test
    void keysDeletedWhileAMemberWasExcludedButStillHearing_stayDeletedAfterItComesBack() {
        // No real split: only the survivors stop hearing x (as with a paused member); x keeps its view.
        deletedKeysStayDeleted("one-way", (x, survivors) ->
                survivors.forEach(s -> Faults.discard(s).addIgnoredMembers(Faults.address(x))));
    }

    private interface Cut {
        void apply(Grid x, List<Grid> survivors);
    }

    private static void deletedKeysStayDeleted(String prefix, Cut cut) {
        try (GridCluster cluster = GridCluster.start(3, b -> b.partitionCount(PARTITIONS)
                .operationTimeout(Duration.ofSeconds(5)))) {
            List<Grid> members = cluster.members();
            try {
                Grid x = members.get(1);
                List<Grid> survivors = Faults.others(members, x);
                GridMap<String, String> map = survivors.get(0).map(MAP);
                List<String> keys = new ArrayList<>();
                keys.addAll(ReplicaProbe.keysOwnedBy(members, x, 0, prefix + "-led-", 10));
                keys.addAll(ReplicaProbe.keysOwnedBy(members, x, 1, prefix + "-backed-", 10));
                keys.forEach(k -> map.put(k, "before-the-cut"));

                cut.apply(x, survivors);
                Faults.awaitPromotedWithout(survivors, x);
                for (String k : keys) {
                    assertThat(map.remove(k)).as("acknowledged remove of %s", k).isEqualTo("before-the-cut");
                }

                Faults.heal(members);
                Faults.awaitSettled(members, Faults.MERGE);

                Map<String, String> resurrected = new LinkedHashMap<>();
                for (String k : keys) {
                    String v = map.get(k);
                    if (v != null) {
                        resurrected.put(k, v);
                    }
                }
                assertThat(resurrected)
                        .as("keys deleted (acknowledged) while %s was cut off, read after the merge settled",
                                Faults.name(x))
                        .isEmpty();
            } finally {
                Faults.crashAll(members);
            }
        }
    }
}
