package io.tessera.examples.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.examples.session.DemoProcesses.DemoNode;
import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The demo end to end: two demo nodes as separate processes (each an embedded Jetty with an embedded grid member,
 * sessions through Tessera's Jetty session data store) behind a real nginx that round-robins with no stickiness,
 * driven by an HTTP client with one cookie jar; then one node dies by {@code kill -9}.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class SessionDemoNginxIT {
    private DemoProcesses processes;
    private NginxProcess nginx;

    @AfterEach
    void stop() {
        if (nginx != null) {
            nginx.close();
        }
        if (processes != null) {
            processes.close();
        }
    }

    @Test
    void counter_countsOneToTwentyAcrossBothNodes_thenContinuesAfterOneNodeIsKilled() throws Exception {
        processes = new DemoProcesses("SessionDemoNginxIT");
        List<DemoNode> nodes = processes.startCluster(2, "sessions-" + UUID.randomUUID(), SessionDemo.class);
        nginx = NginxProcess.start(processes.logDir().resolve("nginx"), nodes.get(0).httpPort(),
                nodes.get(1).httpPort());
        HttpClient client = HttpClient.newBuilder()
                .cookieHandler(new CookieManager(null, CookiePolicy.ACCEPT_ALL))
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        URI counter = URI.create("http://127.0.0.1:" + nginx.port() + "/counter");

        Map<String, Integer> servedBy = new TreeMap<>();
        for (int expected = 1; expected <= 20; expected++) {
            HttpResponse<String> response = get(client, counter);
            String node = response.headers().firstValue(NodeHeaderFilter.HEADER).orElse("?");
            assertThat(response.statusCode()).as("request %d (node %s)", expected, node).isEqualTo(200);
            assertThat(response.body().trim()).as("count of request %d, served by %s", expected, node)
                    .isEqualTo(Integer.toString(expected));
            servedBy.merge(node, 1, Integer::sum);
        }
        assertThat(servedBy).as("requests per node").containsOnlyKeys("node1", "node2");

        DemoNode victim = nodes.get(0);
        DemoNode survivor = nodes.get(1);
        victim.kill9();
        survivor.note("node1 was killed; requests 21..30 follow through nginx");
        for (int expected = 21; expected <= 30; expected++) {
            HttpResponse<String> response = get(client, counter);
            String node = response.headers().firstValue(NodeHeaderFilter.HEADER).orElse("?");
            assertThat(response.statusCode()).as("request %d after the kill (node %s); nginx: %s", expected, node,
                    nginx.log()).isEqualTo(200);
            assertThat(node).as("the node that served request %d", expected).isEqualTo(survivor.name());
            assertThat(response.body().trim()).as("count of request %d after the kill", expected)
                    .isEqualTo(Integer.toString(expected));
        }
    }

    private static HttpResponse<String> get(HttpClient client, URI uri) throws Exception {
        return client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
