package io.tessera.grid.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tessera.grid.testing.GridCluster;
import io.tessera.grid.testing.ReplicaProbe;
import java.time.Duration;
import java.util.List;
import org.jgroups.View;
import org.jgroups.ViewId;
import org.junit.jupiter.api.Test;

/**
 * A member applies views in order. The constructor applies the view it read after connecting while JGroups may
 * already deliver the next one on its own thread: a CI run had a joiner apply {@code [m0|1]} after {@code [m0|2]}, and
 * its lease, counting the members of the stale view and waiting for answers that carry that view's id, lapsed for
 * good; every operation on its partitions timed out.
 */
class ViewOrderTest {

    @Test
    void aViewOlderThanTheOneApplied_isIgnored_andTheLeaseKeepsBeingRenewed() {
        try (GridCluster cluster = GridCluster.start(3, b -> b.partitionCount(16))) {
            GridNode joiner = ReplicaProbe.node(cluster.member(1));
            View current = joiner.cluster().view();
            assertThat(current.size()).isEqualTo(3);
            await().atMost(Duration.ofSeconds(10)).until(() -> joiner.lease().holds());

            View stale = new View(new ViewId(current.getCoord(), current.getViewId().getId() - 1),
                    List.of(current.getMembers().get(0), current.getMembers().get(1)));
            joiner.viewChanged(stale);

            // The lease lasts 2.4 s: applied, the stale view would have fenced the member by then.
            await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(5))
                    .until(() -> joiner.lease().holds());
            assertThat(joiner.status().members()).hasSize(3);
            cluster.member(0).<String, String>map("m").put("k", "v");
            assertThat(cluster.member(1).<String, String>map("m").get("k")).isEqualTo("v");
        }
    }
}
