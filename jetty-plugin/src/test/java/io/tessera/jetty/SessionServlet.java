package io.tessera.jetty;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The test web app: {@code /s?a=count} (default) counts in the session, {@code peek} reads the count without
 * creating a session ({@code none} if there is none), {@code invalidate}, {@code renew} ({@code changeSessionId}),
 * {@code setWebapp}/{@code getWebapp} store and read an object of class {@code webapp.Basket}, which only the
 * context's class loader knows.
 */
final class SessionServlet extends HttpServlet {
    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String action = request.getParameter("a") == null ? "count" : request.getParameter("a");
        String body;
        switch (action) {
            case "count": {
                HttpSession session = request.getSession(true);
                AtomicInteger count = (AtomicInteger) session.getAttribute("count");
                if (count == null) {
                    count = new AtomicInteger();
                }
                body = count.incrementAndGet() + " " + session.getId();
                session.setAttribute("count", count);
                break;
            }
            case "peek": {
                HttpSession session = request.getSession(false);
                AtomicInteger count = session == null ? null : (AtomicInteger) session.getAttribute("count");
                body = session == null ? "none" : String.valueOf(count == null ? 0 : count.get());
                break;
            }
            case "invalidate":
                request.getSession(false).invalidate();
                body = "invalidated";
                break;
            case "renew":
                body = request.changeSessionId();
                break;
            case "setWebapp": {
                try {
                    Class<?> basket = Class.forName("webapp.Basket", true,
                            Thread.currentThread().getContextClassLoader());
                    Object value = basket.getConstructor(String.class).newInstance(request.getParameter("v"));
                    request.getSession(true).setAttribute("basket", value);
                    body = "stored " + value;
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException(e);
                }
                break;
            }
            case "getWebapp": {
                Object value = request.getSession(true).getAttribute("basket");
                body = value + " " + (value != null
                        && value.getClass().getClassLoader() == Thread.currentThread().getContextClassLoader());
                break;
            }
            default:
                response.sendError(400, action);
                return;
        }
        response.setContentType("text/plain");
        response.getWriter().print(body);
    }
}
