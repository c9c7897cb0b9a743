package io.tessera.grid;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.grid.testing.GridCluster;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class GridMapBasicsTest {

    @Test
    void putThroughOneMember_readsBackThroughEveryMember() {
        try (GridCluster cluster = GridCluster.start(3)) {
            GridMap<String, String> m0 = cluster.member(0).map("basics");
            for (int i = 0; i < 1000; i++) {
                m0.put("k" + i, "v" + i);
            }
            for (Grid g : cluster.members()) {
                GridMap<String, String> m = g.map("basics");
                for (int i = 0; i < 1000; i++) {
                    assertThat(m.get("k" + i)).isEqualTo("v" + i);
                }
                assertThat(m.size()).isEqualTo(1000);
            }
            Map<String, String> copy = new HashMap<>(cluster.member(2).<String, String>map("basics"));
            assertThat(copy).hasSize(1000).containsEntry("k7", "v7");
        }
    }
}
