package io.tessera.grid.internal;

import io.micrometer.core.instrument.MeterRegistry;
import io.tessera.grid.Grid;
import io.tessera.grid.GridClock;
import io.tessera.grid.GridClosedException;
import io.tessera.grid.GridConfig;
import io.tessera.grid.GridException;
import io.tessera.grid.GridMap;
import io.tessera.grid.GridStatus;
import io.tessera.grid.GridTopic;
import io.tessera.grid.MapConfig;
import io.tessera.grid.Member;
import io.tessera.grid.MergePolicy;
import io.tessera.grid.Partition;
import io.tessera.grid.internal.cluster.ClusterService;
import io.tessera.grid.internal.cluster.ClusterKeys;
import io.tessera.grid.internal.cluster.JGroupsStacks;
import io.tessera.grid.internal.cluster.MembershipLease;
import io.tessera.grid.internal.event.EventService;
import io.tessera.grid.internal.event.TopicService;
import io.tessera.grid.internal.map.DefaultGridMap;
import io.tessera.grid.internal.map.MapRuntime;
import io.tessera.grid.internal.membership.MemberReport;
import io.tessera.grid.internal.membership.MemberReports;
import io.tessera.grid.internal.membership.MembershipCoordinator;
import io.tessera.grid.internal.membership.MembershipEvents;
import io.tessera.grid.internal.membership.StateReport;
import io.tessera.grid.internal.merge.MergeEntries;
import io.tessera.grid.internal.merge.MergePrepare;
import io.tessera.grid.internal.merge.MergeService;
import io.tessera.grid.internal.migration.FreezeRequest;
import io.tessera.grid.internal.migration.MigrationService;
import io.tessera.grid.internal.migration.SnapshotChunk;
import io.tessera.grid.internal.migration.SyncReplicaRequest;
import io.tessera.grid.internal.operation.Invoker;
import io.tessera.grid.internal.operation.OperationRequest;
import io.tessera.grid.internal.operation.PartitionMaintenance;
import io.tessera.grid.internal.operation.PartitionQueries;
import io.tessera.grid.internal.operation.PartitionQuery;
import io.tessera.grid.internal.operation.PrimaryExecutor;
import io.tessera.grid.internal.partition.PartitionTable;
import io.tessera.grid.internal.partition.SlotHashing;
import io.tessera.grid.internal.replica.PartitionReplicas;
import io.tessera.grid.internal.replica.PartitionThreads;
import io.tessera.grid.internal.replication.BackupMessage;
import io.tessera.grid.internal.replication.BackupReceiver;
import io.tessera.grid.internal.replication.ReplicationStream;
import io.tessera.grid.internal.replication.ResyncRequest;
import io.tessera.grid.internal.serialization.GridSerializer;
import io.tessera.grid.internal.store.HybridLogicalClock;
import io.tessera.grid.internal.store.LiveOperation;
import io.tessera.grid.internal.wire.MessageType;
import io.tessera.grid.internal.wire.WireReader;
import io.tessera.grid.internal.wire.WireWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jgroups.Address;
import org.jgroups.JChannel;
import org.jgroups.View;
import org.jgroups.ViewId;
import org.jgroups.blocks.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One grid member: it wires the channel, the lease, the partition replicas and the services that act on them
 * (operations, replication, migration, merge, queries), the coordinator logic, events and maps together, joins the
 * cluster, and leaves it gracefully.
 *
 * <p>Threads: JGroups threads decode and hand over (see {@link #handle}); partition threads own data; one
 * coordinator thread runs rebalancing rounds; one lease thread pings; one timer thread schedules retries.
 *
 * <p>Control messages (state requests, tables, copies, freezes, merge captures) are taken only from the coordinator
 * of this member's current view: a member that is cut off, or a coordinator of another side of a split, cannot make
 * this member install its tables or hand over its data.
 */
public final class GridNode implements Grid {
    private static final Logger log = LoggerFactory.getLogger(GridNode.class);
    private static final long JOIN_TIMEOUT_MILLIS = 60_000;
    private static final long LEAVE_TIMEOUT_MILLIS = Grid.LEAVE_TIMEOUT.toMillis();
    /** How often a member reports its figures to the others. */
    static final long REPORT_MILLIS = 1_000;

    private final GridConfig config;
    private final GridClock clock;
    private final GridSerializer serializer;
    private final ClusterService cluster;
    private final Address self;
    private final String memberName;
    private final MembershipLease lease;
    private final PartitionThreads threads;
    private final PartitionReplicas replicas;
    private final HybridLogicalClock hlc;
    private final EventService events;
    private final TopicService topics;
    private final ReplicationStream stream;
    private final BackupReceiver backups;
    private final MigrationService migration;
    private final PrimaryExecutor executor;
    private final PartitionQueries queries;
    private final MergeService merges;
    private final Invoker invoker;
    private final MembershipCoordinator coordinator;
    private final ScheduledExecutorService timer;
    private final ExecutorService ownAsyncExecutor;
    private final Executor asyncExecutor;
    private final ConcurrentHashMap<String, DefaultGridMap<?, ?>> maps = new ConcurrentHashMap<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final MapRuntime runtime;
    private final CompletableFuture<PartitionTable> firstTable = new CompletableFuture<>();
    private volatile boolean leaveReleased;
    private final Object viewLock = new Object();
    /** The newest view {@link #viewChanged} applied; guarded by {@link #viewLock}. */
    private ViewId appliedView;
    private final long startedAtMillis;
    private final MemberMeters meters;
    private final MemberReports reports = new MemberReports();
    private final MembershipEvents membershipEvents = new MembershipEvents();
    private final MemberFigures figures;
    private final StatusSnapshots status;

    private GridNode(GridConfig config, JChannel channel) {
        this.config = config;
        this.clock = config.clock();
        this.serializer = new GridSerializer(config.serialization());
        this.cluster = new ClusterService(channel);
        byte[] compatibility = ClusterCompatibility.of(config);
        cluster.compatibilityAnswer(compatibility);
        cluster.startingInterestAnswer(EventService.noInterests());
        cluster.connect(config.clusterName());
        ClusterCompatibility.check(cluster, config, compatibility);
        this.self = cluster.localAddress();
        this.memberName = cluster.nameOf(self);
        this.startedAtMillis = clock.wallMillis();
        this.meters = new MemberMeters(config.meterRegistry(), memberName);
        long timeoutMillis = config.operationTimeout().toMillis();
        this.lease = new MembershipLease(cluster, clock, memberName);
        this.threads = config.partitionExecutors().isEmpty()
                ? new PartitionThreads(Math.max(2, Runtime.getRuntime().availableProcessors()), memberName)
                : new PartitionThreads(config.partitionExecutors(), memberName);
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tessera-timer-" + memberName);
            t.setDaemon(true);
            return t;
        });
        if (config.executor() != null) {
            this.ownAsyncExecutor = null;
            this.asyncExecutor = config.executor();
        } else {
            // Async results complete here, never on a JGroups or partition thread, so a caller's continuation cannot
            // stall the grid. Not the common pool: with two cores its parallelism is 1 and CompletableFuture then
            // starts a new thread for every async completion.
            this.ownAsyncExecutor = new ForkJoinPool(Math.max(2, Runtime.getRuntime().availableProcessors()), pool -> {
                ForkJoinWorkerThread t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
                t.setName("tessera-async-" + memberName + "-" + t.getPoolIndex());
                t.setDaemon(true);
                return t;
            }, null, true);
            this.asyncExecutor = ownAsyncExecutor;
        }
        this.replicas = new PartitionReplicas(self, threads, config.partitionCount(), lease, clock);
        replicas.liveOperations(encoded -> (LiveOperation<?, ?>) serializer.decodeValue(encoded));
        this.hlc = new HybridLogicalClock(clock::wallMillis);
        this.events = new EventService(self, cluster, serializer, timeoutMillis, memberName);
        this.topics = new TopicService(cluster, serializer, timeoutMillis, memberName);
        this.stream = new ReplicationStream(replicas, cluster, events);
        this.backups = new BackupReceiver(replicas, cluster, hlc);
        this.migration = new MigrationService(replicas, cluster, backups, hlc, timeoutMillis, memberName,
                meters.migrationTimer);
        this.executor = new PrimaryExecutor(replicas, cluster, stream, serializer, hlc);
        this.queries = new PartitionQueries(replicas, cluster, stream, hlc, timeoutMillis);
        this.merges = new MergeService(replicas, cluster, stream, serializer, hlc, timeoutMillis, this::localPolicy,
                memberName);
        this.invoker = new Invoker(self, cluster, replicas, executor, timer, timeoutMillis, clock,
                meters.operationTimers);
        this.coordinator = new MembershipCoordinator(self, cluster, replicas, config.maxBackups(), timeoutMillis,
                memberName, reports, meters.roundTimer);
        meters.bind(invoker, replicas, migration, coordinator, merges, timer);
        this.figures = new MemberFigures(replicas, migration, coordinator, cluster, reports, startedAtMillis);
        this.status = new StatusSnapshots(config, cluster, replicas, lease, reports, membershipEvents, coordinator,
                migration, figures, startedAtMillis, this::member);
        new PartitionMaintenance(replicas, stream, backups, executor, hlc, config.tombstoneRetention().toMillis(),
                timeoutMillis).start();
        this.runtime = new NodeMapRuntime(this, invoker, executor, queries, events, lease, asyncExecutor, meters);
        lease.onFenced(events::invalidateAllNearCaches);
        replicas.tableListener(table -> {
            coordinator.tableInstalled(table);
            if (table.version() > 0) {
                firstTable.complete(table);
            }
        });
        // Before answering anything (the coordinator's state request first of all), learn who listens to and
        // near-caches which map: this member may become a primary in the next round.
        events.learnInterests(cluster.view());
        cluster.handler(this::handle);
        cluster.viewListener(this::viewChanged);
        lease.start();
        View view = cluster.view();
        if (view != null) {
            viewChanged(view);
        }
        timer.scheduleAtFixedRate(figures::report, REPORT_MILLIS, REPORT_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Starts a member with {@code config} and returns once it knows the partition table. */
    public static Grid start(GridConfig config) {
        ClusterKeys keys;
        try {
            keys = ClusterKeys.derive(config.security(), config.clusterName());
        } catch (IllegalArgumentException e) {
            throw new GridException("cannot start a member of cluster '" + config.clusterName() + "': "
                    + e.getMessage(), e);
        }
        JChannel channel = JGroupsStacks.createChannel(config.stack(), new JGroupsStacks.StackSettings(
                config.bindAddress(), config.bindPort(), config.initialMembers(), config.dnsQuery(),
                config.dnsAddress(), config.dnsRecordType()), keys, config.clusterName());
        if (config.memberName() != null) {
            channel.setName(config.memberName());
        }
        GridNode node;
        try {
            node = new GridNode(config, channel);
        } catch (RuntimeException e) {
            MemberMeters.removeAll(config.meterRegistry(), channel.getName());
            channel.close();
            throw e;
        }
        try {
            node.firstTable.get(JOIN_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            node.shutdownNow();
            throw new GridException("member " + node.memberName + " joined cluster '" + config.clusterName()
                    + "' but got no partition table within " + JOIN_TIMEOUT_MILLIS + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            node.shutdownNow();
            throw new GridException("interrupted while joining", e);
        } catch (ExecutionException e) {
            node.shutdownNow();
            throw new GridException("joining failed", e.getCause());
        }
        log.info("member {} joined cluster '{}' with {} members; table {}", node.memberName, config.clusterName(),
                node.cluster.view().size(), node.replicas.table());
        return node;
    }

    /**
     * Applies {@code view} unless this member already applied a newer one. Views reach this method from two threads:
     * the constructor applies the view it read after connecting while JGroups may already deliver the next one; a
     * stale view applied last would leave the lease counting the wrong members (it then lapses for good, since no
     * answer carries that view's id) and the coordinator acting on a past membership.
     */
    void viewChanged(View view) {
        synchronized (viewLock) {
            if (appliedView != null && view.getViewId().getId() <= appliedView.getId()) {
                log.debug("member {}: ignoring view {}, older than {}", memberName, view.getViewId(), appliedView);
                return;
            }
            appliedView = view.getViewId();
            log.info("member {}: view {}", memberName, view);
            membershipEvents.viewChanged(view, replicas.table(), self, clock.wallMillis());
            reports.viewChanged(view);
            lease.viewChanged(view);
            events.viewChanged(view);
            coordinator.viewChanged(view);
        }
    }

    /** Whether {@code sender} coordinates this member's current view: only it may send control messages. */
    private boolean fromCoordinator(Address sender, MessageType type, Response response) {
        View view = cluster.view();
        if (view != null && sender.equals(view.getCoord())) {
            return true;
        }
        log.debug("ignoring {} from {}: not the coordinator of view {}", type, cluster.nameOf(sender),
                view == null ? null : view.getViewId());
        if (response != null) {
            response.send(new GridException("member " + memberName + " does not take " + type + " from "
                    + cluster.nameOf(sender) + ": not the coordinator of its view"), true);
        }
        return false;
    }

    private void handle(MessageType type, WireReader in, Address sender, Response response) {
        switch (type) {
            case OPERATION -> executor.execute(OperationRequest.decode(in),
                    result -> response.send(result.encode(), false));
            case BACKUP -> backups.onBackup(BackupMessage.readFrom(in), sender, response);
            case BACKUP_BATCH -> backups.onBackupBatch(in, sender, response);
            case SNAPSHOT -> migration.onSnapshot(SnapshotChunk.readFrom(in), sender, response);
            case RESYNC_REQUEST -> migration.onResyncRequest(ResyncRequest.readFrom(in), sender);
            case STATE_REQUEST -> {
                if (fromCoordinator(sender, type, response)) {
                    StateReport.collect(replicas, coordinator.silentDepartures())
                            .thenAccept(report -> response.send(report.encode(), false));
                }
            }
            case TABLE -> {
                if (fromCoordinator(sender, type, response)) {
                    PartitionTable table = PartitionTable.readFrom(in);
                    membershipEvents.tablePublished(table, in.readVarLong());
                    replicas.installTable(table).whenComplete((v, e) -> {
                        if (response != null) {
                            response.send(new byte[] {0}, false);
                        }
                    });
                }
            }
            case SYNC_REPLICA -> {
                if (fromCoordinator(sender, type, response)) {
                    migration.onSyncReplica(SyncReplicaRequest.readFrom(in), response);
                }
            }
            case FREEZE -> {
                if (fromCoordinator(sender, type, response)) {
                    migration.onFreeze(FreezeRequest.readFrom(in), response);
                }
            }
            case MERGE_PREPARE -> {
                if (fromCoordinator(sender, type, response)) {
                    merges.onPrepare(MergePrepare.readFrom(in), response);
                }
            }
            case MERGE_ENTRIES -> merges.onEntries(MergeEntries.readFrom(in), response);
            case LEAVE_REQUEST -> coordinator.onLeaveRequest(sender, response);
            case LEAVE_RELEASE -> {
                if (fromCoordinator(sender, type, response)) {
                    leaveReleased = true;
                }
            }
            case EVENT -> {
                if (cluster.isMember(sender)) {
                    events.onEvent(in, sender, response);
                } else if (response != null) {
                    response.send(new byte[] {0}, false);
                }
            }
            case LISTENER_REGISTRATION -> events.onRegistration(in, sender, response);
            case PARTITION_QUERY -> queries.run(PartitionQuery.readFrom(in))
                    .whenComplete((bytes, e) -> response.send(bytes, false));
            case INTEREST_QUERY -> events.onInterestQuery(response);
            case TOPIC -> topics.onMessage(in, response);
            case MEMBER_REPORT -> {
                if (cluster.isMember(sender)) {
                    reports.file(sender, MemberReport.readFrom(in));
                }
            }
            default -> throw new IllegalStateException("unhandled " + type);
        }
    }

    // -------------------------------------------------------------------------------------------------- API

    @Override
    public <K, V> GridMap<K, V> map(String name) {
        return map(name, MapConfig.defaults());
    }

    @Override
    @SuppressWarnings("unchecked")
    public <K, V> GridMap<K, V> map(String name, MapConfig mapConfig) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(mapConfig, "config");
        checkOpen();
        if (name.isEmpty()) {
            throw new IllegalArgumentException("name: \"\" (expected a non-empty map name)");
        }
        if (mapConfig.backups() > config.maxBackups()) {
            throw new IllegalArgumentException("backups: " + mapConfig.backups() + " for map '" + name
                    + "' exceeds the grid's maxBackups " + config.maxBackups()
                    + "; start every member with Grid.builder().maxBackups(" + mapConfig.backups() + ")");
        }
        DefaultGridMap<?, ?> map = maps.computeIfAbsent(name, n -> new DefaultGridMap<>(n, mapConfig, runtime));
        if (!map.config().equals(mapConfig)) {
            throw new IllegalArgumentException("map '" + name + "' is already in use on this member with "
                    + map.config() + "; asked for " + mapConfig);
        }
        return (GridMap<K, V>) map;
    }

    @Override
    public <M> GridTopic<M> topic(String name) {
        checkOpen();
        return topics.topic(name);
    }

    @Override
    public List<Member> members() {
        View view = cluster.view();
        return view.getMembers().stream().map(this::member).toList();
    }

    private Member member(Address address) {
        String id = address instanceof org.jgroups.util.UUID uuid ? uuid.toStringLong() : address.toString();
        return new Member(id, cluster.nameOf(address), address.equals(self));
    }

    @Override
    public Member localMember() {
        return member(self);
    }

    @Override
    public List<Partition> partitions() {
        PartitionTable table = replicas.table();
        java.util.List<Partition> partitions = new java.util.ArrayList<>(table.partitionCount());
        for (int p = 0; p < table.partitionCount(); p++) {
            partitions.add(partition(table, p));
        }
        return partitions;
    }

    @Override
    public Partition partitionOf(Object key) {
        byte[] bytes = serializer.encodeKey(Objects.requireNonNull(key, "key"));
        return partition(replicas.table(), SlotHashing.partition(bytes, config.partitionCount()));
    }

    private Partition partition(PartitionTable table, int p) {
        Address[] owners = table.owners(p);
        java.util.List<Member> backups = new java.util.ArrayList<>();
        for (int i = 1; i < owners.length; i++) {
            backups.add(member(owners[i]));
        }
        int count = table.partitionCount();
        return new Partition(p, SlotHashing.firstSlot(p, count), SlotHashing.lastSlot(p, count),
                owners.length == 0 ? null : member(owners[0]), List.copyOf(backups));
    }

    @Override
    public String clusterName() {
        return config.clusterName();
    }

    @Override
    public GridStatus status() {
        return status.take(!closed.get());
    }

    @Override
    public MeterRegistry meterRegistry() {
        return config.meterRegistry();
    }

    /** Throws {@link GridClosedException} if this member was closed. */
    public void checkOpen() {
        if (closed.get()) {
            throw new GridClosedException("grid member " + memberName + " of cluster '" + config.clusterName()
                    + "' is closed; start a new one with Grid.builder()");
        }
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            leaveGracefully();
        } finally {
            shutdownNow();
        }
    }

    /**
     * Asks the coordinator to move every partition away from this member and waits until the installed table
     * shows none here; asks again if the coordinator changes on the way.
     */
    private void leaveGracefully() {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LEAVE_TIMEOUT_MILLIS);
        long lastAsk = 0;
        while (ownsAnything(replicas.table()) && cluster.view().size() > 1 && !leaveReleased) {
            if (System.nanoTime() > deadline) {
                log.warn("member {} leaves with partitions still assigned after {} ms; their backups take over",
                        memberName, LEAVE_TIMEOUT_MILLIS);
                return;
            }
            if (System.nanoTime() - lastAsk > TimeUnit.SECONDS.toNanos(5)) {
                lastAsk = System.nanoTime();
                Address coord = cluster.view().getCoord();
                if (coord.equals(self)) {
                    coordinator.requestLeave(self);
                } else {
                    WireWriter out = WireWriter.forType(MessageType.LEAVE_REQUEST, 1);
                    cluster.send(coord, out.array(), out.size());
                }
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        log.info("member {} handed off its partitions and leaves cluster '{}'", memberName, config.clusterName());
    }

    private boolean ownsAnything(PartitionTable table) {
        for (int p = 0; p < table.partitionCount(); p++) {
            if (table.ownerIndex(p, self) >= 0 || table.isSyncing(p, self)) {
                return true;
            }
        }
        return false;
    }

    private void shutdownNow() {
        closed.set(true);
        coordinator.shutdown();
        lease.close();
        cluster.close();
        timer.shutdownNow();
        if (ownAsyncExecutor != null) {
            ownAsyncExecutor.shutdown();
        }
        threads.shutdown();
        migration.shutdown();
        merges.shutdown();
        events.shutdown();
        topics.shutdown();
        meters.close();
    }

    // ----------------------------------------------------------------------------------- for maps and tests

    /** The policy of map {@code name} if this member opened it, else null. */
    private MergePolicy localPolicy(String name) {
        DefaultGridMap<?, ?> map = maps.get(name);
        return map == null ? null : map.config().mergePolicy();
    }

    /** The settings. */
    public GridConfig config() {
        return config;
    }

    /** The serializer. */
    public GridSerializer serializer() {
        return serializer;
    }

    /** The newest partition table this member installed. */
    public PartitionTable table() {
        return replicas.table();
    }

    /** The partition replicas of this member (tests reach into them on their threads). */
    public PartitionReplicas replicas() {
        return replicas;
    }

    /** The lease. */
    public MembershipLease lease() {
        return lease;
    }

    /** The invoker. */
    public Invoker invoker() {
        return invoker;
    }

    /** The event service. */
    public EventService events() {
        return events;
    }

    /** The cluster service. */
    public ClusterService cluster() {
        return cluster;
    }

    /** The migration service (tests drive copies and freezes by hand). */
    public MigrationService migration() {
        return migration;
    }

    /** The backup side of the replication stream (tests inject mutations). */
    public BackupReceiver backups() {
        return backups;
    }

    /** The merge service. */
    public MergeService merges() {
        return merges;
    }

    /** The coordinator logic. */
    public MembershipCoordinator coordinator() {
        return coordinator;
    }

    /** The partition queries of this member. */
    public PartitionQueries queries() {
        return queries;
    }

    /** This member's address. */
    public Address address() {
        return self;
    }

    /**
     * The partitions this member serves as primary right now, as each partition thread sees it (table, complete
     * replica, not frozen, lease held): the chaos harness checks that no member serves one the table does not give it.
     */
    public CompletableFuture<List<Integer>> servedPrimaries() {
        List<CompletableFuture<List<Integer>>> parts = replicas.onEveryThread(owned -> {
            List<Integer> served = new ArrayList<>();
            owned.forEach(r -> {
                if (replicas.servesAsPrimary(r)) {
                    served.add(r.partition());
                }
            });
            return served;
        });
        return CompletableFuture.allOf(parts.toArray(new CompletableFuture<?>[0])).thenApply(v -> {
            List<Integer> all = new ArrayList<>();
            parts.forEach(part -> all.addAll(part.join()));
            all.sort(null);
            return all;
        });
    }

    @Override
    public String toString() {
        return "GridNode{" + memberName + ", cluster=" + config.clusterName() + "}";
    }
}
