package io.tessera.jetty;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.grid.SerializationConfig;
import io.tessera.grid.testing.GridCluster;
import java.net.URL;
import java.net.URLClassLoader;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.eclipse.jetty.session.SessionCache;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Timeout;

/**
 * Jetty's clustered session scenarios, re-implemented for ee10 and ee11: two Jetty servers, each with its own grid
 * member, one browser: invalidation, session renewal, web-app class loader objects and concurrent requests.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClusteredSessionTest {
    private static GridCluster cluster;
    @TempDir
    static Path webappClasses;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = GridCluster.start(2, b -> b.serialization(
                TesseraSessionDataStoreFactory.registerTypes(SerializationConfig.builder()).build()));
        Path source = webappClasses.resolve("src/webapp/Basket.java");
        Files.createDirectories(source.getParent());
        Files.writeString(source, "package webapp;\n"
                + "public class Basket implements java.io.Serializable {\n"
                + "    private final String content;\n"
                + "    public Basket(String content) { this.content = content; }\n"
                + "    @Override public String toString() { return \"Basket[\" + content + \"]\"; }\n"
                + "}\n");
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int rc = javac.run(null, null, null, "-d", webappClasses.resolve("classes").toString(), source.toString());
        assertThat(rc).isZero();
    }

    @AfterAll
    static void stopCluster() {
        cluster.close();
    }

    @ParameterizedTest
    @EnumSource(Ee.class)
    void invalidate_onOneNode_isSeenByTheOther(Ee ee) throws Exception {
        String map = "invalidation-" + ee + "-" + UUID.randomUUID();
        try (ServletNode a = node(ee, 0, map, "nodeA", SessionCache.EVICT_ON_SESSION_EXIT, null);
             ServletNode b = node(ee, 1, map, "nodeB", SessionCache.EVICT_ON_SESSION_EXIT, null)) {
            SessionClient client = new SessionClient();
            assertThat(client.body(a.url("count"))).startsWith("1 ");
            assertThat(client.body(b.url("count"))).startsWith("2 ");

            assertThat(client.body(a.url("invalidate"))).isEqualTo("invalidated");

            assertThat(client.body(b.url("peek"))).isEqualTo("none");
            assertThat(cluster.member(1).map(map)).isEmpty();
            assertThat(a.destroyed).containsExactly(client.sessionId());
        }
    }

    @ParameterizedTest
    @EnumSource(Ee.class)
    void changeSessionId_movesTheSessionToTheNewId_onEveryNode(Ee ee) throws Exception {
        String map = "renew-" + ee + "-" + UUID.randomUUID();
        try (ServletNode a = node(ee, 0, map, "nodeA", SessionCache.EVICT_ON_SESSION_EXIT, null);
             ServletNode b = node(ee, 1, map, "nodeB", SessionCache.EVICT_ON_SESSION_EXIT, null)) {
            SessionClient client = new SessionClient();
            client.body(a.url("count"));
            client.body(b.url("count"));
            String oldId = client.sessionId();

            String newId = client.body(a.url("renew"));

            assertThat(newId).isNotEqualTo(oldId);
            assertThat(client.sessionId()).isEqualTo(newId);
            assertThat(client.body(b.url("count"))).isEqualTo("3 " + newId);
            assertThat(cluster.member(0).<String, Object>map(map).keySet())
                    .singleElement().asString().endsWith("_" + newId);
            SessionClient oldCookie = new SessionClient();
            oldCookie.get(a.url("peek"));
            HttpResponse<String> stale = forceCookie(oldId + ".nodeA", b.url("peek"));
            assertThat(stale.body()).isEqualTo("none");
        }
    }

    @ParameterizedTest
    @EnumSource(Ee.class)
    void attributeOfAWebappClass_isReadOnTheOtherNodeUnderItsWebappLoader(Ee ee) throws Exception {
        String map = "webapp-" + ee + "-" + UUID.randomUUID();
        URL[] classes = {webappClasses.resolve("classes").toUri().toURL()};
        try (URLClassLoader loaderA = new URLClassLoader(classes, getClass().getClassLoader());
             URLClassLoader loaderB = new URLClassLoader(classes, getClass().getClassLoader());
             ServletNode a = node(ee, 0, map, "nodeA", SessionCache.EVICT_ON_SESSION_EXIT, loaderA);
             ServletNode b = node(ee, 1, map, "nodeB", SessionCache.EVICT_ON_SESSION_EXIT, loaderB)) {
            SessionClient client = new SessionClient();
            assertThat(client.body(a.url("setWebapp&v=apples"))).isEqualTo("stored Basket[apples]");

            // true: the object was deserialized by B's web app loader, not found on the test's class path
            assertThat(client.body(b.url("getWebapp"))).isEqualTo("Basket[apples] true");
            assertThat(client.body(a.url("getWebapp"))).isEqualTo("Basket[apples] true");
        }
    }

    @ParameterizedTest
    @EnumSource(Ee.class)
    void concurrentRequests_onTwoNodes_shareOneSession(Ee ee) throws Exception {
        String map = "concurrency-" + ee + "-" + UUID.randomUUID();
        try (ServletNode a = node(ee, 0, map, "nodeA", SessionCache.NEVER_EVICT, null);
             ServletNode b = node(ee, 1, map, "nodeB", SessionCache.EVICT_ON_SESSION_EXIT, null)) {
            SessionClient client = new SessionClient();
            String id = client.body(a.url("count")).substring(2);
            ExecutorService threads = Executors.newFixedThreadPool(8);
            try {
                // one node: its requests share one cached session, so no increment is lost, and the grid holds the
                // state the last request left
                runConcurrently(threads, client, List.of(a.url("count")), 4, 10, id);
                assertThat(client.body(b.url("peek"))).isEqualTo("41");

                // both nodes at once: every request finds the same session and none fails; across nodes the
                // store is last-writer-wins, as all of Jetty's stores are
                runConcurrently(threads, client, List.of(a.url("count"), b.url("count")), 4, 10, id);
            } finally {
                threads.shutdownNow();
            }
            assertThat(Integer.parseInt(client.body(b.url("peek")))).isGreaterThan(41);
            assertThat(Integer.parseInt(client.body(a.url("peek")))).isGreaterThan(41);
            assertThat(client.sessionId()).isEqualTo(id);
            assertThat(a.created).containsExactly(id);
            assertThat(b.created).isEmpty();
            assertThat(a.destroyed).isEmpty();
            assertThat(b.destroyed).isEmpty();
        }
    }

    private static void runConcurrently(ExecutorService threads, SessionClient client, List<String> urls,
                                        int threadsPerUrl, int requests, String id) throws Exception {
        Set<String> ids = ConcurrentHashMap.newKeySet();
        List<Future<?>> work = new ArrayList<>();
        for (String url : urls) {
            for (int t = 0; t < threadsPerUrl; t++) {
                work.add(threads.submit(() -> {
                    for (int i = 0; i < requests; i++) {
                        String body = client.body(url);
                        ids.add(body.substring(body.indexOf(' ') + 1));
                    }
                    return null;
                }));
            }
        }
        for (Future<?> f : work) {
            f.get(30, TimeUnit.SECONDS);
        }
        assertThat(ids).containsExactly(id);
    }

    private static HttpResponse<String> forceCookie(String cookie, String url) throws Exception {
        return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(url)).header("Cookie", "JSESSIONID=" + cookie).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static ServletNode node(Ee ee, int member, String map, String worker, int evictionPolicy,
                                    ClassLoader loader) throws Exception {
        return new ServletNode(ee, cluster.member(member), map, worker, 0, evictionPolicy,
                300, 3600, loader);
    }
}
