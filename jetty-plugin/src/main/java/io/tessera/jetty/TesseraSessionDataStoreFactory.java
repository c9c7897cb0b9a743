package io.tessera.jetty;

import io.tessera.grid.Grid;
import io.tessera.grid.GridBuilder;
import io.tessera.grid.GridMap;
import io.tessera.grid.MapConfig;
import io.tessera.grid.SerializationConfig;
import io.tessera.jetty.internal.CheckExpiredProcessor;
import io.tessera.jetty.internal.DeleteIfExpiredProcessor;
import io.tessera.jetty.internal.ExistsProcessor;
import io.tessera.jetty.internal.SessionRecord;
import io.tessera.jetty.internal.StoreProcessor;
import java.util.Arrays;
import java.util.EventListener;
import java.util.Objects;
import org.eclipse.jetty.session.AbstractSessionDataStoreFactory;
import org.eclipse.jetty.session.SessionDataStore;
import org.eclipse.jetty.session.SessionManager;
import org.eclipse.jetty.util.component.AbstractLifeCycle;
import org.eclipse.jetty.util.component.LifeCycle;

/**
 * Makes a {@link TesseraSessionDataStore} for every Jetty session handler (core, ee10 or ee11) of a {@code Server}
 * that has this factory as a bean.
 *
 * <pre>{@code
 * Grid grid = Grid.builder().clusterName("shop")
 *         .serialization(TesseraSessionDataStoreFactory.registerTypes(SerializationConfig.builder()).build())
 *         .start();
 * TesseraSessionDataStoreFactory factory = new TesseraSessionDataStoreFactory(grid);
 * factory.setGracePeriodSec(600);
 * server.addBean(factory);
 * }</pre>
 *
 * <p>Every member of the cluster must register {@link #registerTypes} with its grid, and every node should have a
 * distinct session worker name ({@code DefaultSessionIdManager.setWorkerName}, {@code jetty.sessionIdManager.workerName}
 * in a distribution): the {@code lastNode} protocol tells nodes apart by it.
 *
 * <p><b>Grid ownership.</b> A factory made with {@link #TesseraSessionDataStoreFactory(Grid)} uses a grid the
 * caller owns and closes. One made by {@link #forCluster} (what the {@code session-store-tessera} Jetty module does)
 * owns its grid: it starts it at the first store or when the server starts it as a bean, and closes it when it is
 * stopped and every store it made has stopped, so the sessions a stopping session cache writes out still reach the
 * grid. It can start again afterwards with a new grid member.
 *
 * <p>Settings ({@link #setMapName}, {@link #setBackups}, grace and save periods) apply to the stores made after they
 * are set. A {@code LifeCycle} only so that a server stops it; the methods are thread-safe.
 */
public class TesseraSessionDataStoreFactory extends AbstractSessionDataStoreFactory implements LifeCycle {
    /** The default name of the grid map that holds the sessions of every context. */
    public static final String DEFAULT_MAP_NAME = "jetty-sessions";
    /** Class id of the session record, fixed so members agree whatever else users register. */
    public static final int SESSION_RECORD_TYPE_ID = 0x7E55_0200;
    /** Class id of the processor that writes a session. */
    public static final int STORE_PROCESSOR_TYPE_ID = 0x7E55_0201;
    /** Class id of the processor that answers {@code exists}. */
    public static final int EXISTS_PROCESSOR_TYPE_ID = 0x7E55_0202;
    /** Class id of the processor that checks the expiry of a candidate. */
    public static final int CHECK_EXPIRED_PROCESSOR_TYPE_ID = 0x7E55_0203;
    /** Class id of the processor that removes an orphan. */
    public static final int DELETE_IF_EXPIRED_PROCESSOR_TYPE_ID = 0x7E55_0204;

    private final Object lock = new Object();
    private final Lifecycle lifeCycle = new Lifecycle();
    private final GridBuilder ownedGridBuilder;
    private Grid grid;
    private String mapName = DEFAULT_MAP_NAME;
    private int backups = MapConfig.DEFAULT_BACKUPS;
    private int liveStores;

    /**
     * Creates a factory whose stores keep sessions in {@code grid}, which must have been built with
     * {@link #registerTypes}; the caller closes the grid after the server stopped.
     *
     * @param grid the started member the stores use
     */
    public TesseraSessionDataStoreFactory(Grid grid) {
        this.grid = Objects.requireNonNull(grid, "grid");
        this.ownedGridBuilder = null;
    }

    private TesseraSessionDataStoreFactory(GridBuilder ownedGridBuilder) {
        this.ownedGridBuilder = ownedGridBuilder;
    }

    /**
     * Creates a factory that owns a grid member of cluster {@code clusterName}, built from the given settings with
     * {@link #registerTypes}; the member starts when the factory (or its first store) starts. For Jetty XML.
     *
     * @param clusterName the cluster to join
     * @param stack a bundled JGroups stack ({@code tcp}, {@code udp}, {@code kubernetes}, {@code local}) or the
     *     path or URL of a JGroups XML file
     * @param members the comma-separated {@code host:port} members the {@code tcp} stack contacts; blank for none
     * @return a factory that owns its grid, not started yet
     * @throws IllegalArgumentException naming the parameter if a setting is malformed
     */
    public static TesseraSessionDataStoreFactory forCluster(String clusterName, String stack, String members) {
        return forCluster(clusterName, stack, members, null);
    }

    /**
     * Creates a factory that owns a grid member of cluster {@code clusterName} secured with {@code clusterSecret}
     * (see {@link GridBuilder#clusterSecret}), built from the given settings with {@link #registerTypes}; the member
     * starts when the factory (or its first store) starts. For Jetty XML. Every member of the cluster needs the same
     * secret: a member with another one, or none, is refused, and starting this factory (so the server that has it as
     * a bean) then fails with a {@link io.tessera.grid.GridException} saying so.
     *
     * @param clusterName the cluster to join
     * @param stack a bundled JGroups stack ({@code tcp}, {@code udp}, {@code kubernetes}, {@code local}) or the
     *     path or URL of a JGroups XML file
     * @param members the comma-separated {@code host:port} members the {@code tcp} stack contacts; blank for none
     * @param clusterSecret the secret every member of the cluster shares, at least
     *     {@value GridBuilder#MIN_CLUSTER_SECRET_LENGTH} characters; {@code null} or blank for none
     * @return a factory that owns its grid, not started yet
     * @throws IllegalArgumentException naming the parameter if a setting is malformed (the secret's value is never
     *     shown)
     */
    public static TesseraSessionDataStoreFactory forCluster(String clusterName, String stack, String members,
                                                            String clusterSecret) {
        GridBuilder builder = Grid.builder().clusterName(clusterName).stack(stack)
                .serialization(registerTypes(SerializationConfig.builder()).build());
        if (members != null && !members.isBlank()) {
            builder.initialMembers(Arrays.stream(members.split(",")).map(String::trim).filter(m -> !m.isEmpty())
                    .toArray(String[]::new));
        }
        if (clusterSecret != null && !clusterSecret.isBlank()) {
            builder.clusterSecret(clusterSecret);
        }
        return new TesseraSessionDataStoreFactory(builder);
    }

    /**
     * Adds the classes the session store sends through the grid to {@code builder}, with the fixed ids
     * {@link #SESSION_RECORD_TYPE_ID} to {@link #DELETE_IF_EXPIRED_PROCESSOR_TYPE_ID} (0x7E55_0200 to 0x7E55_0204);
     * every member that holds sessions must be built with them.
     *
     * @param builder the grid's serialization config under construction
     * @return {@code builder}, for chaining
     */
    public static SerializationConfig.Builder registerTypes(SerializationConfig.Builder builder) {
        return builder.register(SessionRecord.class, SESSION_RECORD_TYPE_ID)
                .register(StoreProcessor.class, STORE_PROCESSOR_TYPE_ID)
                .register(ExistsProcessor.class, EXISTS_PROCESSOR_TYPE_ID)
                .register(CheckExpiredProcessor.class, CHECK_EXPIRED_PROCESSOR_TYPE_ID)
                .register(DeleteIfExpiredProcessor.class, DELETE_IF_EXPIRED_PROCESSOR_TYPE_ID);
    }

    /**
     * Returns the name of the grid map holding the sessions (default {@value #DEFAULT_MAP_NAME}).
     *
     * @return the map name for stores made from now on
     */
    public String getMapName() {
        synchronized (lock) {
            return mapName;
        }
    }

    /**
     * Sets the name of the grid map that stores made from now on use; use the same on every node of one cluster of web
     * apps.
     *
     * @param mapName the map name, not blank
     * @throws IllegalArgumentException if {@code mapName} is blank
     */
    public void setMapName(String mapName) {
        Objects.requireNonNull(mapName, "mapName");
        if (mapName.isBlank()) {
            throw new IllegalArgumentException("mapName: \"" + mapName + "\" (expected a non-blank name)");
        }
        synchronized (lock) {
            this.mapName = mapName;
        }
    }

    /**
     * Returns the number of backup copies of each session in the grid (default {@value MapConfig#DEFAULT_BACKUPS}).
     *
     * @return the number of backups for stores made from now on
     */
    public int getBackups() {
        synchronized (lock) {
            return backups;
        }
    }

    /**
     * Sets the number of backup copies of each session (at most the grid's {@link GridBuilder#maxBackups(int)}); the
     * same on every node.
     *
     * @param backups the number of backups, 0 to {@value MapConfig#MAX_BACKUPS}
     * @throws IllegalArgumentException if {@code backups} is out of range
     */
    public void setBackups(int backups) {
        if (backups < 0 || backups > MapConfig.MAX_BACKUPS) {
            throw new IllegalArgumentException("backups: " + backups + " (expected 0.." + MapConfig.MAX_BACKUPS + ")");
        }
        synchronized (lock) {
            this.backups = backups;
        }
    }

    /**
     * Returns the grid the stores use, starting the owned one first if this factory owns a grid that is not running.
     *
     * @return the grid, started
     * @throws io.tessera.grid.GridException if the owned grid cannot join its cluster
     */
    public Grid getGrid() {
        synchronized (lock) {
            if (grid == null) {
                grid = ownedGridBuilder.start();
            }
            return grid;
        }
    }

    @Override
    public SessionDataStore getSessionDataStore(SessionManager manager) {
        GridMap<String, SessionRecord> map;
        Grid g;
        synchronized (lock) {
            g = getGrid();
            map = g.map(mapName, MapConfig.builder().backups(backups).build());
            liveStores++;
        }
        TesseraSessionDataStore store = new TesseraSessionDataStore(g, map, this::storeStopped);
        store.setGracePeriodSec(getGracePeriodSec());
        store.setSavePeriodSec(getSavePeriodSec());
        return store;
    }

    private void storeStopped() {
        synchronized (lock) {
            liveStores--;
            closeOwnedGridIfIdle();
        }
    }

    private void closeOwnedGridIfIdle() {
        if (ownedGridBuilder != null && grid != null && liveStores <= 0 && !lifeCycle.isRunning()) {
            Grid closing = grid;
            grid = null;
            liveStores = 0;
            closing.close();
        }
    }

    @Override
    public void start() throws Exception {
        lifeCycle.start();
    }

    @Override
    public void stop() throws Exception {
        lifeCycle.stop();
    }

    @Override
    public boolean isRunning() {
        return lifeCycle.isRunning();
    }

    @Override
    public boolean isStarted() {
        return lifeCycle.isStarted();
    }

    @Override
    public boolean isStarting() {
        return lifeCycle.isStarting();
    }

    @Override
    public boolean isStopping() {
        return lifeCycle.isStopping();
    }

    @Override
    public boolean isStopped() {
        return lifeCycle.isStopped();
    }

    @Override
    public boolean isFailed() {
        return lifeCycle.isFailed();
    }

    @Override
    public boolean addEventListener(EventListener listener) {
        return lifeCycle.addEventListener(listener);
    }

    @Override
    public boolean removeEventListener(EventListener listener) {
        return lifeCycle.removeEventListener(listener);
    }

    @Override
    public String toString() {
        return String.format("%s@%x[map=%s, owned=%b]", getClass().getSimpleName(), hashCode(), getMapName(),
                ownedGridBuilder != null);
    }

    /** Starts the owned grid with the server and closes it once the server and every store stopped. */
    private final class Lifecycle extends AbstractLifeCycle {
        @Override
        protected void doStart() {
            if (ownedGridBuilder != null) {
                getGrid();
            }
        }

        @Override
        protected void doStop() {
            synchronized (lock) {
                closeOwnedGridIfIdle();
            }
        }
    }
}
