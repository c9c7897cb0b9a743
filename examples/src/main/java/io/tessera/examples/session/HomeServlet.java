package io.tessera.examples.session;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.io.PrintWriter;

/** {@code GET /} (mapped to {@code ""}, the context root only): an HTML page naming the node and the session (if any), with links to the other pages. */
public final class HomeServlet extends HttpServlet {
    /**
     * The node's name, shown on the page.
     */
    private final String nodeName;
    /**
     * How the node keeps sessions, shown on the page.
     */
    private final String sessions;

    /**
     * Creates the home page of node {@code nodeName}, whose sessions are kept as {@code sessions} says.
     *
     * @param nodeName the node's name, shown on the page
     * @param sessions how the node keeps sessions, in words, shown on the page
     */
    public HomeServlet(String nodeName, String sessions) {
        this.nodeName = nodeName;
        this.sessions = sessions;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        HttpSession session = request.getSession(false);
        response.setContentType("text/html;charset=utf-8");
        response.setHeader("Cache-Control", "no-store");
        PrintWriter out = response.getWriter();
        out.println("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Tessera sessions</title></head><body>");
        out.println("<h1>Tessera session demo</h1>");
        out.println("<p>Served by <b>" + CartServlet.escape(nodeName) + "</b>; sessions: "
                + CartServlet.escape(sessions) + ".</p>");
        out.println("<p>Session: " + (session == null ? "none yet"
                : "<code>" + CartServlet.escape(session.getId()) + "</code>") + "</p>");
        out.println("<ul><li><a href=\"/counter\">/counter</a>: counts this session's requests (plain text)</li>");
        out.println("<li><a href=\"/cart\">/cart</a>: a small shopping cart</li>");
        out.println("<li><a href=\"/attrs\">/attrs</a>: ten attributes, one changed per request</li></ul>");
        out.println("</body></html>");
    }
}
