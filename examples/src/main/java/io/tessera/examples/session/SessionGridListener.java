package io.tessera.examples.session;

import io.tessera.grid.Grid;
import io.tessera.grid.GridBuilder;
import io.tessera.grid.SerializationConfig;
import io.tessera.session.TesseraGrids;
import io.tessera.session.TesseraSessionFilter;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import java.util.Arrays;

/**
 * Starts a grid member for a web application that declares {@link TesseraSessionFilter} in its {@code web.xml}, and
 * hands it to the filter through the ServletContext attribute {@link TesseraGrids#CONTEXT_ATTRIBUTE}; closes it when
 * the application stops. A declared filter cannot be given a grid in its constructor, and a container calls
 * {@code contextInitialized} before it initializes any filter and {@code contextDestroyed} after it destroyed them
 * all, so the member outlives every request that uses it. Copy it into an application that has no grid of its own
 * (see docs/sessions.md and {@code examples/tomcat/web.xml}).
 *
 * <p>Context parameters (each optional): {@value #CLUSTER_NAME} (default {@value GridBuilder#DEFAULT_CLUSTER_NAME}),
 * {@value #STACK} ({@code tcp}, {@code udp}, {@code kubernetes}, {@code local} or a JGroups XML file; default
 * {@code tcp}), {@value #MEMBERS} (comma-separated {@code host:port} of the members to contact), {@value #BIND_ADDRESS}
 * and {@value #PORT} (the address and port this member binds; default 127.0.0.1 and the first free of 7800..7810).
 */
public final class SessionGridListener implements ServletContextListener {
    /** Context parameter: the cluster to join; only members with the same name share sessions. */
    public static final String CLUSTER_NAME = "tessera.cluster-name";
    /** Context parameter: the JGroups stack. */
    public static final String STACK = "tessera.stack";
    /** Context parameter: the members to contact when joining. */
    public static final String MEMBERS = "tessera.members";
    /** Context parameter: the address this member binds. */
    public static final String BIND_ADDRESS = "tessera.bind-address";
    /** Context parameter: the port this member binds. */
    public static final String PORT = "tessera.port";

    private Grid grid;

    @Override
    public void contextInitialized(ServletContextEvent event) {
        ServletContext context = event.getServletContext();
        GridBuilder builder = Grid.builder()
                .serialization(TesseraSessionFilter.registerTypes(SerializationConfig.builder()).build());
        String value;
        if ((value = param(context, CLUSTER_NAME)) != null) {
            builder.clusterName(value);
        }
        if ((value = param(context, STACK)) != null) {
            builder.stack(value);
        }
        if ((value = param(context, MEMBERS)) != null) {
            builder.initialMembers(Arrays.stream(value.split(",")).map(String::trim).filter(m -> !m.isEmpty())
                    .toArray(String[]::new));
        }
        if ((value = param(context, BIND_ADDRESS)) != null) {
            builder.bindAddress(value);
        }
        if ((value = param(context, PORT)) != null) {
            try {
                builder.bindPort(Integer.parseInt(value));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(PORT + ": \"" + value + "\" (expected a port number)", e);
            }
        }
        grid = builder.start();
        context.setAttribute(TesseraGrids.CONTEXT_ATTRIBUTE, grid);
    }

    @Override
    public void contextDestroyed(ServletContextEvent event) {
        event.getServletContext().removeAttribute(TesseraGrids.CONTEXT_ATTRIBUTE);
        if (grid != null) {
            grid.close();
            grid = null;
        }
    }

    private static String param(ServletContext context, String name) {
        String value = context.getInitParameter(name);
        return value == null || value.isBlank() ? null : value.trim();
    }
}
