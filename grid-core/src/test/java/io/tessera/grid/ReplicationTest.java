package io.tessera.grid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.tessera.grid.internal.GridNode;
import io.tessera.grid.testing.ContractTestSupport;
import io.tessera.grid.testing.GridCluster;
import io.tessera.grid.testing.ReplicaProbe;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.jgroups.Address;
import org.jgroups.protocols.DISCARD;
import org.jgroups.protocols.MsgStats;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The write path's promises (issue point 3 and 4): a synchronous write is acknowledged only after its backup
 * applied it, an asynchronous one at once with the backup converging, and an operation whose primary stays silent
 * ends with the deadline's exception rather than hanging or succeeding.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ReplicationTest {

    private static DISCARD discard(Grid grid) {
        return ((GridNode) grid).cluster().channel().getProtocolStack().findProtocol(DISCARD.class);
    }

    /** A key whose primary is {@code primary}. */
    private static String keyLedBy(Grid any, Address primary, String prefix) {
        for (int i = 0; ; i++) {
            String key = prefix + i;
            if (primary.equals(ContractTestSupport.table(any).primary(ContractTestSupport.partitionOf(key, 256)))) {
                return key;
            }
        }
    }

    @Test
    void syncWrite_isNotAcknowledged_whileItsBackupCannotApplyIt() {
        try (GridCluster cluster = GridCluster.start(2, b -> b.operationTimeout(Duration.ofMillis(1500)))) {
            Grid primary = cluster.member(0);
            Grid backup = cluster.member(1);
            String key = keyLedBy(primary, ContractTestSupport.address(primary), "sync-");
            GridMap<String, String> map = primary.map("replication");
            map.put(key, "before");

            discard(backup).discardAll(true);
            try {
                assertThatThrownBy(() -> map.put(key, "during"))
                        .isInstanceOf(IndeterminateOutcomeException.class)
                        .hasMessageContaining("answered within 1500 ms");
            } finally {
                discard(backup).discardAll(false);
            }
        }
    }

    @Test
    void read_whosePrimaryStaysSilent_failsWithTheDeadline_namingThePartition() {
        try (GridCluster cluster = GridCluster.start(2, b -> b.operationTimeout(Duration.ofMillis(1000)))) {
            Grid caller = cluster.member(0);
            Grid silent = cluster.member(1);
            String key = keyLedBy(caller, ContractTestSupport.address(silent), "silent-");
            GridMap<String, String> map = caller.map("replication");
            map.put(key, "v");

            discard(silent).discardAll(true);
            long start = System.nanoTime();
            try {
                assertThatThrownBy(() -> map.get(key))
                        .isInstanceOf(OperationTimeoutException.class)
                        .hasMessageContaining("partition " + ContractTestSupport.partitionOf(key, 256))
                        .hasMessageContaining("1000 ms");
            } finally {
                discard(silent).discardAll(false);
            }
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        }
    }

    @Test
    void asyncBackups_acknowledgeAtOnce_andTheBackupsConverge() {
        try (GridCluster cluster = GridCluster.start(3)) {
            MapConfig async = MapConfig.builder().asyncBackups(true).build();
            GridMap<String, Integer> map = cluster.member(0).map("async", async);
            for (int i = 0; i < 2_000; i++) {
                map.set("k" + i, i);
            }
            for (Grid g : cluster.members()) {
                assertThat(g.<String, Integer>map("async", async).get("k1999")).isEqualTo(1999);
            }
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(ContractTestSupport.replicaDisagreements(cluster.member(1), "async", async)).isEmpty());
        }
    }

    @Test
    void updatesThatChangeLittleOfALargeValue_shipPatchesToTheBackup_whichFailsOverToTheExactValue() {
        try (GridCluster cluster = GridCluster.start(2)) {
            Grid primary = cluster.member(0);
            Grid backup = cluster.member(1);
            String key = keyLedBy(primary, ContractTestSupport.address(primary), "large-");
            GridMap<String, byte[]> map = primary.map("patches");
            byte[] value = new byte[64 * 1024];
            new java.util.Random(1).nextBytes(value);
            map.set(key, value.clone());

            MsgStats sent = ((GridNode) primary).cluster().channel().getProtocolStack().getTransport()
                    .getMessageStats().enable(true);
            long before = sent.getNumBytesSent();
            for (int i = 0; i < 50; i++) {
                value[(i * 1297) % value.length] ^= (byte) (i + 1);
                map.set(key, value.clone());
            }
            long perUpdate = (sent.getNumBytesSent() - before) / 50;

            // Whole values would be 64 KiB per update; a patch is the changed bytes and the record's stamps.
            assertThat(perUpdate).isLessThan(2_048);
            assertThat(ReplicaProbe.recordOn(backup, "patches", key).value())
                    .isEqualTo(ReplicaProbe.recordOn(primary, "patches", key).value());
            cluster.closeMember(0);
            assertThat(backup.<String, byte[]>map("patches").get(key)).isEqualTo(value);
        }
    }
}
