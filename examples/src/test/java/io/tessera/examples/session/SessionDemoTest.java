package io.tessera.examples.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The demo's pages on two nodes in one JVM (the in-JVM grid stack), a client with one cookie jar going to the nodes
 * in turn, as a non-sticky load balancer would send it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SessionDemoTest {
    private final List<SessionDemoNode> nodes = new ArrayList<>();
    private final HttpClient client = HttpClient.newBuilder()
            .cookieHandler(new CookieManager(null, CookiePolicy.ACCEPT_ALL))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();

    @AfterEach
    void stop() {
        nodes.forEach(SessionDemoNode::close);
    }

    private void startNodes(String... extraArgs) {
        String cluster = "demo-" + UUID.randomUUID();
        for (int i = 1; i <= 2; i++) {
            List<String> args = new ArrayList<>(List.of("--node-name", "node" + i, "--http-port", "0", "--stack",
                    "local", "--cluster-name", cluster));
            args.addAll(List.of(extraArgs));
            nodes.add(SessionDemoNode.start(SessionDemo.parse(args.toArray(String[]::new))));
        }
    }

    private URI uri(int node, String path) {
        return URI.create("http://127.0.0.1:" + nodes.get(node).httpPort() + path);
    }

    private HttpResponse<String> get(int node, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(uri(node, path)).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(int node, String path, String form) throws Exception {
        return client.send(HttpRequest.newBuilder(uri(node, path)).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"--container jetty --sessions tessera", "--container jetty --sessions filter",
        "--container tomcat --sessions tessera"})
    void counter_countsEveryRequestOfTheSession_whicheverNodeServesIt(String variant) throws Exception {
        startNodes(variant.split(" "));
        for (int i = 1; i <= 10; i++) {
            HttpResponse<String> response = get(i % 2, "/counter");
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("text/plain"));
            assertThat(response.headers().firstValue(NodeHeaderFilter.HEADER)).hasValue("node" + (i % 2 + 1));
            assertThat(response.body()).as("request %d", i).isEqualTo(i + "\n");
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"--container jetty --sessions tessera", "--container jetty --sessions filter",
        "--container tomcat --sessions filter"})
    void cart_changesMadeOnOneNodeShowOnTheOther(String variant) throws Exception {
        startNodes(variant.split(" "));
        HttpResponse<String> added = post(0, "/cart", "item=apple&action=add");
        assertThat(added.statusCode()).isEqualTo(303);
        assertThat(added.headers().firstValue("Location")).hasValue("/cart");
        post(1, "/cart", "item=apple&action=add");
        post(0, "/cart", "item=cheese&action=add");
        post(1, "/cart", "item=cheese&action=remove");

        HttpResponse<String> page = get(1, "/cart");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("text/html"));
        assertThat(page.body()).contains("<td id=\"qty-apple\">2</td>", "<td id=\"qty-cheese\">0</td>",
                "<b id=\"total\">&euro;0.90</b>", "Served by <b>node2</b>");

        assertThat(post(0, "/cart", "item=caviar&action=add").statusCode()).isEqualTo(400);
        post(0, "/cart", "action=clear");
        assertThat(get(1, "/cart").body()).contains("<td id=\"qty-apple\">0</td>", "&euro;0.00");
    }

    @Test
    void attrs_setsTenAttributesOnceThenChangesOnePerRequest() throws Exception {
        startNodes();
        for (int i = 1; i <= 4; i++) {
            assertThat(get(i % 2, "/attrs").body()).isEqualTo(i + "\n");
        }
        assertThat(AttributesServlet.value(3, 12)).hasSize(AttributesServlet.VALUE_LENGTH).startsWith("12:3:");
    }

    @Test
    void home_namesTheNodeAndTheSession() throws Exception {
        startNodes();
        assertThat(get(0, "/").body()).contains("Served by <b>node1</b>", "sessions: tessera", "none yet");
        get(0, "/counter");
        assertThat(get(1, "/").body()).contains("Served by <b>node2</b>").doesNotContain("none yet");
        assertThat(get(1, "/nothing-here").statusCode()).isEqualTo(404);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"jetty", "tomcat"})
    void memorySessions_areNotSharedBetweenNodes(String container) throws Exception {
        startNodes("--container", container, "--sessions", "memory");
        assertThat(nodes.get(0).grid()).isNull();
        assertThat(get(0, "/counter").body()).isEqualTo("1\n");
        assertThat(get(0, "/counter").body()).isEqualTo("2\n");
        assertThat(get(1, "/counter").body()).as("node2 knows nothing of node1's session").isEqualTo("1\n");
    }

    @Test
    void help_printsTheOptionsAndExitsWithZero_badOptionExitsWithTwo() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        assertThat(SessionDemo.execute(new PrintWriter(out, true), new PrintWriter(err, true), "--help")).isZero();
        assertThat(out.toString()).contains("--http-port", "--cluster-name", "--grid-port", "--members",
                "--sessions", "--session-cache");

        assertThat(SessionDemo.execute(new PrintWriter(out, true), new PrintWriter(err, true), "--sessions",
                "disk")).isEqualTo(2);
        assertThat(err.toString()).contains("--sessions");
        assertThat(SessionDemo.execute(new PrintWriter(out, true), new PrintWriter(err, true), "--node-name",
                "node.1", "--sessions", "memory")).isEqualTo(2);
        assertThat(err.toString()).contains("letters and digits");
    }
}
