package io.tessera.jetty;

import io.tessera.grid.Grid;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.handler.ContextHandler;
import org.eclipse.jetty.session.DefaultSessionIdManager;
import org.eclipse.jetty.session.SessionContext;
import org.eclipse.jetty.session.SessionData;
import org.eclipse.jetty.session.SessionHandler;

/**
 * One node for store-level tests: a Jetty {@code Server} (no connector) with a context and Jetty's core session
 * handler, a worker name, and a {@link TesseraSessionDataStoreFactory} bean on its own grid member.
 */
final class StoreNode implements AutoCloseable {
    final Server server = new Server();
    final SessionHandler sessionHandler = new SessionHandler();
    final TesseraSessionDataStoreFactory factory;
    final TesseraSessionDataStore store;

    StoreNode(Grid grid, String workerName, String contextPath, String vhost, int gracePeriodSec, int savePeriodSec)
            throws Exception {
        DefaultSessionIdManager ids = new DefaultSessionIdManager(server);
        ids.setWorkerName(workerName);
        server.addBean(ids);
        factory = new TesseraSessionDataStoreFactory(grid);
        factory.setGracePeriodSec(gracePeriodSec);
        factory.setSavePeriodSec(savePeriodSec);
        server.addBean(factory);
        ContextHandler context = new ContextHandler(contextPath);
        if (vhost != null) {
            context.setVirtualHosts(java.util.List.of(vhost));
        }
        context.setHandler(sessionHandler);
        server.setHandler(context);
        server.start();
        store = (TesseraSessionDataStore) sessionHandler.getSessionCache().getSessionDataStore();
    }

    SessionContext context() {
        return sessionHandler.getSessionContext();
    }

    /** New session data of this node's context, last managed by this node. */
    SessionData newData(String id, long created, long maxInactiveMs) {
        SessionData data = store.newSessionData(id, created, created, created, maxInactiveMs);
        data.setLastNode(context().getWorkerName());
        return data;
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}
