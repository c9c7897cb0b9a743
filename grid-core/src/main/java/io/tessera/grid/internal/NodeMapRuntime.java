package io.tessera.grid.internal;

import io.tessera.grid.EntryListener;
import io.tessera.grid.GridClock;
import io.tessera.grid.LocalMapStats;
import io.tessera.grid.NearCacheConfig;
import io.tessera.grid.internal.cluster.MembershipLease;
import io.tessera.grid.internal.event.EventService;
import io.tessera.grid.internal.map.MapRuntime;
import io.tessera.grid.internal.nearcache.NearCache;
import io.tessera.grid.internal.operation.Invoker;
import io.tessera.grid.internal.operation.OperationRequest;
import io.tessera.grid.internal.operation.OperationResult;
import io.tessera.grid.internal.operation.PartitionQueries;
import io.tessera.grid.internal.operation.PartitionQuery;
import io.tessera.grid.internal.operation.PrimaryExecutor;
import io.tessera.grid.internal.partition.PartitionTable;
import io.tessera.grid.internal.serialization.GridSerializer;
import io.tessera.grid.internal.store.Capacity;
import io.tessera.grid.internal.store.MemoryAccount;
import io.tessera.grid.internal.wire.WireWriter;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.jgroups.Address;
import org.jgroups.View;

/** What a map needs of its member ({@link MapRuntime}), delegated to the member's services. */
final class NodeMapRuntime implements MapRuntime {
    private final GridNode node;
    private final Invoker invoker;
    private final PrimaryExecutor executor;
    private final PartitionQueries queries;
    private final EventService events;
    private final MembershipLease lease;
    private final Executor asyncExecutor;
    private final MemberMeters meters;

    NodeMapRuntime(GridNode node, Invoker invoker, PrimaryExecutor executor, PartitionQueries queries,
                   EventService events, MembershipLease lease, Executor asyncExecutor, MemberMeters meters) {
        this.meters = meters;
        this.node = node;
        this.invoker = invoker;
        this.executor = executor;
        this.queries = queries;
        this.events = events;
        this.lease = lease;
        this.asyncExecutor = asyncExecutor;
    }

    @Override
    public GridSerializer serializer() {
        return node.serializer();
    }

    @Override
    public int partitionCount() {
        return node.config().partitionCount();
    }

    @Override
    public long operationTimeoutMillis() {
        return node.config().operationTimeout().toMillis();
    }

    @Override
    public GridClock clock() {
        return node.config().clock();
    }

    @Override
    public Executor asyncExecutor() {
        return asyncExecutor;
    }

    @Override
    public void checkOpen() {
        node.checkOpen();
    }

    @Override
    public CompletableFuture<OperationResult> invoke(OperationRequest request) {
        return invoker.invoke(request);
    }

    @Override
    public void readLocal(OperationRequest request, Consumer<OperationResult> reply) {
        executor.readLocal(request, reply);
    }

    @Override
    public PartitionTable table() {
        return node.table();
    }

    @Override
    public Address self() {
        return node.address();
    }

    @Override
    public List<Address> members() {
        View view = node.cluster().view();
        return view == null ? List.of() : view.getMembers();
    }

    @Override
    public boolean isMember(Address member) {
        return node.cluster().isMember(member);
    }

    @Override
    public int viewSize() {
        return node.cluster().viewSize();
    }

    @Override
    public CompletableFuture<byte[]> query(Address member, PartitionQuery query, long timeoutMillis) {
        if (member.equals(node.address())) {
            return queries.run(query);
        }
        WireWriter out = query.encode();
        return node.cluster().request(member, out.array(), out.size(), timeoutMillis);
    }

    @Override
    public boolean leaseHolds() {
        return lease.holds();
    }

    @Override
    public NearCache nearCache(String map, NearCacheConfig nearCacheConfig) {
        NearCache nearCache = events.nearCache(map, nearCacheConfig);
        meters.bindNearCache(map, nearCache);
        return nearCache;
    }

    @Override
    public UUID addListener(String map, EntryListener<?, ?> listener, boolean includeValues) {
        return events.addListener(map, listener, includeValues);
    }

    @Override
    public UUID addKeyListener(String map, byte[] key, EntryListener<?, ?> listener, boolean includeValues) {
        return events.addKeyListener(map, key, listener, includeValues);
    }

    @Override
    public boolean removeListener(String map, UUID id) {
        return events.removeListener(map, id);
    }

    @Override
    public void configureCapacity(String map, Capacity capacity) {
        node.replicas().accounts().account(map).configure(capacity);
    }

    @Override
    public LocalMapStats localStats(String map) {
        MemoryAccount account = node.replicas().accounts().account(map);
        return new LocalMapStats(account.entries(), account.bytes(), account.evictions());
    }
}
