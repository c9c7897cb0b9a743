package io.tessera.grid.fencing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tessera.grid.Grid;
import io.tessera.grid.GridMap;
import io.tessera.grid.testing.GridCluster;
import io.tessera.grid.testing.ReplicaProbe;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A member fenced in a minority counts the members it had at the fence to tell when it is back with the majority. If
 * those members crash and restart while it is cut off, they come back under new addresses: counted by the old ones, the
 * member would stay "in a minority" forever once healed, never act as a primary again, and hold every partition the
 * coordinator gives it (and every merge push sent to it) in retry. Found by the chaos run with seed 3248822890: node3
 * cut off, then node1 and node2 killed and restarted, and node3 fenced for good after the heal.
 *
 * <p>Four members on the {@code local} stack, one backup: D is cut off (fenced: one of four), then A (the oldest) and B
 * crash one after the other and are each replaced by a new member, so that of the four D had, only C and D itself are
 * in the healed view: exactly half, without the oldest. JGroups makes the subgroup coordinator with the lowest address
 * the coordinator of the merged view: C (then C's tables take D back) or D itself (then D must see from the others'
 * reports that the majority is back, or nobody coordinates); the test picks C and D by address to run both.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class MinorityAfterRestartsTest {
    private static final int PARTITIONS = 32;
    private static final String MAP = "restarted";

    @ParameterizedTest(name = "the cut-off member coordinates the merge: {0}")
    @ValueSource(booleans = {false, true})
    void memberCutOffWhileItsPeersRestarted_actsAsAPrimaryAgainAfterTheHeal(boolean cutOffMemberLeadsTheMerge) {
        try (GridCluster cluster = GridCluster.start(4, b -> b.partitionCount(PARTITIONS)
                .operationTimeout(Duration.ofSeconds(4)))) {
            List<Grid> all = new ArrayList<>(cluster.members());
            try {
                Grid a = all.stream().filter(g -> Faults.view(g).size() == 4
                        && Faults.node(g).cluster().view().getCoord().equals(Faults.address(g))).findFirst()
                        .orElseThrow();
                List<Grid> byAddress = all.stream().filter(g -> g != a)
                        .sorted(Comparator.comparing(Faults::address)).toList();
                Grid d = cutOffMemberLeadsTheMerge ? byAddress.get(0) : byAddress.get(2);
                Grid c = cutOffMemberLeadsTheMerge ? byAddress.get(2) : byAddress.get(0);
                Grid b = byAddress.get(1);
                Faults.discard(d).discardAll(true); // nothing in or out, not even from members that join later
                Faults.awaitPromotedWithout(List.of(a, b, c), d);
                await("D alone in its view, fenced in a minority (one of four)").atMost(Faults.DETECTION)
                        .pollInterval(Duration.ofMillis(20)).until(() -> Faults.node(d).lease().inMinority());

                Grid aRestarted = replace(cluster, all, a, List.of(b, c));
                Grid bRestarted = replace(cluster, all, b, List.of(c, aRestarted));

                Faults.heal(List.of(d));
                List<Grid> healed = List.of(c, aRestarted, bRestarted, d);
                Faults.awaitSettled(healed, Faults.MERGE);
                Grid leader = cutOffMemberLeadsTheMerge ? d : c;
                assertThat(Faults.node(d).cluster().view().getCoord()).as("the merged view's coordinator")
                        .isEqualTo(Faults.address(leader));

                String key = ReplicaProbe.keysWithPrimary(healed, d, "after-heal-", 1).get(0);
                GridMap<String, String> throughD = d.map(MAP);
                throughD.put(key, "written through D");
                assertThat(c.<String, String>map(MAP).get(key)).as("a write to a partition D leads, read on C")
                        .isEqualTo("written through D");
            } finally {
                Faults.crashAll(all);
            }
        }
    }

    /** Crashes {@code gone}, waits until {@code survivors} took over its partitions, and starts a new member. */
    private static Grid replace(GridCluster cluster, List<Grid> all, Grid gone, List<Grid> survivors) {
        Faults.crashAll(List.of(gone));
        cluster.forget(gone);
        Faults.awaitPromotedWithout(survivors, gone);
        Grid fresh = cluster.addMember();
        all.add(fresh);
        List<Grid> now = new ArrayList<>(survivors);
        now.add(fresh);
        Faults.awaitSettled(now, Faults.MERGE);
        return fresh;
    }
}
