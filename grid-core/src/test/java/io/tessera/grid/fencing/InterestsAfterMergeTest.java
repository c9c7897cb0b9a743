package io.tessera.grid.fencing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tessera.grid.EntryEvent;
import io.tessera.grid.EntryListener;
import io.tessera.grid.Grid;
import io.tessera.grid.GridMap;
import io.tessera.grid.MapConfig;
import io.tessera.grid.NearCacheConfig;
import io.tessera.grid.testing.GridCluster;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.jgroups.Address;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 7, finding 8: near caches and listeners of a member that was excluded and merged back stay stale for good.
 * {@link NearCacheConfig}: once a write returned on any member, a read on any member returns that value or a newer one;
 * the README's guarantees: listeners fire on the member that registered them. Neither may stop working because the
 * member was away for a while.
 *
 * <p>Three members on the {@code local} stack, one backup; member {@code x} has a near cache and a listener and reads
 * a key it holds no replica of (so nothing of that key is merged). {@code x} is cut off either both ways (it forms a
 * view of its own) or one way (the survivors stop hearing it; it keeps its old view, as after a pause), then the cut
 * heals and the table settles over the three again.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class InterestsAfterMergeTest {
    private static final String MAP = "interests";
    private static final MapConfig NEAR = MapConfig.builder().nearCache(NearCacheConfig.ofMaxSize(1_000)).build();
    private static final Duration PROPAGATION = Duration.ofSeconds(10);

    private interface Cut {
        void apply(Grid x, List<Grid> survivors);
    }

    private static final Cut BOTH_WAYS = (x, survivors) -> Faults.isolate(x, survivors);
    private static final Cut ONE_WAY = (x, survivors) ->
            survivors.forEach(s -> Faults.discard(s).addIgnoredMembers(Faults.address(x)));

    /** A key of which {@code x} holds no replica. */
    private static String keyNotHeldBy(Grid x, String prefix) {
        Address xa = Faults.address(x);
        for (int i = 0; ; i++) {
            String key = prefix + i;
            if (Faults.table(x).ownerIndex(Faults.partitionOf(x, key), xa) < 0) {
                return key;
            }
        }
    }

    private static GridCluster start() {
        return GridCluster.start(3, b -> b.partitionCount(32).operationTimeout(Duration.ofSeconds(5)));
    }

    @Test
    void nearCacheOfAMemberSplitOffAndMergedBack_servesTheValueWrittenWhileItWasAway() {
        try (GridCluster cluster = start()) {
            List<Grid> members = cluster.members();
            try {
                Grid x = members.get(1);
                List<Grid> survivors = Faults.others(members, x);
                String key = keyNotHeldBy(x, "near-");
                GridMap<String, String> onX = x.map(MAP, NEAR);
                GridMap<String, String> onSurvivor = survivors.get(0).map(MAP, NEAR);
                onSurvivor.put(key, "before");
                assertThat(onX.get(key)).isEqualTo("before"); // now in x's near cache

                BOTH_WAYS.apply(x, survivors);
                Faults.awaitPromotedWithout(survivors, x);
                onSurvivor.put(key, "written-while-x-was-away");
                Faults.heal(members);
                Faults.awaitSettled(members, Faults.MERGE);

                await("the near cache of " + Faults.name(x) + " serves the value written while it was away, after the "
                        + "merge settled").atMost(PROPAGATION)
                        .untilAsserted(() -> assertThat(onX.get(key)).isEqualTo("written-while-x-was-away"));
            } finally {
                Faults.crashAll(members);
            }
        }
    }

    @Test
    void nearCacheOfAMemberExcludedAndMergedBack_isInvalidatedByWritesAfterTheMerge() {
        try (GridCluster cluster = start()) {
            List<Grid> members = cluster.members();
            try {
                Grid x = members.get(1);
                List<Grid> survivors = Faults.others(members, x);
                String key = keyNotHeldBy(x, "near-");
                GridMap<String, String> onX = x.map(MAP, NEAR);
                GridMap<String, String> onSurvivor = survivors.get(0).map(MAP, NEAR);
                onSurvivor.put(key, "before");

                ONE_WAY.apply(x, survivors);
                Faults.awaitPromotedWithout(survivors, x);
                Faults.heal(members);
                Faults.awaitSettled(members, Faults.MERGE);

                assertThat(onX.get(key)).isEqualTo("before"); // cached after the merge
                onSurvivor.put(key, "written-after-the-merge");
                assertThat(onX.get(key))
                        .as("a read through %s (near cache) right after a write on another member returned, once %s "
                                + "had merged back", Faults.name(x), Faults.name(x))
                        .isEqualTo("written-after-the-merge");
            } finally {
                Faults.crashAll(members);
            }
        }
    }

    /**
     * A guard (this case already worked before the merge re-announced interests to every member): after a two-way
     * split each side sees the other as new members in the MergeView and re-announces its interests both ways. The
     * member that never left its old view (the one-way cut below, a pause) is the case the fix is for.
     */
    @Test
    void listenerOfAMemberSplitOffAndMergedBack_receivesEventsOfWritesAfterTheMerge() {
        listenerReceivesEventsAfterTheMerge(BOTH_WAYS, "split");
    }

    @Test
    void listenerOfAMemberExcludedAndMergedBack_receivesEventsOfWritesAfterTheMerge() {
        listenerReceivesEventsAfterTheMerge(ONE_WAY, "one-way");
    }

    private static void listenerReceivesEventsAfterTheMerge(Cut cut, String prefix) {
        try (GridCluster cluster = start()) {
            List<Grid> members = cluster.members();
            try {
                Grid x = members.get(1);
                List<Grid> survivors = Faults.others(members, x);
                String key = keyNotHeldBy(x, prefix + "-listened-");
                List<String> seen = new CopyOnWriteArrayList<>();
                x.<String, String>map(MAP).addListener(new EntryListener<>() {
                    @Override
                    public void entryAdded(EntryEvent<String, String> event) {
                        seen.add(event.key() + "=" + event.value());
                    }

                    @Override
                    public void entryUpdated(EntryEvent<String, String> event) {
                        seen.add(event.key() + "=" + event.value());
                    }
                });
                GridMap<String, String> onSurvivor = survivors.get(0).map(MAP);
                onSurvivor.put(key, "before");
                await().atMost(PROPAGATION).until(() -> seen.contains(key + "=before"));

                cut.apply(x, survivors);
                Faults.awaitPromotedWithout(survivors, x);
                Faults.heal(members);
                Faults.awaitSettled(members, Faults.MERGE);

                onSurvivor.put(key, "after-the-merge");
                await("the listener on " + Faults.name(x) + " hears of a write made after the merge settled (saw "
                        + seen + ")").atMost(PROPAGATION)
                        .until(() -> seen.contains(key + "=after-the-merge"));
            } finally {
                Faults.crashAll(members);
            }
        }
    }
}
