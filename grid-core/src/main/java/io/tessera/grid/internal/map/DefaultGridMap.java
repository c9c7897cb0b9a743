package io.tessera.grid.internal.map;

import io.tessera.grid.EntryListener;
import io.tessera.grid.EntryProcessor;
import io.tessera.grid.GridException;
import io.tessera.grid.GridMap;
import io.tessera.grid.LocalMapStats;
import io.tessera.grid.MapConfig;
import io.tessera.grid.MultiKeyProcessor;
import io.tessera.grid.OperationTimeoutException;
import io.tessera.grid.QuorumException;
import io.tessera.grid.internal.merge.MergePolicies;
import io.tessera.grid.internal.nearcache.NearCache;
import io.tessera.grid.internal.operation.OpCode;
import io.tessera.grid.internal.operation.OperationRequest;
import io.tessera.grid.internal.operation.OperationResult;
import io.tessera.grid.internal.operation.PartitionQuery;
import io.tessera.grid.internal.operation.QueryKind;
import io.tessera.grid.internal.partition.PartitionTable;
import io.tessera.grid.internal.replica.CallId;
import io.tessera.grid.internal.replica.MapSettings;
import io.tessera.grid.internal.partition.SlotHashing;
import io.tessera.grid.internal.serialization.GridSerializer;
import io.tessera.grid.internal.store.BytesKey;
import io.tessera.grid.internal.store.Capacity;
import io.tessera.grid.internal.wire.WireReader;
import io.tessera.grid.internal.wire.WireWriter;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.jgroups.Address;

/**
 * The {@link GridMap} of one member: it serializes keys and values once, routes each operation to its partition's
 * primary through the {@link io.tessera.grid.internal.operation.Invoker}, and decodes the answers. Stateless but
 * for the optional near cache, so any thread may use it. It reaches its member only through {@link MapRuntime}.
 */
public final class DefaultGridMap<K, V> extends AbstractMap<K, V> implements GridMap<K, V> {
    private final String name;
    private volatile MapConfig config;
    private final MapRuntime node;
    private volatile MapSettings settings;
    private final GridSerializer serializer;
    private final int partitionCount;
    private final long defaultTtlMillis;
    private final NearCache nearCache;

    /** Creates the map view; the member makes one per name. */
    public DefaultGridMap(String name, MapConfig config, MapRuntime node) {
        this.name = name;
        this.config = config;
        this.node = node;
        Capacity capacity = Capacity.of(config);
        this.settings = new MapSettings(name, config.backups(), config.asyncBackups(), config.maxIdle().toMillis(),
                config.minClusterSize(), MergePolicies.idOf(config.mergePolicy()), capacity);
        node.configureCapacity(name, capacity);
        this.serializer = node.serializer();
        this.partitionCount = node.partitionCount();
        this.defaultTtlMillis = config.ttl().toMillis();
        // A max-idle map needs every read to reach the primary, where it counts as an access: no near cache.
        this.nearCache = config.nearCache() == null || !config.maxIdle().isZero() ? null
                : node.nearCache(name, config.nearCache());
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public MapConfig config() {
        return config;
    }

    @Override
    public synchronized void reconfigure(MapConfig newConfig) {
        Objects.requireNonNull(newConfig, "config");
        MapConfig current = config;
        MapConfig sameBound = newConfig.toBuilder().maxSize(current.maxSize()).maxMemory(current.maxMemory())
                .evictionPolicy(current.evictionPolicy())
                .evictOnlyExpiring(current.evictOnlyExpiring()).build();
        if (!sameBound.equals(current)) {
            throw new IllegalArgumentException("config: " + newConfig + " (expected " + current
                    + " but for maxSize, maxMemory, evictionPolicy and evictOnlyExpiring)");
        }
        Capacity capacity = Capacity.of(newConfig);
        settings = settings.withCapacity(capacity);
        config = newConfig;
        node.configureCapacity(name, capacity);
    }

    @Override
    public LocalMapStats localStats() {
        return node.localStats(name);
    }

    /** The near cache of this map on this member, or {@code null}. */
    public NearCache nearCache() {
        return nearCache;
    }

    // ------------------------------------------------------------------------------------------- plumbing

    private byte[] keyBytes(Object key) {
        node.checkOpen();
        return serializer.encodeKey(Objects.requireNonNull(key, "key"));
    }

    private byte[] valueBytes(Object value) {
        return serializer.encodeValue(Objects.requireNonNull(value, "value"));
    }

    private OperationRequest request(OpCode code, Object key, byte[] keyBytes, byte[] value, byte[] expected,
                                     long ttlMillis, byte[] processor) {
        return request(code, key, keyBytes, value, expected, ttlMillis, processor, null);
    }

    private OperationRequest request(OpCode code, Object key, byte[] keyBytes, byte[] value, byte[] expected,
                                     long ttlMillis, byte[] processor, Object processorObject) {
        return new OperationRequest(SlotHashing.partition(keyBytes, partitionCount), 0, settings, code, keyBytes,
                GridSerializer.keyFormat(key), value, expected, ttlMillis, processor, CallId.NONE, 0,
                CallId.NONE, node.operationTimeoutMillis(), processorObject);
    }

    private CompletableFuture<OperationResult> invokeAsync(OperationRequest request) {
        node.checkOpen();
        return node.invoke(request);
    }

    private OperationResult invoke(OperationRequest request) {
        return join(invokeAsync(request));
    }

    private static <T> T join(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                cause.addSuppressed(new GridException("called from here"));
                throw cause;
            }
            throw e;
        }
    }

    @SuppressWarnings("unchecked")
    private V decode(byte[] bytes) {
        return bytes == null ? null : (V) serializer.decodeValue(bytes);
    }

    private static long ttlMillis(Duration ttl) {
        Objects.requireNonNull(ttl, "ttl");
        if (ttl.isNegative()) {
            throw new IllegalArgumentException("ttl: " + ttl + " (expected zero for none, or positive)");
        }
        return ttl.isZero() ? 0 : Math.max(1, ttl.toMillis());
    }

    // ------------------------------------------------------------------------------------------- single key

    @Override
    public V get(Object key) {
        byte[] k = keyBytes(key);
        if (nearCache == null) {
            return decode(read(key, k).value());
        }
        BytesKey cacheKey = new BytesKey(k);
        if (!node.leaseHolds()) {
            // This member may have missed invalidations while it could not be sure it is a member: go to the primary
            // (which refuses or redirects until the member is back) and cache nothing.
            return decode(read(key, k).value());
        }
        byte[] cached = nearCache.get(cacheKey, node.clock().wallMillis());
        if (cached != null) {
            return decode(cached);
        }
        Object token = nearCache.reserve(cacheKey);
        OperationResult result = null;
        try {
            result = read(key, k);
        } finally {
            nearCache.offer(cacheKey, token, result == null ? null : result.value(),
                    result == null ? 0 : result.number());
        }
        return decode(result.value());
    }

    private OperationResult read(Object key, byte[] k) {
        OperationRequest request = request(OpCode.GET, key, k, null, null, 0, null);
        if (config.readFromBackup() && config.maxIdle().isZero()) {
            PartitionTable table = node.table();
            if (table.ownerIndex(request.partition(), node.self()) > 0) {
                CompletableFuture<OperationResult> local = new CompletableFuture<>();
                node.readLocal(request, local::complete);
                OperationResult result = join(local);
                if (result != null) {
                    return result;
                }
            }
        }
        return invoke(request);
    }

    @Override
    public CompletableFuture<V> getAsync(K key) {
        byte[] k = keyBytes(key);
        return invokeAsync(request(OpCode.GET, key, k, null, null, 0, null))
                .thenApplyAsync(r -> decode(r.value()), node.asyncExecutor());
    }

    @Override
    public boolean containsKey(Object key) {
        return invoke(request(OpCode.CONTAINS_KEY, key, keyBytes(key), null, null, 0, null)).number() != 0;
    }

    @Override
    public V put(K key, V value) {
        return put(key, value, defaultTtlMillis);
    }

    @Override
    public V put(K key, V value, Duration ttl) {
        return put(key, value, ttlMillis(ttl));
    }

    private V put(K key, V value, long ttl) {
        return decode(invoke(request(OpCode.PUT, key, keyBytes(key), valueBytes(value), null, ttl, null)).value());
    }

    @Override
    public void set(K key, V value) {
        invoke(request(OpCode.SET, key, keyBytes(key), valueBytes(value), null, defaultTtlMillis, null));
    }

    @Override
    public void set(K key, V value, Duration ttl) {
        invoke(request(OpCode.SET, key, keyBytes(key), valueBytes(value), null, ttlMillis(ttl), null));
    }

    @Override
    public CompletableFuture<Void> setAsync(K key, V value, Duration ttl) {
        return invokeAsync(request(OpCode.SET, key, keyBytes(key), valueBytes(value), null, ttlMillis(ttl), null))
                .thenApplyAsync(r -> null, node.asyncExecutor());
    }

    @Override
    public CompletableFuture<V> putAsync(K key, V value) {
        return putAsync(key, value, defaultTtlMillis);
    }

    @Override
    public CompletableFuture<V> putAsync(K key, V value, Duration ttl) {
        return putAsync(key, value, ttlMillis(ttl));
    }

    private CompletableFuture<V> putAsync(K key, V value, long ttl) {
        return invokeAsync(request(OpCode.PUT, key, keyBytes(key), valueBytes(value), null, ttl, null))
                .thenApplyAsync(r -> decode(r.value()), node.asyncExecutor());
    }

    @Override
    public void putAll(Map<? extends K, ? extends V> entries) {
        List<CompletableFuture<OperationResult>> pending = new ArrayList<>(entries.size());
        for (Map.Entry<? extends K, ? extends V> e : entries.entrySet()) {
            pending.add(invokeAsync(request(OpCode.SET, e.getKey(), keyBytes(e.getKey()), valueBytes(e.getValue()),
                    null, defaultTtlMillis, null)));
        }
        pending.forEach(DefaultGridMap::join);
    }

    @Override
    public V putIfAbsent(K key, V value) {
        return decode(invoke(request(OpCode.PUT_IF_ABSENT, key, keyBytes(key), valueBytes(value), null,
                defaultTtlMillis, null)).value());
    }

    @Override
    public V replace(K key, V value) {
        return decode(invoke(request(OpCode.REPLACE, key, keyBytes(key), valueBytes(value), null, defaultTtlMillis,
                null)).value());
    }

    @Override
    public boolean replace(K key, V oldValue, V newValue) {
        Objects.requireNonNull(oldValue, "oldValue");
        return invoke(request(OpCode.REPLACE_IF_SAME, key, keyBytes(key), valueBytes(newValue),
                valueBytes(oldValue), defaultTtlMillis, null)).number() != 0;
    }

    @Override
    public V remove(Object key) {
        return decode(invoke(request(OpCode.REMOVE, key, keyBytes(key), null, null, 0, null)).value());
    }

    @Override
    public boolean remove(Object key, Object value) {
        if (value == null) {
            Objects.requireNonNull(key, "key");
            return false;
        }
        return invoke(request(OpCode.REMOVE_IF_SAME, key, keyBytes(key), null, valueBytes(value), 0, null))
                .number() != 0;
    }

    @Override
    public boolean delete(K key) {
        return invoke(request(OpCode.DELETE, key, keyBytes(key), null, null, 0, null)).number() != 0;
    }

    @Override
    public CompletableFuture<V> removeAsync(K key) {
        return invokeAsync(request(OpCode.REMOVE, key, keyBytes(key), null, null, 0, null))
                .thenApplyAsync(r -> decode(r.value()), node.asyncExecutor());
    }

    @Override
    public <R> R executeOnKey(K key, EntryProcessor<K, V, R> processor) {
        return join(executeOnKeyAsync(key, processor));
    }

    @Override
    @SuppressWarnings("unchecked")
    public <R> CompletableFuture<R> executeOnKeyAsync(K key, EntryProcessor<K, V, R> processor) {
        Objects.requireNonNull(processor, "processor");
        byte[] k = keyBytes(key);
        byte[] code = serializer.encodeObject(processor);
        return invokeAsync(request(OpCode.EXECUTE, key, k, null, null, -1, code, processor))
                .thenApplyAsync(r -> r.value() == null ? null : (R) serializer.decodeValue(r.value()),
                        node.asyncExecutor());
    }

    @Override
    @SuppressWarnings("unchecked")
    public <R> CompletableFuture<R> executeOnKeysAsync(List<K> keys, MultiKeyProcessor<K, V, R> processor) {
        Objects.requireNonNull(keys, "keys");
        Objects.requireNonNull(processor, "processor");
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("keys: [] (expected at least one key)");
        }
        byte[] first = keyBytes(keys.get(0));
        int partition = SlotHashing.partition(first, partitionCount);
        Set<BytesKey> seen = new HashSet<>();
        seen.add(new BytesKey(first));
        WireWriter others = new WireWriter(64);
        others.writeVarInt(keys.size() - 1);
        for (K key : keys.subList(1, keys.size())) {
            byte[] bytes = keyBytes(key);
            int p = SlotHashing.partition(bytes, partitionCount);
            if (p != partition) {
                throw new IllegalArgumentException("keys " + keys.get(0) + " and " + key + " are in partitions "
                        + partition + " and " + p + "; keys processed together must share a partition (give them a "
                        + "common hash tag such as {user42})");
            }
            if (!seen.add(new BytesKey(bytes))) {
                throw new IllegalArgumentException("key " + key + " is given twice");
            }
            others.writeBytes(bytes);
            others.writeByte(GridSerializer.keyFormat(key));
        }
        byte[] code = serializer.encodeObject(processor);
        return invokeAsync(request(OpCode.EXECUTE_MULTI, keys.get(0), first, others.toByteArray(), null, -1, code,
                processor))
                .thenApplyAsync(r -> r.value() == null ? null : (R) serializer.decodeValue(r.value()),
                        node.asyncExecutor());
    }

    @Override
    public boolean expire(K key, Duration ttl) {
        Objects.requireNonNull(ttl, "ttl");
        long millis = ttl.isNegative() || ttl.isZero() ? 0 : Math.max(1, ttl.toMillis());
        return invoke(request(OpCode.EXPIRE, key, keyBytes(key), null, null, millis, null)).number() != 0;
    }

    @Override
    public boolean persist(K key) {
        return invoke(request(OpCode.PERSIST, key, keyBytes(key), null, null, 0, null)).number() != 0;
    }

    @Override
    public Optional<Duration> ttl(K key) {
        long millis = invoke(request(OpCode.TTL, key, keyBytes(key), null, null, 0, null)).number();
        return millis < 0 ? Optional.empty() : Optional.of(Duration.ofMillis(millis));
    }

    // -------------------------------------------------------------------------------------------- listeners

    @Override
    public UUID addListener(EntryListener<K, V> listener) {
        return addListener(listener, true);
    }

    @Override
    public UUID addListener(EntryListener<K, V> listener, boolean includeValues) {
        Objects.requireNonNull(listener, "listener");
        node.checkOpen();
        return node.addListener(name, listener, includeValues);
    }

    @Override
    public UUID addKeyListener(K key, EntryListener<K, V> listener, boolean includeValues) {
        Objects.requireNonNull(listener, "listener");
        return node.addKeyListener(name, keyBytes(key), listener, includeValues);
    }

    @Override
    public boolean removeListener(UUID id) {
        Objects.requireNonNull(id, "id");
        return node.removeListener(name, id);
    }

    // ------------------------------------------------------------------------------------ whole-map queries

    /**
     * Runs a query on every given partition's primary, grouping partitions by primary and retrying those that
     * moved, until each answered or the deadline passed.
     */
    private Map<Integer, byte[]> queryPartitions(QueryKind kind, int[] partitions) {
        node.checkOpen();
        if (!settings.quorumMet(node.viewSize())) {
            throw new QuorumException(kind + " of map '" + name + "': the map requires " + config.minClusterSize()
                    + " members (minClusterSize) and this member sees " + node.viewSize());
        }
        long timeoutMillis = node.operationTimeoutMillis();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        Map<Integer, byte[]> answers = new HashMap<>();
        List<Integer> missing = new ArrayList<>();
        for (int p : partitions) {
            missing.add(p);
        }
        int round = 0;
        while (!missing.isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new OperationTimeoutException(kind + " of map '" + name + "' could not reach the primaries of "
                        + "partitions " + missing + " within " + timeoutMillis + " ms");
            }
            if (round++ > 0) {
                sleep(Math.min(100, round * 5L));
            }
            PartitionTable table = node.table();
            Map<Address, List<Integer>> byPrimary = new LinkedHashMap<>();
            for (int p : missing) {
                Address primary = table.primary(p);
                if (primary != null && node.isMember(primary)) {
                    byPrimary.computeIfAbsent(primary, a -> new ArrayList<>()).add(p);
                }
            }
            List<CompletableFuture<byte[]>> replies = new ArrayList<>();
            for (Map.Entry<Address, List<Integer>> e : byPrimary.entrySet()) {
                int[] ps = e.getValue().stream().mapToInt(Integer::intValue).toArray();
                replies.add(query(e.getKey(), kind, ps, timeoutMillis));
            }
            for (CompletableFuture<byte[]> reply : replies) {
                try {
                    PartitionQuery.decodeReply(reply.join()).forEach((p, payload) -> {
                        if (payload != null) {
                            answers.put(p, payload);
                        }
                    });
                } catch (CompletionException e) {
                    // the member left or timed out: its partitions are retried against the next table
                }
            }
            missing.removeIf(answers::containsKey);
        }
        return answers;
    }

    /** Runs a partition query on {@code member}: directly when it is this member, else as a message. */
    private CompletableFuture<byte[]> query(Address member, QueryKind kind, int[] partitions, long timeoutMillis) {
        return node.query(member, new PartitionQuery(kind, settings, partitions), timeoutMillis);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GridException("interrupted", e);
        }
    }

    private int[] allPartitions() {
        int[] all = new int[partitionCount];
        for (int p = 0; p < partitionCount; p++) {
            all[p] = p;
        }
        return all;
    }

    @Override
    public boolean containsValue(Object value) {
        Objects.requireNonNull(value, "value");
        return super.containsValue(value);
    }

    @Override
    public int size() {
        long total = 0;
        for (byte[] payload : queryPartitions(QueryKind.SIZE, allPartitions()).values()) {
            total += new WireReader(payload).readVarInt();
        }
        return (int) Math.min(Integer.MAX_VALUE, total);
    }

    @Override
    public boolean isEmpty() {
        return size() == 0;
    }

    /**
     * The map's keys, the keys among them that expire, and their average remaining time to live, cluster-wide (as
     * {@link #size()}: blocking, one query per primary). What Redis's {@code INFO keyspace} reports per database.
     */
    public KeyspaceFigures keyspaceFigures() {
        long keys = 0;
        long expires = 0;
        long remainingMillis = 0;
        for (byte[] payload : queryPartitions(QueryKind.KEYSPACE, allPartitions()).values()) {
            WireReader in = new WireReader(payload);
            keys += in.readVarInt();
            expires += in.readVarInt();
            remainingMillis += in.readVarLong();
        }
        return new KeyspaceFigures(keys, expires, expires == 0 ? 0 : remainingMillis / expires);
    }

    @Override
    public void clear() {
        queryPartitions(QueryKind.CLEAR, allPartitions());
        if (nearCache != null) {
            nearCache.invalidateAll();
        }
    }

    @Override
    public Set<Entry<K, V>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public Iterator<Entry<K, V>> iterator() {
                return new PartitionIterator();
            }

            @Override
            public int size() {
                return DefaultGridMap.this.size();
            }

            @Override
            public void clear() {
                DefaultGridMap.this.clear();
            }
        };
    }

    @Override
    public Map<K, V> partitionEntries(int partitionId) {
        if (partitionId < 0 || partitionId >= partitionCount) {
            throw new IllegalArgumentException("partition " + partitionId + " does not exist: partitions are 0 to "
                    + (partitionCount - 1));
        }
        Map<K, V> entries = new LinkedHashMap<>();
        readEntries(partitionId, (key, value) -> entries.put(key, value));
        return entries;
    }

    /** Fetches the live entries of one partition from its primary. */
    private void readEntries(int partitionId, java.util.function.BiConsumer<K, V> sink) {
        byte[] payload = queryPartitions(QueryKind.ENTRIES, new int[] {partitionId}).values().iterator().next();
        WireReader in = new WireReader(payload);
        int count = in.readVarInt();
        for (int i = 0; i < count; i++) {
            byte[] key = in.readBytes();
            byte format = in.readByte();
            byte[] value = in.readBytes();
            @SuppressWarnings("unchecked")
            K k = (K) serializer.decodeKey(key, format);
            sink.accept(k, decode(value));
        }
    }

    /** Iterates partition by partition, fetching one partition's entries at a time from its primary. */
    private final class PartitionIterator implements Iterator<Entry<K, V>> {
        private int nextPartition;
        private final List<Entry<K, V>> batch = new ArrayList<>();
        private int index;
        private Entry<K, V> last;

        @Override
        public boolean hasNext() {
            while (index >= batch.size() && nextPartition < partitionCount) {
                batch.clear();
                index = 0;
                readEntries(nextPartition++, (key, value) -> batch.add(new GridEntry(key, value)));
            }
            return index < batch.size();
        }

        @Override
        public Entry<K, V> next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            last = batch.get(index++);
            return last;
        }

        @Override
        public void remove() {
            if (last == null) {
                throw new IllegalStateException("next() was not called, or remove() was called already");
            }
            DefaultGridMap.this.delete(last.getKey());
            last = null;
        }
    }

    /** An entry seen by iteration; {@code setValue} writes through. */
    private final class GridEntry extends SimpleEntry<K, V> {
        GridEntry(K key, V value) {
            super(key, value);
        }

        @Override
        public V setValue(V value) {
            V old = super.setValue(value);
            DefaultGridMap.this.set(getKey(), value);
            return old;
        }
    }

    /**
     * Per-partition digests of this map as every member holds them, {@code [primary, sequence, count, digest]}; for
     * anti-entropy and tests. A member that does not answer within the operation timeout is left out.
     */
    public Map<Address, Map<Integer, long[]>> replicaDigests() {
        Map<Address, Map<Integer, long[]>> result = new LinkedHashMap<>();
        long timeoutMillis = node.operationTimeoutMillis();
        Map<Address, CompletableFuture<byte[]>> replies = new LinkedHashMap<>();
        for (Address member : node.members()) {
            replies.put(member, query(member, QueryKind.DIGEST, allPartitions(), timeoutMillis));
        }
        replies.forEach((member, reply) -> {
            byte[] bytes;
            try {
                bytes = reply.join();
            } catch (CompletionException e) {
                return; // left the view or did not answer in time
            }
            Map<Integer, long[]> digests = new LinkedHashMap<>();
            PartitionQuery.decodeReply(bytes).forEach((p, payload) -> {
                if (payload != null) {
                    WireReader in = new WireReader(payload);
                    boolean primary = in.readBoolean();
                    digests.put(p, new long[] {primary ? 1 : 0, in.readVarLong(), in.readVarInt(), in.readLong()});
                }
            });
            result.put(member, digests);
        });
        return result;
    }

    @Override
    public boolean equals(Object o) {
        return o == this;
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(this);
    }

    @Override
    public String toString() {
        return "GridMap{" + name + "}";
    }
}
