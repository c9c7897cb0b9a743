package io.tessera.jetty;

import jakarta.servlet.http.HttpServlet;
import java.util.EventListener;
import org.eclipse.jetty.server.Handler;

/** The servlet layers the store is tested under: a context with a servlet, listeners and a session timeout. */
enum Ee {
    EE10 {
        @Override
        Handler context(String path, HttpServlet servlet, EventListener listener, int maxInactiveSec,
                        ClassLoader loader) {
            var context = new org.eclipse.jetty.ee10.servlet.ServletContextHandler(
                    org.eclipse.jetty.ee10.servlet.ServletContextHandler.SESSIONS);
            context.setContextPath(path);
            context.addServlet(new org.eclipse.jetty.ee10.servlet.ServletHolder(servlet), "/s");
            context.addEventListener(listener);
            context.getSessionHandler().setMaxInactiveInterval(maxInactiveSec);
            if (loader != null) {
                context.setClassLoader(loader);
            }
            return context;
        }
    },
    EE11 {
        @Override
        Handler context(String path, HttpServlet servlet, EventListener listener, int maxInactiveSec,
                        ClassLoader loader) {
            var context = new org.eclipse.jetty.ee11.servlet.ServletContextHandler(
                    org.eclipse.jetty.ee11.servlet.ServletContextHandler.SESSIONS);
            context.setContextPath(path);
            context.addServlet(new org.eclipse.jetty.ee11.servlet.ServletHolder(servlet), "/s");
            context.addEventListener(listener);
            context.getSessionHandler().setMaxInactiveInterval(maxInactiveSec);
            if (loader != null) {
                context.setClassLoader(loader);
            }
            return context;
        }
    };

    /** A servlet context at {@code path} with {@code servlet} at {@code /s}, under {@code loader} if not null. */
    abstract Handler context(String path, HttpServlet servlet, EventListener listener, int maxInactiveSec,
                             ClassLoader loader);
}
