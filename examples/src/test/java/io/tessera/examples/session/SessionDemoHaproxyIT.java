package io.tessera.examples.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.examples.session.DemoProcesses.DemoNode;
import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.HttpCookie;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
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
 * The demo behind a real HAProxy, with the configs docs/sessions.md shows ({@code examples/haproxy/}): two demo
 * nodes as separate processes (each an embedded Jetty with an embedded grid member, sessions through Tessera's Jetty
 * session data store), one HTTP client with one cookie jar, then one node dies by {@code kill -9}. Round robin runs
 * the nodes with Jetty's {@code NullSessionCache}; sticky with the {@code DefaultSessionCache} that keeps sessions.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class SessionDemoHaproxyIT {
    private DemoProcesses processes;
    private HaproxyProcess haproxy;
    private final CookieManager cookies = new CookieManager(null, CookiePolicy.ACCEPT_ALL);
    private final HttpClient client = HttpClient.newBuilder()
            .cookieHandler(cookies)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    @AfterEach
    void stop() {
        if (haproxy != null) {
            haproxy.close();
        }
        if (processes != null) {
            processes.close();
        }
    }

    @Test
    void roundRobin_countsAcrossBothNodes_thenContinuesAfterOneNodeIsKilled() throws Exception {
        List<DemoNode> nodes = start(HaproxyProcess.ROUND_ROBIN, "roundRobin");
        URI counter = URI.create("http://127.0.0.1:" + haproxy.port() + "/counter");

        Map<String, Integer> servedBy = new TreeMap<>();
        for (int expected = 1; expected <= 10; expected++) {
            servedBy.merge(count(counter, expected), 1, Integer::sum);
        }
        assertThat(servedBy).as("requests per node").containsOnlyKeys("node1", "node2");

        DemoNode survivor = nodes.get(1);
        nodes.get(0).kill9();
        survivor.note("node1 was killed; requests 11..20 follow through haproxy");
        for (int expected = 11; expected <= 20; expected++) {
            assertThat(count(counter, expected)).as("the node that served request %d", expected)
                    .isEqualTo(survivor.name());
        }
    }

    @Test
    void sticky_keepsTheSessionOnOneNode_thenMovesItToTheOtherWhenThatNodeIsKilled() throws Exception {
        List<DemoNode> nodes = start(HaproxyProcess.STICKY, "sticky", "--session-cache", "keep");
        URI counter = URI.create("http://127.0.0.1:" + haproxy.port() + "/counter");

        String first = count(counter, 1);
        for (int expected = 2; expected <= 10; expected++) {
            assertThat(count(counter, expected)).as("the node that served request %d", expected).isEqualTo(first);
        }
        assertThat(stickyCookie()).as("HAProxy's cookie").isEqualTo(first);

        DemoNode victim = nodes.stream().filter(n -> n.name().equals(first)).findFirst().orElseThrow();
        DemoNode survivor = nodes.stream().filter(n -> n != victim).findFirst().orElseThrow();
        victim.kill9();
        survivor.note(victim.name() + " was killed; requests 11..20 follow through haproxy");
        for (int expected = 11; expected <= 20; expected++) {
            assertThat(count(counter, expected)).as("the node that served request %d", expected)
                    .isEqualTo(survivor.name());
        }
        assertThat(stickyCookie()).as("HAProxy's cookie after the kill").isEqualTo(survivor.name());
    }

    private List<DemoNode> start(Path template, String variant, String... demoArgs) throws Exception {
        processes = new DemoProcesses("SessionDemoHaproxyIT-" + variant);
        List<DemoNode> nodes = processes.startCluster(2, "sessions-" + UUID.randomUUID(), SessionDemo.class,
                demoArgs);
        haproxy = HaproxyProcess.start(template, processes.logDir().resolve("haproxy"), nodes.get(0).httpPort(),
                nodes.get(1).httpPort());
        return nodes;
    }

    /** Sends one {@code GET /counter}, checks that it answers {@code expected}; returns the node that served it. */
    private String count(URI counter, int expected) throws Exception {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(counter).timeout(Duration.ofSeconds(30))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        String node = response.headers().firstValue(NodeHeaderFilter.HEADER).orElse("?");
        assertThat(response.statusCode()).as("request %d (node %s); haproxy: %s", expected, node, haproxy.log())
                .isEqualTo(200);
        assertThat(response.body().trim()).as("count of request %d, served by %s", expected, node)
                .isEqualTo(Integer.toString(expected));
        return node;
    }

    /** The value of the {@code TESSERA_NODE} cookie HAProxy set, or {@code null}. */
    private String stickyCookie() {
        return cookies.getCookieStore().getCookies().stream().filter(c -> c.getName().equals("TESSERA_NODE"))
                .map(HttpCookie::getValue).findFirst().orElse(null);
    }
}
