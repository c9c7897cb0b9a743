package io.tessera.grid.internal.replication;

import io.tessera.grid.internal.cluster.ClusterService;
import io.tessera.grid.internal.replica.AppliedWaiter;
import io.tessera.grid.internal.replica.CallResults;
import io.tessera.grid.internal.replica.Mutation;
import io.tessera.grid.internal.replica.PartitionReplica;
import io.tessera.grid.internal.replica.PartitionReplica.ApplyOutcome;
import io.tessera.grid.internal.replica.PartitionReplicas;
import io.tessera.grid.internal.replica.ReplicaStatus;
import io.tessera.grid.internal.replication.BackupMessage.CallRecord;
import io.tessera.grid.internal.replication.BackupMessage.Position;
import io.tessera.grid.internal.store.HybridLogicalClock;
import io.tessera.grid.internal.store.RecordStore;
import io.tessera.grid.internal.wire.MessageType;
import io.tessera.grid.internal.wire.WireReader;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.jgroups.Address;
import org.jgroups.blocks.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The backup's side of the replication stream: applies a primary's mutations in sequence and acknowledges only what
 * it holds.
 *
 * <p>A message is refused ({@link BackupAck#FENCED}) unless its sender is in this member's view and is the primary of
 * the partition, in the same epoch, under this member's table; a message from a newer table waits until that table
 * is installed here. An owning replica acknowledges ({@link BackupAck#APPLIED}) only once it has applied every
 * mutation of the message: one that must first resync (it found a gap, or a history it does not share) or fill maps
 * it lacks holds the acknowledgement back until the snapshot is installed. Only a replica that is being filled for a
 * migration (not an owner yet) answers {@link BackupAck#BUFFERED}, which the primary does not count as durable.
 *
 * <p>Threads: {@link #onBackup} is called on a JGroups thread and hands the message to the partition's thread.
 */
public final class BackupReceiver {
    private static final Logger log = LoggerFactory.getLogger(BackupReceiver.class);
    private static final long RESYNC_RETRY_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final PartitionReplicas replicas;
    private final ClusterService cluster;
    private final HybridLogicalClock hlc;

    /** Creates the receiver of this member. */
    public BackupReceiver(PartitionReplicas replicas, ClusterService cluster, HybridLogicalClock hlc) {
        this.replicas = replicas;
        this.cluster = cluster;
        this.hlc = hlc;
    }

    /** Handles a {@code BACKUP} message from a primary ({@code response} may be null for a one-way message). */
    public void onBackup(BackupMessage message, Address sender, Response response) {
        Consumer<Byte> answer = ack -> {
            if (response != null) {
                response.send(new byte[] {ack}, false);
            }
        };
        replicas.execute(message.partition(), replica -> receive(replica, message, sender, answer));
    }

    /**
     * Handles a {@link MessageType#BACKUP_BATCH}: each message as {@link #onBackup} would, answering once every one
     * is acknowledged, with their acknowledgements in order.
     */
    public void onBackupBatch(WireReader in, Address sender, Response response) {
        int count = in.readVarInt();
        List<BackupMessage> messages = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            byte[] encoded = in.readBytes();
            messages.add(BackupMessage.readFrom(new WireReader(encoded, 1, encoded.length - 1)));
        }
        byte[] acks = new byte[count];
        AtomicInteger unanswered = new AtomicInteger(count);
        for (int i = 0; i < count; i++) {
            int index = i;
            BackupMessage message = messages.get(i);
            Consumer<Byte> answer = ack -> {
                acks[index] = ack;
                // The last answer publishes every earlier one: each wrote its byte before its decrement.
                if (unanswered.decrementAndGet() == 0 && response != null) {
                    response.send(acks, false);
                }
            };
            replicas.execute(message.partition(), replica -> receive(replica, message, sender, answer));
        }
    }

    private void receive(PartitionReplica replica, BackupMessage message, Address sender, Consumer<Byte> answer) {
        int p = replica.partition();
        if (!cluster.isMember(sender)) {
            answer.accept(BackupAck.FENCED);
            return;
        }
        if (message.tableVersion() > replica.table().version()) {
            // The primary acted under a table this member has not installed yet: the coordinator is publishing it.
            replica.awaitTable(() -> receive(replica, message, sender, answer));
            return;
        }
        if (!sender.equals(replica.table().primary(p)) || message.epoch() != replica.table().epoch(p)) {
            log.debug("partition {}: refusing a stream from {} (epoch {}): the primary is {} in epoch {} under table"
                    + " {}",
                    p, cluster.nameOf(sender), message.epoch(), replica.table().primary(p),
                    replica.table().epoch(p), replica.table().version());
            answer.accept(BackupAck.FENCED);
            return;
        }
        for (Mutation m : message.mutations()) {
            if (m.record() != null) {
                hlc.observe(m.record().timestamp());
            }
        }
        ReplicaStatus status = replica.status();
        if (status == ReplicaStatus.NONE) {
            answer.accept(BackupAck.NOT_REPLICA);
            return;
        }
        recordCalls(replica, message.calls());
        boolean owner = replica.table().ownerIndex(p, replicas.self()) > 0;
        if (status == ReplicaStatus.SYNCING) {
            message.mutations().forEach(replica::buffer);
            if (owner) {
                replica.awaitApplied(waiter(message.requiredPositions(), answer));
            } else {
                answer.accept(BackupAck.BUFFERED);
            }
            return;
        }
        List<Mutation> mutations = message.mutations();
        for (int i = 0; i < mutations.size(); i++) {
            Mutation m = mutations.get(i);
            if (replica.status() == ReplicaStatus.SYNCING
                    || (replica.fillingMissingMaps() && !replica.holds(m.mapName()))) {
                replica.buffer(m); // a map this owner lacks (the snapshot brings it), or a resync began
                continue;
            }
            ApplyOutcome outcome = replica.applyInSequence(m);
            if (outcome.needsResync()) {
                RecordStore store = replica.existingStore(m.mapName());
                log.info("partition {} map {}: mutation ({}, {}) {} ({}, {}); requesting a resync", p,
                        m.mapName(), m.epoch(), m.sequence(), outcome == ApplyOutcome.PATCH_MISMATCH
                                ? "patches a value this replica does not hold at" : "does not follow",
                        store == null ? 0 : store.epoch(), store == null ? 0 : store.sequence());
                replica.restartSync(m);
                requestResync(replica);
            }
        }
        replica.checkWaiters();
        replica.awaitApplied(waiter(message.requiredPositions(), answer));
    }

    private void recordCalls(PartitionReplica replica, List<CallRecord> calls) {
        if (calls.isEmpty()) {
            return;
        }
        CallResults results = replica.results();
        long now = replicas.clock().nanoTime();
        for (CallRecord c : calls) {
            results.acknowledge(c.call().invoker(), c.watermark());
            results.record(c.call(), c.result(), CallResults.State.DONE,
                    now + TimeUnit.MILLISECONDS.toNanos(c.retainMillis()));
        }
    }

    /** A held-back acknowledgement: sent once the replica holds {@code positions}. */
    private static AppliedWaiter waiter(List<Position> positions, Consumer<Byte> answer) {
        return new AppliedWaiter() {
            @Override
            public boolean satisfiedBy(PartitionReplica replica) {
                if (replica.status() != ReplicaStatus.OWNER && replica.status() != ReplicaStatus.SYNCED) {
                    return false;
                }
                for (Position position : positions) {
                    if (!holds(replica, position)) {
                        return false;
                    }
                }
                return true;
            }

            @Override
            public void applied() {
                answer.accept(BackupAck.APPLIED);
            }

            @Override
            public void abandoned() {
                answer.accept(BackupAck.NOT_REPLICA);
            }
        };
    }

    /** Whether {@code replica} holds the history up to {@code position}. */
    static boolean holds(PartitionReplica replica, Position position) {
        if (replica.fillingMissingMaps() && !replica.holds(position.map())) {
            return false;
        }
        RecordStore store = replica.existingStore(position.map());
        if (store == null) {
            return position.sequence() == 0;
        }
        if (store.epoch() == position.epoch()) {
            return store.sequence() >= position.sequence();
        }
        if (store.epoch() > position.epoch()) {
            return store.epochBase() >= position.sequence();
        }
        return store.sequence() == position.epochBase() && position.sequence() == position.epochBase();
    }

    /** Asks the partition's primary for a snapshot. Called on the partition's thread. */
    public void requestResync(PartitionReplica replica) {
        Address primary = replica.table().primary(replica.partition());
        replica.resyncRequested(replicas.clock().nanoTime());
        if (primary == null || primary.equals(replicas.self())) {
            return;
        }
        byte[] request = new ResyncRequest(replica.partition()).encode();
        cluster.send(primary, request, request.length);
    }

    /** Periodic work on a partition thread: repeats resync requests that got no snapshot. */
    public void tick(PartitionReplica replica, long nowNanos) {
        if (replica.status() == ReplicaStatus.SYNCING
                && replica.table().ownerIndex(replica.partition(), replicas.self()) > 0
                && nowNanos - replica.lastResyncRequestNanos() > RESYNC_RETRY_NANOS) {
            requestResync(replica);
        }
    }
}
