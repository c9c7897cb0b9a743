package io.tessera.session;

import io.tessera.grid.Grid;
import io.tessera.grid.SerializationConfig;
import io.tessera.session.internal.CommittingResponseWrapper;
import io.tessera.session.internal.Outcome;
import io.tessera.session.internal.RequestSessions;
import io.tessera.session.internal.SessionManager;
import io.tessera.session.internal.SessionProcessors;
import io.tessera.session.internal.SessionRecord;
import io.tessera.session.internal.SessionRequestWrapper;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.util.Objects;

/**
 * A servlet filter that gives every request an {@code HttpSession} kept in a Tessera grid, for any Servlet 6
 * container. Map it first in the chain, to {@code /*}, for the {@code REQUEST} and {@code ASYNC} dispatcher types.
 *
 * <h2>Wiring</h2>
 * Programmatically: {@code new TesseraSessionFilter(grid, SessionConfig.builder()...build())}, then add it to the
 * context ({@code ServletContext.addFilter}, Jetty's {@code FilterHolder}, Tomcat's {@code FilterDef}); init-params
 * are then ignored. Declared ({@code web.xml}, {@code @WebFilter}): the no-argument constructor reads the config
 * from init-params, and the grid from the {@link TesseraGrids} registry under the name in {@code grid-name}, or,
 * without that parameter, from the ServletContext attribute {@link TesseraGrids#CONTEXT_ATTRIBUTE}. Every member
 * must be started with {@link #registerTypes}.
 *
 * <h2>Init-params</h2>
 * {@code grid-name}, {@code map-name}, {@code cookie-name}, {@code cookie-path}, {@code cookie-domain},
 * {@code cookie-http-only}, {@code cookie-secure}, {@code cookie-same-site} (empty: none), {@code cookie-partitioned},
 * {@code cookie-max-age}, {@code max-inactive-interval} (seconds), {@code sticky}, {@code save-mode}
 * ({@code ON_SET_ATTRIBUTE}/{@code ON_GET_ATTRIBUTE}), {@code max-session-size} (bytes), {@code allow-classes}
 * (ObjectInputFilter patterns, comma-separated), {@code kryo-types} ({@code com.example.Cart=1000,...}),
 * {@code listeners} (class names). See {@link SessionConfig} for meanings and defaults.
 *
 * <h2>What it does</h2>
 * <ul>
 *   <li>One grid map per web application; each session is an entry keyed by its id plus a small access-timer entry
 *       in the same partition whose time to live is the max inactive interval (none when it is {@code <= 0}).</li>
 *   <li>A request's attribute changes are committed as one delta by an entry processor on the session's primary,
 *       just before the response commits and again at the end of the request if something changed after; requests
 *       on different nodes that change different attributes both keep their changes. A processor never creates a
 *       session, so a late write cannot resurrect an invalidated session; and an invalidated session is deleted,
 *       so the grid's tombstone keeps a member that was cut off from bringing it back when it merges.</li>
 *   <li>{@code changeSessionId} turns the old entry into a forwarding record and creates the new one (two
 *       partitions cannot change in one step). A request that loaded the session before the change and commits
 *       after it follows the record, so its changes land in the renamed session; a request that arrives with the
 *       old id afterwards finds no session (the old id must stop working: fixation). If the node dies between the
 *       two steps the session is lost, never duplicated.</li>
 *   <li>Listeners: see {@link SessionListeners}. {@code sessionDestroyed} runs exactly once cluster-wide, on the node
 *       that invalidates the session or, for a timeout, on the one node that wins the expiry of the session's
 *       timer (every node with this filter receives the grid's EXPIRED event; an atomic claim picks one).</li>
 *   <li>Ids: 128 bits from {@code SecureRandom}, base64url. Only the cookie tracks sessions (no URL rewriting).
 *       With several session cookies, the first one (in header order) that names a live session wins; an id that
 *       names none is never adopted.</li>
 * </ul>
 *
 * <h2>Known limits</h2>
 * A session whose timer expires while no node runs this filter stays in the grid until a node touches its id;
 * {@code HttpSession} objects are per request (attribute objects changed in place are replicated only when set
 * again, or read in {@link SaveMode#ON_GET_ATTRIBUTE} mode); invalidation does not wait for other requests that
 * use the session to finish.
 */
public class TesseraSessionFilter implements Filter {
    /**
     * The first class id of this module's grid types: {@link #registerTypes} takes {@code 0x7E55_0100} to
     * {@code 0x7E55_0105}, so an application's own registrations must avoid them.
     */
    public static final int FIRST_TYPE_ID = 0x7E55_0100;
    private static final String REQUEST_ATTRIBUTE = RequestSessions.class.getName();

    private Grid grid;
    private SessionConfig config;
    private volatile SessionManager manager;

    /**
     * Creates a filter that reads its config and grid in {@link #init} from init-params (see the class comment).
     */
    public TesseraSessionFilter() {
    }

    /**
     * Creates a filter on {@code grid} with {@code config}; init-params are ignored.
     *
     * @param grid the started member that holds the sessions
     * @param config the filter's config
     */
    public TesseraSessionFilter(Grid grid, SessionConfig config) {
        this.grid = Objects.requireNonNull(grid, "grid");
        this.config = Objects.requireNonNull(config, "config");
    }

    /**
     * Adds the classes this module sends through the grid to {@code builder}, with fixed ids from
     * {@link #FIRST_TYPE_ID}; every member that holds sessions must be built with them.
     *
     * @param builder the grid's serialization config under construction
     * @return {@code builder}, for chaining
     */
    public static SerializationConfig.Builder registerTypes(SerializationConfig.Builder builder) {
        int id = FIRST_TYPE_ID;
        return builder.register(SessionRecord.class, id)
                .register(Outcome.class, id + 1)
                .register(SessionProcessors.Create.class, id + 2)
                .register(SessionProcessors.Access.class, id + 3)
                .register(SessionProcessors.Delta.class, id + 4)
                .register(SessionProcessors.End.class, id + 5);
    }

    @Override
    public void init(FilterConfig filterConfig) throws ServletException {
        ServletContext context = filterConfig.getServletContext();
        ClassLoader loader = context.getClassLoader();
        if (loader == null) {
            loader = Thread.currentThread().getContextClassLoader();
        }
        if (grid == null) {
            try {
                config = SessionConfig.fromInitParameters(filterConfig::getInitParameter, loader);
            } catch (IllegalArgumentException e) {
                throw new ServletException("TesseraSessionFilter " + filterConfig.getFilterName() + ": " + e.getMessage(),
                        e);
            }
            String gridName = filterConfig.getInitParameter("grid-name");
            if (gridName != null && !gridName.isBlank()) {
                grid = TesseraGrids.get(gridName.trim());
                if (grid == null) {
                    throw new ServletException("grid-name: \"" + gridName + "\" (expected a grid registered with "
                            + "TesseraGrids.register)");
                }
            } else if (context.getAttribute(TesseraGrids.CONTEXT_ATTRIBUTE) instanceof Grid g) {
                grid = g;
            } else {
                throw new ServletException("TesseraSessionFilter " + filterConfig.getFilterName() + " has no grid "
                        + "(expected init-param grid-name or ServletContext attribute "
                        + TesseraGrids.CONTEXT_ATTRIBUTE + ")");
            }
        }
        manager = new SessionManager(grid, config, context, loader);
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (!(request instanceof HttpServletRequest req) || !(response instanceof HttpServletResponse res)
                || request.getAttribute(REQUEST_ATTRIBUTE) != null) {
            chain.doFilter(request, response);
            return;
        }
        SessionManager m = manager;
        if (m == null) {
            throw new ServletException("TesseraSessionFilter is not initialized (init was not called)");
        }
        RequestSessions sessions = new RequestSessions(m, req, res);
        req.setAttribute(REQUEST_ATTRIBUTE, sessions);
        SessionRequestWrapper wrappedRequest = new SessionRequestWrapper(req, sessions);
        CommittingResponseWrapper wrappedResponse = new CommittingResponseWrapper(res, sessions::commit);
        boolean async = false;
        try {
            chain.doFilter(wrappedRequest, wrappedResponse);
            if (wrappedRequest.isAsyncStarted()) {
                async = true;
                wrappedRequest.getAsyncContext().addListener(new AsyncListener() {
                    @Override
                    public void onComplete(AsyncEvent event) {
                        sessions.commit();
                    }

                    @Override
                    public void onTimeout(AsyncEvent event) {
                    }

                    @Override
                    public void onError(AsyncEvent event) {
                    }

                    @Override
                    public void onStartAsync(AsyncEvent event) {
                    }
                });
            }
        } finally {
            if (!async) {
                sessions.commit();
            }
        }
    }

    /**
     * Returns the config this filter runs with ({@code null} before {@code init} for a declared filter).
     *
     * @return the config, or {@code null}
     */
    public SessionConfig config() {
        return config;
    }

    @Override
    public void destroy() {
        SessionManager m = manager;
        manager = null;
        if (m != null) {
            m.close();
        }
    }
}
