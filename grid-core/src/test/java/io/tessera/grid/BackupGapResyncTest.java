package io.tessera.grid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tessera.grid.internal.partition.PartitionTable;
import io.tessera.grid.internal.replica.Mutation;
import io.tessera.grid.internal.replication.BackupMessage;
import io.tessera.grid.internal.serialization.GridSerializer;
import io.tessera.grid.internal.store.BytesKey;
import io.tessera.grid.internal.store.Record;
import io.tessera.grid.testing.GridCluster;
import io.tessera.grid.testing.ReplicaProbe;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A backup that receives a mutation out of sequence (a gap: a mutation it never got) stops applying, buffers, asks its
 * primary for a snapshot, installs it, replays what it buffered, and ends equal to the primary (docs/architecture.md,
 * "Replication positions and the partition table"). JGroups' reliable FIFO unicast makes real gaps rare (they come from
 * a promoted primary streaming to a backup that missed its predecessor's last mutation), so the test injects one: a
 * mutation two sequences ahead, of the key the primary's next real writes overwrite, as a real lost-and-found mutation
 * would be.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BackupGapResyncTest {

    @Test
    void backup_thatSeesAGap_resyncsFromItsPrimary_andEndsEqualToIt() {
        try (GridCluster cluster = GridCluster.start(2)) {
            List<Grid> members = cluster.members();
            GridMap<String, String> map = members.get(0).map("gap");
            String first = "gap-key-0";
            Grid primary = ReplicaProbe.primaryOf(members, first);
            Grid backup = ReplicaProbe.ownerOf(members, first, 1);
            int p = ReplicaProbe.partitionOf(primary, first);
            List<String> keys = ReplicaProbe.keysWithPrimary(members, primary, "gap-key-", 50).stream()
                    .filter(k -> ReplicaProbe.partitionOf(primary, k) == p).toList();
            assertThat(keys).as("keys of partition %d", p).isNotEmpty();
            map.put(keys.get(0), "v0");
            await().until(() -> ReplicaProbe.replicaDisagreement(members, "gap", 1) == null);

            long backupSequence = ReplicaProbe.localDigests(backup, "gap").get(p).sequence();
            byte[] key = keys.get(0).getBytes(StandardCharsets.UTF_8);
            PartitionTable table = ReplicaProbe.node(backup).table();
            long epoch = table.epoch(p);
            Record forged = Record.of(new BytesKey(key), GridSerializer.KEY_STRING, new byte[] {1, 'x'},
                    backupSequence + 2, 0, 0, 0, 0, 0);
            Mutation gap = new Mutation("gap", 1, (byte) 0, epoch, 0, backupSequence + 2, Mutation.Kind.PUT, forged,
                    null, (byte) 0, 0);
            ReplicaProbe.node(backup).backups().onBackup(new BackupMessage(p, table.version(), epoch, List.of(),
                    List.of(gap), List.of()), ReplicaProbe.node(primary).address(), null);

            for (int i = 1; i <= 3; i++) {
                map.put(keys.get(0), "v" + i); // real writes overtake the forged sequence
            }

            await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    assertThat(ReplicaProbe.replicaDisagreement(members, "gap", 1)).isNull());
            assertThat(ReplicaProbe.recordOn(backup, "gap", keys.get(0)).value())
                    .isEqualTo(ReplicaProbe.recordOn(primary, "gap", keys.get(0)).value());
            assertThat(backup.<String, String>map("gap").get(keys.get(0))).isEqualTo("v3");
        }
    }
}
