package io.tessera.grid.internal.replication;

import io.tessera.grid.internal.cluster.ClusterService;
import io.tessera.grid.internal.replica.PartitionThreads;
import io.tessera.grid.internal.wire.MessageType;
import io.tessera.grid.internal.wire.WireWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.jgroups.Address;
import org.jgroups.util.RspList;

/**
 * Gathers the backup messages one partition thread sends while it works through its queue, and sends those bound for
 * the same replicas as one {@link MessageType#BACKUP_BATCH} when the thread gets to the flush it queued behind them:
 * one JGroups message and one acknowledgement per destination and turn of the thread, instead of one per write. A
 * message alone in its batch goes as a plain {@link MessageType#BACKUP}. The wait adds no timer: the flush runs as
 * soon as the work queued before it is done.
 *
 * <p>Order: a backup applies a partition's messages in the order they arrive, and messages to one destination arrive
 * in the order they were sent. A partition's messages therefore never go into a batch sent before the one holding its
 * previous message (its replicas may change between two writes of one turn, putting the two in different batches).
 *
 * <p>Threads: one instance per partition thread, used by that thread only; the acknowledgements complete on JGroups
 * threads.
 */
final class BackupBatcher {
    /** A batch holds at most this many messages or bytes; the next message starts a new one. */
    static final int MAX_MESSAGES = 64;
    static final int MAX_BYTES = 256 * 1024;

    /** The acknowledgements of a batch's replicas and the index of one message's byte in each. */
    record Acks(RspList<byte[]> replies, int index) {
    }

    private final ClusterService cluster;
    private final PartitionThreads threads;
    private final int lane;
    private final List<Batch> batches = new ArrayList<>();
    /** Per destination list, the batch that last took messages for it: the one a next message may join. */
    private final Map<List<Address>, Integer> open = new HashMap<>();
    /** Per partition, the index of the batch holding its last message of this turn. */
    private final Map<Integer, Integer> lastBatchOf = new HashMap<>();
    private boolean flushQueued;

    private static final class Batch {
        final List<Address> targets;
        final List<byte[]> messages = new ArrayList<>();
        final CompletableFuture<RspList<byte[]>> replies = new CompletableFuture<>();
        int bytes;
        long timeoutMillis;

        Batch(List<Address> targets) {
            this.targets = targets;
        }
    }

    BackupBatcher(ClusterService cluster, PartitionThreads threads, int lane) {
        this.cluster = cluster;
        this.threads = threads;
        this.lane = lane;
    }

    /**
     * Queues {@code message} (an encoded {@link BackupMessage} of {@code partition}) for {@code targets}; completes
     * with the replies once its batch was answered (null replies: not every target answered in time).
     */
    CompletableFuture<Acks> send(int partition, List<Address> targets, byte[] message, long timeoutMillis) {
        assert threads.isThreadOf(partition) : "backup of partition " + partition + " sent off its thread";
        Integer candidate = open.get(targets);
        Integer last = lastBatchOf.get(partition);
        Batch batch = candidate == null ? null : batches.get(candidate);
        if (batch == null || (last != null && last > candidate) || batch.messages.size() >= MAX_MESSAGES
                || batch.bytes + message.length > MAX_BYTES) {
            batch = new Batch(targets);
            candidate = batches.size();
            batches.add(batch);
            open.put(targets, candidate);
        }
        lastBatchOf.put(partition, candidate);
        int index = batch.messages.size();
        batch.messages.add(message);
        batch.bytes += message.length;
        batch.timeoutMillis = Math.max(batch.timeoutMillis, timeoutMillis);
        if (!flushQueued) {
            flushQueued = true;
            threads.executeOnThread(lane, this::flush);
        }
        return batch.replies.thenApply(replies -> new Acks(replies, index));
    }

    /** Sends every batch of this turn, in the order they were opened. */
    private void flush() {
        flushQueued = false;
        List<Batch> turn = new ArrayList<>(batches);
        batches.clear();
        open.clear();
        lastBatchOf.clear();
        for (Batch batch : turn) {
            byte[] payload;
            if (batch.messages.size() == 1) {
                payload = batch.messages.get(0);
            } else {
                WireWriter out = WireWriter.forType(MessageType.BACKUP_BATCH, batch.bytes + 8 * batch.messages.size());
                out.writeVarInt(batch.messages.size());
                batch.messages.forEach(out::writeBytes);
                payload = out.toByteArray();
            }
            cluster.requestAll(batch.targets, payload, payload.length, batch.timeoutMillis)
                    .whenComplete((replies, failure) -> {
                        if (failure != null) {
                            batch.replies.completeExceptionally(failure);
                        } else {
                            batch.replies.complete(replies);
                        }
                    });
        }
    }
}
