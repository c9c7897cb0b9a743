package io.tessera.session;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import jakarta.servlet.http.HttpSessionActivationListener;
import jakarta.servlet.http.HttpSessionAttributeListener;
import jakarta.servlet.http.HttpSessionBindingEvent;
import jakarta.servlet.http.HttpSessionBindingListener;
import jakarta.servlet.http.HttpSessionEvent;
import jakarta.servlet.http.HttpSessionIdListener;
import jakarta.servlet.http.HttpSessionListener;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Supplier;

/** The web application the filter tests run: one servlet driven by {@code ?op=}, and recording listeners. */
final class TestApp {
    static final Queue<String> EVENTS = new ConcurrentLinkedQueue<>();
    /** Released by a test once it has checked what another node sees while a request is still running. */
    static volatile java.util.concurrent.CountDownLatch gate = new java.util.concurrent.CountDownLatch(0);

    private TestApp() {
    }

    static List<String> events(String containing) {
        List<String> out = new ArrayList<>();
        for (String e : EVENTS) {
            if (e.contains(containing)) {
                out.add(e);
            }
        }
        return out;
    }

    /** Records every session event, tagged with its node. */
    static final class Recorder implements HttpSessionListener, HttpSessionAttributeListener, HttpSessionIdListener {
        private final String node;

        Recorder(String node) {
            this.node = node;
        }

        @Override
        public void sessionCreated(HttpSessionEvent se) {
            EVENTS.add(node + " created " + se.getSession().getId());
        }

        @Override
        public void sessionDestroyed(HttpSessionEvent se) {
            List<String> names = Collections.list(se.getSession().getAttributeNames()); // ISE if already invalid
            Collections.sort(names);
            EVENTS.add(node + " destroyed " + se.getSession().getId() + " attrs=" + names);
        }

        @Override
        public void attributeAdded(HttpSessionBindingEvent e) {
            EVENTS.add(node + " added " + e.getSession().getId() + " " + e.getName() + "=" + e.getValue());
        }

        @Override
        public void attributeReplaced(HttpSessionBindingEvent e) {
            EVENTS.add(node + " replaced " + e.getSession().getId() + " " + e.getName() + " old=" + e.getValue());
        }

        @Override
        public void attributeRemoved(HttpSessionBindingEvent e) {
            EVENTS.add(node + " removed " + e.getSession().getId() + " " + e.getName() + "=" + e.getValue());
        }

        @Override
        public void sessionIdChanged(HttpSessionEvent e, String oldId) {
            EVENTS.add(node + " idChanged " + oldId + " -> " + e.getSession().getId());
        }
    }

    /** Records when it is bound (and whether it was already visible then) and unbound. */
    static final class BindingValue implements HttpSessionBindingListener, Serializable {
        private static final long serialVersionUID = 1L;
        final String tag;

        BindingValue(String tag) {
            this.tag = tag;
        }

        @Override
        public void valueBound(HttpSessionBindingEvent event) {
            EVENTS.add("bound " + tag + " visible=" + (event.getSession().getAttribute(event.getName()) != null));
        }

        @Override
        public void valueUnbound(HttpSessionBindingEvent event) {
            EVENTS.add("unbound " + tag);
        }

        @Override
        public String toString() {
            return "BindingValue(" + tag + ")";
        }
    }

    /** Records passivation and activation. */
    static final class ActivationValue implements HttpSessionActivationListener, Serializable {
        private static final long serialVersionUID = 1L;
        final String tag;

        ActivationValue(String tag) {
            this.tag = tag;
        }

        @Override
        public void sessionWillPassivate(HttpSessionEvent se) {
            EVENTS.add("passivate " + tag);
        }

        @Override
        public void sessionDidActivate(HttpSessionEvent se) {
            EVENTS.add("activate " + tag);
        }

        @Override
        public String toString() {
            return "ActivationValue(" + tag + ")";
        }
    }

    /** A mutable attribute, for the save modes. */
    static final class Counter implements Serializable {
        private static final long serialVersionUID = 1L;
        int n;
    }

    static final class Servlet extends HttpServlet {
        @Override
        protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            resp.setContentType("text/plain");
            resp.getWriter().print(handle(req, resp));
        }

        private static String handle(HttpServletRequest req, HttpServletResponse resp) {
            String op = req.getParameter("op");
            String name = req.getParameter("name");
            String value = req.getParameter("value");
            if ("create".equals(op)) {
                HttpSession s = req.getSession(true);
                return s.getId() + " new=" + s.isNew();
            }
            if ("change".equals(op)) {
                try {
                    return req.changeSessionId();
                } catch (IllegalStateException e) {
                    return "ISE";
                }
            }
            HttpSession s = req.getSession(false);
            if (s == null) {
                return "none";
            }
            switch (op) {
                case "id":
                    return s.getId();
                case "times":
                    return s.getCreationTime() + " " + s.getLastAccessedTime() + " new=" + s.isNew();
                case "set":
                    s.setAttribute(name, value);
                    return "ok";
                case "setflush":
                    s.setAttribute(name, value);
                    try {
                        resp.flushBuffer();
                        gate.await(20, java.util.concurrent.TimeUnit.SECONDS);
                    } catch (IOException | InterruptedException e) {
                        return "failed " + e;
                    }
                    return "ok";
                case "slowset":
                    sleep(Long.parseLong(req.getParameter("delay")));
                    s.setAttribute(name, value);
                    return "ok";
                case "get":
                    return String.valueOf(s.getAttribute(name));
                case "names": {
                    List<String> names = Collections.list(s.getAttributeNames());
                    Collections.sort(names);
                    return names.toString();
                }
                case "remove":
                    s.removeAttribute(name);
                    return "ok";
                case "bind":
                    s.setAttribute(name, new BindingValue(value));
                    return "ok";
                case "activ":
                    s.setAttribute(name, new ActivationValue(value));
                    return "ok";
                case "counter":
                    s.setAttribute(name, new Counter());
                    return "ok";
                case "inc":
                    return String.valueOf(++((Counter) s.getAttribute(name)).n);
                case "count":
                    return String.valueOf(((Counter) s.getAttribute(name)).n);
                case "setmax":
                    s.setMaxInactiveInterval(Integer.parseInt(value));
                    return "ok";
                case "getmax":
                    return String.valueOf(s.getMaxInactiveInterval());
                case "nonser":
                    return refused(() -> {
                        s.setAttribute(name, new Object());
                        return null;
                    });
                case "big":
                    return refused(() -> {
                        s.setAttribute(name, new byte[Integer.parseInt(value)]);
                        return null;
                    });
                case "invalidate": {
                    s.invalidate();
                    int ise = 0;
                    List<Supplier<Object>> calls = List.of(s::getCreationTime, s::getLastAccessedTime, s::isNew,
                            s::getAttributeNames, () -> s.getAttribute("x"), () -> {
                                s.setAttribute("x", "y");
                                return null;
                            }, () -> {
                                s.removeAttribute("x");
                                return null;
                            }, () -> {
                                s.invalidate();
                                return null;
                            });
                    for (Supplier<Object> call : calls) {
                        try {
                            call.get();
                        } catch (IllegalStateException e) {
                            ise++;
                        }
                    }
                    return "ise=" + ise + " after=" + (req.getSession(false) == null ? "none" : "some");
                }
                default:
                    return "unknown op " + op;
            }
        }

        private static String refused(Supplier<Object> call) {
            try {
                call.get();
                return "ok";
            } catch (IllegalArgumentException e) {
                return "IAE " + e.getMessage();
            }
        }

        private static void sleep(long millis) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
