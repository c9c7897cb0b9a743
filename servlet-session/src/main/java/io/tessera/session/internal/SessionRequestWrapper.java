package io.tessera.session.internal;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpSession;

/** The request as the application sees it: every session method answers from the grid, never the container. */
public final class SessionRequestWrapper extends HttpServletRequestWrapper {
    private final RequestSessions sessions;

    public SessionRequestWrapper(HttpServletRequest request, RequestSessions sessions) {
        super(request);
        this.sessions = sessions;
    }

    @Override
    public HttpSession getSession(boolean create) {
        return sessions.getSession(create);
    }

    @Override
    public HttpSession getSession() {
        return sessions.getSession(true);
    }

    @Override
    public String changeSessionId() {
        return sessions.changeSessionId();
    }

    @Override
    public String getRequestedSessionId() {
        return sessions.requestedSessionId();
    }

    @Override
    public boolean isRequestedSessionIdValid() {
        return sessions.requestedSessionIdValid();
    }

    @Override
    public boolean isRequestedSessionIdFromCookie() {
        return sessions.requestedSessionIdFromCookie();
    }

    @Override
    public boolean isRequestedSessionIdFromURL() {
        return false;
    }
}
