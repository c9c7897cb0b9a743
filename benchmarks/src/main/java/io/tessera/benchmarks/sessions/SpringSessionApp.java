package io.tessera.benchmarks.sessions;

import io.lettuce.core.ClientOptions;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.time.Duration;
import java.util.EnumSet;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.RedisTemplate;
import org.springframework.data.redis.serializer.JdkSerializationRedisSerializer;
import org.springframework.data.redis.serializer.StringRedisSerializer;
import org.springframework.session.data.redis.RedisSessionRepository;
import org.springframework.session.web.http.SessionRepositoryFilter;

/**
 * A web node whose sessions Spring Session Data Redis keeps in a Redis server: the way most Java web applications keep
 * sessions in Redis, set up as Spring Boot would (Lettuce, {@link RedisSessionRepository}, JDK serialization of
 * attributes) but without Boot. {@code GET /counter} adds one to the session's count, as the session demo does, so
 * {@code session-compare.sh} can point the same load at this app over {@code redis-server} and over
 * {@code tessera-server}.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.tessera.benchmarks.sessions.SpringSessionApp \
 *     --http-port 8080 --redis-port 6379
 * </pre>
 */
public final class SpringSessionApp {
    private SpringSessionApp() {
    }

    /** {@code GET /counter}: the session demo's counter, on whatever session store the filter provides. */
    static final class CounterServlet extends HttpServlet {
        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            HttpSession session = request.getSession(true);
            Integer previous = (Integer) session.getAttribute("count");
            int count = previous == null ? 1 : previous + 1;
            session.setAttribute("count", count);
            response.setContentType("text/plain;charset=utf-8");
            response.setHeader("Cache-Control", "no-store");
            response.getWriter().print(count + "\n");
        }
    }

    /** Starts the node; runs until the process is stopped. */
    public static void main(String[] argv) throws Exception {
        int httpPort = 8080;
        String redisHost = "127.0.0.1";
        int redisPort = 6379;
        for (int i = 0; i + 1 < argv.length; i += 2) {
            switch (argv[i]) {
                case "--http-port" -> httpPort = Integer.parseInt(argv[i + 1]);
                case "--redis-host" -> redisHost = argv[i + 1];
                case "--redis-port" -> redisPort = Integer.parseInt(argv[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + argv[i]
                        + " (expected --http-port, --redis-host, --redis-port)");
            }
        }
        if (argv.length % 2 != 0) {
            throw new IllegalArgumentException("option " + argv[argv.length - 1] + " has no value");
        }

        LettuceConnectionFactory connections = new LettuceConnectionFactory(
                new RedisStandaloneConfiguration(redisHost, redisPort),
                LettuceClientConfiguration.builder().clientOptions(ClientOptions.builder().build())
                        .commandTimeout(Duration.ofSeconds(10)).build());
        connections.afterPropertiesSet();
        connections.start();
        RedisTemplate<String, Object> template = new RedisTemplate<>();
        template.setConnectionFactory(connections);
        template.setKeySerializer(new StringRedisSerializer());
        template.setHashKeySerializer(new StringRedisSerializer());
        template.setValueSerializer(new JdkSerializationRedisSerializer(SpringSessionApp.class.getClassLoader()));
        template.setHashValueSerializer(
                new JdkSerializationRedisSerializer(SpringSessionApp.class.getClassLoader()));
        template.afterPropertiesSet();
        RedisSessionRepository repository = new RedisSessionRepository(template);
        repository.setDefaultMaxInactiveInterval(Duration.ofMinutes(30));

        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(httpPort);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler(ServletContextHandler.NO_SESSIONS);
        context.setContextPath("/");
        context.addFilter(new FilterHolder(new SessionRepositoryFilter<>(repository)), "/*",
                EnumSet.of(DispatcherType.REQUEST));
        context.addServlet(new ServletHolder(new CounterServlet()), "/counter");
        server.setHandler(context);
        server.start();
        System.out.println("spring session app ready: http://127.0.0.1:" + httpPort + "/ (sessions in the Redis server"
                + " at " + redisHost + ":" + redisPort + ")");
        server.join();
    }
}
