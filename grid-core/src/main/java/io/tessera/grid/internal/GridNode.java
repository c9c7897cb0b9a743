package io.tessera.grid.internal;

import io.tessera.grid.Grid;
import io.tessera.grid.GridClosedException;
import io.tessera.grid.GridConfig;
import io.tessera.grid.GridException;
import io.tessera.grid.GridMap;
import io.tessera.grid.GridTopic;
import io.tessera.grid.MapConfig;
import io.tessera.grid.Member;
import io.tessera.grid.Partition;
import io.tessera.grid.internal.partition.SlotHashing;
import io.tessera.grid.internal.cluster.ClusterService;
import io.tessera.grid.internal.cluster.JGroupsStacks;
import io.tessera.grid.internal.event.EventService;
import io.tessera.grid.internal.event.TopicService;
import io.tessera.grid.internal.map.DefaultGridMap;
import io.tessera.grid.internal.membership.MembershipCoordinator;
import io.tessera.grid.internal.operation.Invoker;
import io.tessera.grid.internal.operation.PartitionEngine;
import io.tessera.grid.internal.operation.PartitionThreads;
import io.tessera.grid.internal.partition.PartitionTable;
import io.tessera.grid.internal.serialization.GridSerializer;
import io.tessera.grid.internal.store.HybridLogicalClock;
import io.tessera.grid.internal.wire.MessageType;
import io.tessera.grid.internal.wire.WireReader;
import io.tessera.grid.internal.wire.WireWriter;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jgroups.Address;
import org.jgroups.JChannel;
import org.jgroups.View;
import org.jgroups.blocks.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One grid member: it wires the channel, the partition engine, the coordinator logic, events and maps together,
 * joins the cluster, and leaves it gracefully.
 *
 * <p>Threads: JGroups threads decode and hand over (see {@link #handle}); partition threads own data; one
 * coordinator thread runs rebalancing rounds; one timer thread schedules retries.
 */
public final class GridNode implements Grid {
    private static final Logger log = LoggerFactory.getLogger(GridNode.class);
    private static final long JOIN_TIMEOUT_MILLIS = 60_000;
    private static final long LEAVE_TIMEOUT_MILLIS = 120_000;

    private final GridConfig config;
    private final GridSerializer serializer;
    private final ClusterService cluster;
    private final Address self;
    private final String memberName;
    private final PartitionThreads threads;
    private final PartitionEngine engine;
    private final EventService events;
    private final TopicService topics;
    private final Invoker invoker;
    private final MembershipCoordinator coordinator;
    private final ScheduledExecutorService timer;
    private final java.util.concurrent.ExecutorService asyncExecutor;
    private final ConcurrentHashMap<String, DefaultGridMap<?, ?>> maps = new ConcurrentHashMap<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CompletableFuture<PartitionTable> firstTable = new CompletableFuture<>();
    private volatile boolean leaveReleased;

    private GridNode(GridConfig config, JChannel channel) {
        this.config = config;
        this.serializer = new GridSerializer(config.serialization());
        this.cluster = new ClusterService(channel);
        byte[] compatibility = compatibility(config);
        cluster.compatibilityAnswer(compatibility);
        cluster.startingInterestAnswer(EventService.noInterests());
        cluster.connect(config.clusterName());
        checkCompatibility(compatibility);
        this.self = cluster.localAddress();
        this.memberName = cluster.nameOf(self);
        long timeoutMillis = config.operationTimeout().toMillis();
        this.threads = new PartitionThreads(Math.max(2, Runtime.getRuntime().availableProcessors()), memberName);
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tessera-timer-" + memberName);
            t.setDaemon(true);
            return t;
        });
        // Async results complete here, never on a JGroups or partition thread, so a caller's continuation cannot
        // stall the grid. Not the common pool: with two cores its parallelism is 1 and CompletableFuture then starts
        // a new thread for every async completion.
        this.asyncExecutor = new java.util.concurrent.ForkJoinPool(Math.max(2,
                Runtime.getRuntime().availableProcessors()), pool -> {
                    java.util.concurrent.ForkJoinWorkerThread t =
                            java.util.concurrent.ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
                    t.setName("tessera-async-" + memberName + "-" + t.getPoolIndex());
                    t.setDaemon(true);
                    return t;
                }, null, true);
        this.events = new EventService(self, cluster, serializer, timeoutMillis, memberName);
        this.topics = new TopicService(cluster, serializer, timeoutMillis, memberName);
        this.engine = new PartitionEngine(self, cluster, threads, config.partitionCount(), serializer,
                new HybridLogicalClock(System::currentTimeMillis), System::currentTimeMillis, events, timeoutMillis,
                memberName);
        this.invoker = new Invoker(self, cluster, engine, timer, timeoutMillis);
        this.coordinator = new MembershipCoordinator(self, cluster, engine, config.partitionCount(),
                config.maxBackups(), timeoutMillis, memberName);
        engine.tableListener(table -> {
            if (table.version() > 0) {
                firstTable.complete(table);
            }
        });
        // Before answering anything (the coordinator's state request first of all), learn who listens to and
        // near-caches which map: this member may become a primary in the next round.
        events.learnInterests(cluster.view());
        cluster.handler(this::handle);
        cluster.viewListener(this::viewChanged);
        View view = cluster.view();
        if (view != null) {
            viewChanged(view);
        }
    }

    /**
     * The settings every member of a cluster must share: the partition count and backup owners shape the table
     * everyone decodes, and the class registrations decide what every member can read.
     */
    private static byte[] compatibility(GridConfig config) {
        WireWriter out = new WireWriter(256);
        out.writeVarInt(config.partitionCount());
        out.writeVarInt(config.maxBackups());
        var registrations = config.serialization().registrations();
        out.writeVarInt(registrations.size());
        for (var r : registrations) {
            out.writeVarInt(r.id()).writeString(r.type().getName());
        }
        return out.toByteArray();
    }

    /** Refuses to join a cluster whose members were started with settings this member cannot work with. */
    private void checkCompatibility(byte[] mine) {
        List<Address> others = new java.util.ArrayList<>(cluster.view().getMembers());
        others.remove(cluster.localAddress());
        if (others.isEmpty()) {
            return;
        }
        WireWriter out = WireWriter.forType(MessageType.COMPATIBILITY, 1);
        var replies = cluster.requestAll(others, out.array(), out.size(),
                config.operationTimeout().toMillis()).join();
        if (replies == null) {
            return; // a member that does not answer in time is being suspected; the others were checked
        }
        for (Address other : others) {
            var rsp = replies.get(other);
            if (rsp == null || !rsp.wasReceived() || rsp.hasException() || rsp.getValue() == null
                    || java.util.Arrays.equals(rsp.getValue(), mine)) {
                continue;
            }
            WireReader theirs = new WireReader(rsp.getValue());
            int partitions = theirs.readVarInt();
            int backups = theirs.readVarInt();
            StringBuilder registered = new StringBuilder();
            int count = theirs.readVarInt();
            for (int i = 0; i < count; i++) {
                registered.append(i == 0 ? "" : ", ").append(theirs.readVarInt()).append('=')
                        .append(theirs.readString());
            }
            cluster.close();
            throw new GridException("cannot join cluster '" + config.clusterName() + "': member "
                    + cluster.nameOf(other) + " runs with partitionCount " + partitions + ", maxBackups " + backups
                    + " and registered classes [" + registered + "], this member with partitionCount "
                    + config.partitionCount() + ", maxBackups " + config.maxBackups() + " and "
                    + config.serialization().registrations().stream().map(r -> r.id() + "=" + r.type().getName())
                    .toList() + "; start every member with the same settings and the same registrations");
        }
    }

    /** Starts a member with {@code config} and returns once it knows the partition table. */
    public static Grid start(GridConfig config) {
        JChannel channel = JGroupsStacks.createChannel(config.stack(), new JGroupsStacks.StackSettings(
                config.bindAddress(), config.bindPort(), config.initialMembers()));
        if (config.memberName() != null) {
            channel.setName(config.memberName());
        }
        GridNode node;
        try {
            node = new GridNode(config, channel);
        } catch (RuntimeException e) {
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
        } catch (java.util.concurrent.ExecutionException e) {
            node.shutdownNow();
            throw new GridException("joining failed", e.getCause());
        }
        log.info("member {} joined cluster '{}' with {} members; table {}", node.memberName, config.clusterName(),
                node.cluster.view().size(), node.engine.table());
        return node;
    }

    private void viewChanged(View view) {
        log.info("member {}: view {}", memberName, view);
        events.viewChanged(view);
        coordinator.viewChanged(view);
    }

    private void handle(MessageType type, WireReader in, Address sender, Response response) {
        switch (type) {
            case OPERATION -> engine.onOperation(in, response);
            case BACKUP -> engine.onBackup(in, sender, response);
            case SNAPSHOT -> engine.onSnapshot(in, sender, response);
            case RESYNC_REQUEST -> engine.onResyncRequest(in, sender);
            case STATE_REQUEST -> engine.replicaStates().thenAccept(bytes -> response.send(bytes, false));
            case TABLE -> engine.onTable(in, response);
            case SYNC_REPLICA -> engine.onSyncReplica(in, response);
            case FREEZE -> engine.onFreeze(in, response);
            case LEAVE_REQUEST -> coordinator.onLeaveRequest(sender, response);
            case EVENT -> events.onEvent(in, sender, response);
            case LISTENER_REGISTRATION -> events.onRegistration(in, sender, response);
            case PARTITION_QUERY -> engine.onPartitionQuery(in, response);
            case LEAVE_RELEASE -> leaveReleased = true;
            case INTEREST_QUERY -> events.onInterestQuery(response);
            case MERGE_PUSH -> engine.onMergePush(in, invoker, response);
            case TOPIC -> topics.onMessage(in, response);
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
        DefaultGridMap<?, ?> map = maps.computeIfAbsent(name, n -> new DefaultGridMap<>(n, mapConfig, this));
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
        PartitionTable table = engine.table();
        java.util.List<Partition> partitions = new java.util.ArrayList<>(table.partitionCount());
        for (int p = 0; p < table.partitionCount(); p++) {
            partitions.add(partition(table, p));
        }
        return partitions;
    }

    @Override
    public Partition partitionOf(Object key) {
        byte[] bytes = serializer.encodeKey(Objects.requireNonNull(key, "key"));
        return partition(engine.table(), SlotHashing.partition(bytes, config.partitionCount()));
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
        while (ownsAnything(engine.table()) && cluster.view().size() > 1 && !leaveReleased) {
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
        cluster.close();
        timer.shutdownNow();
        asyncExecutor.shutdown();
        threads.shutdown();
        engine.shutdown();
        events.shutdown();
        topics.shutdown();
    }

    // ----------------------------------------------------------------------------------- for maps and tests

    /** The settings. */
    public GridConfig config() {
        return config;
    }

    /** The serializer. */
    public GridSerializer serializer() {
        return serializer;
    }

    /** The partition engine. */
    public PartitionEngine engine() {
        return engine;
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

    /** This member's address. */
    public Address address() {
        return self;
    }

    /** Where asynchronous map results complete. */
    public java.util.concurrent.Executor asyncExecutor() {
        return asyncExecutor;
    }

    /** The timer for retries and async continuations. */
    public ScheduledExecutorService timer() {
        return timer;
    }

    @Override
    public String toString() {
        return "GridNode{" + memberName + ", cluster=" + config.clusterName() + "}";
    }
}
