package io.tessera.grid;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tessera.grid.internal.partition.PartitionTable;
import io.tessera.grid.testing.ContractTestSupport;
import io.tessera.grid.testing.GridCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.assertj.core.api.SoftAssertions;
import org.jgroups.Address;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A member that joins must learn which members hold near caches and listeners of each map before it serves as a
 * primary: otherwise its writes neither invalidate the others' near caches (stale reads for ever) nor reach their
 * listeners. Found by {@link RebalanceUnderLoadTest}'s near-cached read-backs; this is the focused reproduction.
 *
 * <p>Each round: a near cache and a listener exist on the first member; a member joins; once the table settled, for
 * keys led by the joiner the first member caches the value, the joiner writes, and the first member must read the new
 * value and receive the update event.
 */
@Timeout(value = 60, unit = SECONDS)
class InterestsAfterJoinTest {
    private static final MapConfig NEAR = MapConfig.builder().nearCache(NearCacheConfig.defaults()).build();

    @Test
    void joinerInvalidatesExistingNearCaches_andNotifiesExistingListeners() {
        try (GridCluster cluster = GridCluster.start(2)) {
            Grid first = cluster.member(0);
            GridMap<String, Integer> cached = first.map("interests", NEAR);
            List<String> updates = new CopyOnWriteArrayList<>();
            first.<String, Integer>map("interests", NEAR).addListener(new EntryListener<>() {
                @Override
                public void entryUpdated(EntryEvent<String, Integer> event) {
                    updates.add(event.key() + "=" + event.value());
                }
            });
            SoftAssertions soft = new SoftAssertions();
            for (int round = 1; round <= 4; round++) {
                Grid joiner = cluster.addMember();
                cluster.awaitSettled();
                GridMap<String, Integer> viaJoiner = joiner.map("interests", NEAR);
                Address joinerAddress = ContractTestSupport.address(joiner);
                PartitionTable table = ContractTestSupport.table(first);
                List<String> keys = new ArrayList<>();
                for (int i = 0; keys.size() < 5; i++) {
                    String key = "r" + round + "-k" + i;
                    if (joinerAddress.equals(table.primary(ContractTestSupport.partitionOf(key, 256)))) {
                        keys.add(key);
                    }
                }
                for (String key : keys) {
                    viaJoiner.put(key, 1);
                    assertThat(cached.get(key)).isEqualTo(1); // now near-cached on the first member
                    viaJoiner.put(key, 2);
                    soft.assertThat(cached.get(key)).as("round %d: %s on %s after %s (its primary) wrote 2", round,
                            key, first.localMember().name(), joiner.localMember().name()).isEqualTo(2);
                }
                int round0 = round;
                List<String> expected = keys.stream().map(k -> k + "=2").toList();
                try {
                    await().atMost(Duration.ofSeconds(3)).until(() -> updates.containsAll(expected));
                } catch (org.awaitility.core.ConditionTimeoutException e) {
                    soft.fail("round %d: the first member's listener got no update event for %s (got %s)", round0,
                            expected.stream().filter(x -> !updates.contains(x)).toList(), updates.size());
                }
            }
            soft.assertAll();
        }
    }
}
