package io.tessera.grid.internal.operation;

import io.tessera.grid.GridClock;
import io.tessera.grid.GridClosedException;
import io.tessera.grid.GridException;
import io.tessera.grid.GridSerializationException;
import io.tessera.grid.IndeterminateOutcomeException;
import io.tessera.grid.OperationTimeoutException;
import io.tessera.grid.MapFullException;
import io.tessera.grid.QuorumException;
import io.tessera.grid.internal.cluster.ClusterService;
import io.tessera.grid.internal.partition.PartitionTable;
import io.tessera.grid.internal.replica.CallId;
import io.tessera.grid.internal.replica.PartitionReplicas;
import java.security.SecureRandom;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import org.jgroups.Address;

/**
 * Sends an operation to its partition's primary and retries, invisibly, until it completes or its deadline passes:
 * when the target does not serve the partition (yet), left the view, did not answer, or could not confirm that its
 * backups hold a write.
 *
 * <p>Retrying writes is safe because they are exactly-once: a write gets a {@link CallId} when it is first invoked,
 * and every attempt carries it, so the primary that applied it answers a repeat with the first attempt's result (see
 * {@link PrimaryExecutor}). The invoker also tells every request the lowest call number it still waits for (the
 * watermark), so primaries forget results nobody can ask for again.
 *
 * <p>The calls one thread makes on one partition take effect in the order it made them, as a pipelining client (a
 * RESP connection, which lives on one event loop, or a thread issuing async calls) expects, even when an earlier call
 * is retried while a later one goes straight to a new primary: each call names the last unfinished write its thread
 * invoked before it on its partition ({@link OperationRequest#after()}), and the primary holds it back (answers a
 * retry) until that write was applied there. Calls of different threads have no order among themselves, so none
 * waits for another thread's call.
 *
 * <p>At the deadline, a write that may have been applied (an attempt reached a primary and no definite answer came)
 * fails with {@link IndeterminateOutcomeException}; a write that certainly was not, and every read, with
 * {@link OperationTimeoutException}. A map that requires a minimum cluster size fails fast with
 * {@link QuorumException} below it. Retries wait on a shared timer, never on the caller's or a JGroups thread.
 */
public final class Invoker {
    private static final long[] BACKOFF_MILLIS = {1, 2, 5, 10, 20, 50, 100};
    /** How old the cached watermark may grow before an attempt recomputes it. */
    private static final long WATERMARK_REFRESH_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final Address self;
    private final ClusterService cluster;
    private final PartitionReplicas replicas;
    private final PrimaryExecutor executor;
    private final ScheduledExecutorService timer;
    private final long timeoutMillis;
    private final GridClock clock;
    private final long invokerId;
    private final AtomicLong nextCall = new AtomicLong();
    /** The write calls waiting for an answer; their lowest number is the watermark. */
    private final Set<Long> outstanding = ConcurrentHashMap.newKeySet();
    /** Calls between taking a number and entering {@link #outstanding}: the watermark is not recomputed meanwhile. */
    private final AtomicInteger registering = new AtomicInteger();
    private volatile long watermark = 1;
    private volatile long watermarkComputedNanos = System.nanoTime();
    /** Per calling thread and partition, its last unfinished write there: the one its next call must follow. */
    private final ThreadLocal<AtomicReferenceArray<Call>> lastWriteOfThread;
    private final LongAdder remoteInvocations = new LongAdder();
    private final LongAdder retries = new LongAdder();
    private final LongAdder indeterminate = new LongAdder();
    private final OperationTimers timers;

    /** Creates the invoker of this member; it times the calls it completes in {@code timers}. */
    public Invoker(Address self, ClusterService cluster, PartitionReplicas replicas, PrimaryExecutor executor,
                   ScheduledExecutorService timer, long timeoutMillis, GridClock clock, OperationTimers timers) {
        this.timers = timers;
        this.self = self;
        this.cluster = cluster;
        this.replicas = replicas;
        this.executor = executor;
        this.timer = timer;
        this.timeoutMillis = timeoutMillis;
        this.clock = clock;
        int partitions = replicas.partitionCount();
        this.lastWriteOfThread = ThreadLocal.withInitial(() -> new AtomicReferenceArray<>(partitions));
        long id;
        SecureRandom random = new SecureRandom();
        do {
            id = random.nextLong();
        } while (id == 0);
        this.invokerId = id;
    }

    /** How many operations this member sent to other members (near-cache tests count these). */
    public long remoteInvocations() {
        return remoteInvocations.sum();
    }

    /** How many retries this member made. */
    public long retries() {
        return retries.sum();
    }

    /** How many writes ended with an indeterminate outcome. */
    public long indeterminateOutcomes() {
        return indeterminate.sum();
    }

    /** The calls that wait for an answer now (results of calls below the lowest are not needed any more). */
    public int outstandingCalls() {
        return outstanding.size();
    }

    /** One call: its request, id, deadline, and whether an attempt may have applied it. */
    private final class Call {
        final OperationRequest request;
        final CallId id;
        final long startNanos;
        final long deadline;
        final CompletableFuture<OperationResult> result = new CompletableFuture<>();
        int attempts;
        String lastProblem;
        boolean maybeApplied;
        /** The write its thread invoked before this one on the partition; skipped once finished (compressed as it
         *  is walked). */
        private volatile Call predecessor;
        /** The invoking thread's last writes per partition, which this call is in while unfinished. */
        private AtomicReferenceArray<Call> chain;

        Call(OperationRequest request) {
            this.request = request;
            if (request.code().write()) {
                registering.incrementAndGet();
                try {
                    long sequence = nextCall.incrementAndGet();
                    outstanding.add(sequence);
                    this.id = new CallId(invokerId, sequence);
                } finally {
                    registering.decrementAndGet();
                }
            } else {
                this.id = CallId.NONE;
            }
            // One clock read for the deadline and the latency meters (a read costs about 50 ns on a VM's clock).
            this.startNanos = clock.nanoTime();
            this.deadline = startNanos + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        }

        void succeed(OperationResult r) {
            forget();
            timers.record(request.code(), startNanos, clock.nanoTime());
            // A primary applied this call after everything before it, so nothing later needs to look past it.
            predecessor = null;
            result.complete(r);
        }

        void fail(RuntimeException e) {
            forget();
            timers.record(request.code(), startNanos, clock.nanoTime());
            result.completeExceptionally(e);
        }

        private void forget() {
            if (id.isSet()) {
                outstanding.remove(id.sequence());
                if (chain != null) {
                    chain.compareAndSet(request.partition(), this, null);
                }
            }
        }

        /** The latest unfinished write this call must follow, or null. Called by the thread of an attempt. */
        CallId after() {
            Call earlier = predecessor;
            while (earlier != null && earlier.result.isDone()) {
                earlier = earlier.predecessor;
            }
            predecessor = earlier;
            return earlier == null ? CallId.NONE : earlier.id;
        }
    }

    /**
     * The lowest call number this invoker still waits for, recomputed at most every
     * {@link #WATERMARK_REFRESH_NANOS}: a scan of the calls in flight is cheaper than keeping them sorted on every
     * call. A stale value is lower than the true one, which only keeps results on the primaries a little longer;
     * it is never higher, because a value is computed only when no call is between taking its number (at most the
     * one read first) and entering the set.
     */
    private long watermark() {
        long now = System.nanoTime();
        if (now - watermarkComputedNanos < WATERMARK_REFRESH_NANOS) {
            return watermark;
        }
        long lowest = nextCall.get() + 1;
        if (registering.get() != 0) {
            return watermark;
        }
        for (long sequence : outstanding) {
            lowest = Math.min(lowest, sequence);
        }
        watermark = lowest;
        watermarkComputedNanos = now;
        return lowest;
    }

    /** Invokes {@code request} on its primary; completes with the OK result or a {@link GridException}. */
    public CompletableFuture<OperationResult> invoke(OperationRequest request) {
        Call call = new Call(request);
        int partition = request.partition();
        AtomicReferenceArray<Call> chain = lastWriteOfThread.get();
        if (partition >= 0 && partition < chain.length()) {
            if (request.code().write()) {
                call.chain = chain;
                call.predecessor = chain.getAndSet(partition, call);
            } else {
                call.predecessor = chain.get(partition);
            }
        }
        attempt(call);
        return call.result;
    }

    private void attempt(Call call) {
        OperationRequest request = call.request;
        long remainingMillis = TimeUnit.NANOSECONDS.toMillis(call.deadline - clock.nanoTime());
        if (remainingMillis <= 0) {
            fail(call, timeout(call));
            return;
        }
        if (!request.map().quorumMet(cluster.viewSize())) {
            fail(call, quorum(call, "this member sees " + cluster.viewSize()));
            return;
        }
        PartitionTable table = replicas.table();
        Address primary = table.primary(request.partition());
        if (primary == null) {
            retryLater(call, "no partition table yet");
            return;
        }
        OperationRequest routed = request.forAttempt(table.version(), call.id, watermark(), call.after());
        call.attempts++;
        if (primary.equals(self)) {
            executor.execute(routed, r -> onResult(call, r, primary));
            return;
        }
        if (!cluster.isMember(primary)) {
            retryLater(call, "primary " + cluster.nameOf(primary) + " left the cluster");
            return;
        }
        remoteInvocations.increment();
        var encoded = routed.encode();
        cluster.request(primary, encoded.array(), encoded.size(), remainingMillis).whenComplete((bytes, error) -> {
            if (error == null) {
                OperationResult decoded;
                try {
                    decoded = OperationResult.decode(bytes);
                } catch (RuntimeException e) {
                    fail(call, new GridException("bad reply from " + cluster.nameOf(primary), e));
                    return;
                }
                onResult(call, decoded, primary);
                return;
            }
            // No answer: the primary may have applied the write before it died, or its answer may be on the way.
            call.maybeApplied |= request.code().write();
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause()
                    : error;
            String problem = cluster.nameOf(primary) + (cause instanceof TimeoutException ? " did not answer"
                    : cause instanceof org.jgroups.SuspectedException ? " left the cluster before it answered"
                    : " failed: " + cause);
            retryLater(call, problem);
        });
    }

    private void onResult(Call call, OperationResult r, Address primary) {
        switch (r.status()) {
            case OK -> call.succeed(r);
            case RETRY -> retryLater(call, r.number() == OperationResult.WAITS_FOR_EARLIER_CALL
                    ? cluster.nameOf(primary) + " has not applied an earlier write of this member on partition "
                    + call.request.partition() + " yet"
                    : cluster.nameOf(primary) + " does not serve partition " + call.request.partition()
                    + " as its primary now (its table " + r.number() + ")");
            case ERROR -> {
                switch (r.errorKind()) {
                    case INDETERMINATE -> {
                        call.maybeApplied = true;
                        retryLater(call, r.message());
                    }
                    case QUORUM -> fail(call, quorum(call, r.message()));
                    default -> fail(call, toException(call.request, r));
                }
            }
            default -> throw new IllegalStateException();
        }
    }

    private void retryLater(Call call, String problem) {
        retries.increment();
        call.lastProblem = problem;
        long delay = BACKOFF_MILLIS[Math.min(call.attempts, BACKOFF_MILLIS.length - 1)];
        try {
            timer.schedule(() -> attempt(call), delay, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            fail(call, new GridClosedException("the grid member was closed"));
        }
    }

    private void fail(Call call, RuntimeException e) {
        if (e instanceof IndeterminateOutcomeException) {
            indeterminate.increment();
        }
        call.fail(e);
    }

    private RuntimeException timeout(Call call) {
        OperationRequest request = call.request;
        String message = request.code() + " on map '" + request.map().name() + "' (partition " + request.partition()
                + ") did not complete within " + timeoutMillis + " ms after " + call.attempts + " attempt(s)"
                + (call.lastProblem == null ? "" : "; last problem: " + call.lastProblem);
        if (call.maybeApplied) {
            return new IndeterminateOutcomeException(message + "; the write may or may not have been applied");
        }
        return new OperationTimeoutException(message + (request.code().write() ? "; it was not applied" : ""));
    }

    private RuntimeException quorum(Call call, String detail) {
        OperationRequest request = call.request;
        String message = request.code() + " on map '" + request.map().name() + "': the map requires "
                + request.map().minClusterSize() + " members (minClusterSize) and " + detail
                + "; it runs again once enough members are in the cluster";
        if (call.maybeApplied) {
            return new IndeterminateOutcomeException(message + "; an earlier attempt may have been applied");
        }
        return new QuorumException(message);
    }

    private static RuntimeException toException(OperationRequest request, OperationResult r) {
        String context = request.code() + " on map '" + request.map().name() + "': ";
        return switch (r.errorKind()) {
            case SERIALIZATION -> new GridSerializationException(r.message());
            case ILLEGAL_ARGUMENT -> new IllegalArgumentException(context + r.message());
            case INDETERMINATE -> new IndeterminateOutcomeException(context + r.message());
            case QUORUM -> new QuorumException(context + r.message());
            case MAP_FULL -> new MapFullException(context + r.message());
            case PROCESSOR_FAILED, INTERNAL -> new GridException(context + r.message());
        };
    }
}
