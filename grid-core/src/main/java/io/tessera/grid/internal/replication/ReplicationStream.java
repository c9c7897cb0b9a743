package io.tessera.grid.internal.replication;

import io.tessera.grid.internal.cluster.ClusterService;
import io.tessera.grid.internal.replica.PartitionReplica;
import io.tessera.grid.internal.replica.PartitionReplicas;
import io.tessera.grid.internal.replica.PartitionThreads;
import io.tessera.grid.internal.replication.BackupMessage.CallRecord;
import io.tessera.grid.internal.replication.BackupMessage.Position;
import io.tessera.grid.internal.store.RecordStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import org.jgroups.Address;
import org.jgroups.util.Rsp;
import org.jgroups.util.RspList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The primary's side of the replication stream: sends the mutations of a step to the partition's backups and its
 * syncing replicas, and tells the caller whether the step is durable.
 *
 * <p>A step is durable only when <em>every backup of the current table applied it</em> ({@link BackupAck#APPLIED}).
 * Anything else is {@link Result#uncertain}: a backup that left the view, refused (this member is no longer its
 * primary), dropped the partition, or did not answer in time. A backup that left the view does not count as "fine":
 * from this side a crashed backup and this member being cut off look the same, and only the next table tells which.
 * The caller then answers "indeterminate"; a retry of the call (same call id) first sends a {@link #barrier} that the
 * backups of the then-current table acknowledge once they hold the step. Syncing replicas (being filled for a
 * migration) receive every mutation but their answers count only for the hand-off ({@code whenDrained}).
 *
 * <p>Threads: called on the partition's thread; the outcome is delivered on the partition's thread too. Sends are
 * regular JGroups unicasts, FIFO per sender, so a backup receives a primary's mutations in order; the messages of one
 * turn of a partition thread to the same replicas travel as one ({@link BackupBatcher}).
 */
public final class ReplicationStream {
    private static final Logger log = LoggerFactory.getLogger(ReplicationStream.class);

    private final PartitionReplicas replicas;
    private final ClusterService cluster;
    private final EventPublisher events;
    private final BackupBatcher[] batchers;

    /** Whether a step is durable on every backup, and if not, why. */
    public record Result(boolean durable, String problem) {
        static final Result DURABLE = new Result(true, null);

        static Result uncertain(String problem) {
            return new Result(false, problem);
        }
    }

    /** Creates the stream of this member. */
    public ReplicationStream(PartitionReplicas replicas, ClusterService cluster, EventPublisher events) {
        this.replicas = replicas;
        this.cluster = cluster;
        this.events = events;
        PartitionThreads threads = replicas.threads();
        this.batchers = new BackupBatcher[threads.count()];
        for (int lane = 0; lane < batchers.length; lane++) {
            batchers[lane] = new BackupBatcher(cluster, threads, lane);
        }
    }

    /**
     * Publishes the events of {@code changes} and streams its mutations (with the results of {@code calls}) to the
     * replicas of {@code replica}'s partition; runs {@code done} on the partition thread once the outcome is known
     * (at once after the near-cache invalidations for {@code async} maps).
     */
    public void replicate(PartitionReplica replica, ChangeSet changes, List<CallRecord> calls, boolean async,
                          long timeoutMillis, Consumer<Result> done) {
        CompletableFuture<Void> invalidated = events.publish(changes.events(), timeoutMillis);
        BackupMessage message = new BackupMessage(replica.partition(), replica.table().version(),
                replica.table().epoch(replica.partition()), calls, changes.mutations(), List.of());
        send(replica, changes.store().backups(), true, message, async, timeoutMillis, invalidated, done);
    }

    /**
     * Asks the backups of the current table to acknowledge once they hold {@code store}'s current position, and
     * publishes {@code changes} again: makes sure an earlier step whose replication (or near-cache invalidation) was
     * uncertain is durable, and invalidated, now.
     */
    public void barrier(PartitionReplica replica, RecordStore store, List<EntryChange> changes, long timeoutMillis,
                        Consumer<Result> done) {
        BackupMessage message = new BackupMessage(replica.partition(), replica.table().version(),
                replica.table().epoch(replica.partition()), List.of(), List.of(), List.of(new Position(
                        store.mapName(), store.epoch(), store.epochBase(), store.sequence())));
        send(replica, store.backups(), false, message, false, timeoutMillis, changes.isEmpty()
                ? CompletableFuture.completedFuture(null) : events.invalidate(changes, timeoutMillis), done);
    }

    /** The backups a map with {@code backups} backups must have acknowledged a step on. */
    static List<Address> requiredTargets(PartitionReplica replica, int backups) {
        Address[] owners = replica.table().owners(replica.partition());
        int count = Math.min(backups, owners.length - 1);
        return count <= 0 ? List.of() : Arrays.asList(owners).subList(1, count + 1);
    }

    private void send(PartitionReplica replica, int backups, boolean withSyncing, BackupMessage message,
                      boolean async, long timeoutMillis, CompletableFuture<Void> invalidated, Consumer<Result> done) {
        int p = replica.partition();
        List<Address> required = requiredTargets(replica, backups);
        List<Address> targets = new ArrayList<>(required);
        if (withSyncing) {
            // Syncing replicas get every map, replicated or not: one of them may become the primary.
            targets.addAll(Arrays.asList(replica.table().syncing(p)));
        }
        if (targets.isEmpty()) {
            whenInvalidated(p, invalidated, done);
            return;
        }
        byte[] payload = message.encode();
        replica.replicationStarted(System.nanoTime());
        CompletableFuture<BackupBatcher.Acks> acks = batchers[replicas.threads().threadOf(p)].send(p, targets,
                payload, timeoutMillis);
        if (async) {
            acks.whenComplete((rsps, e) -> replicas.execute(p, PartitionReplica::replicationSettled));
            whenInvalidated(p, invalidated, done);
            acks.whenComplete((rsps, e) -> {
                String problem = e != null ? e.toString() : problem(rsps, required, timeoutMillis);
                if (problem != null) {
                    log.warn("asynchronous backup of partition {} failed: {}", p, problem);
                }
            });
            return;
        }
        acks.whenComplete((rsps, e) -> {
            String backupProblem = e != null ? e.toString() : problem(rsps, required, timeoutMillis);
            if (invalidated.isDone()) {
                // The common case: one hop back to the partition thread settles the message and answers the step.
                Result result = outcome(backupProblem, failureOf(invalidated));
                replicas.execute(p, r -> {
                    r.replicationSettled();
                    done.accept(result);
                });
                return;
            }
            replicas.execute(p, PartitionReplica::replicationSettled);
            invalidated.whenComplete((v, invalidationFailure) -> {
                Result result = outcome(backupProblem, invalidationFailure);
                replicas.execute(p, r -> done.accept(result));
            });
        });
    }

    /** A step's outcome from the backups' problem (or null) and the near-cache invalidations' failure (or null). */
    private static Result outcome(String backupProblem, Throwable invalidationFailure) {
        String problem = backupProblem;
        if (problem == null && invalidationFailure != null) {
            problem = invalidation(invalidationFailure).problem();
        }
        return problem == null ? Result.DURABLE : Result.uncertain(problem);
    }

    /**
     * Runs {@code done} with the outcome of the near-cache invalidations: at once when they are settled (the common
     * case, with no near cache anywhere; this runs on the partition thread already), else back on the thread.
     */
    private void whenInvalidated(int p, CompletableFuture<Void> invalidated, Consumer<Result> done) {
        if (invalidated.isDone()) {
            done.accept(invalidation(failureOf(invalidated)));
            return;
        }
        invalidated.whenComplete((v, e) -> replicas.execute(p, r -> done.accept(invalidation(e))));
    }

    private static Throwable failureOf(CompletableFuture<Void> settled) {
        try {
            settled.getNow(null);
            return null;
        } catch (CompletionException | CancellationException e) {
            return e;
        }
    }

    /** The outcome of the near-cache invalidations alone. */
    private static Result invalidation(Throwable failure) {
        if (failure == null) {
            return Result.DURABLE;
        }
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        return Result.uncertain(cause.getMessage());
    }

    /** Why a set of acknowledgements does not make a step durable, or null when it does. */
    private String problem(BackupBatcher.Acks acks, List<Address> required, long timeoutMillis) {
        RspList<byte[]> rsps = acks.replies();
        if (rsps == null) {
            return "not every backup of " + names(required) + " answered within " + timeoutMillis + " ms";
        }
        for (Address target : required) {
            Rsp<byte[]> rsp = rsps.get(target);
            if (rsp == null || rsp.wasSuspected() || rsp.wasUnreachable()) {
                return "backup " + cluster.nameOf(target) + " left the view before it acknowledged";
            }
            if (!rsp.wasReceived()) {
                return "backup " + cluster.nameOf(target) + " did not acknowledge within " + timeoutMillis + " ms";
            }
            if (rsp.hasException()) {
                return "backup " + cluster.nameOf(target) + " failed: " + rsp.getException();
            }
            byte[] value = rsp.getValue();
            byte ack = value == null || value.length <= acks.index() ? -1 : value[acks.index()];
            if (ack != BackupAck.APPLIED) {
                return "backup " + cluster.nameOf(target) + " answered " + BackupAck.name(ack);
            }
        }
        return null;
    }

    private List<String> names(List<Address> members) {
        return members.stream().map(cluster::nameOf).toList();
    }
}
