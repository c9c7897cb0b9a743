package io.tessera.examples.session;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code /cart}: a small shopping cart kept in the session. {@code GET} shows the catalogue and the cart as an HTML
 * page; {@code POST} with {@code item=<name>} and {@code action=add|remove|clear} changes the cart and redirects
 * (303) back to the page, so a reload never posts twice.
 *
 * <p>The cart is a {@code LinkedHashMap<String, Integer>} (item to quantity) under {@value #ATTRIBUTE}. It is copied,
 * changed and set again on every change, never changed in place: a session store learns of a change only through
 * {@code setAttribute}.
 */
public final class CartServlet extends HttpServlet {
    /** The session attribute that holds the cart. */
    public static final String ATTRIBUTE = "cart";
    /** The catalogue: item name to price in cents. */
    static final Map<String, Integer> CATALOGUE = Map.of("apple", 45, "bread", 260, "cheese", 590, "coffee", 780);
    private static final String[] ORDER = {"apple", "bread", "cheese", "coffee"};

    /**
     * The node's name, shown on the page.
     */
    private final String nodeName;

    /**
     * Creates the cart page of node {@code nodeName}.
     *
     * @param nodeName the node's name, shown on the page
     */
    public CartServlet(String nodeName) {
        this.nodeName = nodeName;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        HttpSession session = request.getSession(true);
        Map<String, Integer> cart = cart(session);
        response.setContentType("text/html;charset=utf-8");
        response.setHeader("Cache-Control", "no-store");
        PrintWriter out = response.getWriter();
        out.println("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Tessera cart</title></head><body>");
        out.println("<h1>Cart</h1>");
        out.println("<p>Served by <b>" + escape(nodeName) + "</b>, session <code>" + escape(session.getId())
                + "</code>" + (session.isNew() ? " (new)" : "") + ".</p>");
        out.println("<table border=\"1\" cellpadding=\"4\"><tr><th>Item</th><th>Price</th><th>In cart</th>"
                + "<th></th></tr>");
        long total = 0;
        for (String item : ORDER) {
            int quantity = cart.getOrDefault(item, 0);
            total += (long) quantity * CATALOGUE.get(item);
            out.println("<tr><td>" + item + "</td><td>" + euros(CATALOGUE.get(item)) + "</td><td id=\"qty-" + item
                    + "\">" + quantity + "</td><td>" + button(item, "add", "+1") + button(item, "remove", "-1")
                    + "</td></tr>");
        }
        out.println("</table>");
        out.println("<p>Total: <b id=\"total\">" + euros(total) + "</b></p>");
        out.println(button("", "clear", "Empty the cart"));
        out.println("<p><a href=\"/\">Home</a></p></body></html>");
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String action = request.getParameter("action");
        String item = request.getParameter("item");
        HttpSession session = request.getSession(true);
        Map<String, Integer> cart = new LinkedHashMap<>(cart(session));
        if ("clear".equals(action)) {
            cart.clear();
        } else if (item == null || !CATALOGUE.containsKey(item) || !("add".equals(action)
                || "remove".equals(action))) {
            response.sendError(HttpServletResponse.SC_BAD_REQUEST, "expected item=" + String.join("|", ORDER)
                    + " and action=add|remove, or action=clear");
            return;
        } else if ("add".equals(action)) {
            cart.merge(item, 1, Integer::sum);
        } else {
            cart.computeIfPresent(item, (name, quantity) -> quantity > 1 ? quantity - 1 : null);
        }
        session.setAttribute(ATTRIBUTE, cart);
        response.setStatus(HttpServletResponse.SC_SEE_OTHER);
        response.setHeader("Location", request.getContextPath() + "/cart");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Integer> cart(HttpSession session) {
        Map<String, Integer> cart = (Map<String, Integer>) session.getAttribute(ATTRIBUTE);
        return cart == null ? Map.of() : cart;
    }

    private static String button(String item, String action, String label) {
        return "<form method=\"post\" action=\"/cart\" style=\"display:inline\"><input type=\"hidden\" name=\"item\""
                + " value=\"" + item + "\"><button name=\"action\" value=\"" + action + "\">" + label
                + "</button></form>";
    }

    private static String euros(long cents) {
        return String.format("&euro;%d.%02d", cents / 100, cents % 100);
    }

    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
