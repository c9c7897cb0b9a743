package io.tessera.examples.session;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;

/**
 * {@code GET /counter}: adds one to the session's count (creating the session on the first request) and returns the
 * new count as plain text, e.g. {@code 21}.
 */
public final class CounterServlet extends HttpServlet {
    /** The session attribute that holds the count (an {@link Integer}). */
    public static final String ATTRIBUTE = "count";

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        HttpSession session = request.getSession(true);
        Integer previous = (Integer) session.getAttribute(ATTRIBUTE);
        int count = previous == null ? 1 : previous + 1;
        session.setAttribute(ATTRIBUTE, count);
        response.setContentType("text/plain;charset=utf-8");
        response.setHeader("Cache-Control", "no-store");
        response.getWriter().print(count + "\n");
    }
}
