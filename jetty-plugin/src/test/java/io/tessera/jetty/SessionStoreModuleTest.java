package io.tessera.jetty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.tessera.grid.GridException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.Session;
import org.eclipse.jetty.server.handler.ContextHandler;
import org.eclipse.jetty.session.DefaultSessionIdManager;
import org.eclipse.jetty.session.NullSessionCacheFactory;
import org.eclipse.jetty.session.SessionHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.resource.ResourceFactory;
import org.eclipse.jetty.xml.XmlConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Jetty module: {@code session-store-tessera.mod} names the XML and its properties, and the XML, loaded by
 * Jetty's {@code XmlConfiguration} as a distribution would, adds a working factory bean with its own grid member to
 * each of two servers, which then share sessions through Jetty's core session handler; with a cluster secret, a third
 * server with another secret or none fails to start.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SessionStoreModuleTest {
    private static final String XML = "jetty-base/etc/sessions/tessera/session-store.xml";
    private static final String MOD = "jetty-base/modules/session-store-tessera.mod";

    @Test
    void module_providesSessionStore_namesTheXml_andTemplatesEveryPropertyTheXmlReads() throws IOException {
        String mod = resource(MOD);
        String xml = resource(XML);

        assertThat(mod).contains("[provides]\nsession-store\n", "[depend]\nsessions\n",
                "[xml]\netc/sessions/tessera/session-store.xml\n", "[lib]\nlib/tessera/*.jar\n");
        Matcher properties = Pattern.compile("<Property name=\"([^\"]+)\" default=\"([^\"]*)\"").matcher(xml);
        int count = 0;
        while (properties.find()) {
            count++;
            assertThat(mod).contains("#" + properties.group(1) + "=" + properties.group(2) + "\n");
        }
        assertThat(count).isEqualTo(8);
    }

    @Test
    void xml_addsTheFactoryBean_whoseGridMembersShareSessionsAcrossTwoServers() throws Exception {
        Map<String, String> properties = Map.of(
                "jetty.session.tessera.clusterName", "xml-" + UUID.randomUUID(),
                "jetty.session.tessera.stack", "local",
                "jetty.session.tessera.mapName", "xml-sessions",
                "jetty.session.gracePeriod.seconds", "7",
                "jetty.session.savePeriod.seconds", "2");
        Server serverA = configuredServer("nodeA", properties);
        Server serverB = configuredServer("nodeB", properties);
        TesseraSessionDataStoreFactory factoryA = serverA.getBean(TesseraSessionDataStoreFactory.class);
        TesseraSessionDataStoreFactory factoryB = serverB.getBean(TesseraSessionDataStoreFactory.class);
        assertThat(factoryA.getMapName()).isEqualTo("xml-sessions");
        assertThat(factoryA.getGracePeriodSec()).isEqualTo(7);
        assertThat(factoryA.getSavePeriodSec()).isEqualTo(2);
        assertThat(factoryA.getBackups()).isEqualTo(1);
        try {
            serverA.start();
            serverB.start();
            assertThat(factoryA.getGrid().clusterName()).isEqualTo(properties.get("jetty.session.tessera.clusterName"));
            await().atMost(Duration.ofSeconds(20)).until(() -> factoryB.getGrid().members().size() == 2);

            SessionClient client = new SessionClient();
            assertThat(client.body(url(serverA))).isEqualTo("1");
            assertThat(client.body(url(serverB))).isEqualTo("2");
            assertThat(client.body(url(serverA))).isEqualTo("3");
            assertThat(client.body(url(serverB))).isEqualTo("4");
            assertThat(factoryB.getGrid().map("xml-sessions")).hasSize(1);
        } finally {
            serverA.stop();
        }
        try {
            // the owned grid member of A left with its server
            await().atMost(Duration.ofSeconds(20)).until(() -> factoryB.getGrid().members().size() == 1);
        } finally {
            serverB.stop();
        }
    }

    @Test
    void xml_withAClusterSecret_sharesSessions_andANodeWithAnotherSecretOrNone_failsToStart_servingNothing()
            throws Exception {
        String cluster = "xml-secured-" + UUID.randomUUID();
        Map<String, String> secured = Map.of(
                "jetty.session.tessera.clusterName", cluster,
                "jetty.session.tessera.stack", "local",
                "jetty.session.tessera.clusterSecret", "web nodes secret 0123456789");
        Server serverA = configuredServer("nodeA", secured);
        Server serverB = configuredServer("nodeB", secured);
        try {
            serverA.start();
            serverB.start();
            TesseraSessionDataStoreFactory factoryB = serverB.getBean(TesseraSessionDataStoreFactory.class);
            await().atMost(Duration.ofSeconds(20)).until(() -> factoryB.getGrid().members().size() == 2);
            SessionClient client = new SessionClient();
            assertThat(client.body(url(serverA))).isEqualTo("1");
            assertThat(client.body(url(serverB))).isEqualTo("2");

            Server wrongSecret = configuredServer("nodeC", Map.of(
                    "jetty.session.tessera.clusterName", cluster,
                    "jetty.session.tessera.stack", "local",
                    "jetty.session.tessera.clusterSecret", "not the web nodes secret"));
            Server noSecret = configuredServer("nodeD", Map.of(
                    "jetty.session.tessera.clusterName", cluster,
                    "jetty.session.tessera.stack", "local"));
            try {
                assertThatThrownBy(wrongSecret::start).isInstanceOf(GridException.class)
                        .hasMessageStartingWith("cluster '" + cluster + "' refused this member: authentication failed"
                                + " (its cluster secret or keystore key differs from the members'");
                assertThatThrownBy(noSecret::start).isInstanceOf(GridException.class)
                        .hasMessageStartingWith("cluster '" + cluster + "' refused this member: authentication failed"
                                + " (it has no cluster secret and the members require one");
                // Jetty fails the whole server when a bean fails to start, and closes the port it had bound: a
                // refused node accepts no connection at all (a load balancer's health check marks it down).
                for (Server refused : List.of(wrongSecret, noSecret)) {
                    ServerConnector connector = (ServerConnector) refused.getConnectors()[0];
                    assertThat(refused.isFailed()).isTrue();
                    assertThat(connector.isOpen()).isFalse();
                    assertThat(connector.getLocalPort()).isNegative();
                }
            } finally {
                wrongSecret.stop();
                noSecret.stop();
            }

            assertThat(client.body(url(serverB))).isEqualTo("3");
            assertThat(client.body(url(serverA))).isEqualTo("4");
            assertThat(factoryB.getGrid().members()).hasSize(2);
        } finally {
            serverA.stop();
            serverB.stop();
        }
    }

    @Test
    void forCluster_refusesAShortSecret_withoutShowingIt_andTakesABlankOneForNone() {
        assertThatThrownBy(() -> TesseraSessionDataStoreFactory.forCluster("c", "local", "", "s3cr3t"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("clusterSecret: 6 characters (expected at least 16")
                .hasMessageNotContaining("s3cr3t");
        assertThat(TesseraSessionDataStoreFactory.forCluster("c", "local", "", " ")).isNotNull();
    }

    private static Server configuredServer(String workerName, Map<String, String> properties) throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        DefaultSessionIdManager ids = new DefaultSessionIdManager(server);
        ids.setWorkerName(workerName);
        server.addBean(ids);
        server.addBean(new NullSessionCacheFactory());
        SessionHandler sessions = new SessionHandler();
        sessions.setHandler(new CountingHandler());
        server.setHandler(new ContextHandler(sessions, "/app"));

        XmlConfiguration xml = new XmlConfiguration(ResourceFactory.of(server).newClassLoaderResource(XML));
        xml.getIdMap().put("Server", server);
        xml.getProperties().putAll(properties);
        xml.configure(server);
        return server;
    }

    private static String url(Server server) {
        return "http://127.0.0.1:" + ((ServerConnector) server.getConnectors()[0]).getLocalPort() + "/app/count";
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = SessionStoreModuleTest.class.getClassLoader().getResourceAsStream(name)) {
            assertThat(in).as(name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Counts requests in the session with Jetty's core session API (no servlets). */
    static final class CountingHandler extends Handler.Abstract {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            Session session = request.getSession(true);
            Integer count = (Integer) session.getAttribute("count");
            count = count == null ? 1 : count + 1;
            session.setAttribute("count", count);
            Content.Sink.write(response, true, String.valueOf(count), callback);
            return true;
        }
    }
}
