package io.tessera.redis;

import static io.tessera.redis.testing.ServerProcesses.redisCli;
import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.redis.testing.ServerProcesses;
import io.tessera.redis.testing.ServerProcesses.ServerNode;
import io.tessera.redis.testing.ServerProcesses.ToolResult;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Three standalone nodes as separate processes (tcp stack on 127.0.0.1), driven by the real {@code redis-cli} and
 * {@code redis-benchmark}: a write through one node is read through the others, a {@code redis-cli --pipe} mass
 * insert is acknowledged in full, and a benchmark runs without an error reply.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class RedisCliClusterIT {
    /**
     * The commands {@code redis-benchmark -t} runs. The full list, once every family it uses is served:
     * {@code set,get,incr,lpush,rpush,lpop,rpop,sadd,hset,spop,mset}.
     */
    static final String BENCHMARK_TESTS = "set,get,incr,lpush,rpush,lpop,rpop,sadd,hset,spop,mset";

    private static ServerProcesses processes;
    private static List<ServerNode> nodes;

    @BeforeAll
    static void startCluster() {
        processes = new ServerProcesses(RedisCliClusterIT.class.getSimpleName());
        nodes = processes.startCluster(3, "redis-cli-it-" + ProcessHandle.current().pid());
    }

    @AfterAll
    static void stopCluster() {
        if (processes != null) {
            processes.close();
        }
    }

    @Test
    void set_throughOneNode_isReadThroughEveryNode() {
        for (int i = 0; i < 20; i++) {
            ServerNode writer = nodes.get(i % 3);
            assertThat(redisCli(writer.port(), "set", "cli:key:" + i, "value-" + i).stdout()).isEqualTo("OK\n");
        }
        for (int i = 0; i < 20; i++) {
            for (ServerNode reader : nodes) {
                assertThat(redisCli(reader.port(), "get", "cli:key:" + i).stdout())
                        .as("cli:key:%d through %s", i, reader)
                        .isEqualTo("value-" + i + "\n");
            }
        }
        assertThat(redisCli(nodes.get(2).port(), "get", "cli:missing").stdout()).isEqualTo("\n");
    }

    @Test
    void pipe_massInsertOf100000Sets_everyReplyCountedAndSampleReadThroughNode3() throws IOException {
        int count = 100_000;
        Path commands = processes.logDir().resolve("mass-insert.resp");
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(commands), 1 << 16)) {
            for (int i = 0; i < count; i++) {
                out.write(resp("SET", "pipe:" + i, "v" + i));
            }
        }
        ToolResult result = ServerProcesses.run(List.of("redis-cli", "-h", "127.0.0.1", "-p",
                Integer.toString(nodes.get(0).port()), "--pipe"), commands, Map.of(), Duration.ofMinutes(3));

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.stdout()).contains("errors: 0, replies: " + count);

        // Every 100th key, read back through node 3 by one redis-cli that reads its commands from stdin.
        Path gets = processes.logDir().resolve("sample-gets.txt");
        StringBuilder script = new StringBuilder();
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < count; i += 100) {
            script.append("GET pipe:").append(i).append('\n');
            expected.append('v').append(i).append('\n');
        }
        Files.writeString(gets, script);
        ToolResult sample = ServerProcesses.run(List.of("redis-cli", "-h", "127.0.0.1", "-p",
                Integer.toString(nodes.get(2).port())), gets, Map.of(), Duration.ofMinutes(1));
        assertThat(sample.exitCode()).as(sample.output()).isZero();
        assertThat(sample.stdout()).isEqualTo(expected.toString());
    }

    @Test
    void benchmark_everyCommandTheIssueNames_completesWithoutErrors() {
        ServerNode node = nodes.get(1);
        ToolResult result = ServerProcesses.run(List.of("redis-benchmark", "-h", "127.0.0.1", "-p",
                Integer.toString(node.port()), "-t", BENCHMARK_TESTS, "-n", "10000", "-q"), null, Map.of(),
                Duration.ofMinutes(3));

        assertThat(result.exitCode()).as(result.output()).isZero();
        List<String> lines = Arrays.stream(result.output().split("[\r\n]+"))
                .map(String::trim)
                .filter(line -> !line.isEmpty())
                .toList();
        // redis-benchmark prints "WARNING: Could not fetch server CONFIG" if CONFIG GET save/appendonly fails
        assertThat(lines).filteredOn(line -> line.toLowerCase().contains("err") || line.contains("WARNING"))
                .as("error lines in %s", result.output())
                .isEmpty();
        for (String test : BENCHMARK_TESTS.split(",")) {
            assertThat(lines).as(result.output())
                    .anyMatch(line -> (line.startsWith(test.toUpperCase() + ": ")
                            || line.startsWith(test.toUpperCase() + " (")) && line.contains("requests per second"));
        }
    }

    private static byte[] resp(String... args) {
        StringBuilder sb = new StringBuilder().append('*').append(args.length).append("\r\n");
        for (String arg : args) {
            sb.append('$').append(arg.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(arg)
                    .append("\r\n");
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }
}
