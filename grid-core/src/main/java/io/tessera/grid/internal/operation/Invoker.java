package io.tessera.grid.internal.operation;

import io.tessera.grid.GridException;
import io.tessera.grid.GridSerializationException;
import io.tessera.grid.IndeterminateOutcomeException;
import io.tessera.grid.OperationTimeoutException;
import io.tessera.grid.internal.cluster.ClusterService;
import io.tessera.grid.internal.partition.PartitionTable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.jgroups.Address;
import org.jgroups.SuspectedException;

/**
 * Sends an operation to its partition's primary and retries, invisibly, whenever the target does not own the
 * partition under its table, is not in the view, or left while the operation was on its way; only the deadline
 * ends the retries.
 *
 * <p>An operation that may have been applied when its primary vanished is retried only if it is idempotent;
 * otherwise the caller gets {@link IndeterminateOutcomeException}. Retries wait on a shared timer, never on the
 * caller's or a JGroups thread.
 */
public final class Invoker {
    private static final long[] BACKOFF_MILLIS = {1, 2, 5, 10, 20, 50, 100};

    private final Address self;
    private final ClusterService cluster;
    private final PartitionEngine engine;
    private final ScheduledExecutorService timer;
    private final long timeoutMillis;
    private final LongSupplier nanoClock;
    private final LongAdder remoteInvocations = new LongAdder();
    private final LongAdder retries = new LongAdder();

    /** Creates the invoker. */
    public Invoker(Address self, ClusterService cluster, PartitionEngine engine, ScheduledExecutorService timer,
                   long timeoutMillis) {
        this.self = self;
        this.cluster = cluster;
        this.engine = engine;
        this.timer = timer;
        this.timeoutMillis = timeoutMillis;
        this.nanoClock = System::nanoTime;
    }

    /** How many operations this member sent to other members (near-cache tests count these). */
    public long remoteInvocations() {
        return remoteInvocations.sum();
    }

    /** How many retries this member made. */
    public long retries() {
        return retries.sum();
    }

    /** Invokes {@code request} on its primary; completes with the OK result or a {@link GridException}. */
    public CompletableFuture<OperationResult> invoke(OperationRequest request) {
        CompletableFuture<OperationResult> result = new CompletableFuture<>();
        long deadline = nanoClock.getAsLong() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        attempt(request, deadline, 0, result, null, null);
        return result;
    }

    /**
     * Invokes {@code request} on {@code target}, whatever this member's table says (a split-brain merge pushes to
     * the primaries of a table this member has not installed yet); retries while the target answers retry.
     */
    public CompletableFuture<OperationResult> invokeOn(Address target, OperationRequest request) {
        CompletableFuture<OperationResult> result = new CompletableFuture<>();
        long deadline = nanoClock.getAsLong() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis * 3);
        attempt(request, deadline, 0, result, null, target);
        return result;
    }

    private void attempt(OperationRequest request, long deadline, int attempt,
                         CompletableFuture<OperationResult> result, String lastProblem, Address fixedTarget) {
        long remainingMillis = TimeUnit.NANOSECONDS.toMillis(deadline - nanoClock.getAsLong());
        if (remainingMillis <= 0) {
            result.completeExceptionally(timeout(request, attempt, lastProblem));
            return;
        }
        PartitionTable table = engine.table();
        Address primary = fixedTarget != null ? fixedTarget : table.primary(request.partition());
        if (primary == null) {
            retryLater(request, deadline, attempt, result, "no partition table yet", fixedTarget);
            return;
        }
        OperationRequest routed = request.withTableVersion(fixedTarget != null ? Long.MAX_VALUE : table.version());
        if (primary.equals(self)) {
            engine.execute(routed, r -> onResult(request, deadline, attempt, result, r, primary, fixedTarget));
            return;
        }
        if (!cluster.isMember(primary)) {
            retryLater(request, deadline, attempt, result, "primary " + cluster.nameOf(primary) + " left the cluster",
                    fixedTarget);
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
                    result.completeExceptionally(new GridException("bad reply from " + cluster.nameOf(primary), e));
                    return;
                }
                onResult(request, deadline, attempt, result, decoded, primary, fixedTarget);
                return;
            }
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause()
                    : error;
            if (cause instanceof TimeoutException) {
                result.completeExceptionally(timeout(request, attempt, "no answer from " + cluster.nameOf(primary)));
            } else if (!request.code().write() || request.code().idempotent()) {
                retryLater(request, deadline, attempt, result, cluster.nameOf(primary) + " failed: " + cause,
                        fixedTarget);
            } else {
                String why = cause instanceof SuspectedException ? " left the cluster" : " failed: " + cause;
                result.completeExceptionally(new IndeterminateOutcomeException(request.code() + " on map '"
                        + request.mapName() + "': the primary " + cluster.nameOf(primary) + why
                        + " before answering; the write may or may not have been applied", cause));
            }
        });
    }

    private void onResult(OperationRequest request, long deadline, int attempt,
                          CompletableFuture<OperationResult> result, OperationResult r, Address primary,
                          Address fixedTarget) {
        switch (r.status()) {
            case OK -> result.complete(r);
            case RETRY -> retryLater(request, deadline, attempt, result,
                    cluster.nameOf(primary) + " does not serve partition " + request.partition()
                            + " under table " + r.number(), fixedTarget);
            case ERROR -> result.completeExceptionally(toException(request, r));
            default -> throw new IllegalStateException();
        }
    }

    private void retryLater(OperationRequest request, long deadline, int attempt,
                            CompletableFuture<OperationResult> result, String problem, Address fixedTarget) {
        retries.increment();
        long delay = BACKOFF_MILLIS[Math.min(attempt, BACKOFF_MILLIS.length - 1)];
        try {
            timer.schedule(() -> attempt(request, deadline, attempt + 1, result, problem, fixedTarget), delay,
                    TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            result.completeExceptionally(new io.tessera.grid.GridClosedException("the grid member was closed"));
        }
    }

    private GridException timeout(OperationRequest request, int attempts, String lastProblem) {
        String message = request.code() + " on map '" + request.mapName() + "' (partition " + request.partition()
                + ") did not complete within " + timeoutMillis + " ms after " + (attempts + 1) + " attempt(s)"
                + (lastProblem == null ? "" : "; last problem: " + lastProblem);
        return request.code().write() ? new IndeterminateOutcomeException(message + "; the write may or may not"
                + " have been applied") : new OperationTimeoutException(message);
    }

    private static RuntimeException toException(OperationRequest request, OperationResult r) {
        String context = request.code() + " on map '" + request.mapName() + "': ";
        return switch (r.errorKind()) {
            case INDETERMINATE -> new IndeterminateOutcomeException(context + r.message());
            case SERIALIZATION -> new GridSerializationException(r.message());
            case ILLEGAL_ARGUMENT -> new IllegalArgumentException(context + r.message());
            case PROCESSOR_FAILED, INTERNAL -> new GridException(context + r.message());
        };
    }
}
