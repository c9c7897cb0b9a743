package io.tessera.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.grid.MapConfig;
import io.tessera.redis.testing.RawRespClient;
import io.tessera.redis.testing.RespCluster;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Databases whose maps require a minimum cluster size ({@code --min-cluster-size}) answer {@code CLUSTERDOWN} below
 * it, for reads and writes alike, before anything is applied; once enough members are in the cluster they serve.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class QuorumTest {

    @Test
    void belowMinClusterSize_commandsAnswerClusterDown_andNothingIsWritten() {
        try (RespCluster cluster = RespCluster.start(2,
                b -> b.databaseConfig(MapConfig.builder().minClusterSize(3).build()));
             RawRespClient client = new RawRespClient(cluster.port(0), false)) {
            assertThat(client.call("SET", "quorum-key", "v")).startsWith("-CLUSTERDOWN ")
                    .contains("requires 3 members").contains("sees 2");
            assertThat(client.call("GET", "quorum-key")).startsWith("-CLUSTERDOWN ");
            assertThat(client.call("INCR", "quorum-counter")).startsWith("-CLUSTERDOWN ");

            cluster.addMember();
            assertThat(client.call("GET", "quorum-key")).as("the refused SET wrote nothing").isEqualTo("$-1\r\n");
            assertThat(client.call("SET", "quorum-key", "v")).isEqualTo("+OK\r\n");
            assertThat(client.call("INCR", "quorum-counter")).isEqualTo(":1\r\n");
        }
    }
}
