package io.tessera.grid;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.grid.internal.GridNode;
import io.tessera.grid.internal.migration.FreezeRequest;
import io.tessera.grid.internal.migration.SyncReplicaRequest;
import io.tessera.grid.internal.partition.PartitionTable;
import io.tessera.grid.internal.partition.SlotHashing;
import io.tessera.grid.internal.wire.WireReader;
import io.tessera.grid.internal.wire.WireWriter;
import io.tessera.grid.testing.GridCluster;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jgroups.Address;
import org.jgroups.Message;
import org.jgroups.blocks.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A migration copy that the coordinator repeats (its round was aborted by a view change after the first copy
 * finished, and the next round copies the partition again to the same, already {@code SYNCED}, destination) must
 * not lose the writes that reach the destination between the primary's snapshot point and the first chunk of the
 * new snapshot.
 *
 * <p>The test plays the coordinator's part of two rounds with the messages the coordinator sends (TABLE through
 * {@code installTable}, {@code SYNC_REPLICA}, {@code FREEZE}), on three in-JVM members, so the timing is
 * deterministic: partition {@code p} is big, so that encoding its snapshot takes a while, and one acknowledged put
 * is issued right after the second {@code SYNC_REPLICA}, so it runs on the primary after the snapshot point and
 * its mutation reaches the destination (which applies it at once, being {@code SYNCED}) before the snapshot does.
 */
class RetriedMigrationCopyIT {
    private static final int PARTITIONS = 16;
    private static final int BIG_VALUES = 4_000;
    private static final int VALUE_LENGTH = 2_000;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void retriedCopy_toSyncedReplica_keepsWritesThatArrivedBeforeItsFirstChunk() throws Exception {
        try (GridCluster cluster = GridCluster.start(3, b -> b.partitionCount(PARTITIONS))) {
            GridNode any = (GridNode) cluster.member(0);
            PartitionTable settled = any.table();
            int p = 0;
            Address source = settled.primary(p);
            Address backup = settled.owners(p)[1];
            Map<Address, GridNode> nodes = new HashMap<>();
            for (Grid g : cluster.members()) {
                nodes.put(((GridNode) g).address(), (GridNode) g);
            }
            Address destination = nodes.keySet().stream().filter(a -> !a.equals(source) && !a.equals(backup))
                    .findFirst().orElseThrow();
            GridMap<String, String> map = any.map("copy");

            List<String> keys = keysOf(p, BIG_VALUES + 1);
            String probe = keys.remove(keys.size() - 1);
            String pad = "x".repeat(VALUE_LENGTH);
            List<CompletableFuture<String>> puts = new ArrayList<>();
            for (String key : keys) {
                puts.add(map.putAsync(key, key + pad));
            }
            puts.forEach(CompletableFuture::join);
            map.put(probe, "before");

            // Round 1: the destination becomes a syncing replica of p and receives a first copy.
            long version = settled.version();
            List<List<Address>> owners = settled.ownerLists();
            List<List<Address>> syncing = new ArrayList<>();
            for (int i = 0; i < PARTITIONS; i++) {
                syncing.add(i == p ? List.of(destination) : List.of());
            }
            installEverywhere(nodes, PartitionTable.of(++version, owners, syncing));
            assertThat(syncReplica(nodes.get(source), p, destination).get(30, TimeUnit.SECONDS))
                    .as("partitions whose first copy failed").isEmpty();

            // The round is aborted (a view change); the next one publishes the same intermediate table again, and
            // copies again. An acknowledged write lands between the snapshot point and the snapshot's arrival.
            installEverywhere(nodes, PartitionTable.of(++version, owners, syncing));
            CompletableFuture<List<Integer>> secondCopy = syncReplica(nodes.get(source), p, destination);
            map.put(probe, "after");
            assertThat(secondCopy.get(30, TimeUnit.SECONDS)).as("partitions whose second copy failed").isEmpty();
            Map<Address, Map<Integer, long[]>> digests =
                    ((io.tessera.grid.internal.map.DefaultGridMap<String, String>) map).replicaDigests();
            String replicas = "source " + java.util.Arrays.toString(digests.get(source).get(p)) + ", destination "
                    + java.util.Arrays.toString(digests.get(destination).get(p))
                    + " ([primary?, sequence, size, digest])";
            System.out.println("partition " + p + " after the second copy: " + replicas);

            // Hand-off and commit: the destination becomes p's primary, the old primary its backup.
            freeze(nodes.get(source), version, p);
            List<List<Address>> target = settled.ownerLists();
            target.set(p, List.of(destination, source));
            installEverywhere(nodes, PartitionTable.of(++version, target));

            assertThat(map.get(probe)).as("the last acknowledged value of a key of partition %d, read from its new"
                    + " primary; after the second copy: %s", p, replicas).isEqualTo("after");
        }
    }

    private static List<String> keysOf(int partition, int count) {
        List<String> keys = new ArrayList<>();
        for (int i = 0; keys.size() < count; i++) {
            String key = "key-" + i;
            if (SlotHashing.partition(key.getBytes(StandardCharsets.UTF_8), PARTITIONS) == partition) {
                keys.add(key);
            }
        }
        return keys;
    }

    private static void installEverywhere(Map<Address, GridNode> nodes, PartitionTable table) {
        nodes.values().forEach(n -> n.replicas().installTable(table).join());
    }

    /** Sends what the coordinator's SYNC_REPLICA carries; completes with the partitions that failed. */
    private static CompletableFuture<List<Integer>> syncReplica(GridNode source, int p, Address destination) {
        CapturingResponse response = new CapturingResponse();
        source.migration().onSyncReplica(new SyncReplicaRequest(Map.of(p, List.of(destination))), response);
        return response.reply.thenApply(SyncReplicaRequest::readReply);
    }

    /** Sends what the coordinator's FREEZE carries and waits for the answer. */
    private static void freeze(GridNode source, long version, int p) throws Exception {
        CapturingResponse response = new CapturingResponse();
        source.migration().onFreeze(new FreezeRequest(version, List.of(p)), response);
        response.reply.get(30, TimeUnit.SECONDS);
    }

    /** A JGroups {@link Response} that hands the reply bytes to a future. */
    private static final class CapturingResponse implements Response {
        final CompletableFuture<byte[]> reply = new CompletableFuture<>();

        @Override
        public void send(Object value, boolean isException) {
            if (isException) {
                reply.completeExceptionally(new AssertionError("exception reply: " + value));
            } else {
                reply.complete((byte[]) value);
            }
        }

        @Override
        public void send(Message message, boolean isException) {
            send((Object) message.getArray(), isException);
        }
    }
}
