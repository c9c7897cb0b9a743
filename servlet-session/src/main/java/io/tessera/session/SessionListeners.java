package io.tessera.session;

import jakarta.servlet.ServletContext;
import jakarta.servlet.http.HttpSessionAttributeListener;
import jakarta.servlet.http.HttpSessionIdListener;
import jakarta.servlet.http.HttpSessionListener;

import java.util.EventListener;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The session listeners of one web application, as {@link TesseraSessionFilter} sees them.
 *
 * <p>A filter cannot read the listeners the container collected from {@code web.xml}, {@code @WebListener} or
 * {@code ServletContext.addListener} (no portable API lists them, and the container would call them for its own
 * sessions, which the filter replaces). Register them here instead, from a {@code ServletContextListener} or before
 * the context starts: <pre>{@code
 * SessionListeners.of(servletContext).add(new MyHttpSessionListener());
 * }</pre>
 * The filter also calls the listeners of {@link SessionConfig.Builder#listener} and the classes named in its
 * {@code listeners} init-param. {@code HttpSessionListener}s, {@code HttpSessionAttributeListener}s and
 * {@code HttpSessionIdListener}s are called in registration order ({@code sessionDestroyed} in reverse);
 * {@code HttpSessionBindingListener} and {@code HttpSessionActivationListener} are attribute values and need no
 * registration.
 */
public final class SessionListeners {
    /** The ServletContext attribute that holds a context's {@code SessionListeners}. */
    public static final String CONTEXT_ATTRIBUTE = SessionListeners.class.getName();

    private final List<EventListener> listeners = new CopyOnWriteArrayList<>();

    /**
     * Creates an empty registry not attached to any context (for programmatic use; a filter reads only the registry
     * stored as its context's {@link #CONTEXT_ATTRIBUTE}, which {@link #of} creates).
     */
    public SessionListeners() {
    }

    /**
     * Returns the registry of {@code context}, created and stored as attribute {@link #CONTEXT_ATTRIBUTE} if needed.
     *
     * @param context the web application's context
     * @return the context's registry, the same one on every call
     */
    public static SessionListeners of(ServletContext context) {
        synchronized (context) {
            Object existing = context.getAttribute(CONTEXT_ATTRIBUTE);
            if (existing instanceof SessionListeners listeners) {
                return listeners;
            }
            SessionListeners created = new SessionListeners();
            context.setAttribute(CONTEXT_ATTRIBUTE, created);
            return created;
        }
    }

    /**
     * Adds a listener after the ones already registered.
     *
     * @param listener an {@code HttpSessionListener}, {@code HttpSessionAttributeListener} or
     *     {@code HttpSessionIdListener}
     * @return this registry
     * @throws IllegalArgumentException if it is none of HttpSessionListener, HttpSessionAttributeListener,
     *     HttpSessionIdListener
     */
    public SessionListeners add(EventListener listener) {
        Objects.requireNonNull(listener, "listener");
        check(listener);
        listeners.add(listener);
        return this;
    }

    /**
     * Removes a listener.
     *
     * @param listener the listener to remove
     * @return whether it was registered
     */
    public boolean remove(EventListener listener) {
        return listeners.remove(listener);
    }

    /**
     * Returns a snapshot of the listeners in registration order.
     *
     * @return the listeners, unmodifiable; later changes do not show in it
     */
    public List<EventListener> list() {
        return List.copyOf(listeners);
    }

    static void check(EventListener listener) {
        if (!(listener instanceof HttpSessionListener || listener instanceof HttpSessionAttributeListener
                || listener instanceof HttpSessionIdListener)) {
            throw new IllegalArgumentException("listener: " + listener.getClass().getName() + " (expected an "
                    + "HttpSessionListener, HttpSessionAttributeListener or HttpSessionIdListener)");
        }
    }
}
