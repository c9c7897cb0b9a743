package io.tessera.jetty;

import static org.awaitility.Awaitility.await;

import io.tessera.grid.Grid;
import jakarta.servlet.http.HttpSessionEvent;
import jakarta.servlet.http.HttpSessionListener;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.StatisticsHandler;
import org.eclipse.jetty.session.DefaultSessionCacheFactory;
import org.eclipse.jetty.session.DefaultSessionIdManager;
import org.eclipse.jetty.session.HouseKeeper;

/**
 * One Jetty node of a clustered test, like Jetty's {@code SessionTestSupport}: a server on 127.0.0.1, a worker name,
 * a scavenger period (0: none), a session cache eviction policy, and a {@link TesseraSessionDataStoreFactory} on its
 * own grid member; one context {@code /app} of the given servlet layer serving {@link SessionServlet}, with a
 * listener that records created and destroyed session ids.
 */
final class ServletNode implements AutoCloseable {
    final Server server = new Server();
    final TesseraSessionDataStoreFactory factory;
    final List<String> created = new CopyOnWriteArrayList<>();
    final List<String> destroyed = new CopyOnWriteArrayList<>();
    private final ServerConnector connector;
    private final StatisticsHandler stats;

    ServletNode(Ee ee, Grid grid, String mapName, String workerName, int scavengeSec, int evictionPolicy,
                int maxInactiveSec, int gracePeriodSec, ClassLoader webappLoader) throws Exception {
        connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        DefaultSessionIdManager ids = new DefaultSessionIdManager(server);
        ids.setWorkerName(workerName);
        HouseKeeper houseKeeper = new HouseKeeper();
        houseKeeper.setSessionIdManager(ids);
        houseKeeper.setIntervalSec(scavengeSec);
        ids.setSessionHouseKeeper(houseKeeper);
        server.addBean(ids);
        DefaultSessionCacheFactory cacheFactory = new DefaultSessionCacheFactory();
        cacheFactory.setEvictionPolicy(evictionPolicy);
        server.addBean(cacheFactory);
        factory = new TesseraSessionDataStoreFactory(grid);
        factory.setMapName(mapName);
        factory.setGracePeriodSec(gracePeriodSec);
        server.addBean(factory);
        HttpSessionListener listener = new HttpSessionListener() {
            @Override
            public void sessionCreated(HttpSessionEvent event) {
                created.add(event.getSession().getId());
            }

            @Override
            public void sessionDestroyed(HttpSessionEvent event) {
                destroyed.add(event.getSession().getId());
            }
        };
        stats = new StatisticsHandler(ee.context("/app", new SessionServlet(), listener, maxInactiveSec,
                webappLoader));
        server.setHandler(stats);
        server.start();
    }

    /** The URL of an action of the test servlet on this node. */
    String url(String action) {
        return "http://127.0.0.1:" + connector.getLocalPort() + "/app/s?a=" + action;
    }

    @Override
    public void close() throws Exception {
        // a client has its response before Jetty released the session; stopping in between races Jetty's own
        // release against its cache shutdown ("not resident"), which is not what these tests are about
        await().atMost(Duration.ofSeconds(10)).until(() -> stats.getRequestsActive() == 0);
        server.stop();
    }
}
