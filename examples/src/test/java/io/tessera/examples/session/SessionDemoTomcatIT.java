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
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The servlet-filter variant end to end: two demo nodes as separate processes, each an embedded Tomcat 11 with
 * {@code TesseraSessionFilter} and an embedded grid member, no load balancer: the client itself sends its requests
 * to the nodes in turn with one cookie jar; then one node dies by {@code kill -9}.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class SessionDemoTomcatIT {
    private DemoProcesses processes;

    @AfterEach
    void stop() {
        if (processes != null) {
            processes.close();
        }
    }

    @Test
    void counter_countsOneToTwentyAlternatingNodes_thenContinuesOnTheSurvivorAfterKill9() throws Exception {
        processes = new DemoProcesses("SessionDemoTomcatIT");
        List<DemoNode> nodes = processes.startCluster(2, "sessions-" + UUID.randomUUID(), SessionDemo.class,
                "--container", "tomcat", "--sessions", "filter");
        HttpClient client = HttpClient.newBuilder()
                .cookieHandler(new CookieManager(null, CookiePolicy.ACCEPT_ALL))
                .connectTimeout(Duration.ofSeconds(5))
                .build();

        for (int expected = 1; expected <= 20; expected++) {
            DemoNode node = nodes.get(expected % 2);
            HttpResponse<String> response = get(client, node);
            assertThat(response.statusCode()).as("request %d to %s", expected, node).isEqualTo(200);
            assertThat(response.headers().firstValue(NodeHeaderFilter.HEADER)).hasValue(node.name());
            assertThat(response.body().trim()).as("count of request %d, served by %s", expected, node)
                    .isEqualTo(Integer.toString(expected));
        }

        DemoNode survivor = nodes.get(1);
        nodes.get(0).kill9();
        survivor.note("node1 was killed; requests 21..30 follow");
        for (int expected = 21; expected <= 30; expected++) {
            HttpResponse<String> response = get(client, survivor);
            assertThat(response.statusCode()).as("request %d after the kill", expected).isEqualTo(200);
            assertThat(response.body().trim()).as("count of request %d after the kill", expected)
                    .isEqualTo(Integer.toString(expected));
        }
    }

    private static HttpResponse<String> get(HttpClient client, DemoNode node) throws Exception {
        URI counter = URI.create("http://127.0.0.1:" + node.httpPort() + "/counter");
        return client.send(HttpRequest.newBuilder(counter).timeout(Duration.ofSeconds(30)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
