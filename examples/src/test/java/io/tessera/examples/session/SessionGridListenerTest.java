package io.tessera.examples.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.grid.Grid;
import io.tessera.session.TesseraGrids;
import java.io.IOException;
import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.descriptor.web.ApplicationParameter;
import org.apache.tomcat.util.scan.StandardJarScanner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Tomcat recipe of docs/sessions.md as written: two embedded Tomcat 11 nodes in one JVM deploy a web application
 * whose {@code WEB-INF/web.xml} is {@code examples/tomcat/web.xml} unchanged (the filter declared, its grid started by
 * {@link SessionGridListener}); the per-node settings come as Tomcat context parameters that web.xml cannot override,
 * as a context file's {@code <Parameter override="false"/>} would give them, here the in-JVM stack.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SessionGridListenerTest {
    static final Path WEB_XML = Path.of("tomcat", "web.xml");

    /** One deployed node: its Tomcat and the application's context. */
    private record Node(Tomcat tomcat, Context context) {
        int port() {
            return tomcat.getConnector().getLocalPort();
        }
    }

    private final List<Tomcat> nodes = new ArrayList<>();
    private final List<Path> dirs = new ArrayList<>();
    private final HttpClient client = HttpClient.newBuilder()
            .cookieHandler(new CookieManager(null, CookiePolicy.ACCEPT_ALL))
            .build();

    @AfterEach
    void stop() throws IOException {
        for (Tomcat tomcat : nodes) {
            try {
                tomcat.stop();
                tomcat.destroy();
            } catch (LifecycleException e) {
                // stopping anyway
            }
        }
        for (Path dir : dirs) {
            try (Stream<Path> walk = Files.walk(dir)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void declaredFilter_getsTheListenersGrid_andTheSessionOutlivesTheNodeThatCreatedIt() throws Exception {
        String cluster = "web-xml-" + UUID.randomUUID();
        Node first = deploy(cluster);
        Node second = deploy(cluster);
        assertThat(first.context().getServletContext().getAttribute(TesseraGrids.CONTEXT_ATTRIBUTE))
                .as("the grid the listener handed the filter")
                .isInstanceOfSatisfying(Grid.class, grid -> assertThat(grid.members()).hasSize(2));

        for (int expected = 1; expected <= 6; expected++) {
            assertThat(count(expected % 2 == 1 ? first : second)).as("request %d", expected).isEqualTo(expected);
        }
        // A graceful stop: Tomcat destroys the filter, then the listener closes the member, which hands off its data.
        String firstMember = ((Grid) first.context().getServletContext()
                .getAttribute(TesseraGrids.CONTEXT_ATTRIBUTE)).localMember().name();
        List<String> leaks = new ArrayList<>();
        Handler leakWarnings = new Handler() {
            @Override
            public void publish(LogRecord record) {
                leaks.add(record.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger classLoader = Logger.getLogger("org.apache.catalina.loader.WebappClassLoaderBase");
        classLoader.addHandler(leakWarnings);
        try {
            first.tomcat().stop();
        } finally {
            classLoader.removeHandler(leakWarnings);
        }
        assertThat(first.context().getServletContext().getAttribute(TesseraGrids.CONTEXT_ATTRIBUTE)).isNull();
        // Tomcat names every live thread whose context class loader is the stopped application's. The JVM-wide thread
        // of CompletableFuture's timeouts never stops, so it would keep the application's loader for good; it must not
        // be there. Threads that are merely still ending are not held against the member: JGroups stops its bundler
        // threads without waiting for them (a pd-bundler thread of the stopped member was seen once, in a CI run),
        // and the second node's member runs in this JVM too and may have inherited the loader.
        assertThat(leaks).as("threads Tomcat found after the first node stopped (member %s)", firstMember)
                .noneMatch(line -> line.contains("CompletableFutureDelayScheduler"));
        for (int expected = 7; expected <= 9; expected++) {
            assertThat(count(second)).as("request %d, after the first node stopped", expected).isEqualTo(expected);
        }
    }

    private Node deploy(String cluster) throws Exception {
        Path base = Files.createTempDirectory("tessera-web-xml-");
        dirs.add(base);
        Path webInf = Files.createDirectories(base.resolve("app").resolve("WEB-INF"));
        Files.copy(WEB_XML, webInf.resolve("web.xml"));

        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(base.toString());
        Connector connector = new Connector();
        connector.setPort(0);
        connector.setProperty("address", "127.0.0.1");
        tomcat.setConnector(connector);
        tomcat.setAddDefaultWebXmlToWebapp(false);
        Context context = tomcat.addWebapp("", base.resolve("app").toString());
        ((StandardJarScanner) context.getJarScanner()).setScanClassPath(false);
        context.addApplicationParameter(fixed(SessionGridListener.CLUSTER_NAME, cluster));
        context.addApplicationParameter(fixed(SessionGridListener.STACK, "local"));
        context.addApplicationParameter(fixed(SessionGridListener.MEMBERS, ""));
        Tomcat.addServlet(context, "counter", new CounterServlet());
        context.addServletMappingDecoded("/counter", "counter");
        nodes.add(tomcat);
        tomcat.start();
        return new Node(tomcat, context);
    }

    /** A context parameter web.xml cannot override, as {@code <Parameter override="false"/>} in a context file. */
    private static ApplicationParameter fixed(String name, String value) {
        ApplicationParameter parameter = new ApplicationParameter();
        parameter.setName(name);
        parameter.setValue(value);
        parameter.setOverride(false);
        return parameter;
    }

    private int count(Node node) throws Exception {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + node.port() + "/counter")).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return Integer.parseInt(response.body().trim());
    }
}
