package io.tessera.redis.internal.admin;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The standalone node's admin HTTP port: Prometheus metrics, health checks and the live status page.
 *
 * <ul>
 *   <li>{@code GET /metrics}: every meter in Prometheus's text format;
 *   <li>{@code GET /health/live}: 200 {@code {"status":"UP"}} while the process serves;
 *   <li>{@code GET /health/ready}: 200 when the node should get clients, else 503 with the reason;
 *   <li>{@code GET /status.json}: the cluster as this node sees it ({@link StatusJson});
 *   <li>{@code GET /}: the status page (HTML, CSS and a vanilla script from this jar) that renders it every second.
 * </ul>
 *
 * <p>The JDK's {@link HttpServer} (no dependency, and a few requests a second need nothing more), on two threads of
 * its own ({@code tessera-admin-http-N}): a slow scrape or page never takes a Netty event loop or a grid thread, and
 * a busy grid does not make the health checks time out. The node's figures are read through {@link Source}, on
 * those threads. Every answer is {@code no-store}; the page's resources may only come from here (a content security
 * policy of {@code 'self'}).
 */
public final class AdminServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AdminServer.class);
    private static final String JSON = "application/json; charset=utf-8";
    /** Prometheus's text exposition format 0.0.4, which every scraper reads. */
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    private static final Map<String, String> RESOURCES = Map.of(
            "/", "index.html",
            "/index.html", "index.html",
            "/status.js", "status.js",
            "/status.css", "status.css",
            "/favicon.svg", "favicon.svg");
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "svg", "image/svg+xml");

    /** What the endpoints read; called on the admin threads, so it may take a lock but should not wait long. */
    public interface Source {
        /** The meters in Prometheus's text format. */
        String prometheusText();

        /** Whether the node should get clients now. */
        Readiness readiness();

        /** The status document ({@link StatusJson}), or null while the node has not joined its cluster yet. */
        String statusJson();
    }

    private final HttpServer http;
    private final ExecutorService executor;
    private final Source source;

    private AdminServer(HttpServer http, ExecutorService executor, Source source) {
        this.http = http;
        this.executor = executor;
        this.source = source;
    }

    /**
     * Listens on {@code bind:port} (0: a free port) and serves {@code source}.
     *
     * @throws IllegalStateException naming the address and the setting to change if the port cannot be bound
     */
    public static AdminServer start(String bind, int port, Source source) {
        HttpServer http;
        try {
            http = HttpServer.create(new InetSocketAddress(bind, port), 16);
        } catch (IOException e) {
            throw new IllegalStateException("cannot listen on " + bind + ":" + port + " for the admin port: "
                    + e.getMessage() + " (is another server using it? choose another with --admin-port)", e);
        }
        AtomicInteger threads = new AtomicInteger();
        ExecutorService executor = Executors.newFixedThreadPool(2, task -> {
            Thread thread = new Thread(task, "tessera-admin-http-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        AdminServer server = new AdminServer(http, executor, source);
        http.setExecutor(executor);
        http.createContext("/", server::handle);
        http.start();
        return server;
    }

    /** The address the server listens on (its port, with port 0). */
    public InetSocketAddress address() {
        return http.getAddress();
    }

    private void handle(HttpExchange exchange) {
        try (exchange) {
            String method = exchange.getRequestMethod();
            boolean head = method.equals("HEAD");
            if (!head && !method.equals("GET")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                send(exchange, 405, "text/plain; charset=utf-8", "only GET and HEAD\n", false);
                return;
            }
            String path = exchange.getRequestURI().getPath();
            switch (path) {
                case "/metrics" -> send(exchange, 200, PROMETHEUS_TEXT, source.prometheusText(), head);
                case "/health/live" -> send(exchange, 200, JSON, Readiness.UP.toJson(), head);
                case "/health/ready" -> {
                    Readiness readiness = source.readiness();
                    send(exchange, readiness.ready() ? 200 : 503, JSON, readiness.toJson(), head);
                }
                case "/status.json" -> {
                    String status = source.statusJson();
                    if (status == null) {
                        send(exchange, 503, JSON, source.readiness().toJson(), head);
                    } else {
                        send(exchange, 200, JSON, status, head);
                    }
                }
                default -> {
                    String resource = RESOURCES.get(path);
                    if (resource == null) {
                        send(exchange, 404, "text/plain; charset=utf-8", "not found: " + path
                                + " (try /, /metrics, /health/live, /health/ready or /status.json)\n", head);
                    } else {
                        sendResource(exchange, resource, head);
                    }
                }
            }
        } catch (IOException | UncheckedIOException e) {
            log.debug("admin request {} {} failed", exchange.getRequestMethod(), exchange.getRequestURI(), e);
        } catch (RuntimeException e) {
            // A bug behind one endpoint answers 500 there and is logged; the admin threads live on.
            log.warn("admin request {} {} failed", exchange.getRequestMethod(), exchange.getRequestURI(), e);
            try {
                send(exchange, 500, "text/plain; charset=utf-8", "internal error: " + e + "\n", false);
            } catch (IOException | RuntimeException ignored) {
                // the headers were sent already
            }
        }
    }

    private static void sendResource(HttpExchange exchange, String resource, boolean head) throws IOException {
        byte[] body;
        try (InputStream in = AdminServer.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("resource " + resource + " is missing from the jar");
            }
            body = in.readAllBytes();
        }
        String type = TYPES.get(resource.substring(resource.lastIndexOf('.') + 1));
        send(exchange, 200, type, body, head);
    }

    private static void send(HttpExchange exchange, int status, String type, String body, boolean head)
            throws IOException {
        send(exchange, status, type, body.getBytes(StandardCharsets.UTF_8), head);
    }

    private static void send(HttpExchange exchange, int status, String type, byte[] body, boolean head)
            throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        exchange.getResponseHeaders().set("Content-Security-Policy", "default-src 'self'");
        if (head) {
            exchange.getResponseHeaders().set("Content-Length", Integer.toString(body.length));
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    /** Stops listening and stops the threads; the last thing a node does when it stops. */
    @Override
    public void close() {
        http.stop(0);
        executor.shutdown();
        try {
            executor.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
