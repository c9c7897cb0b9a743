package io.tessera.grid.internal.operation;

import io.tessera.grid.EvictionPolicy;
import io.tessera.grid.GridSerializationException;
import io.tessera.grid.internal.cluster.ClusterService;
import io.tessera.grid.internal.operation.OperationResult.ErrorKind;
import io.tessera.grid.internal.replica.CallId;
import io.tessera.grid.internal.replica.CallResults;
import io.tessera.grid.internal.replica.PartitionReplica;
import io.tessera.grid.internal.replica.PartitionReplicas;
import io.tessera.grid.internal.replication.BackupMessage.CallRecord;
import io.tessera.grid.internal.replication.ChangeSet;
import io.tessera.grid.internal.replication.EntryChange;
import io.tessera.grid.internal.replication.ReplicationStream;
import io.tessera.grid.internal.serialization.GridSerializer;
import io.tessera.grid.internal.store.BytesKey;
import io.tessera.grid.internal.store.Capacity;
import io.tessera.grid.internal.store.HybridLogicalClock;
import io.tessera.grid.internal.store.MemoryAccount;
import io.tessera.grid.internal.store.Record;
import io.tessera.grid.internal.store.RecordStore;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Executes single-key operations on this member as the partition's primary.
 *
 * <p>An operation runs only where the member may act as the primary: the table makes it the primary of a complete
 * replica, the replica is not frozen for a hand-off or a merge, and the member holds its lease; otherwise the answer
 * is a retry. A map that requires a minimum cluster size gets a quorum error below it, before anything is applied.
 *
 * <p>The calls one thread makes on one partition take effect in the order it made them: a call names the earlier
 * write of its thread it must follow ({@link OperationRequest#after()}), and a primary that has not applied that one
 * answers a retry.
 *
 * <p>Writes are exactly-once: every attempt of a call carries the same {@link CallId}. The primary records the result
 * of each call it applied ({@link CallResults}), streams it to the backups with the call's mutations, and answers a
 * repeated call with the recorded result: at once when the first attempt is durable, after it when it is still being
 * replicated, and after a replication barrier when its replication was uncertain. A call whose replication could
 * not be confirmed is answered {@link ErrorKind#INDETERMINATE}, which the caller retries with the same id.
 *
 * <p>Bounded maps ({@link Capacity}): the member's own bound of the map is in force (or, until the member opens the
 * map, the one the operation carries). A write beyond it that the map would not evict for is refused before it
 * applies ({@link ErrorKind#MAP_FULL}); a write that takes the member beyond a bound that evicts is followed, in the
 * same step, by the evictions that bring it back (see {@link Evictor}), which replicate with it.
 *
 * <p>Threads: {@link #execute} hands the operation to the partition's thread; the reply runs on that thread.
 */
public final class PrimaryExecutor {
    private static final Logger log = LoggerFactory.getLogger(PrimaryExecutor.class);
    /** A result outlives the caller's deadline by this factor, for retries that began just before it. */
    private static final int RETENTION_FACTOR = 2;

    private final PartitionReplicas replicas;
    private final ClusterService cluster;
    private final ReplicationStream stream;
    private final OperationApplier applier;
    private final HybridLogicalClock hlc;
    private final Evictor evictor;

    /** Creates the executor of this member. */
    public PrimaryExecutor(PartitionReplicas replicas, ClusterService cluster, ReplicationStream stream,
                           GridSerializer serializer, HybridLogicalClock hlc) {
        this.replicas = replicas;
        this.cluster = cluster;
        this.stream = stream;
        this.applier = new OperationApplier(serializer);
        this.hlc = hlc;
        this.evictor = new Evictor(replicas, stream, hlc);
    }

    /** Executes {@code request} here as its primary (or answers retry); {@code reply} runs on the partition thread. */
    public void execute(OperationRequest request, Consumer<OperationResult> reply) {
        int p = request.partition();
        if (p < 0 || p >= replicas.partitionCount()) {
            reply.accept(OperationResult.error(ErrorKind.ILLEGAL_ARGUMENT, "partition " + p + " out of range"));
            return;
        }
        replicas.execute(p, replica -> run(replica, request, reply));
    }

    /**
     * Reads a key from the local replica of a map that allows reading from backups; a null result means "not served
     * here" (no complete replica, or this member does not hold its lease).
     */
    public void readLocal(OperationRequest request, Consumer<OperationResult> reply) {
        replicas.execute(request.partition(), replica -> {
            if (!replicas.servesLocalReads(replica)) {
                reply.accept(null);
                return;
            }
            RecordStore store = replica.existingStore(request.map().name());
            Record record = store == null ? null : store.get(new BytesKey(request.key()));
            long now = replicas.clock().wallMillis();
            boolean live = record != null && !record.isExpiredAt(now);
            reply.accept(OperationResult.ok(live ? record.value() : null, live ? record.expireAt() : 0));
        });
    }

    private void run(PartitionReplica replica, OperationRequest request, Consumer<OperationResult> reply) {
        if (!request.map().quorumMet(cluster.viewSize())) {
            reply.accept(OperationResult.error(ErrorKind.QUORUM, "map '" + request.map().name() + "' requires "
                    + request.map().minClusterSize() + " members and its primary sees " + cluster.viewSize()));
            return;
        }
        if (!replicas.servesAsPrimary(replica)) {
            reply.accept(OperationResult.retry(replica.table().version()));
            return;
        }
        CallId call = request.call();
        boolean recorded = request.code().write() && call.isSet();
        if (recorded) {
            replica.results().acknowledge(call.invoker(), request.watermark());
            CallResults.Entry previous = replica.results().get(call);
            if (previous != null) {
                answerRepeated(replica, request, previous, reply);
                return;
            }
        }
        if (request.after().isSet() && replica.results().get(request.after()) == null) {
            // The caller's earlier write on this partition has not been applied here (it went to a member that
            // stopped being the primary, or is still on its way): this call must not overtake it.
            reply.accept(OperationResult.retryAfterEarlierCall());
            return;
        }
        RecordStore store = replica.store(request.map().name(), request.map().backups());
        store.countOperation();
        store.mergePolicy(request.map().mergePolicy());
        ChangeSet changes = new ChangeSet(store, hlc);
        MemoryAccount account = store.account();
        Capacity capacity = Capacity.UNBOUNDED;
        if (account != null) {
            account.offer(request.map().capacity());
            capacity = account.capacity();
            store.agesFrequencies(capacity.policy() == EvictionPolicy.LFU);
        }
        long stepStart = store.sequence();
        OperationResult result;
        try {
            result = applier.apply(store, request, replicas.clock().wallMillis(), changes,
                    capacity.bounded() && request.code().write() ? admission(capacity, account) : null);
            if (capacity.evicts() && !changes.isEmpty() && account.over()) {
                evictor.evict(replica, changes, stepStart, Evictor.MAX_PER_STEP, request.timeoutMillis());
            }
        } catch (OperationApplier.MapFull e) {
            result = OperationResult.error(ErrorKind.MAP_FULL, e.getMessage() + " on member "
                    + cluster.nameOf(replicas.self()));
        } catch (GridSerializationException e) {
            result = OperationResult.error(ErrorKind.SERIALIZATION, e.getMessage());
        } catch (OperationApplier.ProcessorFailure e) {
            result = OperationResult.error(ErrorKind.PROCESSOR_FAILED, e.getMessage());
        } catch (RuntimeException e) {
            log.error("operation {} on partition {} failed", request.code(), replica.partition(), e);
            result = OperationResult.error(ErrorKind.INTERNAL, e.toString());
        }
        long retainNanos = TimeUnit.MILLISECONDS.toNanos(request.timeoutMillis() * RETENTION_FACTOR);
        // An error is remembered too, so that a later call that must follow this one (OperationRequest.after) finds it
        // applied, and a repeat gets the same answer instead of running again: a processor that failed after live
        // operations changed values in place had those changes committed, and must not apply them twice.
        boolean remember = recorded && (result.status() == OperationResult.Status.OK
                || result.status() == OperationResult.Status.ERROR);
        if (changes.isEmpty()) {
            if (remember) {
                // Nothing to replicate: a retry elsewhere would find the same state; here it gets the same answer.
                replica.results().record(call, result.encode(), CallResults.State.DONE,
                        replicas.clock().nanoTime() + retainNanos);
            }
            reply.accept(result);
            return;
        }
        byte[] encoded = result.encode();
        CallResults.Entry entry = remember ? replica.results().record(call, encoded, CallResults.State.PENDING,
                replicas.clock().nanoTime() + retainNanos) : null;
        if (entry != null) {
            entry.redo(changes.events());
        }
        List<CallRecord> calls = remember ? List.of(new CallRecord(call, request.watermark(), encoded,
                TimeUnit.NANOSECONDS.toMillis(retainNanos))) : List.of();
        OperationResult answer = result;
        stream.replicate(replica, changes, calls, request.map().asyncBackups(), request.timeoutMillis(), outcome -> {
            if (entry != null) {
                entry.settle(outcome.durable() ? CallResults.State.DONE : CallResults.State.UNCERTAIN);
            }
            reply.accept(outcome.durable() ? answer : indeterminate(replica, outcome.problem()));
        });
    }

    /**
     * The account whose bound a write must be refused beyond, or null when the map evicts instead: one that evicts
     * nothing, or evicts only expiring entries and holds none on this member.
     */
    private static MemoryAccount admission(Capacity capacity, MemoryAccount account) {
        if (capacity.policy() == EvictionPolicy.NONE || (capacity.onlyExpiring() && account.expiringEntries() == 0)) {
            return account;
        }
        return null;
    }

    /** The evictions of the maintenance tick on partition thread {@code thread}. */
    public void evictBeyondBounds(int thread, int max, long timeoutMillis) {
        evictor.tick(thread, max, timeoutMillis);
    }

    /** Answers an attempt of a call this primary already applied. */
    private void answerRepeated(PartitionReplica replica, OperationRequest request, CallResults.Entry entry,
                                Consumer<OperationResult> reply) {
        switch (entry.state()) {
            case DONE -> reply.accept(OperationResult.decode(entry.result()));
            case PENDING -> entry.whenSettled(() -> answerRepeated(replica, request, entry, reply));
            case UNCERTAIN -> {
                RecordStore store = replica.existingStore(request.map().name());
                if (store == null) {
                    reply.accept(OperationResult.decode(entry.result()));
                    return;
                }
                // Applied here, but the backups' (or near caches') acknowledgement never came: make sure the backups
                // of the current table hold this map's history up to now (and so the call), and the near caches
                // dropped its keys, before answering with its result.
                @SuppressWarnings("unchecked")
                List<EntryChange> changes = (List<EntryChange>) entry.redo();
                stream.barrier(replica, store, changes, request.timeoutMillis(), outcome -> {
                    if (outcome.durable()) {
                        entry.settle(CallResults.State.DONE);
                        reply.accept(OperationResult.decode(entry.result()));
                    } else {
                        reply.accept(indeterminate(replica, outcome.problem()));
                    }
                });
            }
            default -> throw new IllegalStateException();
        }
    }

    private static OperationResult indeterminate(PartitionReplica replica, String problem) {
        return OperationResult.error(ErrorKind.INDETERMINATE, "the write was applied on the primary of partition "
                + replica.partition() + " but " + problem);
    }

    /** Periodic work on a partition thread: forgets results nobody can ask for any more. */
    public void tick(PartitionReplica replica, long nowNanos) {
        replica.results().expire(nowNanos);
    }
}
