package io.tessera.examples.session;

import io.tessera.grid.Grid;
import io.tessera.grid.GridBuilder;
import io.tessera.grid.SerializationConfig;
import io.tessera.jetty.TesseraSessionDataStoreFactory;
import jakarta.servlet.DispatcherType;
import java.util.EnumSet;
import java.util.Locale;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.session.AbstractSessionCacheFactory;
import org.eclipse.jetty.session.DefaultSessionCacheFactory;
import org.eclipse.jetty.session.DefaultSessionIdManager;
import org.eclipse.jetty.session.NullSessionCacheFactory;
import org.eclipse.jetty.session.SessionCache;

/**
 * One running node of the session demo: the grid member (unless sessions are kept in memory) and the Jetty server in
 * front of it. {@link #close()} stops Jetty first, so no request is cut off from its sessions, then leaves the grid.
 *
 * <p>Session wiring, as Jetty documents it for a cluster: a {@code DefaultSessionIdManager} whose worker name is the
 * node's name (Jetty's {@code lastNode} protocol, which decides which node expires a session, needs a distinct name
 * per node), Tessera's {@code SessionDataStoreFactory} and a {@code SessionCacheFactory} as server beans. The cache
 * writes a changed session when the response is committed ({@code flushOnResponseCommit}), before the client can
 * send its next request to another node.
 */
public final class SessionDemoNode implements AutoCloseable {
    private final String name;
    private final Grid grid;
    private final Server server;
    private final int httpPort;

    private SessionDemoNode(String name, Grid grid, Server server, int httpPort) {
        this.name = name;
        this.grid = grid;
        this.server = server;
        this.httpPort = httpPort;
    }

    /**
     * Starts a node with the settings of {@code options}: joins the grid (with {@code --sessions tessera}), then
     * starts Jetty.
     *
     * @throws IllegalStateException if Jetty cannot start (the grid member is closed again)
     */
    public static SessionDemoNode start(SessionDemo options) {
        String name = options.nodeName();
        Grid grid = options.sessions == SessionDemo.Sessions.TESSERA ? startGrid(options, name) : null;
        Server server = new Server();
        try {
            ServerConnector connector = new ServerConnector(server);
            connector.setHost(options.httpHost);
            connector.setPort(options.httpPort);
            server.addConnector(connector);

            DefaultSessionIdManager ids = new DefaultSessionIdManager(server);
            ids.setWorkerName(name);
            server.addBean(ids, true);
            if (grid != null) {
                server.addBean(new TesseraSessionDataStoreFactory(grid));
                server.addBean(cacheFactory(options.sessionCache));
            }

            ServletContextHandler context = new ServletContextHandler(ServletContextHandler.SESSIONS);
            context.setContextPath("/");
            context.getSessionHandler().setMaxInactiveInterval(options.sessionTimeout);
            context.addFilter(new FilterHolder(new NodeHeaderFilter(name)), "/*",
                    EnumSet.of(DispatcherType.REQUEST));
            context.addServlet(new ServletHolder(new HomeServlet(name,
                    options.sessions.name().toLowerCase(Locale.ROOT))), "");
            context.addServlet(new ServletHolder(new CounterServlet()), "/counter");
            context.addServlet(new ServletHolder(new CartServlet(name)), "/cart");
            context.addServlet(new ServletHolder(new AttributesServlet()), "/attrs");
            server.setHandler(context);
            server.start();
            return new SessionDemoNode(name, grid, server, connector.getLocalPort());
        } catch (Exception e) {
            try {
                server.stop();
            } catch (Exception suppressed) {
                e.addSuppressed(suppressed);
            }
            if (grid != null) {
                grid.close();
            }
            throw new IllegalStateException("cannot start Jetty on " + options.httpHost + ":" + options.httpPort
                    + ": " + e.getMessage(), e);
        }
    }

    private static Grid startGrid(SessionDemo options, String name) {
        SerializationConfig.Builder serialization = SerializationConfig.builder();
        TesseraSessionDataStoreFactory.registerTypes(serialization);
        GridBuilder builder = Grid.builder()
                .clusterName(options.clusterName)
                .stack(options.stack)
                .memberName(name)
                .serialization(serialization.build());
        if (!"local".equals(options.stack)) {
            builder.bindAddress(options.gridBind);
        }
        if (options.gridPort != null) {
            builder.bindPort(options.gridPort);
        }
        if (options.members != null && !options.members.isEmpty()) {
            builder.initialMembers(options.members.toArray(String[]::new));
        }
        return builder.start();
    }

    private static AbstractSessionCacheFactory cacheFactory(SessionDemo.Cache cache) {
        AbstractSessionCacheFactory factory;
        if (cache == SessionDemo.Cache.NULL) {
            factory = new NullSessionCacheFactory();
        } else {
            DefaultSessionCacheFactory keeping = new DefaultSessionCacheFactory();
            keeping.setEvictionPolicy(cache == SessionDemo.Cache.EVICT ? SessionCache.EVICT_ON_SESSION_EXIT
                    : SessionCache.NEVER_EVICT);
            factory = keeping;
        }
        factory.setFlushOnResponseCommit(true);
        return factory;
    }

    /** The node's name. */
    public String name() {
        return name;
    }

    /** The port Jetty listens on. */
    public int httpPort() {
        return httpPort;
    }

    /** The grid member, or {@code null} when sessions are kept in memory. */
    public Grid grid() {
        return grid;
    }

    /** Stops Jetty, then leaves the grid gracefully. */
    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            // stopping anyway: the grid must still leave
        } finally {
            if (grid != null) {
                grid.close();
            }
        }
    }
}
