package io.tessera.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.redis.testing.ServerProcesses;
import io.tessera.redis.testing.ServerProcessesTestBase;
import io.tessera.redis.testing.ServerProcesses.ServerNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;

/**
 * A node of three standalone processes dies ({@code kill -9}) or is stopped (SIGTERM): no write a client saw
 * acknowledged is lost, and the others serve every key, including those the node led.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class NodeFailureIT extends ServerProcessesTestBase {
    private static final int BATCH = 1_000;

    @Test
    void kill9OfNode2_everyAcknowledgedWriteReadsBackThroughNode3() {
        List<ServerNode> nodes = processes.startCluster(3, "crash-it-" + ProcessHandle.current().pid());
        int count = 50_000;
        writeAll(nodes.get(0), "crash:", count);

        nodes.get(1).kill9();

        assertAllReadable(nodes.get(2), "crash:", count);
        ServerProcesses.awaitSettled(List.of(nodes.get(0), nodes.get(2)), Duration.ofSeconds(60));
    }

    @Test
    void sigtermOfNode2_leavesGracefully_andItsKeysStayReadable() {
        List<ServerNode> nodes = processes.startCluster(3, "leave-it-" + ProcessHandle.current().pid());
        int count = 5_000;
        // Spread over all 256 partitions, so about a third of them are led by node 2.
        writeAll(nodes.get(0), "leave:", count);

        int exit = nodes.get(1).sigterm(Duration.ofSeconds(60));

        // A JVM that runs its shutdown hooks after SIGTERM exits with 128 + 15.
        assertThat(exit).as("exit code; see %s", nodes.get(1).log()).isIn(0, 143);
        assertThat(nodes.get(1).output())
                .contains("shutdown signal: node node2 is leaving cluster")
                .contains("member node2 handed off its partitions")
                .contains("node node2 left the cluster '" + "leave-it-" + ProcessHandle.current().pid()
                        + "' gracefully");
        assertAllReadable(nodes.get(0), "leave:", count);
        assertAllReadable(nodes.get(2), "leave:", count);
        ServerProcesses.awaitSettled(List.of(nodes.get(0), nodes.get(2)), Duration.ofSeconds(60));
    }

    /** SETs {@code prefix + i} = {@code "value-" + i} for i in 0..count-1 through {@code node}, pipelined. */
    private static void writeAll(ServerNode node, String prefix, int count) {
        try (Jedis jedis = new Jedis("127.0.0.1", node.port(), 30_000)) {
            for (int from = 0; from < count; from += BATCH) {
                Pipeline pipeline = jedis.pipelined();
                List<Response<String>> replies = new ArrayList<>(BATCH);
                for (int i = from; i < Math.min(count, from + BATCH); i++) {
                    replies.add(pipeline.set(prefix + i, "value-" + i));
                }
                pipeline.sync();
                for (int i = 0; i < replies.size(); i++) {
                    assertThat(replies.get(i).get()).as("SET %s%d", prefix, from + i).isEqualTo("OK");
                }
            }
        }
    }

    private static void assertAllReadable(ServerNode node, String prefix, int count) {
        try (Jedis jedis = new Jedis("127.0.0.1", node.port(), 30_000)) {
            for (int from = 0; from < count; from += BATCH) {
                Pipeline pipeline = jedis.pipelined();
                List<Response<String>> replies = new ArrayList<>(BATCH);
                for (int i = from; i < Math.min(count, from + BATCH); i++) {
                    replies.add(pipeline.get(prefix + i));
                }
                pipeline.sync();
                for (int i = 0; i < replies.size(); i++) {
                    assertThat(replies.get(i).get()).as("GET %s%d through %s", prefix, from + i, node)
                            .isEqualTo("value-" + (from + i));
                }
            }
        }
    }
}
