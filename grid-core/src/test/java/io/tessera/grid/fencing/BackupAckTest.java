package io.tessera.grid.fencing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tessera.grid.Grid;
import io.tessera.grid.GridMap;
import io.tessera.grid.internal.partition.PartitionTable;
import io.tessera.grid.internal.replica.Mutation;
import io.tessera.grid.internal.replication.BackupMessage;
import io.tessera.grid.internal.serialization.GridSerializer;
import io.tessera.grid.internal.store.BytesKey;
import io.tessera.grid.internal.store.Record;
import io.tessera.grid.internal.wire.MessageType;
import io.tessera.grid.testing.GridCluster;
import io.tessera.grid.testing.ReplicaProbe;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 7, finding 4: backups acknowledge what they have not applied, and a suspected backup counts as one that
 * applied. docs/architecture.md ("The path of a put", "Crash"): with synchronous backups the caller is answered once
 * every backup in the current table acknowledged, so an acknowledged write lives on every replica and survives the
 * crash of its primary.
 *
 * <p>Three members on the {@code local} stack, one backup. A test asserts only about writes that were acknowledged:
 * a write that fails (indeterminate outcome) is the correct answer when the backup cannot apply it.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class BackupAckTest {
    private static final int PARTITIONS = 32;
    private static final String MAP = "acks";

    /**
     * A backup in SYNCING (it saw a gap and asked its primary for a resync, which here never arrives) buffers the
     * primary's next mutation and acknowledges it; the primary then crashes (cut off for good) before the resync,
     * and the write the caller saw acknowledged is gone.
     */
    @Test
    void writeAcknowledgedWhileItsBackupWaitsForAResync_survivesTheCrashOfItsPrimary() throws Exception {
        try (GridCluster cluster = GridCluster.start(3, b -> b.partitionCount(PARTITIONS)
                .operationTimeout(Duration.ofSeconds(4)))) {
            List<Grid> members = cluster.members();
            try {
                Grid primary = members.get(0);
                String key = ReplicaProbe.keysWithPrimary(members, primary, "syncing-", 1).get(0);
                Grid backup = ReplicaProbe.ownerOf(members, key, 1);
                Grid caller = Faults.others(members, primary, backup).get(0);
                int p = Faults.partitionOf(primary, key);
                GridMap<String, String> map = caller.map(MAP);
                map.put(key, "before");
                await().until(() -> ReplicaProbe.replicaDisagreement(members, MAP, 1) == null);

                // The resync request never reaches the primary (as if the primary stalled), so the backup stays
                // SYNCING. The gap itself is forged as in BackupGapResyncTest: a mutation two sequences ahead.
                MessageGate.on(backup).dropOutgoing(r -> r.type() == MessageType.RESYNC_REQUEST);
                forgeGap(backup, primary, p, key);
                await("the backup found the gap and waits for a resync").until(() ->
                        ReplicaProbe.localDigests(backup, MAP).get(p) == null);

                CompletableFuture<String> write = map.putAsync(key, "acknowledged-while-the-backup-syncs")
                        .toCompletableFuture();
                boolean acknowledged;
                try {
                    write.get(10, TimeUnit.SECONDS);
                    acknowledged = true;
                } catch (java.util.concurrent.ExecutionException e) {
                    acknowledged = false;
                }

                List<Grid> survivors = List.of(backup, caller);
                Faults.isolate(primary, survivors);
                Faults.awaitPromotedWithout(survivors, primary);

                String read = map.get(key);
                assertThat(acknowledged ? read : "acknowledged-while-the-backup-syncs")
                        .as("after the crash of its primary, the read of %s, whose write was acknowledged while its "
                                + "only backup %s was SYNCING (it read %s)", key, Faults.name(backup), read)
                        .isEqualTo("acknowledged-while-the-backup-syncs");
            } finally {
                Faults.crashAll(members);
            }
        }
    }

    /**
     * The primary is cut off while a write is in flight: its backup never gets the mutation; the primary's view
     * drops the backup, JGroups marks the backup's response "suspected", and {@code ackProblem} counts that as
     * fine, so the primary acknowledges a write that lives on no other replica. The survivors then promote the
     * backup (the old primary stays cut off: to them it crashed) and the write is gone.
     */
    @Test
    void writeInFlightWhenItsPrimaryIsCutOff_isNotAcknowledgedByThePrimaryAlone() throws Exception {
        try (GridCluster cluster = GridCluster.start(3, b -> b.partitionCount(PARTITIONS)
                // longer than the detection (FD_ALL3 3 s + VERIFY_SUSPECT2 0.5 s): the write waits for the verdict
                .operationTimeout(Duration.ofSeconds(15)))) {
            List<Grid> members = cluster.members();
            try {
                Grid primary = members.get(0);
                String key = ReplicaProbe.keysWithPrimary(members, primary, "inflight-", 1).get(0);
                Grid backup = ReplicaProbe.ownerOf(members, key, 1);
                List<Grid> survivors = Faults.others(members, primary);
                GridMap<String, String> onPrimary = primary.map(MAP);
                onPrimary.put(key, "before");

                Faults.isolate(primary, survivors);
                CompletableFuture<String> write = onPrimary.putAsync(key, "in-flight").toCompletableFuture();
                boolean acknowledged;
                try {
                    write.get(30, TimeUnit.SECONDS);
                    acknowledged = true;
                } catch (java.util.concurrent.ExecutionException e) {
                    acknowledged = false;
                }
                Faults.awaitPromotedWithout(survivors, primary);

                String read = survivors.get(0).<String, String>map(MAP).get(key);
                assertThat(acknowledged ? read : "in-flight")
                        .as("the survivors' read of %s, whose write the cut-off primary %s acknowledged while its "
                                + "backup %s never received it (it read %s)", key, Faults.name(primary),
                                Faults.name(backup), read)
                        .isEqualTo("in-flight");
            } finally {
                Faults.crashAll(members);
            }
        }
    }

    /** Hands {@code backup} a mutation of {@code key} two sequences ahead, as if one had been lost. */
    private static void forgeGap(Grid backup, Grid primary, int p, String key) {
        long sequence = ReplicaProbe.localDigests(backup, MAP).get(p).sequence();
        byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
        Record forged = Record.of(new BytesKey(keyBytes), GridSerializer.KEY_STRING, new byte[] {1, 'x'},
                sequence + 2, 0, 0, 0, 0, 0);
        PartitionTable table = Faults.table(backup);
        Mutation gap = new Mutation(MAP, 1, (byte) 0, table.epoch(p), 0, sequence + 2, Mutation.Kind.PUT, forged,
                null, (byte) 0, 0);
        Faults.node(backup).backups().onBackup(new BackupMessage(p, table.version(), table.epoch(p), List.of(),
                List.of(gap), List.of()), Faults.address(primary), null);
    }
}
