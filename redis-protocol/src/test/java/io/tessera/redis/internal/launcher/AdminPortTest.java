package io.tessera.redis.internal.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tessera.grid.GridStatus;
import io.tessera.grid.Member;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.management.ManagementFactory;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.json.Json;
import redis.clients.jedis.Jedis;

/**
 * A standalone node in this JVM (the {@code local} stack) with {@code --admin-port 0}: what each endpoint answers,
 * the status document parses, readiness turns to 503 the moment a stop begins, and the port closes with the node.
 * StatusPageIT drives the same endpoints across real processes and a real browser.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AdminPortTest {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static StandaloneNode start(String... extra) {
        List<String> args = new ArrayList<>(List.of("--stack", "local", "--port", "0", "--admin-port",
                "0", "--cluster-name", "admin-test-" + System.nanoTime(), "--name", "solo"));
        args.addAll(List.of(extra));
        Launcher.Parsed parsed = Launcher.parse(args.toArray(String[]::new), Map.of(),
                new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
        assertThat(parsed.settings()).isNotNull();
        return StandaloneNode.start(parsed.settings());
    }

    private HttpResponse<String> get(StandaloneNode node, String path) throws IOException, InterruptedException {
        return send(node, "GET", path);
    }

    private HttpResponse<String> send(StandaloneNode node, String method, String path)
            throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.adminPort() + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void endpoints_answerWhatTheyPromise() throws Exception {
        StandaloneNode node = start("--jmx", "true");
        try {
            try (Jedis jedis = new Jedis("127.0.0.1", node.port())) {
                jedis.set("k", "v");
                jedis.set("k2", "v");
                assertThatThrownBy(() -> jedis.incr("k")).hasMessageStartingWith("ERR value is not an integer");

                HttpResponse<String> metrics = get(node, "/metrics");
                assertThat(metrics.statusCode()).isEqualTo(200);
                assertThat(metrics.headers().firstValue("Content-Type")).hasValue(
                        "text/plain; version=0.0.4; charset=utf-8");
                assertThat(metrics.body()).contains("jvm_memory_used_bytes{", "jvm_gc_", "jvm_threads_live_threads",
                                "process_uptime_seconds", "system_cpu_count")
                        .contains("tessera_redis_commands_total{command=\"set\",member=\"solo\"} 2.0")
                        .contains("tessera_redis_commands_time_seconds_total{command=\"set\",member=\"solo\"}")
                        .contains("tessera_redis_errors_total{member=\"solo\",prefix=\"ERR\"} 1.0")
                        .contains("tessera_redis_connections{member=\"solo\"} 1.0");
            }
            assertThat(ManagementFactory.getPlatformMBeanServer().queryNames(new ObjectName("tessera:*"), null))
                    .as("the meters are in JMX too")
                    .anySatisfy(name -> assertThat(name.toString()).contains("tesseraRedisCommands"));

            HttpResponse<String> live = get(node, "/health/live");
            assertThat(live.statusCode()).isEqualTo(200);
            assertThat(live.body()).isEqualTo("{\"status\":\"UP\"}");
            HttpResponse<String> ready = get(node, "/health/ready");
            assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
            assertThat(ready.body()).isEqualTo("{\"status\":\"UP\"}");

            HttpResponse<String> status = get(node, "/status.json");
            assertThat(status.statusCode()).isEqualTo(200);
            assertThat(status.headers().firstValue("Content-Type")).hasValue("application/json; charset=utf-8");
            Map<String, Object> document = new Json().toType(status.body(), Json.MAP_TYPE);
            assertThat(document).containsEntry("member", "solo").containsEntry("ready", true);
            assertThat((List<?>) document.get("members")).hasSize(1);
            assertThat((List<?>) document.get("partitions")).hasSize(256)
                    .allSatisfy(p -> {
                        assertThat(((Map<?, ?>) p).get("primary")).isEqualTo("solo");
                        assertThat(((Map<?, ?>) p).get("state")).isEqualTo("STABLE");
                    });
            @SuppressWarnings("unchecked")
            Map<String, Object> server = (Map<String, Object>) document.get("server");
            assertThat(server.get("respAddress")).isEqualTo("127.0.0.1:" + node.port());
            assertThat((Number) server.get("heapUsedBytes")).matches(n -> n.longValue() > 0);

            HttpResponse<String> page = get(node, "/");
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
            assertThat(page.body()).contains("<script src=\"status.js\"", "id=\"partition-grid\"");
            assertThat(get(node, "/status.js").headers().firstValue("Content-Type"))
                    .hasValue("text/javascript; charset=utf-8");
            assertThat(get(node, "/status.css").statusCode()).isEqualTo(200);

            assertThat(get(node, "/nothing").statusCode()).isEqualTo(404);
            HttpResponse<String> post = send(node, "POST", "/health/ready");
            assertThat(post.statusCode()).isEqualTo(405);
            assertThat(post.headers().firstValue("Allow")).hasValue("GET, HEAD");
            HttpResponse<String> head = send(node, "HEAD", "/health/live");
            assertThat(head.statusCode()).isEqualTo(200);
            assertThat(head.body()).isEmpty();
        } finally {
            node.stop("test");
        }
    }

    @Test
    void notReadyReason_saysWhatTheTableIsDoing() {
        Member a = new Member("a", "a", true);
        List<GridStatus.PartitionStatus> partitions = List.of(
                new GridStatus.PartitionStatus(0, a, List.of(), GridStatus.PartitionState.MIGRATING),
                new GridStatus.PartitionStatus(1, a, List.of(), GridStatus.PartitionState.SYNCING),
                new GridStatus.PartitionStatus(2, a, List.of(), GridStatus.PartitionState.SYNCING),
                new GridStatus.PartitionStatus(3, a, List.of(), GridStatus.PartitionState.STABLE));
        List<GridStatus.MemberStatus> members = List.of(
                new GridStatus.MemberStatus(a, null, null, -1, -1, -1, -1, null));

        assertThat(StandaloneNode.notReadyReason(new GridStatus("c", a, 0, false, members, List.of(), List.of(),
                List.of(), List.of()))).isEqualTo("no partition table yet");
        assertThat(StandaloneNode.notReadyReason(new GridStatus("c", a, 7, false, members, partitions, List.of(),
                List.of(), List.of()))).isEqualTo("partition table not settled (2 SYNCING, 1 MIGRATING)");
        assertThat(StandaloneNode.notReadyReason(new GridStatus("c", a, 7, false, members, partitions.subList(3, 4),
                List.of(), List.of(), List.of()))).isEqualTo("partition table not settled");
    }

    @Test
    void readiness_isDownBelowMinClusterSize_andFromTheStartOfAStop_andThePortClosesWithTheNode()
            throws Exception {
        StandaloneNode node = start("--min-cluster-size", "2");
        int adminPort = node.adminPort();
        assertThat(ManagementFactory.getPlatformMBeanServer().queryNames(new ObjectName("tessera:*"), null))
                .as("no JMX without --jmx").isEmpty();

        HttpResponse<String> ready = get(node, "/health/ready");
        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(ready.body()).isEqualTo("{\"status\":\"DOWN\",\"reason\":\"sees 1 of the 2 members"
                + " --min-cluster-size asks for (keys answer CLUSTERDOWN)\"}");
        assertThat(get(node, "/health/live").statusCode()).isEqualTo(200);

        node.stop("test");

        assertThat(node.readiness().ready()).isFalse();
        assertThat(node.readiness().reason()).isEqualTo("shutting down");
        assertThatThrownBy(() -> http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + adminPort + "/health/live")).build(),
                HttpResponse.BodyHandlers.ofString())).isInstanceOf(ConnectException.class);
    }
}
