package io.tessera.grid.internal.operation;

import io.tessera.grid.EntryEventType;
import io.tessera.grid.GridSerializationException;
import io.tessera.grid.internal.cluster.ClusterService;
import io.tessera.grid.internal.operation.OperationResult.ErrorKind;
import io.tessera.grid.internal.operation.PartitionContainer.Status;
import io.tessera.grid.internal.partition.PartitionTable;
import io.tessera.grid.internal.serialization.GridSerializer;
import io.tessera.grid.internal.store.BytesKey;
import io.tessera.grid.internal.store.HybridLogicalClock;
import io.tessera.grid.internal.store.Record;
import io.tessera.grid.internal.store.RecordStore;
import io.tessera.grid.internal.wire.MessageType;
import io.tessera.grid.internal.wire.WireReader;
import io.tessera.grid.internal.wire.WireWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.jgroups.Address;
import org.jgroups.blocks.Response;
import org.jgroups.util.Rsp;
import org.jgroups.util.RspList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Executes everything that touches partition data on this member: operations as a primary, the replication
 * stream as a backup, snapshots for migration and resync, hand-off freezes, table installs, per-partition queries
 * and active expiry.
 *
 * <h2>Concurrency design</h2>
 * Every {@link PartitionContainer} is confined to its partition thread ({@link PartitionThreads}); every entry
 * point here only decodes and enqueues. A primary applies an operation, assigns the map-partition's next sequence,
 * and sends the resulting {@link Mutation}s to its backups and syncing replicas as regular JGroups unicasts, which
 * are FIFO per sender, so backups receive them in sequence order. It never waits: the caller's reply is sent from
 * the acknowledgement callback. A backup applies mutations in sequence; a gap makes it buffer and ask the primary
 * for a snapshot. {@code inFlight} counts unsettled replication messages so that a hand-off can wait until the
 * destination acknowledged everything.
 *
 * <p>The published table ({@link #table()}) is volatile and used for routing; each container applies tables on its
 * own thread so every decision about a partition sees one consistent table.
 */
public final class PartitionEngine {
    private static final Logger log = LoggerFactory.getLogger(PartitionEngine.class);

    private static final byte ACK = 0;
    private static final byte FENCED = 1;
    private static final int SNAPSHOT_CHUNK_BYTES = 512 * 1024;
    private static final int EXPIRY_TICK_MILLIS = 100;
    private static final int EXPIRY_BATCH = 500;
    private static final long RESYNC_RETRY_MILLIS = 2_000;

    private final Address self;
    private final ClusterService cluster;
    private final PartitionThreads threads;
    private final PartitionContainer[] containers;
    private final GridSerializer serializer;
    private final HybridLogicalClock hlc;
    private final LongSupplier clock;
    private final EventPublisher events;
    private final long timeoutMillis;
    private final ExecutorService snapshotSender;
    private volatile PartitionTable table;
    private volatile Consumer<PartitionTable> tableListener = t -> { };

    /** Creates the engine for {@code partitionCount} partitions. */
    public PartitionEngine(Address self, ClusterService cluster, PartitionThreads threads, int partitionCount,
                           GridSerializer serializer, HybridLogicalClock hlc, LongSupplier clock,
                           EventPublisher events, long timeoutMillis, String memberName) {
        this.self = self;
        this.cluster = cluster;
        this.threads = threads;
        this.serializer = serializer;
        this.hlc = hlc;
        this.clock = clock;
        this.events = events;
        this.timeoutMillis = timeoutMillis;
        this.table = PartitionTable.empty(partitionCount);
        this.containers = new PartitionContainer[partitionCount];
        for (int p = 0; p < partitionCount; p++) {
            containers[p] = new PartitionContainer(p, table);
        }
        this.snapshotSender = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "tessera-snapshot-" + memberName);
            t.setDaemon(true);
            return t;
        });
        for (int i = 0; i < threads.count(); i++) {
            int index = i;
            threads.scheduleOnThread(i, () -> tick(index), EXPIRY_TICK_MILLIS);
        }
    }

    /** The newest table this member installed. */
    public PartitionTable table() {
        return table;
    }

    /** Sets the callback run (on a partition thread or JGroups thread) after a newer table was installed. */
    public void tableListener(Consumer<PartitionTable> listener) {
        this.tableListener = listener;
    }

    /** Stops the snapshot sender. */
    public void shutdown() {
        snapshotSender.shutdownNow();
    }

    // ---------------------------------------------------------------------------------------------- operations

    /** Executes {@code request} here as its primary (or answers retry); {@code reply} may run on any thread. */
    public void execute(OperationRequest request, Consumer<OperationResult> reply) {
        int p = request.partition();
        if (p < 0 || p >= containers.length) {
            reply.accept(OperationResult.error(ErrorKind.ILLEGAL_ARGUMENT, "partition " + p + " out of range"));
            return;
        }
        threads.execute(p, () -> executeOnPartitionThread(containers[p], request, reply));
    }

    /** Handles an {@link MessageType#OPERATION} message from another member. */
    public void onOperation(WireReader in, Response response) {
        OperationRequest request = OperationRequest.decode(in);
        execute(request, result -> response.send(result.encode(), false));
    }

    /** Reads a key from the local replica of a map that allows reading from backups; null result = not served. */
    public void readLocal(OperationRequest request, Consumer<OperationResult> reply) {
        int p = request.partition();
        threads.execute(p, () -> {
            PartitionContainer c = containers[p];
            if (c.status != Status.OWNER || c.table.ownerIndex(p, self) < 0) {
                reply.accept(null);
                return;
            }
            RecordStore store = c.stores.get(request.mapName());
            Record record = store == null ? null : store.get(new BytesKey(request.key()));
            long now = clock.getAsLong();
            boolean live = record != null && !record.isExpiredAt(now);
            reply.accept(OperationResult.ok(live ? record.value() : null, live ? record.expireAt() : 0));
        });
    }

    private void executeOnPartitionThread(PartitionContainer c, OperationRequest request,
                                          Consumer<OperationResult> reply) {
        if (!c.servesAsPrimary(self)) {
            reply.accept(OperationResult.retry(c.table.version()));
            return;
        }
        RecordStore store = c.store(request.mapName(), request.backups());
        Changes changes = new Changes(store);
        OperationResult result;
        try {
            result = apply(store, request, clock.getAsLong(), changes);
        } catch (GridSerializationException e) {
            result = OperationResult.error(ErrorKind.SERIALIZATION, e.getMessage());
        } catch (ProcessorFailure e) {
            result = OperationResult.error(ErrorKind.PROCESSOR_FAILED, e.getMessage());
        } catch (RuntimeException e) {
            log.error("operation {} on partition {} failed", request.code(), c.partition, e);
            result = OperationResult.error(ErrorKind.INTERNAL, e.toString());
        }
        if (changes.mutations.isEmpty()) {
            reply.accept(result);
            return;
        }
        OperationResult success = result;
        replicate(c, store.backups(), changes, request.asyncBackups(), () -> reply.accept(success), reply);
    }

    /** Collects the mutations and events one operation produced, in order. */
    private final class Changes {
        final RecordStore store;
        final List<Mutation> mutations = new ArrayList<>(2);
        final List<EntryChange> events = new ArrayList<>(2);

        Changes(RecordStore store) {
            this.store = store;
        }

        Record write(Record current, BytesKey key, byte keyFormat, byte[] value, long expireAt, long maxIdle,
                     long now) {
            long sequence = store.nextSequence();
            Record record = new Record(key, keyFormat, value, sequence, hlc.tick(), expireAt, maxIdle,
                    current == null ? now : current.creationTime(), now);
            store.put(record);
            mutations.add(Mutation.put(store, sequence, record));
            events.add(new EntryChange(store.mapName(), current == null ? EntryEventType.ADDED
                    : EntryEventType.UPDATED, key.bytes(), keyFormat, current == null ? null : current.value(), value));
            return record;
        }

        void remove(Record current, EntryEventType why) {
            store.remove(current.key());
            mutations.add(Mutation.remove(store, store.nextSequence(), current.key()));
            events.add(new EntryChange(store.mapName(), why, current.key().bytes(), current.keyFormat(),
                    current.value(), null));
        }

        void touch(Record current, long now) {
            current.touch(now);
            mutations.add(Mutation.touch(store, store.nextSequence(), current.key(), now));
        }
    }

    private static long expireAtFor(long ttlMillis, Record current, long now) {
        if (ttlMillis < 0) {
            return current == null ? 0 : current.expireAt();
        }
        return ttlMillis == 0 ? 0 : now + ttlMillis;
    }

    private OperationResult apply(RecordStore store, OperationRequest request, long now, Changes changes) {
        BytesKey key = new BytesKey(request.key());
        Record current = store.get(key);
        if (current != null && current.isExpiredAt(now)) {
            changes.remove(current, EntryEventType.EXPIRED);
            current = null;
        }
        long maxIdle = request.maxIdleMillis();
        byte format = request.keyFormat();
        switch (request.code()) {
            case GET -> {
                if (current == null) {
                    return OperationResult.ok(null, 0);
                }
                if (current.maxIdleMillis() > 0) {
                    changes.touch(current, now);
                }
                return OperationResult.ok(current.value(), current.expireAt());
            }
            case CONTAINS_KEY -> {
                return OperationResult.ok(null, current == null ? 0 : 1);
            }
            case PUT, SET -> {
                changes.write(current, key, format, request.value(), expireAtFor(request.ttlMillis(), current, now),
                        maxIdle, now);
                return OperationResult.ok(current == null || request.code() == OpCode.SET ? null : current.value(),
                        current == null ? 0 : 1);
            }
            case PUT_IF_ABSENT -> {
                if (current != null) {
                    return OperationResult.ok(current.value(), 1);
                }
                changes.write(null, key, format, request.value(), expireAtFor(request.ttlMillis(), null, now),
                        maxIdle, now);
                return OperationResult.ok(null, 0);
            }
            case REPLACE -> {
                if (current == null) {
                    return OperationResult.ok(null, 0);
                }
                changes.write(current, key, format, request.value(), expireAtFor(request.ttlMillis(), current, now),
                        maxIdle, now);
                return OperationResult.ok(current.value(), 1);
            }
            case REPLACE_IF_SAME -> {
                if (current == null || !Arrays.equals(current.value(), request.expected())) {
                    return OperationResult.ok(null, 0);
                }
                changes.write(current, key, format, request.value(), expireAtFor(request.ttlMillis(), current, now),
                        maxIdle, now);
                return OperationResult.ok(null, 1);
            }
            case REMOVE, DELETE -> {
                if (current == null) {
                    return OperationResult.ok(null, 0);
                }
                changes.remove(current, EntryEventType.REMOVED);
                return OperationResult.ok(request.code() == OpCode.REMOVE ? current.value() : null, 1);
            }
            case REMOVE_IF_SAME -> {
                if (current == null || !Arrays.equals(current.value(), request.expected())) {
                    return OperationResult.ok(null, 0);
                }
                changes.remove(current, EntryEventType.REMOVED);
                return OperationResult.ok(null, 1);
            }
            case EXPIRE -> {
                if (current == null) {
                    return OperationResult.ok(null, 0);
                }
                if (request.ttlMillis() <= 0) {
                    changes.remove(current, EntryEventType.EXPIRED);
                } else {
                    changes.write(current, key, current.keyFormat(), current.value(), now + request.ttlMillis(),
                            current.maxIdleMillis(), now);
                }
                return OperationResult.ok(null, 1);
            }
            case PERSIST -> {
                if (current == null) {
                    return OperationResult.ok(null, 0);
                }
                if (current.expireAt() == 0) {
                    return OperationResult.ok(null, 2);
                }
                changes.write(current, key, current.keyFormat(), current.value(), 0, current.maxIdleMillis(), now);
                return OperationResult.ok(null, 1);
            }
            case TTL -> {
                if (current == null) {
                    return OperationResult.ok(null, -2);
                }
                return OperationResult.ok(null, current.expireAt() == 0 ? -1 : Math.max(0, current.expireAt() - now));
            }
            case EXECUTE -> {
                return executeProcessor(current, key, format, request, now, changes);
            }
            case EXECUTE_MULTI -> {
                return executeMultiKeyProcessor(store, current, key, format, request, now, changes);
            }
            case MERGE -> {
                // LATEST_UPDATE: the incoming entry (from the other half of a split) wins when this half has no
                // entry or an older one by hybrid logical clock. ttlMillis carries its absolute expiry here, and
                // expected carries its stamp.
                long incomingStamp = new WireReader(request.expected()).readLong();
                long expireAt = request.ttlMillis();
                hlc.observe(incomingStamp);
                if ((expireAt > 0 && expireAt <= now) || (current != null && current.timestamp() >= incomingStamp)) {
                    return OperationResult.ok(null, 0);
                }
                changes.write(current, key, format, request.value(), expireAt, maxIdle, now);
                return OperationResult.ok(null, 1);
            }
            default -> throw new IllegalStateException("unhandled " + request.code());
        }
    }

    /** An entry processor threw; its message names the exception. */
    private static final class ProcessorFailure extends RuntimeException {
        ProcessorFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private OperationResult executeProcessor(Record current, BytesKey key, byte format, OperationRequest request,
                                             long now, Changes changes) {
        Object processor = serializer.decodeObject(request.processor());
        if (!(processor instanceof io.tessera.grid.EntryProcessor<?, ?, ?> entryProcessor)) {
            throw new GridSerializationException("not an EntryProcessor: " + processor.getClass().getName());
        }
        ProcessedEntry entry = new ProcessedEntry(serializer.decodeKey(key.bytes(), format),
                current == null ? null : serializer.decodeValue(current.value()),
                current == null ? 0 : current.expireAt(), now);
        Object result;
        try {
            result = ((io.tessera.grid.EntryProcessor) entryProcessor).process(entry);
        } catch (RuntimeException e) {
            throw new ProcessorFailure("entry processor " + processor.getClass().getName() + " failed: " + e, e);
        }
        applyProcessed(entry, current, key, format, request.maxIdleMillis(), now, changes);
        return OperationResult.ok(result == null ? null : serializer.encodeValue(result), result == null ? 0 : 1);
    }

    /** Turns what a processor did to one entry into mutations. */
    private void applyProcessed(ProcessedEntry entry, Record current, BytesKey key, byte format, long maxIdle,
                                long now, Changes changes) {
        if (entry.removed) {
            if (current != null) {
                changes.remove(current, EntryEventType.REMOVED);
            }
        } else if (entry.changed || (current != null && entry.expireAt != current.expireAt())) {
            long expireAt = entry.expireAt;
            if (expireAt != 0 && expireAt <= now) {
                if (current != null) {
                    changes.remove(current, EntryEventType.EXPIRED);
                }
            } else {
                byte[] value = entry.changed ? serializer.encodeValue(entry.value) : current.value();
                changes.write(current, key, format, value, expireAt, maxIdle, now);
            }
        }
    }

    /**
     * Runs a multi-key processor: the first key is the request's, the others travel in its value (count, then key
     * bytes and format each). All are in this partition; the caller checked.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private OperationResult executeMultiKeyProcessor(RecordStore store, Record firstCurrent, BytesKey firstKey,
                                                     byte firstFormat, OperationRequest request, long now,
                                                     Changes changes) {
        Object processor = serializer.decodeObject(request.processor());
        if (!(processor instanceof io.tessera.grid.MultiKeyProcessor<?, ?, ?> multi)) {
            throw new GridSerializationException("not a MultiKeyProcessor: " + processor.getClass().getName());
        }
        WireReader others = new WireReader(request.value());
        int count = others.readVarInt();
        List<BytesKey> keys = new ArrayList<>(count + 1);
        List<Byte> formats = new ArrayList<>(count + 1);
        List<Record> currents = new ArrayList<>(count + 1);
        keys.add(firstKey);
        formats.add(firstFormat);
        currents.add(firstCurrent);
        for (int i = 0; i < count; i++) {
            BytesKey key = new BytesKey(others.readBytes());
            byte format = others.readByte();
            Record current = store.get(key);
            if (current != null && current.isExpiredAt(now)) {
                changes.remove(current, EntryEventType.EXPIRED);
                current = null;
            }
            keys.add(key);
            formats.add(format);
            currents.add(current);
        }
        List<ProcessedEntry> entries = new ArrayList<>(keys.size());
        for (int i = 0; i < keys.size(); i++) {
            Record current = currents.get(i);
            entries.add(new ProcessedEntry(serializer.decodeKey(keys.get(i).bytes(), formats.get(i)),
                    current == null ? null : serializer.decodeValue(current.value()),
                    current == null ? 0 : current.expireAt(), now));
        }
        Object result;
        try {
            result = ((io.tessera.grid.MultiKeyProcessor) multi).process(java.util.Collections.unmodifiableList(
                    entries));
        } catch (RuntimeException e) {
            throw new ProcessorFailure("processor " + processor.getClass().getName() + " failed: " + e, e);
        }
        for (int i = 0; i < keys.size(); i++) {
            applyProcessed(entries.get(i), currents.get(i), keys.get(i), formats.get(i), request.maxIdleMillis(), now,
                    changes);
        }
        return OperationResult.ok(result == null ? null : serializer.encodeValue(result), result == null ? 0 : 1);
    }

    /** The entry an entry processor sees; changes are applied after it returns. */
    private static final class ProcessedEntry implements io.tessera.grid.MutableEntry<Object, Object> {
        private final Object key;
        private Object value;
        private boolean changed;
        private boolean removed;
        private final long now;
        private long expireAt; // absolute on the primary's clock, 0 = never

        ProcessedEntry(Object key, Object value, long expireAt, long now) {
            this.key = key;
            this.value = value;
            this.expireAt = expireAt;
            this.now = now;
        }

        @Override
        public Object getKey() {
            return key;
        }

        @Override
        public Object getValue() {
            return value;
        }

        @Override
        public boolean exists() {
            return value != null;
        }

        @Override
        public void setValue(Object newValue) {
            java.util.Objects.requireNonNull(newValue, "value (use remove() to delete the entry)");
            value = newValue;
            changed = true;
            removed = false;
        }

        @Override
        public void setValue(Object newValue, java.time.Duration ttl) {
            setValue(newValue);
            expireAt = ttl == null || ttl.isZero() || ttl.isNegative() ? 0L : now + ttl.toMillis();
        }

        @Override
        public void remove() {
            value = null;
            removed = true;
            changed = false;
            expireAt = 0;
        }

        @Override
        public java.util.Optional<java.time.Instant> getExpiresAt() {
            if (value == null) {
                return java.util.Optional.empty();
            }
            return expireAt == 0 ? java.util.Optional.empty()
                    : java.util.Optional.of(java.time.Instant.ofEpochMilli(expireAt));
        }

        @Override
        public void setExpiresAt(java.time.Instant expiresAt) {
            if (value == null) {
                return;
            }
            // an instant at or before the epoch's first millisecond still means "already expired", never "forever"
            expireAt = expiresAt == null ? 0 : Math.max(1, expiresAt.toEpochMilli());
        }
    }

    // --------------------------------------------------------------------------------------------- replication

    /** The members that receive mutations of a map with {@code backups} backups in partition {@code p}. */
    private List<Address> replicaTargets(PartitionContainer c, int backups) {
        Address[] owners = c.table.owners(c.partition);
        Address[] syncing = c.table.syncing(c.partition);
        int count = Math.min(backups, owners.length - 1);
        if (count <= 0 && syncing.length == 0) {
            return List.of();
        }
        List<Address> targets = new ArrayList<>(Math.max(0, count) + syncing.length);
        for (int i = 1; i <= count; i++) {
            targets.add(owners[i]);
        }
        // Syncing replicas get every map, replicated or not: one of them may become the primary.
        targets.addAll(Arrays.asList(syncing));
        return targets;
    }

    private void replicate(PartitionContainer c, int backups, Changes changes, boolean asyncBackups,
                           Runnable onSuccess, Consumer<OperationResult> onFailure) {
        CompletableFuture<Void> invalidated = events.publish(changes.events);
        List<Address> targets = replicaTargets(c, backups);
        if (targets.isEmpty()) {
            invalidated.whenComplete((v, e) -> onSuccess.run());
            return;
        }
        WireWriter out = WireWriter.forType(MessageType.BACKUP, 64);
        out.writeVarInt(c.partition);
        out.writeVarLong(c.table.version());
        out.writeVarInt(changes.mutations.size());
        for (Mutation m : changes.mutations) {
            m.writeTo(out);
        }
        c.inFlight++;
        int p = c.partition;
        CompletableFuture<RspList<byte[]>> acks = cluster.requestAll(targets, out.array(), out.size(),
                timeoutMillis);
        acks.whenComplete((rsps, e) -> threads.execute(p, containers[p]::replicationSettled));
        if (asyncBackups) {
            invalidated.whenComplete((v, e) -> onSuccess.run());
            acks.thenAccept(rsps -> {
                String problem = ackProblem(rsps, targets);
                if (problem != null) {
                    log.warn("asynchronous backup of partition {} failed: {}", p, problem);
                }
            });
            return;
        }
        acks.thenCombine(invalidated, (rsps, v) -> rsps).whenComplete((rsps, e) -> {
            String problem = e != null ? e.toString() : ackProblem(rsps, targets);
            if (problem == null) {
                onSuccess.run();
            } else {
                onFailure.accept(OperationResult.error(ErrorKind.INDETERMINATE,
                        "the write was applied on the primary of partition " + p + " but " + problem
                                + "; it may or may not survive a crash of the primary"));
            }
        });
    }

    /** Why a set of backup acknowledgements is not a success, or null when it is. */
    private String ackProblem(RspList<byte[]> rsps, List<Address> targets) {
        if (rsps == null) {
            return "not every backup of " + targets + " acknowledged within " + timeoutMillis + " ms";
        }
        for (Address target : targets) {
            Rsp<byte[]> rsp = rsps.get(target);
            if (rsp == null || rsp.wasSuspected() || rsp.wasUnreachable()) {
                continue; // the backup left the view: the write lives on the remaining replicas
            }
            if (!rsp.wasReceived()) {
                return "backup " + cluster.nameOf(target) + " did not acknowledge within " + timeoutMillis + " ms";
            }
            if (rsp.hasException()) {
                return "backup " + cluster.nameOf(target) + " failed: " + rsp.getException();
            }
            byte[] value = rsp.getValue();
            if (value != null && value.length > 0 && value[0] == FENCED) {
                return "backup " + cluster.nameOf(target) + " refused it: this member is no longer the primary";
            }
        }
        return null;
    }

    /** Handles a {@link MessageType#BACKUP} message from a primary. */
    public void onBackup(WireReader in, Address sender, Response response) {
        int p = in.readVarInt();
        long version = in.readVarLong();
        int count = in.readVarInt();
        List<Mutation> mutations = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            mutations.add(Mutation.readFrom(in));
        }
        threads.execute(p, () -> {
            byte answer = applyBackup(containers[p], sender, version, mutations);
            if (response != null) {
                response.send(new byte[] {answer}, false);
            }
        });
    }

    private byte applyBackup(PartitionContainer c, Address sender, long version, List<Mutation> mutations) {
        if (version < c.table.version() && !sender.equals(c.table.primary(c.partition))) {
            return FENCED;
        }
        for (Mutation m : mutations) {
            hlcObserve(m);
            switch (c.status) {
                case NONE -> { } // not a replica under our table: the snapshot we get later covers this
                case SYNCING -> c.buffered.add(m);
                case OWNER, SYNCED -> applyInSequence(c, m);
                default -> throw new IllegalStateException();
            }
        }
        return ACK;
    }

    private void hlcObserve(Mutation m) {
        if (m.record() != null) {
            hlc.observe(m.record().timestamp());
        }
    }

    private void applyInSequence(PartitionContainer c, Mutation m) {
        if (c.status == Status.SYNCING) {
            c.buffered.add(m);
            return;
        }
        if (c.fillingMissingMaps && !c.stores.containsKey(m.mapName())) {
            c.buffered.add(m); // a map this owner lacks: the snapshot brings it, then these replay
            return;
        }
        RecordStore store = c.store(m.mapName(), m.backups());
        long expected = store.sequence() + 1;
        if (m.sequence() < expected) {
            return; // already applied (a snapshot covered it)
        }
        if (m.sequence() > expected) {
            log.info("partition {} map {}: gap (expected sequence {}, got {}); requesting a resync", c.partition,
                    m.mapName(), expected, m.sequence());
            c.status = Status.SYNCING;
            c.staging = null;
            c.buffered.clear();
            c.buffered.add(m);
            requestResync(c);
            return;
        }
        m.applyTo(store);
    }

    private void requestResync(PartitionContainer c) {
        Address primary = c.table.primary(c.partition);
        c.lastResyncRequest = clock.getAsLong();
        if (primary == null || primary.equals(self)) {
            return;
        }
        WireWriter out = WireWriter.forType(MessageType.RESYNC_REQUEST, 8);
        out.writeVarInt(c.partition);
        cluster.send(primary, out.array(), out.size());
    }

    // ------------------------------------------------------------------------------------------------ snapshots

    /** Handles a {@link MessageType#RESYNC_REQUEST} from a backup that found a gap. */
    public void onResyncRequest(WireReader in, Address sender) {
        int p = in.readVarInt();
        threads.execute(p, () -> {
            PartitionContainer c = containers[p];
            boolean replica = c.table.ownerIndex(p, sender) > 0 || c.table.isSyncing(p, sender);
            if (c.servesAsPrimary(self) && replica) {
                sendSnapshot(c, List.of(sender));
            }
        });
    }

    /** Handles {@link MessageType#SYNC_REPLICA}: copy partitions to their syncing replicas, answer failures. */
    public void onSyncReplica(WireReader in, Response response) {
        int count = in.readVarInt();
        List<CompletableFuture<Integer>> results = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int p = in.readVarInt();
            int destinations = in.readVarInt();
            List<Address> targets = new ArrayList<>(destinations);
            for (int d = 0; d < destinations; d++) {
                targets.add(PartitionTable.readAddress(in));
            }
            CompletableFuture<Integer> result = new CompletableFuture<>();
            results.add(result);
            threads.execute(p, () -> {
                PartitionContainer c = containers[p];
                if (!c.servesAsPrimary(self)) {
                    result.complete(p);
                    return;
                }
                try {
                    sendSnapshot(c, targets).whenComplete((ok, e) -> result.complete(ok != null && ok ? -1 : p));
                } catch (RuntimeException e) {
                    log.warn("copy of partition {} failed", p, e);
                    result.complete(p);
                }
            });
        }
        CompletableFuture.allOf(results.toArray(new CompletableFuture<?>[0])).whenComplete((v, e) -> {
            WireWriter out = new WireWriter(16);
            List<Integer> failed = results.stream().map(CompletableFuture::join).filter(p -> p >= 0).toList();
            out.writeVarInt(failed.size());
            failed.forEach(out::writeVarInt);
            response.send(out.toByteArray(), false);
        });
    }

    /**
     * Takes a point-in-time copy of the partition on its thread and streams it to {@code targets} from the
     * snapshot thread; completes with whether every target installed it.
     */
    private CompletableFuture<Boolean> sendSnapshot(PartitionContainer c, List<Address> targets) {
        List<RecordStore> stores = new ArrayList<>(c.stores.values());
        List<Object[]> copy = new ArrayList<>(stores.size());
        for (RecordStore store : stores) {
            copy.add(new Object[] {store.mapName(), store.backups(), store.sequence(), store.snapshot()});
        }
        long version = c.table.version();
        int p = c.partition;
        CompletableFuture<Boolean> done = new CompletableFuture<>();
        snapshotSender.execute(() -> {
            try {
                List<byte[]> chunks = encodeSnapshot(p, version, copy);
                List<CompletableFuture<byte[]>> acks = new ArrayList<>();
                for (Address target : targets) {
                    for (int i = 0; i < chunks.size() - 1; i++) {
                        cluster.send(target, chunks.get(i), chunks.get(i).length);
                    }
                    byte[] last = chunks.get(chunks.size() - 1);
                    acks.add(cluster.request(target, last, last.length, Math.max(timeoutMillis, 30_000)));
                }
                CompletableFuture.allOf(acks.toArray(new CompletableFuture<?>[0])).whenComplete((v, e) -> {
                    // Whatever the replies hold, complete: the coordinator's round waits on this copy.
                    boolean installed = false;
                    try {
                        installed = e == null && acks.stream().allMatch(a -> {
                            byte[] reply = a.join();
                            return reply != null && reply.length > 0 && reply[0] == ACK;
                        });
                    } catch (RuntimeException unexpected) {
                        log.warn("snapshot of partition {}: unreadable acknowledgement: {}", p, unexpected.toString());
                    } finally {
                        done.complete(installed);
                    }
                });
            } catch (RuntimeException | Error e) {
                log.warn("snapshot of partition {} failed", p, e);
                done.complete(false);
            }
        });
        return done;
    }

    private static List<byte[]> encodeSnapshot(int p, long version, List<Object[]> maps) {
        List<byte[]> chunks = new ArrayList<>();
        int chunkIndex = 0;
        List<Object[]> pending = maps;
        // Each chunk: partition, version, index, last?, then (map, backups, sequence, records...) groups.
        int mapIndex = 0;
        int recordIndex = 0;
        while (true) {
            WireWriter out = WireWriter.forType(MessageType.SNAPSHOT, 1024);
            out.writeVarInt(p);
            out.writeVarLong(version);
            out.writeVarInt(chunkIndex++);
            int lastFlagPosition = out.size();
            out.writeBoolean(false);
            List<byte[]> groups = new ArrayList<>();
            int bytes = 0;
            while (mapIndex < pending.size() && bytes < SNAPSHOT_CHUNK_BYTES) {
                Object[] map = pending.get(mapIndex);
                Record[] records = (Record[]) map[3];
                WireWriter group = new WireWriter(256);
                group.writeString((String) map[0]);
                group.writeByte((Integer) map[1]);
                group.writeVarLong((Long) map[2]);
                WireWriter body = new WireWriter(1024);
                int n = 0;
                while (recordIndex < records.length && bytes + body.size() < SNAPSHOT_CHUNK_BYTES) {
                    records[recordIndex++].writeTo(body);
                    n++;
                }
                group.writeVarInt(n);
                byte[] groupBytes = group.toByteArray();
                byte[] bodyBytes = Arrays.copyOf(body.array(), body.size());
                groups.add(groupBytes);
                groups.add(bodyBytes);
                bytes += groupBytes.length + bodyBytes.length;
                if (recordIndex >= records.length) {
                    mapIndex++;
                    recordIndex = 0;
                }
            }
            out.writeVarInt(groups.size() / 2);
            groups.forEach(out::writeRaw);
            boolean last = mapIndex >= pending.size();
            byte[] chunk = out.toByteArray();
            chunk[lastFlagPosition] = (byte) (last ? 1 : 0);
            chunks.add(chunk);
            if (last) {
                return chunks;
            }
        }
    }

    /** Handles a {@link MessageType#SNAPSHOT} chunk. */
    public void onSnapshot(WireReader in, Address sender, Response response) {
        int p = in.readVarInt();
        long version = in.readVarLong();
        int chunkIndex = in.readVarInt();
        boolean last = in.readBoolean();
        int groups = in.readVarInt();
        List<Object[]> parsed = new ArrayList<>(groups);
        for (int g = 0; g < groups; g++) {
            String map = in.readString();
            int backups = in.readByte();
            long sequence = in.readVarLong();
            int n = in.readVarInt();
            Record[] records = new Record[n];
            for (int i = 0; i < n; i++) {
                records[i] = Record.readFrom(in);
            }
            parsed.add(new Object[] {map, backups, sequence, records});
        }
        threads.execute(p, () -> {
            boolean ok = installSnapshotChunk(containers[p], sender, chunkIndex, last, parsed);
            if (response != null) {
                response.send(new byte[] {ok ? ACK : FENCED}, false);
            }
        });
    }

    private boolean installSnapshotChunk(PartitionContainer c, Address sender, int chunkIndex, boolean last,
                                         List<Object[]> groups) {
        if (c.status == Status.SYNCED) {
            // A repeated copy (the coordinator retried an aborted round). This replica already holds a complete copy
            // and has followed the stream since; installing the new snapshot would drop the mutations it applied
            // between the primary's snapshot point and the first chunk. Acknowledge and keep what we have.
            return true;
        }
        boolean filling = c.status == Status.OWNER && c.fillingMissingMaps;
        if (c.status != Status.SYNCING && !filling) {
            return false;
        }
        if (chunkIndex == 0) {
            c.staging = new HashMap<>();
        }
        if (c.staging == null) {
            return false;
        }
        for (Object[] group : groups) {
            String map = (String) group[0];
            RecordStore store = c.staging.computeIfAbsent(map, m -> new RecordStore(m, c.partition, (Integer) group[1]));
            store.sequence((Long) group[2]);
            for (Record record : (Record[]) group[3]) {
                store.put(record);
                hlc.observe(record.timestamp());
            }
        }
        if (!last) {
            return true;
        }
        if (filling) {
            // Keep the maps this owner follows in sequence; take only the ones it lacks, then replay their stream.
            for (Map.Entry<String, RecordStore> e : c.staging.entrySet()) {
                c.stores.putIfAbsent(e.getKey(), e.getValue());
            }
            c.staging = null;
            c.fillingMissingMaps = false;
            List<Mutation> replay = new ArrayList<>(c.buffered);
            c.buffered.clear();
            for (Mutation m : replay) {
                applyInSequence(c, m);
            }
            return c.status == Status.OWNER;
        }
        c.stores = c.staging;
        c.staging = null;
        c.status = c.table.ownerIndex(c.partition, self) >= 0 ? Status.OWNER : Status.SYNCED;
        List<Mutation> replay = new ArrayList<>(c.buffered);
        c.buffered.clear();
        for (Mutation m : replay) {
            applyInSequence(c, m);
        }
        if (c.status == Status.SYNCING) {
            return false;
        }
        log.debug("partition {} installed from {} ({} maps)", c.partition, sender, c.stores.size());
        return true;
    }

    // ---------------------------------------------------------------------------------------- split-brain merge

    /**
     * Handles {@link MessageType#MERGE_PUSH}: after two halves of a split met, the coordinator asks a member that
     * holds complete replicas outside the surviving table to push their entries to the surviving primaries, which
     * keep the newer of each key (LATEST_UPDATE). Answers with the number of entries that failed to arrive.
     */
    public void onMergePush(WireReader in, Invoker invoker, Response response) {
        int count = in.readVarInt();
        List<CompletableFuture<Integer>> pushed = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int p = in.readVarInt();
            Address target = PartitionTable.readAddress(in);
            CompletableFuture<Integer> done = new CompletableFuture<>();
            pushed.add(done);
            threads.execute(p, () -> {
                PartitionContainer c = containers[p];
                if (c.status != Status.OWNER) {
                    done.complete(0);
                    return;
                }
                List<CompletableFuture<OperationResult>> writes = new ArrayList<>();
                long now = clock.getAsLong();
                for (RecordStore store : c.stores.values()) {
                    for (Record r : store.records()) {
                        if (r.isExpiredAt(now)) {
                            continue;
                        }
                        byte[] stamp = new WireWriter(8).writeLong(r.timestamp()).toByteArray();
                        OperationRequest merge = new OperationRequest(p, 0, store.mapName(), store.backups(), false,
                                r.maxIdleMillis(), OpCode.MERGE, r.key().bytes(), r.keyFormat(), r.value(), stamp,
                                r.expireAt(), null);
                        writes.add(invoker.invokeOn(target, merge));
                    }
                }
                CompletableFuture.allOf(writes.toArray(new CompletableFuture<?>[0])).whenComplete((v, e) ->
                        done.complete((int) writes.stream().filter(CompletableFuture::isCompletedExceptionally).count()));
            });
        }
        CompletableFuture.allOf(pushed.toArray(new CompletableFuture<?>[0])).whenComplete((v, e) -> {
            int failed = pushed.stream().mapToInt(CompletableFuture::join).sum();
            if (failed > 0) {
                log.error("split-brain merge: {} entries could not be pushed to the surviving primaries", failed);
            }
            response.send(new WireWriter(8).writeVarInt(failed).toByteArray(), false);
        });
    }

    // ------------------------------------------------------------------------------------ tables and hand-off

    /**
     * Installs {@code newTable} if it is newer than the current one; completes once every partition thread
     * applied it (or at once if it is not newer).
     */
    public CompletableFuture<Void> installTable(PartitionTable newTable) {
        synchronized (this) {
            if (newTable.version() <= table.version()) {
                return CompletableFuture.completedFuture(null);
            }
            table = newTable;
        }
        List<CompletableFuture<Void>> applied = new ArrayList<>(threads.count());
        for (int i = 0; i < threads.count(); i++) {
            int thread = i;
            CompletableFuture<Void> done = new CompletableFuture<>();
            applied.add(done);
            threads.executeOnThread(thread, () -> {
                try {
                    for (int p = thread; p < containers.length; p += threads.count()) {
                        PartitionContainer c = containers[p];
                        if (newTable.version() > c.table.version()) {
                            c.applyTable(newTable, self);
                        }
                    }
                } finally {
                    // even after a bug: the coordinator's round waits on this, and must never wait forever
                    done.complete(null);
                }
            });
        }
        return CompletableFuture.allOf(applied.toArray(new CompletableFuture<?>[0]))
                .thenRun(() -> tableListener.accept(newTable));
    }

    /** Handles {@link MessageType#TABLE}: install and answer once applied. */
    public void onTable(WireReader in, Response response) {
        PartitionTable newTable = PartitionTable.readFrom(in);
        installTable(newTable).whenComplete((v, e) -> {
            if (response != null) {
                response.send(new byte[] {ACK}, false);
            }
        });
    }

    /** Handles {@link MessageType#FREEZE}: stop serving the partitions, answer once their streams drained. */
    public void onFreeze(WireReader in, Response response) {
        long version = in.readVarLong();
        int count = in.readVarInt();
        List<CompletableFuture<Void>> drained = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int p = in.readVarInt();
            CompletableFuture<Void> done = new CompletableFuture<>();
            drained.add(done);
            threads.execute(p, () -> {
                PartitionContainer c = containers[p];
                if (c.table.version() == version) {
                    c.frozen = true;
                }
                try {
                    c.whenDrained(() -> done.complete(null));
                } catch (RuntimeException e) {
                    done.completeExceptionally(e);
                    throw e;
                }
            });
        }
        CompletableFuture.allOf(drained.toArray(new CompletableFuture<?>[0]))
                .whenComplete((v, e) -> response.send(new byte[] {ACK}, false));
    }

    /**
     * What this member holds, for the coordinator: its table, then for every partition it has a replica of the
     * status and every map's (name, backups, sequence).
     */
    public CompletableFuture<byte[]> replicaStates() {
        List<CompletableFuture<WireWriter>> parts = new ArrayList<>(threads.count());
        for (int i = 0; i < threads.count(); i++) {
            int thread = i;
            CompletableFuture<WireWriter> part = new CompletableFuture<>();
            parts.add(part);
            threads.executeOnThread(thread, () -> {
                WireWriter out = new WireWriter(256);
                for (int p = thread; p < containers.length; p += threads.count()) {
                    PartitionContainer c = containers[p];
                    if (c.status == Status.NONE) {
                        continue;
                    }
                    out.writeVarInt(p);
                    out.writeByte(c.status.ordinal());
                    out.writeVarInt(c.stores.size());
                    for (RecordStore store : c.stores.values()) {
                        out.writeString(store.mapName());
                        out.writeByte(store.backups());
                        out.writeVarLong(store.sequence());
                    }
                }
                part.complete(out);
            });
        }
        return CompletableFuture.allOf(parts.toArray(new CompletableFuture<?>[0])).thenApply(v -> {
            WireWriter out = new WireWriter(4096);
            table.writeTo(out);
            int count = 0;
            List<byte[]> bodies = new ArrayList<>();
            for (CompletableFuture<WireWriter> part : parts) {
                WireWriter w = part.join();
                if (w.size() > 0) {
                    bodies.add(w.toByteArray());
                }
            }
            out.writeVarInt(bodies.size());
            for (byte[] body : bodies) {
                out.writeBytes(body);
            }
            return out.toByteArray();
        });
    }

    // ------------------------------------------------------------------------------------------------- queries

    /** Handles {@link MessageType#PARTITION_QUERY}. */
    public void onPartitionQuery(WireReader in, Response response) {
        QueryKind kind = QueryKind.values()[in.readByte()];
        String map = in.readString();
        int backups = in.readByte();
        boolean asyncBackups = in.readBoolean();
        int count = in.readVarInt();
        int[] partitions = new int[count];
        for (int i = 0; i < count; i++) {
            partitions[i] = in.readVarInt();
        }
        query(kind, map, backups, asyncBackups, partitions).whenComplete((bytes, e) -> response.send(bytes, false));
    }

    /**
     * Runs a query on the given partitions here; the reply holds, per partition, a served flag and the payload
     * ({@link #decodeQueryReply}).
     */
    public CompletableFuture<byte[]> query(QueryKind kind, String map, int backups, boolean asyncBackups,
                                           int[] partitions) {
        List<CompletableFuture<byte[]>> parts = new ArrayList<>(partitions.length);
        for (int p : partitions) {
            CompletableFuture<byte[]> part = new CompletableFuture<>();
            parts.add(part);
            threads.execute(p, () -> queryPartition(containers[p], kind, map, backups, asyncBackups, part));
        }
        return CompletableFuture.allOf(parts.toArray(new CompletableFuture<?>[0])).thenApply(v -> {
            WireWriter out = new WireWriter(256);
            out.writeVarInt(partitions.length);
            for (int i = 0; i < partitions.length; i++) {
                out.writeVarInt(partitions[i]);
                out.writeBytes(parts.get(i).join());
            }
            return out.toByteArray();
        });
    }

    /** Decodes a query reply into partition → payload, where a null payload means "not served here, retry". */
    public static Map<Integer, byte[]> decodeQueryReply(byte[] reply) {
        WireReader in = new WireReader(reply);
        int count = in.readVarInt();
        Map<Integer, byte[]> result = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            result.put(in.readVarInt(), in.readBytes());
        }
        return result;
    }

    private void queryPartition(PartitionContainer c, QueryKind kind, String map, int backups, boolean asyncBackups,
                                CompletableFuture<byte[]> result) {
        if (kind == QueryKind.DIGEST) {
            RecordStore store = c.stores.get(map);
            if (c.status != Status.OWNER && c.status != Status.SYNCED) {
                result.complete(null);
                return;
            }
            WireWriter out = new WireWriter(32);
            out.writeBoolean(c.servesAsPrimary(self));
            out.writeVarLong(store == null ? 0 : store.sequence());
            out.writeVarInt(store == null ? 0 : store.size());
            out.writeLong(store == null ? 0 : store.digest());
            result.complete(out.toByteArray());
            return;
        }
        if (!c.servesAsPrimary(self)) {
            result.complete(null);
            return;
        }
        RecordStore store = c.stores.get(map);
        long now = clock.getAsLong();
        switch (kind) {
            case SIZE -> {
                int live = 0;
                if (store != null) {
                    for (Record r : store.records()) {
                        if (!r.isExpiredAt(now)) {
                            live++;
                        }
                    }
                }
                result.complete(new WireWriter(8).writeVarInt(live).toByteArray());
            }
            case ENTRIES -> {
                WireWriter out = new WireWriter(1024);
                List<Record> live = new ArrayList<>();
                if (store != null) {
                    for (Record r : store.records()) {
                        if (!r.isExpiredAt(now)) {
                            live.add(r);
                        }
                    }
                }
                out.writeVarInt(live.size());
                for (Record r : live) {
                    out.writeBytes(r.key().bytes());
                    out.writeByte(r.keyFormat());
                    out.writeBytes(r.value());
                }
                result.complete(out.toByteArray());
            }
            case CLEAR -> {
                RecordStore target = c.store(map, backups);
                if (target.size() == 0) {
                    result.complete(new byte[0]);
                    return;
                }
                Changes changes = new Changes(target);
                for (Record r : target.records()) {
                    changes.events.add(new EntryChange(map, EntryEventType.REMOVED, r.key().bytes(), r.keyFormat(),
                            r.value(), null));
                }
                target.clear();
                changes.mutations.add(Mutation.clear(target, target.nextSequence()));
                replicate(c, target.backups(), changes, asyncBackups, () -> result.complete(new byte[0]),
                        failure -> result.complete(new byte[0]));
            }
            default -> throw new IllegalStateException();
        }
    }

    // -------------------------------------------------------------------------------------------------- expiry

    private void tick(int thread) {
        long now = clock.getAsLong();
        for (int p = thread; p < containers.length; p += threads.count()) {
            PartitionContainer c = containers[p];
            if (c.servesAsPrimary(self)) {
                expire(c, now);
            } else if (c.status == Status.SYNCING && c.table.ownerIndex(p, self) > 0
                    && now - c.lastResyncRequest > RESYNC_RETRY_MILLIS) {
                requestResync(c);
            }
        }
    }

    private void expire(PartitionContainer c, long now) {
        for (RecordStore store : c.stores.values()) {
            List<Record> expired = store.pollExpired(now, EXPIRY_BATCH);
            if (expired.isEmpty()) {
                continue;
            }
            Changes changes = new Changes(store);
            for (Record record : expired) {
                changes.remove(record, EntryEventType.EXPIRED);
            }
            replicate(c, store.backups(), changes, false, () -> { }, failure ->
                    log.warn("replicating the expiry of {} keys of partition {} failed: {}", expired.size(),
                            c.partition, failure.message()));
        }
    }
}
