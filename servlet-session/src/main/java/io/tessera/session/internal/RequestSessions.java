package io.tessera.session.internal;

import io.tessera.session.SessionConfig;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;

import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;

/**
 * The session state of one request: which ids the client sent, which session it resolved to, the cookies to send,
 * and the commits. Owned by the request's thread (and by whatever thread an async request hands it to; methods are
 * synchronized).
 *
 * <p>Id resolution: every {@code Cookie} header is read in order and every cookie with the configured name counts;
 * a value that is not a well-formed id is ignored, and of the others the first (in header order) that names a live
 * session wins. An id that names no session is never adopted: a new session always gets a fresh id (no fixation).
 */
public final class RequestSessions {
    private final SessionManager manager;
    private final HttpServletRequest request;
    private final HttpServletResponse response;
    private final List<String> requestedIds = new ArrayList<>();
    private boolean resolved;
    private GridSession session;
    private String resolvedFromId;

    public RequestSessions(SessionManager manager, HttpServletRequest request, HttpServletResponse response) {
        this.manager = manager;
        this.request = request;
        this.response = response;
        if (request != null) {
            readCookies();
        }
    }

    private void readCookies() {
        String name = manager.config().cookieName();
        Enumeration<String> headers = request.getHeaders("Cookie");
        while (headers != null && headers.hasMoreElements()) {
            for (String part : headers.nextElement().split(";")) {
                int eq = part.indexOf('=');
                if (eq <= 0 || !part.substring(0, eq).trim().equals(name)) {
                    continue;
                }
                String value = part.substring(eq + 1).trim();
                if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                    value = value.substring(1, value.length() - 1);
                }
                if (SessionManager.wellFormed(value) && !requestedIds.contains(value)) {
                    requestedIds.add(value);
                }
            }
        }
    }

    /** The id the client sent: the one that resolved to a session, else the first well-formed one, else null. */
    public synchronized String requestedSessionId() {
        resolve();
        if (resolvedFromId != null) {
            return resolvedFromId;
        }
        return requestedIds.isEmpty() ? null : requestedIds.get(0);
    }

    public synchronized boolean requestedSessionIdValid() {
        resolve();
        return resolvedFromId != null && session != null && session.isValid();
    }

    public synchronized boolean requestedSessionIdFromCookie() {
        return !requestedIds.isEmpty();
    }

    private void resolve() {
        if (resolved) {
            return;
        }
        resolved = true;
        for (String id : requestedIds) {
            GridSession found = manager.load(id, this);
            if (found != null) {
                session = found;
                resolvedFromId = id;
                return;
            }
        }
    }

    GridSession resolveExactly(String id) {
        resolved = true;
        session = manager.load(id, this);
        if (session != null && !session.getId().equals(id)) {
            session = null;
        }
        return session;
    }

    /** {@code HttpServletRequest.getSession(create)}. */
    public synchronized HttpSession getSession(boolean create) {
        resolve();
        if (session != null && session.isValid()) {
            return session;
        }
        if (!create) {
            return null;
        }
        if (response.isCommitted()) {
            throw new IllegalStateException("getSession(true): cannot create a session after the response has been "
                    + "committed (the session cookie could not be sent)");
        }
        session = manager.create(this);
        writeCookie(session.getId(), false);
        manager.fireCreated(session);
        return session;
    }

    /** {@code HttpServletRequest.changeSessionId()}: atomic in the grid, new cookie, HttpSessionIdListeners. */
    public String changeSessionId() {
        GridSession current;
        synchronized (this) {
            resolve();
            current = session;
            if (current == null || !current.isValid()) {
                throw new IllegalStateException("changeSessionId: this request has no session");
            }
            if (response != null && response.isCommitted()) {
                throw new IllegalStateException("changeSessionId: the response has been committed (the new session "
                        + "cookie could not be sent)");
            }
        }
        String newId = current.changeId();
        synchronized (this) {
            writeCookie(newId, false);
        }
        return newId;
    }

    synchronized void invalidated(GridSession invalid) {
        if (session == invalid && response != null && !response.isCommitted()) {
            writeCookie("", true);
        }
    }

    /** Commits the session's pending changes; called before the response commits and at the end of the request. */
    public void commit() {
        GridSession current;
        synchronized (this) {
            current = session;
        }
        if (current != null) {
            current.commit();
        }
    }

    private void writeCookie(String value, boolean delete) {
        if (response == null) {
            return;
        }
        SessionConfig c = manager.config();
        StringBuilder sb = new StringBuilder(128).append(c.cookieName()).append('=').append(value);
        String path = c.cookiePath();
        if (path == null) {
            path = request.getContextPath().isEmpty() ? "/" : request.getContextPath();
        }
        sb.append("; Path=").append(path);
        if (c.cookieDomain() != null) {
            sb.append("; Domain=").append(c.cookieDomain());
        }
        if (delete) {
            sb.append("; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT");
        } else if (c.cookieMaxAge() >= 0) {
            sb.append("; Max-Age=").append(c.cookieMaxAge());
        }
        if (c.cookieSecure()) {
            sb.append("; Secure");
        }
        if (c.cookieHttpOnly()) {
            sb.append("; HttpOnly");
        }
        if (c.cookieSameSite() != null) {
            sb.append("; SameSite=").append(c.cookieSameSite());
        }
        if (c.cookiePartitioned()) {
            sb.append("; Partitioned");
        }
        response.addHeader("Set-Cookie", sb.toString());
    }
}
