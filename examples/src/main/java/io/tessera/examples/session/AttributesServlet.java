package io.tessera.examples.session;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;

/**
 * {@code GET /attrs}: the replication-cost page. The first request of a session sets {@value #COUNT} attributes
 * ({@code attr-0} .. {@code attr-9}), each a {@value #VALUE_LENGTH}-character ASCII string; every later request
 * replaces only {@code attr-0} with a new string of the same length. It returns, as plain text, how many requests the
 * session has seen. So the session is always the same size, and each request after the first changes exactly one
 * of its ten attributes: what a session store writes per request shows whether it ships the change or the whole
 * session.
 */
public final class AttributesServlet extends HttpServlet {
    /** How many attributes a session gets. */
    public static final int COUNT = 10;
    /** The length of every attribute value, in characters (ASCII). */
    public static final int VALUE_LENGTH = 100;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        HttpSession session = request.getSession(true);
        String first = (String) session.getAttribute("attr-0");
        long round;
        if (first == null) {
            round = 1;
            for (int i = 0; i < COUNT; i++) {
                session.setAttribute("attr-" + i, value(i, round));
            }
        } else {
            round = Long.parseLong(first.substring(0, first.indexOf(':'))) + 1;
            session.setAttribute("attr-0", value(0, round));
        }
        response.setContentType("text/plain;charset=utf-8");
        response.setHeader("Cache-Control", "no-store");
        response.getWriter().print(round + "\n");
    }

    /** {@code "<round>:<attribute>:"} padded with dots to {@value #VALUE_LENGTH} characters. */
    static String value(int attribute, long round) {
        StringBuilder value = new StringBuilder(VALUE_LENGTH).append(round).append(':').append(attribute).append(':');
        while (value.length() < VALUE_LENGTH) {
            value.append('.');
        }
        return value.toString();
    }
}
