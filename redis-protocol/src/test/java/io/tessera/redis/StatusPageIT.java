package io.tessera.redis;

import static io.tessera.redis.testing.ServerProcesses.redisCli;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tessera.grid.testing.MemberProcesses;
import io.tessera.redis.testing.Chromium;
import io.tessera.redis.testing.ServerProcesses.ServerNode;
import io.tessera.redis.testing.ServerProcessesTestBase;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.json.Json;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;

/**
 * The admin port of real {@code tessera-server} processes: the status page in real headless Chromium (three members
 * and 256 partitions coloured by three primaries; two members and none of node 3's cells after its {@code kill -9}),
 * {@code /metrics} with the JVM's and the RESP server's meters after real commands, and the health checks, including
 * readiness that waits for {@code --min-cluster-size} members. Screenshots go to {@code target/status-page/}.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class StatusPageIT extends ServerProcessesTestBase {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private ChromeDriver browser;

    @AfterEach
    void quitBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    @Test
    void statusPage_showsThreeMembers_thenTwoAfterKill9OfNode3_andMetricsAndHealthAnswer() throws Exception {
        List<ServerNode> nodes = processes.startCluster(3, "status-it-" + ProcessHandle.current().pid(),
                "--admin-port", "0");
        ServerNode node1 = nodes.get(0);

        for (int i = 0; i < 7; i++) {
            assertThat(redisCli(node1.port(), "set", "page:" + i, "v").stdout()).isEqualTo("OK\n");
        }
        assertThat(redisCli(node1.port(), "lpush", "page:0", "x").output()).startsWith("WRONGTYPE");
        try (Jedis jedis = new Jedis("127.0.0.1", node1.port())) {
            assertThat(jedis.get("page:1")).isEqualTo("v");
            // The redis-cli connections are gone once the server has seen them close; the Jedis one stays.
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(get(node1, "/metrics").body())
                    .contains("tessera_redis_connections{member=\"node1\"} 1.0"));
            String metrics = get(node1, "/metrics").body();
            assertThat(metrics).contains("jvm_memory_used_bytes{", "process_cpu_usage")
                    .contains("tessera_redis_commands_total{command=\"set\",member=\"node1\"} 7.0")
                    .contains("tessera_redis_commands_total{command=\"get\",member=\"node1\"} 1.0")
                    .contains("tessera_redis_errors_total{member=\"node1\",prefix=\"WRONGTYPE\"} 1.0")
                    .contains("tessera_redis_blocked_clients{member=\"node1\"} 0.0");
            // The grid's meters are in the same scrape, live: the SETs through node1 were invoked there.
            assertThat(metric(metrics, "tessera_operations_seconds_count{kind=\"put\",member=\"node1\"}"))
                    .isGreaterThanOrEqualTo(7);
            assertThat(metric(metrics, "tessera_partitions_primary{member=\"node1\"}")).isPositive();
            assertThat(metric(metrics, "tessera_partitions_table_version{member=\"node1\"}")).isPositive();
            assertThat(metrics).contains("tessera_map_entries{map=\"redis-db-0\",member=\"node1\"}",
                    "tessera_backup_lag_seconds{member=\"node1\"}", "tessera_migrations_completed_total{");
        }
        for (ServerNode node : nodes) {
            HttpResponse<String> live = get(node, "/health/live");
            assertThat(live.statusCode()).isEqualTo(200);
            assertThat(live.body()).isEqualTo("{\"status\":\"UP\"}");
            HttpResponse<String> ready = get(node, "/health/ready");
            assertThat(ready.statusCode()).as("%s: %s", node, ready.body()).isEqualTo(200);
            assertThat(ready.body()).isEqualTo("{\"status\":\"UP\"}");
        }
        Map<String, Object> status = new Json().toType(get(node1, "/status.json").body(), Json.MAP_TYPE);
        assertThat((List<?>) status.get("members")).hasSize(3);
        assertThat((List<?>) status.get("partitions")).hasSize(256);

        browser = Chromium.start();
        try (Load load = new Load(node1.port())) {
            browser.get("http://127.0.0.1:" + node1.adminPort() + "/");
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                assertThat(memberRows()).containsExactlyInAnyOrder("node1", "node2", "node3");
                List<List<String>> cells = cells();
                assertThat(cells).hasSize(256);
                assertThat(primaries(cells)).containsExactlyInAnyOrder("node1", "node2", "node3");
                assertThat(colours(cells)).as("one colour per primary").hasSize(3);
                assertThat(browser.findElement(By.id("kpi-ops")).getText()).as("RESP ops/s under the load")
                        .isNotIn("0", "—");
                assertThat(browser.findElement(By.id("kpi-connections")).getText()).isEqualTo("1");
            });
            assertThat(browser.findElement(By.id("readiness")).getAttribute("data-ready")).isEqualTo("true");
            assertThat(browser.findElements(By.cssSelector("#legend .legend-item"))).hasSize(3);
            screenshot("three-members.png");

            nodes.get(2).kill9();

            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(memberRows()).containsExactlyInAnyOrder("node1", "node2");
                List<List<String>> cells = cells();
                assertThat(cells).hasSize(256);
                assertThat(primaries(cells)).as("no cell belongs to node3 any more")
                        .containsExactlyInAnyOrder("node1", "node2");
                assertThat(colours(cells)).hasSize(2);
            });
            screenshot("after-kill.png");
            assertThat(load.failure).as("the load through node1 went on").isNull();
        }
    }

    /** A light, steady load of GETs and SETs through one node (~2,000 commands/s), so the page has rates to show. */
    private static final class Load implements AutoCloseable {
        private final Thread thread;
        private volatile boolean stop;
        volatile Throwable failure;

        Load(int port) {
            thread = new Thread(() -> {
                try (Jedis jedis = new Jedis("127.0.0.1", port, 30_000)) {
                    for (long i = 0; !stop; i++) {
                        Pipeline pipeline = jedis.pipelined();
                        for (int k = 0; k < 20; k++) {
                            if (k % 4 == 0) {
                                pipeline.set("load:" + (i * 20 + k) % 1000, "v");
                            } else {
                                pipeline.get("load:" + (i * 20 + k) % 1000);
                            }
                        }
                        pipeline.sync();
                        Thread.sleep(10);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (RuntimeException e) {
                    failure = e;
                }
            }, "status-page-load");
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void close() {
            stop = true;
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Test
    void ready_is503WithTheReason_untilMinClusterSizeMembersJoined() throws Exception {
        int gridBase = MemberProcesses.freePortBase(2);
        String members = String.join(",", MemberProcesses.initialMembers(gridBase, 2));
        String cluster = "ready-it-" + ProcessHandle.current().pid();
        ServerNode first = processes.start("first", "--name", "first", "--port", "0", "--admin-port", "0",
                "--cluster-name", cluster, "--grid-port", Integer.toString(gridBase), "--members", members,
                "--min-cluster-size", "2");

        HttpResponse<String> alone = get(first, "/health/ready");
        assertThat(alone.statusCode()).isEqualTo(503);
        assertThat(alone.body()).isEqualTo("{\"status\":\"DOWN\",\"reason\":\"sees 1 of the 2 members"
                + " --min-cluster-size asks for (keys answer CLUSTERDOWN)\"}");
        assertThat(get(first, "/health/live").statusCode()).isEqualTo(200);

        processes.start("second", "--name", "second", "--port", "0", "--cluster-name", cluster, "--grid-port",
                Integer.toString(gridBase + 1), "--members", members, "--min-cluster-size", "2");

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            HttpResponse<String> ready = get(first, "/health/ready");
            assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
        });
    }

    /** The value of the sample {@code series} (name and labels as Prometheus prints them) in {@code scrape}. */
    private static double metric(String scrape, String series) {
        for (String line : scrape.split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1).trim());
            }
        }
        throw new AssertionError("no " + series + " in the scrape");
    }

    private HttpResponse<String> get(ServerNode node, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.adminPort() + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The member rows' names, read in one script: the page may replace the rows between two WebDriver calls. */
    @SuppressWarnings("unchecked")
    private List<String> memberRows() {
        return (List<String>) browser.executeScript("return [...document.querySelectorAll("
                + "'#members tbody tr[data-member]')].map(r => r.dataset.member);");
    }

    /** Every partition cell's [primary, computed background colour], in one round trip. */
    @SuppressWarnings("unchecked")
    private List<List<String>> cells() {
        return (List<List<String>>) browser.executeScript(
                "return [...document.querySelectorAll('#partition-grid .cell')]"
                        + ".map(c => [c.dataset.primary || '', getComputedStyle(c).backgroundColor]);");
    }

    private static Set<String> primaries(List<List<String>> cells) {
        Set<String> primaries = new HashSet<>();
        cells.forEach(cell -> primaries.add(cell.get(0)));
        return primaries;
    }

    private static Set<String> colours(List<List<String>> cells) {
        Set<String> colours = new HashSet<>();
        cells.forEach(cell -> colours.add(cell.get(1)));
        return colours;
    }

    private void screenshot(String name) {
        Chromium.screenshot(browser, name);
    }
}
