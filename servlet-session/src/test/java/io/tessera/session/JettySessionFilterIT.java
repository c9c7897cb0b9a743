package io.tessera.session;

import jakarta.servlet.DispatcherType;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

import java.util.EnumSet;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The filter's contract in embedded Jetty 12 (ee10). */
class JettySessionFilterIT extends AbstractSessionFilterIT {
    @Override
    protected ContainerNode start(TesseraSessionFilter filter, String node) {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath("/app");
        context.addFilter(new FilterHolder(filter), "/*", EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC));
        context.addServlet(new ServletHolder(new TestApp.Servlet()), "/s/*");
        server.setHandler(context);
        try {
            server.start();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return new ContainerNode() {
            @Override
            public int port() {
                return connector.getLocalPort();
            }

            @Override
            public void close() {
                try {
                    server.stop();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        };
    }

    @Test
    void declaredFilter_readsInitParams_findsItsGridByName_andCallsContextRegisteredListeners() throws Exception {
        TesseraGrids.register("jetty-it", grid(0));
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath("/app");
        FilterHolder holder = new FilterHolder(TesseraSessionFilter.class);
        holder.setInitParameter("grid-name", "jetty-it");
        holder.setInitParameter("map-name", "declared-" + System.nanoTime());
        holder.setInitParameter("cookie-name", "TSID");
        holder.setInitParameter("cookie-same-site", "Strict");
        holder.setInitParameter("cookie-max-age", "600");
        holder.setInitParameter("max-inactive-interval", "77");
        context.addFilter(holder, "/*", EnumSet.of(DispatcherType.REQUEST));
        context.addServlet(new ServletHolder(new TestApp.Servlet()), "/s/*");
        SessionListeners.of(context.getServletContext()).add(new TestApp.Recorder("ctx"));
        server.setHandler(context);
        server.start();
        try {
            String base = "http://127.0.0.1:" + connector.getLocalPort() + "/app/s";
            var created = raw(base, "op=create", null);
            String id = idOf(created.body());
            assertThat(created.headers().allValues("Set-Cookie")).anySatisfy(c -> assertThat(c)
                    .startsWith("TSID=" + id + "; Path=/app; Max-Age=600").contains("SameSite=Strict"));
            assertThat(raw(base, "op=getmax", "TSID=" + id).body()).isEqualTo("77");
            assertThat(raw(base, "op=getmax", "JSESSIONID=" + id).body()).isEqualTo("none");
            assertThat(TestApp.events("ctx created " + id)).hasSize(1);
        } finally {
            server.stop();
            TesseraGrids.unregister("jetty-it");
        }
    }
}
