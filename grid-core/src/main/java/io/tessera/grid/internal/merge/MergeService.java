package io.tessera.grid.internal.merge;

import io.tessera.grid.EntryEventType;
import io.tessera.grid.MergePolicy;
import io.tessera.grid.MergePolicy.MergingEntry;
import io.tessera.grid.internal.cluster.ClusterService;
import io.tessera.grid.internal.cluster.Timeouts;
import io.tessera.grid.internal.partition.PartitionTable;
import io.tessera.grid.internal.replica.PartitionReplica;
import io.tessera.grid.internal.replica.PartitionReplicas;
import io.tessera.grid.internal.replication.ChangeSet;
import io.tessera.grid.internal.replication.ReplicationStream;
import io.tessera.grid.internal.serialization.GridSerializer;
import io.tessera.grid.internal.store.BytesKey;
import io.tessera.grid.internal.store.HybridLogicalClock;
import io.tessera.grid.internal.store.Record;
import io.tessera.grid.internal.store.RecordStore;
import io.tessera.grid.internal.store.Tombstone;
import io.tessera.grid.internal.wire.WireReader;
import io.tessera.grid.internal.wire.WireWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jgroups.Address;
import org.jgroups.blocks.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Merges replicas that are not part of the coordinator's table into it, entry by entry, by each map's
 * {@link MergePolicy}: the replicas of the side of a split that merges in, and any complete replica a table left
 * behind.
 *
 * <h2>The side that merges in</h2>
 * On the coordinator's {@link MergePrepare}, the member freezes each such replica on its thread (it answers retry
 * from then on, so no write is acknowledged that the capture misses) and captures its records and tombstones; it
 * answers once all are captured. The coordinator then publishes the merged table, in which these replicas are gone.
 * Once that table is installed here, the pusher thread sends each capture in {@link MergeEntries} batches to the
 * partition's primary, and sends a batch again (to the primary of the newest table) until it is merged and durable:
 * every captured entry is applied or the push goes on.
 *
 * <h2>The primary that merges</h2>
 * It compares every captured entry with its own (a record, a tombstone, or nothing) by the map's policy, applies
 * what the policy takes through an ordinary change set (so backups and near caches follow), and answers once the
 * backups acknowledged. An entry it has no trace of, stamped at or before the newest deletion it forgot
 * ({@link RecordStore#purgedStamp()}), may be a key it deleted, and is dropped.
 *
 * <p>Threads: handlers run on JGroups threads and hand over to partition threads; captures are pushed from one
 * pusher thread per member ({@code tessera-merge-<member>}), which alone touches their progress.
 */
public final class MergeService {
    private static final Logger log = LoggerFactory.getLogger(MergeService.class);
    private static final int BATCH_BYTES = 256 * 1024;
    private static final long PUSH_INTERVAL_MILLIS = 100;
    private static final long GIVE_UP_NANOS = TimeUnit.MINUTES.toNanos(10);
    private static final long STALL_WARNING_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final PartitionReplicas replicas;
    private final ClusterService cluster;
    private final ReplicationStream stream;
    private final GridSerializer serializer;
    private final HybridLogicalClock hlc;
    private final long timeoutMillis;
    private final Function<String, MergePolicy> localPolicies;
    private final ScheduledExecutorService pusher;
    private final Map<Integer, Capture> captures = new ConcurrentHashMap<>();
    private final AtomicBoolean pushScheduled = new AtomicBoolean();
    private final LongAdder entriesMerged = new LongAdder();
    private final LongAdder entriesDropped = new LongAdder();
    private final LongAdder capturesPushed = new LongAdder();
    private final LongAdder capturesLost = new LongAdder();

    /** What one replica held when it was captured, and how far its push got (pusher thread only). */
    private static final class Capture {
        final int partition;
        final long tableVersion;
        final long capturedAt;
        final List<byte[]> batches;
        int sent;
        /** When a batch last went through (or the capture was made), and when its stall was last reported. */
        long progressAt;
        long reportedAt;
        /** Why the last attempt did not go through, for the stall warning. */
        String lastProblem = "not sent yet";

        Capture(int partition, long tableVersion, long capturedAt, List<byte[]> batches) {
            this.partition = partition;
            this.tableVersion = tableVersion;
            this.capturedAt = capturedAt;
            this.batches = batches;
            this.progressAt = capturedAt;
            this.reportedAt = capturedAt;
        }
    }

    /**
     * Creates the merge service of this member; {@code localPolicies} gives the policy of a map this member opened
     * (or null), for an application's own policy.
     */
    public MergeService(PartitionReplicas replicas, ClusterService cluster, ReplicationStream stream,
                        GridSerializer serializer, HybridLogicalClock hlc, long timeoutMillis,
                        Function<String, MergePolicy> localPolicies, String memberName) {
        this.replicas = replicas;
        this.cluster = cluster;
        this.stream = stream;
        this.serializer = serializer;
        this.hlc = hlc;
        this.timeoutMillis = timeoutMillis;
        this.localPolicies = localPolicies;
        this.pusher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tessera-merge-" + memberName);
            t.setDaemon(true);
            return t;
        });
    }

    /** Entries a merge wrote here as a primary. */
    public long entriesMerged() {
        return entriesMerged.sum();
    }

    /** Entries a merge dropped here as a primary (the policy kept the existing entry, or a forgotten deletion). */
    public long entriesDropped() {
        return entriesDropped.sum();
    }

    /** Captures this member pushed completely. */
    public long capturesPushed() {
        return capturesPushed.sum();
    }

    /** Captures this member gave up on (their primaries never took them): each is an error in the log. */
    public long capturesLost() {
        return capturesLost.sum();
    }

    /** Captures waiting to be pushed. */
    public int pendingCaptures() {
        return captures.size();
    }

    /** Stops the pusher. */
    public void shutdown() {
        pusher.shutdownNow();
    }

    // ---------------------------------------------------------------------------------- the side that merges in

    /** Handles {@link MergePrepare}: freezes and captures, answers the number captured. */
    public void onPrepare(MergePrepare prepare, Response response) {
        List<CompletableFuture<Boolean>> captured = new ArrayList<>();
        for (int p : prepare.partitions()) {
            CompletableFuture<Boolean> done = new CompletableFuture<>();
            captured.add(done);
            replicas.execute(p, replica -> {
                try {
                    done.complete(capture(replica, prepare.tableVersion()));
                } catch (RuntimeException | Error e) {
                    done.completeExceptionally(e);
                    throw e;
                }
            });
        }
        CompletableFuture.allOf(captured.toArray(new CompletableFuture<?>[0])).whenComplete((v, e) -> {
            long count = captured.stream().filter(f -> !f.isCompletedExceptionally() && f.join()).count();
            if (response != null) {
                response.send(new WireWriter(8).writeVarLong(e == null ? count : -1).toByteArray(), false);
            }
            schedulePush(0);
        });
    }

    private boolean capture(PartitionReplica replica, long tableVersion) {
        if (!replica.holdsAcknowledgedWrites(replicas.self()) || replica.table().version() >= tableVersion) {
            return false; // nothing complete to capture, or the merged table is already here (a late request)
        }
        replica.freeze();
        List<byte[]> batches = new ArrayList<>();
        int entries = 0;
        for (RecordStore store : replica.stores()) {
            MergePolicy local = localPolicies.apply(store.mapName());
            byte[] custom = store.mergePolicy() == MergePolicies.CUSTOM && local != null
                    && MergePolicies.idOf(local) == MergePolicies.CUSTOM ? serializer.encodeObject(local) : new byte[0];
            List<Record> records = new ArrayList<>();
            List<Tombstone> tombstones = new ArrayList<>();
            int bytes = 0;
            for (Record r : store.records()) {
                records.add(r);
                bytes += 48 + r.key().bytes().length + r.value().length;
                if (bytes >= BATCH_BYTES) {
                    batches.add(batch(replica, store, custom, records, tombstones));
                    entries += records.size();
                    records = new ArrayList<>();
                    bytes = 0;
                }
            }
            for (Tombstone t : store.tombstones()) {
                tombstones.add(t);
                bytes += 16 + t.key().bytes().length;
                if (bytes >= BATCH_BYTES) {
                    batches.add(batch(replica, store, custom, records, tombstones));
                    entries += records.size() + tombstones.size();
                    records = new ArrayList<>();
                    tombstones = new ArrayList<>();
                    bytes = 0;
                }
            }
            if (!records.isEmpty() || !tombstones.isEmpty()) {
                batches.add(batch(replica, store, custom, records, tombstones));
                entries += records.size() + tombstones.size();
            }
        }
        captures.put(replica.partition(), new Capture(replica.partition(), tableVersion,
                replicas.clock().nanoTime(), batches));
        log.info("partition {}: captured {} entries and deletions in {} batches to merge into table {}",
                replica.partition(), entries, batches.size(), tableVersion);
        return true;
    }

    private static byte[] batch(PartitionReplica replica, RecordStore store, byte[] custom, List<Record> records,
                                List<Tombstone> tombstones) {
        return new MergeEntries(replica.partition(), store.mapName(), store.backups(), store.mergePolicy(), custom,
                records, tombstones).encode();
    }

    private void schedulePush(long delayMillis) {
        if (captures.isEmpty() || !pushScheduled.compareAndSet(false, true)) {
            return;
        }
        try {
            pusher.schedule(this::push, delayMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            pushScheduled.set(false);
        }
    }

    /**
     * One pass over the captures, on the pusher thread: sends the next batch of each capture whose table is here; the
     * next pass follows at once when a batch went through, after a pause when none could.
     */
    private void push() {
        pushScheduled.set(false);
        PartitionTable table = replicas.table();
        List<CompletableFuture<Boolean>> sends = new ArrayList<>();
        for (Capture capture : captures.values()) {
            if (table.version() < capture.tableVersion) {
                continue;
            }
            if (replicas.clock().nanoTime() - capture.capturedAt > GIVE_UP_NANOS) {
                captures.remove(capture.partition, capture);
                capturesLost.increment();
                log.error("partition {}: giving up merging {} captured batches after {} minutes: no primary took "
                        + "them; the entries they held that the cluster does not have are lost", capture.partition,
                        capture.batches.size() - capture.sent, TimeUnit.NANOSECONDS.toMinutes(GIVE_UP_NANOS));
                continue;
            }
            reportStall(capture);
            sends.add(sendNext(capture, table));
        }
        CompletableFuture.allOf(sends.toArray(new CompletableFuture<?>[0])).whenComplete((v, e) -> {
            boolean progress = sends.stream().anyMatch(f -> !f.isCompletedExceptionally() && f.join());
            schedulePush(progress ? 0 : PUSH_INTERVAL_MILLIS);
        });
    }

    /** Warns, every {@link #STALL_WARNING_NANOS}, about a capture whose batches have stopped going through. */
    private void reportStall(Capture capture) {
        long now = replicas.clock().nanoTime();
        if (now - capture.progressAt < STALL_WARNING_NANOS || now - capture.reportedAt < STALL_WARNING_NANOS) {
            return;
        }
        capture.reportedAt = now;
        log.warn("partition {}: merge batch {} of {} not taken for {} s (last problem: {}); still trying",
                capture.partition, capture.sent + 1, capture.batches.size(),
                TimeUnit.NANOSECONDS.toSeconds(now - capture.progressAt), capture.lastProblem);
    }

    /** Sends the next batch of {@code capture}; completes with whether it went through (pusher thread). */
    private CompletableFuture<Boolean> sendNext(Capture capture, PartitionTable table) {
        if (capture.sent >= capture.batches.size()) {
            captures.remove(capture.partition, capture);
            capturesPushed.increment();
            Address primary = table.primary(capture.partition);
            log.info("partition {}: merged into table {} (primary {})", capture.partition, table.version(),
                    primary == null ? "none" : cluster.nameOf(primary));
            return CompletableFuture.completedFuture(true);
        }
        Address primary = table.primary(capture.partition);
        if (primary == null) {
            capture.lastProblem = "table " + table.version() + " has no primary for it";
            return CompletableFuture.completedFuture(false);
        }
        String target = cluster.nameOf(primary);
        byte[] batch = capture.batches.get(capture.sent);
        CompletableFuture<Byte> answer;
        if (primary.equals(replicas.self())) {
            CompletableFuture<Byte> local = new CompletableFuture<>();
            merge(MergeEntries.readFrom(new WireReader(batch, 1, batch.length - 1)), local::complete);
            // Bounded like a remote request: one batch that never answers must not hold up every other capture.
            answer = Timeouts.failAfter(local, 2 * timeoutMillis, cluster.timeouts());
        } else if (!cluster.isMember(primary)) {
            capture.lastProblem = "primary " + target + " is not in this member's view";
            return CompletableFuture.completedFuture(false);
        } else {
            answer = cluster.request(primary, batch, batch.length, timeoutMillis).thenApply(reply ->
                    reply != null && reply.length > 0 ? reply[0] : MergeEntries.RETRY);
        }
        return answer.handleAsync((ack, e) -> {
            if (e == null && ack == MergeEntries.APPLIED) {
                capture.sent++;
                capture.progressAt = replicas.clock().nanoTime();
                return true;
            }
            // The primary moved or is not ready: the next pass sends it again.
            capture.lastProblem = e != null ? "primary " + target + ": " + e
                    : "primary " + target + " answered " + (ack == MergeEntries.RETRY ? "retry" : "code " + ack);
            return false;
        }, pusher);
    }

    // -------------------------------------------------------------------------------- the primary that merges

    /** Handles a {@link MergeEntries} batch from a member of the side that merges in. */
    public void onEntries(MergeEntries batch, Response response) {
        merge(batch, ack -> {
            if (response != null) {
                response.send(new byte[] {ack}, false);
            }
        });
    }

    private void merge(MergeEntries batch, Consumer<Byte> answer) {
        if (batch.partition() < 0 || batch.partition() >= replicas.partitionCount()) {
            answer.accept(MergeEntries.RETRY);
            return;
        }
        replicas.execute(batch.partition(), replica -> {
            if (!replicas.servesAsPrimary(replica)) {
                answer.accept(MergeEntries.RETRY);
                return;
            }
            RecordStore store = replica.store(batch.map(), batch.backups());
            if (store.size() == 0 && store.tombstoneCount() == 0 && store.sequence() == 0) {
                store.mergePolicy(batch.policy());
            }
            ChangeSet changes = new ChangeSet(store, hlc);
            Decider decider = decider(batch);
            long now = replicas.clock().wallMillis();
            for (Record incoming : batch.records()) {
                if (!incoming.isExpiredAt(now)) {
                    decider.merge(store, incoming.key(), incoming, null, changes, now);
                }
            }
            for (Tombstone incoming : batch.tombstones()) {
                decider.merge(store, incoming.key(), null, incoming, changes, now);
            }
            if (changes.isEmpty()) {
                answer.accept(MergeEntries.APPLIED);
                return;
            }
            stream.replicate(replica, changes, List.of(), false, timeoutMillis, outcome ->
                    answer.accept(outcome.durable() ? MergeEntries.APPLIED : MergeEntries.RETRY));
        });
    }

    private Decider decider(MergeEntries batch) {
        MergePolicy policy = null;
        if (batch.customPolicy().length > 0) {
            try {
                policy = (MergePolicy) serializer.decodeObject(batch.customPolicy());
            } catch (RuntimeException e) {
                log.warn("map {}: cannot decode its merge policy ({}); using the one configured here", batch.map(),
                        e.toString());
            }
        }
        if (policy == null) {
            policy = MergePolicies.builtIn(batch.policy());
        }
        if (policy == null) {
            policy = localPolicies.apply(batch.map());
        }
        if (policy == null) {
            log.warn("map {} has its own merge policy, but this member does not know it (open the map with its"
                    + " MapConfig on every member); merging by LATEST_UPDATE", batch.map());
            policy = MergePolicy.LATEST_UPDATE;
        }
        return new Decider(policy);
    }

    /** Applies one policy to the entries of a batch. */
    private final class Decider {
        private final MergePolicy policy;
        private final boolean custom;

        Decider(MergePolicy policy) {
            this.policy = policy;
            this.custom = MergePolicies.idOf(policy) == MergePolicies.CUSTOM;
        }

        /** Merges one captured entry: {@code record} or {@code tombstone} (the other is null). */
        void merge(RecordStore store, BytesKey key, Record record, Tombstone tombstone, ChangeSet changes, long now) {
            Record current = store.get(key);
            if (current != null && current.isExpiredAt(now)) {
                changes.remove(current, EntryEventType.EXPIRED);
                current = null;
            }
            Tombstone deleted = current == null ? store.tombstone(key) : null;
            long stamp = record != null ? record.timestamp() : tombstone.stamp();
            if (current == null && deleted == null && stamp <= store.purgedStamp()) {
                entriesDropped.increment(); // this store may have deleted the key and forgotten it: no resurrection
                return;
            }
            if (custom) {
                mergeCustom(store, key, record, tombstone, current, deleted, changes, now);
                return;
            }
            if (takesIncoming(record, stamp, current, deleted)) {
                take(key, record, tombstone, current, changes);
            } else {
                entriesDropped.increment();
            }
        }

        private boolean takesIncoming(Record record, long stamp, Record current, Tombstone deleted) {
            long existingStamp = current != null ? current.timestamp() : deleted != null ? deleted.stamp() : -1;
            boolean absent = current == null && deleted == null;
            byte id = MergePolicies.idOf(policy);
            return switch (id) {
                case MergePolicies.DISCARD -> false;
                case MergePolicies.PUT_IF_ABSENT -> absent || (current == null && stamp > existingStamp);
                case MergePolicies.HIGHER_HITS -> {
                    if (record != null && current != null && record.hits() != current.hits()) {
                        yield record.hits() > current.hits();
                    }
                    yield absent || stamp > existingStamp;
                }
                default -> absent || stamp > existingStamp;
            };
        }

        private void take(BytesKey key, Record record, Tombstone tombstone, Record current, ChangeSet changes) {
            entriesMerged.increment();
            if (record != null) {
                changes.writeMerged(current, record);
            } else {
                changes.removeStamped(key, tombstone.keyFormat(), tombstone.stamp(),
                        current == null ? null : current.value(), EntryEventType.REMOVED);
            }
        }

        private void mergeCustom(RecordStore store, BytesKey key, Record record, Tombstone tombstone,
                                 Record current, Tombstone deleted, ChangeSet changes, long now) {
            byte format = record != null ? record.keyFormat() : tombstone.keyFormat();
            View merging = new View(key, format, record, tombstone);
            View existing = current != null || deleted != null ? new View(key, format, current, deleted) : null;
            Object chosen;
            try {
                chosen = policy.merge(merging, existing);
            } catch (RuntimeException e) {
                log.warn("merge policy {} of map {} threw on a key; keeping the existing entry", policy,
                        store.mapName(), e);
                entriesDropped.increment();
                return;
            }
            if (chosen == null) {
                if (current != null) {
                    entriesMerged.increment();
                    changes.remove(current, EntryEventType.REMOVED);
                } else if (tombstone != null && deleted == null) {
                    take(key, null, tombstone, null, changes);
                } else {
                    entriesDropped.increment();
                }
                return;
            }
            if (existing != null && chosen == existing.value()) {
                entriesDropped.increment();
                return;
            }
            if (chosen == merging.value()) {
                take(key, record, tombstone, current, changes);
                return;
            }
            entriesMerged.increment();
            byte[] value = serializer.encodeValue(chosen);
            long expireAt = current != null ? current.expireAt() : record != null ? record.expireAt() : 0;
            changes.write(current, key, format, value, expireAt, current != null ? current.maxIdleMillis()
                    : record != null ? record.maxIdleMillis() : 0, now);
        }
    }

    /** One side's entry as a merge policy sees it; its value is decoded once, on first use. */
    private final class View implements MergingEntry {
        private final BytesKey key;
        private final byte format;
        private final Record record;
        private final Tombstone tombstone;
        private Object value;
        private boolean decoded;

        View(BytesKey key, byte format, Record record, Tombstone tombstone) {
            this.key = key;
            this.format = format;
            this.record = record;
            this.tombstone = tombstone;
        }

        @Override
        public Object key() {
            return serializer.decodeKey(key.bytes(), format);
        }

        @Override
        public Object value() {
            if (!decoded) {
                value = record == null ? null : serializer.decodeValue(record.value());
                decoded = true;
            }
            return value;
        }

        @Override
        public boolean isDeleted() {
            return record == null;
        }

        @Override
        public long lastUpdateTime() {
            return HybridLogicalClock.physicalMillis(record != null ? record.timestamp() : tombstone.stamp());
        }

        @Override
        public long creationTime() {
            return record == null ? 0 : record.creationTime();
        }

        @Override
        public long hits() {
            return record == null ? 0 : record.hits();
        }

        @Override
        public long expirationTime() {
            return record == null ? 0 : record.expireAt();
        }

        @Override
        public String toString() {
            return "MergingEntry{" + Arrays.toString(key.bytes()) + (record == null ? ", deleted" : "") + "}";
        }
    }
}
