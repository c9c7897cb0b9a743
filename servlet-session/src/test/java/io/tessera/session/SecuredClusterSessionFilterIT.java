package io.tessera.session;

import io.tessera.grid.Grid;
import io.tessera.grid.GridBuilder;
import io.tessera.grid.GridException;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleState;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.descriptor.web.FilterDef;
import org.apache.tomcat.util.descriptor.web.FilterMap;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Web nodes on a cluster secured with a shared secret, wired as a declared filter is: the application's
 * {@link ServletContextListener} starts its grid member with the secret it was given and puts it in the
 * ServletContext, where {@link TesseraSessionFilter} (declared, without {@code grid-name}) finds it. Two rightful
 * nodes, one Jetty and one Tomcat, share a session; nodes with another secret, or none, are refused by the cluster,
 * so their context never starts and they serve none of the session.
 */
@Timeout(60)
class SecuredClusterSessionFilterIT {
    private static final String SECRET = "web nodes secret 0123456789";
    private static final String WRONG_SECRET = "not the web nodes secret";

    private final String clusterName = "secured-web-" + UUID.randomUUID();
    private final List<Server> jettys = new ArrayList<>();
    private final List<Tomcat> tomcats = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (Server jetty : jettys) {
            jetty.stop();
        }
        for (Tomcat tomcat : tomcats) {
            tomcat.stop();
            tomcat.destroy();
        }
    }

    @Test
    void nodesWithTheSecret_shareTheSession_andNodesWithAnotherSecretOrNone_serveNoneOfIt() throws Exception {
        String a = base(jetty("A", SECRET));
        String b = base(tomcat("B", SECRET).connector);
        AbstractSessionFilterIT.Browser browser = new AbstractSessionFilterIT.Browser();
        String id = AbstractSessionFilterIT.idOf(browser.get(a, "op=create"));
        assertThat(browser.get(a, "op=set&name=cart&value=basket-1")).isEqualTo("ok");
        assertThat(browser.get(b, "op=get&name=cart")).isEqualTo("basket-1");

        // Jetty: the listener's exception fails the server's start, which closes the port it had bound: the node
        // accepts no connection at all.
        for (String secret : new String[] {WRONG_SECRET, null}) {
            Server refused = new Server();
            ServerConnector connector = jettyNode(refused, "refused-jetty", secret);
            assertThatThrownBy(refused::start).isInstanceOf(GridException.class)
                    .hasMessageStartingWith(refusal(secret));
            assertThat(refused.isFailed()).isTrue();
            assertThat(connector.isOpen()).isFalse();
            assertThat(connector.getLocalPort()).isNegative();
        }
        // Tomcat: the server runs on, the context whose listener failed is stopped, and a request for it, with the
        // session's cookie, is answered by Tomcat's own 404 page.
        for (String secret : new String[] {WRONG_SECRET, null}) {
            TomcatNode refused = tomcat("refused-tomcat", secret);
            assertThat(refused.bootstrap.failure).isInstanceOf(GridException.class)
                    .hasMessageStartingWith(refusal(secret));
            assertThat(refused.context.getState()).isEqualTo(LifecycleState.STOPPED);
            HttpResponse<String> response = AbstractSessionFilterIT.raw(base(refused.connector), "op=get&name=cart",
                    "JSESSIONID=" + id);
            assertThat(response.statusCode()).isEqualTo(404);
            assertThat(response.body()).contains("HTTP Status 404 – Not Found").doesNotContain("basket-1");
            assertThat(response.headers().allValues("Set-Cookie")).isEmpty();
        }

        assertThat(browser.get(b, "op=set&name=cart&value=basket-2")).isEqualTo("ok");
        assertThat(browser.get(a, "op=get&name=cart")).isEqualTo("basket-2");
        assertThat(browser.get(b, "op=id")).isEqualTo(id);
    }

    private String refusal(String secret) {
        return "cluster '" + clusterName + "' refused this member: authentication failed " + (secret == null
                ? "(it has no cluster secret and the members require one"
                : "(its cluster secret or keystore key differs from the members'");
    }

    private static String base(ServerConnector connector) {
        return "http://127.0.0.1:" + connector.getLocalPort() + "/app/s";
    }

    private static String base(Connector connector) {
        return "http://127.0.0.1:" + connector.getLocalPort() + "/app/s";
    }

    /** A started Jetty (ee10) node. */
    private ServerConnector jetty(String name, String secret) throws Exception {
        Server server = new Server();
        ServerConnector connector = jettyNode(server, name, secret);
        server.start();
        return connector;
    }

    /** Configures {@code server} as a Jetty node whose bootstrap starts member {@code name} with {@code secret}. */
    private ServerConnector jettyNode(Server server, String name, String secret) {
        jettys.add(server);
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath("/app");
        context.addEventListener(new GridBootstrap(name, secret));
        FilterHolder filter = new FilterHolder(TesseraSessionFilter.class);
        filter.setInitParameter("map-name", "secured-sessions");
        context.addFilter(filter, "/*", EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC));
        context.addServlet(new ServletHolder(new TestApp.Servlet()), "/s/*");
        server.setHandler(context);
        return connector;
    }

    private record TomcatNode(Connector connector, Context context, GridBootstrap bootstrap) {
    }

    /** A started Tomcat node whose bootstrap starts member {@code name} with {@code secret}. */
    private TomcatNode tomcat(String name, String secret) throws Exception {
        Tomcat tomcat = new Tomcat();
        tomcats.add(tomcat);
        tomcat.setBaseDir(Files.createTempDirectory("tomcat-" + name).toString());
        Connector connector = new Connector();
        connector.setPort(0);
        connector.setProperty("address", "127.0.0.1");
        tomcat.setConnector(connector);
        Context context = tomcat.addContext("/app", null);
        GridBootstrap bootstrap = new GridBootstrap(name, secret);
        context.addServletContainerInitializer((classes, servletContext) -> servletContext.addListener(bootstrap),
                null);
        Tomcat.addServlet(context, "app", new TestApp.Servlet());
        context.addServletMappingDecoded("/s/*", "app");
        FilterDef def = new FilterDef();
        def.setFilterName("tessera");
        def.setFilterClass(TesseraSessionFilter.class.getName());
        def.addInitParameter("map-name", "secured-sessions");
        context.addFilterDef(def);
        FilterMap map = new FilterMap();
        map.setFilterName("tessera");
        map.addURLPattern("/*");
        context.addFilterMap(map);
        tomcat.start();
        return new TomcatNode(connector, context, bootstrap);
    }

    /** The application's bootstrap: starts the node's grid member for the filter and closes it with the context. */
    private final class GridBootstrap implements ServletContextListener {
        private final String memberName;
        private final String secret;
        private volatile Grid grid;
        private volatile RuntimeException failure;

        GridBootstrap(String memberName, String secret) {
            this.memberName = memberName;
            this.secret = secret;
        }

        @Override
        public void contextInitialized(ServletContextEvent event) {
            GridBuilder builder = Grid.builder().clusterName(clusterName).stack("local").memberName(memberName)
                    .serialization(AbstractSessionFilterIT.serialization());
            if (secret != null) {
                builder.clusterSecret(secret);
            }
            try {
                grid = builder.start();
            } catch (RuntimeException e) {
                failure = e;
                throw e;
            }
            event.getServletContext().setAttribute(TesseraGrids.CONTEXT_ATTRIBUTE, grid);
        }

        @Override
        public void contextDestroyed(ServletContextEvent event) {
            if (grid != null) {
                grid.close();
            }
        }
    }
}
