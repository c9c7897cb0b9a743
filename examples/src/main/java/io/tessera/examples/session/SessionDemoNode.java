package io.tessera.examples.session;

import io.tessera.grid.Grid;
import io.tessera.grid.GridBuilder;
import io.tessera.grid.SerializationConfig;
import io.tessera.jetty.TesseraSessionDataStoreFactory;
import io.tessera.session.SessionConfig;
import io.tessera.session.TesseraSessionFilter;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServlet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.session.StandardManager;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.descriptor.web.FilterDef;
import org.apache.tomcat.util.descriptor.web.FilterMap;
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
 * One running node of the session demo: the grid member (unless sessions are kept in memory) and the servlet
 * container in front of it. {@link #close()} stops the container first, so no request is cut off from its sessions,
 * then leaves the grid.
 *
 * <p>Jetty with {@code --sessions tessera} is wired as Jetty documents a cluster: a {@code DefaultSessionIdManager}
 * whose worker name is the node's name (Jetty's {@code lastNode} protocol, which decides which node expires a
 * session, needs a distinct name per node), Tessera's {@code SessionDataStoreFactory} and a
 * {@code SessionCacheFactory} as server beans. The cache writes a changed session when the response is committed
 * ({@code flushOnResponseCommit}), before the client can send its next request to another node.
 *
 * <p>With {@code --sessions filter} (and on Tomcat with {@code tessera}), {@code TesseraSessionFilter} is the first
 * filter of the chain (sticky with {@code --sticky}, non-sticky otherwise), and the container's own session manager
 * goes unused.
 */
public final class SessionDemoNode implements AutoCloseable {
    private final String name;
    private final String description;
    private final Grid grid;
    private final AutoCloseable container;
    private final int httpPort;

    private SessionDemoNode(String name, String description, Grid grid, AutoCloseable container, int httpPort) {
        this.name = name;
        this.description = description;
        this.grid = grid;
        this.container = container;
        this.httpPort = httpPort;
    }

    /**
     * Starts a node with the settings of {@code options}: joins the grid (unless {@code --sessions memory}), then
     * starts the container.
     *
     * @param options the parsed command line
     * @return the running node
     * @throws IllegalStateException if the container cannot start (the grid member is closed again)
     */
    public static SessionDemoNode start(SessionDemo options) {
        String name = options.nodeName();
        SessionDemo.Sessions sessions = options.sessions;
        if (options.container == SessionDemo.Container.TOMCAT && sessions == SessionDemo.Sessions.TESSERA) {
            sessions = SessionDemo.Sessions.FILTER;
        }
        Grid grid = sessions == SessionDemo.Sessions.MEMORY ? null : startGrid(options, name);
        String description = options.container.name().toLowerCase(Locale.ROOT) + ", sessions: "
                + (sessions == SessionDemo.Sessions.TESSERA ? "tessera session store, cache "
                        + options.sessionCache.name().toLowerCase(Locale.ROOT)
                        : sessions == SessionDemo.Sessions.FILTER ? "tessera filter" : "memory");
        try {
            if (options.container == SessionDemo.Container.JETTY) {
                Server server = startJetty(options, name, sessions, grid);
                return new SessionDemoNode(name, description, grid, server::stop,
                        ((ServerConnector) server.getConnectors()[0]).getLocalPort());
            }
            Path base = Files.createTempDirectory("tessera-demo-tomcat-");
            base.toFile().deleteOnExit(); // should Tomcat recreate it empty while it stops
            Tomcat tomcat;
            try {
                tomcat = startTomcat(options, name, sessions, grid, base);
            } catch (Exception e) {
                deleteRecursively(base);
                throw e;
            }
            return new SessionDemoNode(name, description, grid, () -> {
                try {
                    tomcat.stop();
                    tomcat.destroy();
                } finally {
                    deleteRecursively(base);
                }
            }, tomcat.getConnector().getLocalPort());
        } catch (Exception e) {
            if (grid != null) {
                grid.close();
            }
            throw new IllegalStateException("cannot start " + options.container.name().toLowerCase(Locale.ROOT)
                    + " on " + options.httpHost + ":" + options.httpPort + ": " + e.getMessage(), e);
        }
    }

    private static Grid startGrid(SessionDemo options, String name) {
        SerializationConfig.Builder serialization = SerializationConfig.builder();
        TesseraSessionDataStoreFactory.registerTypes(serialization);
        TesseraSessionFilter.registerTypes(serialization);
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

    /** The demo's servlets by path ({@code ""} is the context root only). */
    private static Map<String, HttpServlet> servlets(String name, SessionDemo.Sessions sessions) {
        Map<String, HttpServlet> servlets = new LinkedHashMap<>();
        servlets.put("", new HomeServlet(name, sessions.name().toLowerCase(Locale.ROOT)));
        servlets.put("/counter", new CounterServlet());
        servlets.put("/cart", new CartServlet(name));
        servlets.put("/attrs", new AttributesServlet());
        return servlets;
    }

    private static Filter sessionFilter(Grid grid, SessionDemo options) {
        return new TesseraSessionFilter(grid, SessionConfig.builder()
                .sticky(options.sticky)
                .maxInactiveInterval(options.sessionTimeout)
                .build());
    }

    private static Server startJetty(SessionDemo options, String name, SessionDemo.Sessions sessions, Grid grid)
            throws Exception {
        Server server = new Server();
        try {
            ServerConnector connector = new ServerConnector(server);
            connector.setHost(options.httpHost);
            connector.setPort(options.httpPort);
            server.addConnector(connector);

            boolean jettySessions = sessions != SessionDemo.Sessions.FILTER;
            ServletContextHandler context = new ServletContextHandler(
                    jettySessions ? ServletContextHandler.SESSIONS : ServletContextHandler.NO_SESSIONS);
            context.setContextPath("/");
            if (jettySessions) {
                DefaultSessionIdManager ids = new DefaultSessionIdManager(server);
                ids.setWorkerName(name);
                server.addBean(ids, true);
                context.getSessionHandler().setMaxInactiveInterval(options.sessionTimeout);
            }
            if (sessions == SessionDemo.Sessions.TESSERA) {
                TesseraSessionDataStoreFactory store = new TesseraSessionDataStoreFactory(grid);
                store.setSavePeriodSec(options.savePeriod);
                server.addBean(store);
                server.addBean(cacheFactory(options.sessionCache));
            }
            if (sessions == SessionDemo.Sessions.FILTER) {
                context.addFilter(new FilterHolder(sessionFilter(grid, options)), "/*",
                        EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC));
            }
            context.addFilter(new FilterHolder(new NodeHeaderFilter(name)), "/*",
                    EnumSet.of(DispatcherType.REQUEST));
            servlets(name, sessions).forEach((path, servlet) -> context.addServlet(new ServletHolder(servlet), path));
            server.setHandler(context);
            server.start();
            return server;
        } catch (Exception e) {
            try {
                server.stop();
            } catch (Exception suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
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

    /** Tomcat's base directory holds only its work files; it is deleted when the node stops. */
    private static void deleteRecursively(Path dir) {
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // best effort: a temp directory
        }
    }

    private static Tomcat startTomcat(SessionDemo options, String name, SessionDemo.Sessions sessions, Grid grid,
                                      Path base) throws Exception {
        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(base.toString());
        Connector connector = new Connector();
        connector.setPort(options.httpPort);
        connector.setProperty("address", options.httpHost);
        tomcat.setConnector(connector);
        try {
            Context context = tomcat.addContext("", null);
            // Tomcat's own sessions (only used with --sessions memory): in memory, never written to disk on stop.
            StandardManager manager = new StandardManager();
            manager.setPathname(null);
            context.setManager(manager);
            context.setSessionTimeout(Math.max(1, options.sessionTimeout / 60));
            if (sessions == SessionDemo.Sessions.FILTER) {
                addFilter(context, "tessera-sessions", sessionFilter(grid, options), "REQUEST", "ASYNC");
            }
            addFilter(context, "node-header", new NodeHeaderFilter(name), "REQUEST");
            servlets(name, sessions).forEach((path, servlet) -> {
                String servletName = path.isEmpty() ? "home" : path.substring(1);
                Tomcat.addServlet(context, servletName, servlet);
                context.addServletMappingDecoded(path, servletName);
            });
            tomcat.start();
            return tomcat;
        } catch (Exception e) {
            try {
                tomcat.stop();
                tomcat.destroy();
            } catch (Exception suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private static void addFilter(Context context, String filterName, Filter filter, String... dispatchers) {
        FilterDef def = new FilterDef();
        def.setFilterName(filterName);
        def.setFilter(filter);
        context.addFilterDef(def);
        FilterMap map = new FilterMap();
        map.setFilterName(filterName);
        map.addURLPattern("/*");
        for (String dispatcher : dispatchers) {
            map.setDispatcher(dispatcher);
        }
        context.addFilterMap(map);
    }

    /**
     * Returns the node's name.
     *
     * @return the name of {@link SessionDemo#nodeName()}
     */
    public String name() {
        return name;
    }

    /**
     * Returns the container and how it keeps sessions, e.g. {@code jetty, sessions: tessera session store, cache null}.
     *
     * @return a one-line description for logs and pages
     */
    public String description() {
        return description;
    }

    /**
     * Returns the port the container listens on.
     *
     * @return the bound HTTP port
     */
    public int httpPort() {
        return httpPort;
    }

    /**
     * Returns the grid member, or {@code null} when sessions are kept in memory.
     *
     * @return the grid member, or {@code null}
     */
    public Grid grid() {
        return grid;
    }

    /** Stops the container, then leaves the grid gracefully. */
    @Override
    public void close() {
        try {
            container.close();
        } catch (Exception e) {
            // stopping anyway: the grid must still leave
        } finally {
            if (grid != null) {
                grid.close();
            }
        }
    }
}
