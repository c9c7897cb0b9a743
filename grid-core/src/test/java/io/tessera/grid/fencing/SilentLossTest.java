package io.tessera.grid.fencing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import io.tessera.grid.Grid;
import io.tessera.grid.GridMap;
import io.tessera.grid.OperationTimeoutException;
import io.tessera.grid.internal.partition.PartitionTable;
import io.tessera.grid.testing.GridCluster;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.jgroups.Address;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A partition whose every replica is cut off with a minority is not restarted empty by the majority: its replicas may
 * be alive, and a restarted partition would take writes that the merge then keeps over the acknowledged ones (a
 * counter restarted at 0 is newer than the real one). It waits, unserved ("not applied"), until its replicas are
 * back, and then holds every acknowledged write. (A crash, noticed by closed sockets, restarts it at once.)
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class SilentLossTest {
    private static final int PARTITIONS = 32;
    private static final String MAP = "silent";

    @Test
    void partitionWhoseReplicasAreAllCutOff_waitsForThem_insteadOfRestartingEmpty() {
        try (GridCluster cluster = GridCluster.start(5, b -> b.partitionCount(PARTITIONS)
                .operationTimeout(Duration.ofSeconds(3)))) {
            List<Grid> members = cluster.members();
            List<Grid> minority = members.subList(3, 5);
            List<Grid> majority = members.subList(0, 3);
            Set<Address> cut = Set.of(Faults.address(minority.get(0)), Faults.address(minority.get(1)));
            PartitionTable table = Faults.table(members.get(0));
            int p = -1;
            for (int i = 0; i < PARTITIONS && p < 0; i++) {
                if (cut.equals(Set.of(table.owners(i)))) {
                    p = i;
                }
            }
            assertThat(p).as("a partition owned by exactly the two members that are cut off").isNotNegative();
            try {
                String key = Faults.keyIn(members.get(0), p, "counter-");
                GridMap<String, Long> onMajority = majority.get(0).map(MAP);
                onMajority.put(key, 41L);
                onMajority.put(key, 42L);

                Faults.split(majority, minority);
                int partition = p;
                await().atMost(Faults.DETECTION).until(() -> Faults.view(majority.get(0)).size() == 3
                        && Faults.table(majority.get(0)).version() > table.version());
                assertThat(Set.of(Faults.table(majority.get(0)).owners(partition)))
                        .as("the majority keeps the silent replicas as the owners").isEqualTo(cut);
                Throwable write = catchThrowable(() -> onMajority.put(key, 1L));
                assertThat(write).as("a write to the waiting partition").isInstanceOf(OperationTimeoutException.class)
                        .hasMessageContaining("not applied");

                Faults.heal(members);
                Faults.awaitSettled(members, Faults.MERGE);
                assertThat(members.get(1).<String, Long>map(MAP).get(key)).as("the acknowledged value").isEqualTo(42L);
            } finally {
                Faults.crashAll(members);
            }
        }
    }
}
