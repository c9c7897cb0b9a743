package io.tessera.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.grid.Grid;
import io.tessera.grid.SerializationConfig;
import io.tessera.grid.testing.ContractTestSupport;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;

/**
 * Members whose partitions run on their RESP server's event loops, as the standalone node runs them: commands for
 * partitions of the connection's own loop (answered in the same read) and of the other loop, pipelined and not, give
 * Redis's answers through either member; closing the server leaves the shared loops running for the grid's leave.
 */
class SharedEventLoopsTest {

    @Test
    void commandsOnSharedLoopsAnswerInOrderAndTheLoopsOutliveTheServer() throws Exception {
        String cluster = "shared-loops-" + UUID.randomUUID();
        List<RespEventLoops> loops = new ArrayList<>();
        List<Grid> grids = new ArrayList<>();
        List<RespServer> servers = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                RespEventLoops memberLoops = RespEventLoops.create(2);
                loops.add(memberLoops);
                grids.add(Grid.builder().clusterName(cluster).stack("local").memberName("m" + i)
                        .serialization(RespServer.registerTypes(SerializationConfig.builder()).build())
                        .partitionThreads(memberLoops.executors()).start());
            }
            // Settled first: a command that meets its partition mid-hand-off is retried on its own, and may then run
            // after later commands of the same pipeline (noted in issue 8's note; not what this test is about).
            ContractTestSupport.awaitSettled(grids);
            for (int i = 0; i < 2; i++) {
                servers.add(RespServer.start(grids.get(i), RespServerConfig.builder().port(0).build(),
                        loops.get(i)));
            }
            try (Jedis one = new Jedis("127.0.0.1", servers.get(0).port());
                 Jedis two = new Jedis("127.0.0.1", servers.get(1).port())) {
                Pipeline pipeline = one.pipelined();
                List<Response<Long>> increments = new ArrayList<>();
                for (int i = 0; i < 2000; i++) {
                    pipeline.set("shared:" + i, "v" + i);
                    increments.add(pipeline.incr("counter:" + (i % 7)));
                }
                pipeline.sync();
                for (int i = 0; i < 2000; i++) {
                    // Each counter's increments come back in the order they were sent: 1, 2, 3 ...
                    assertThat(increments.get(i).get()).isEqualTo(i / 7 + 1L);
                }
                for (int i = 0; i < 2000; i++) {
                    assertThat(two.get("shared:" + i)).isEqualTo("v" + i);
                }
                assertThat(two.get("counter:3")).isEqualTo(Long.toString((2000 - 3 + 6) / 7));
            }
            servers.remove(1).close();
            CompletableFuture<String> stillRunning = new CompletableFuture<>();
            loops.get(1).executors().get(0).execute(() -> stillRunning.complete("running"));
            assertThat(stillRunning.get(10, TimeUnit.SECONDS)).isEqualTo("running");
        } finally {
            servers.forEach(RespServer::close);
            for (int i = grids.size() - 1; i >= 0; i--) {
                grids.get(i).close();
            }
            loops.forEach(RespEventLoops::close);
        }
    }
}
