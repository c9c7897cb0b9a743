package io.tessera.grid.fencing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tessera.grid.Grid;
import io.tessera.grid.GridMap;
import io.tessera.grid.MapConfig;
import io.tessera.grid.internal.wire.MessageType;
import io.tessera.grid.testing.GridCluster;
import io.tessera.grid.testing.ReplicaProbe;
import io.tessera.grid.testing.ReplicaProbe.Digest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jgroups.Address;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 7, finding 5: sequence numbers carry no epoch. docs/architecture.md ("Fencing, epochs and exactly-once"):
 * sequence numbers are (epoch, seq); a backup refuses a mutation from an older epoch or from a sender that is not its
 * primary, and a refused mutation is never acknowledged.
 *
 * <p>Three members on the {@code local} stack, two backups, so partition p has a primary {@code P} and backups
 * {@code B1} and {@code B2}. {@code P} writes key k1; the mutation never reaches {@code B1} and is delayed on its way
 * to {@code B2} (held above UNICAST3). {@code P} is cut off; the survivors collect their states (both at sequence
 * n) and promote {@code B1}; the delayed mutation reaches {@code B2} just before the table that promotes {@code B1}
 * (a zombie primary's message in flight), and {@code B2} applies it as n+1 because its table still names {@code P}.
 * The new primary's first write (k2) is also n+1: {@code B2} skips it as already applied and acknowledges it. The
 * replicas of p then differ for good, and an acknowledged write is missing from one of them.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class SequenceEpochTest {
    private static final int PARTITIONS = 32;
    private static final String MAP = "epochs";
    private static final MapConfig TWO_BACKUPS = MapConfig.builder().backups(2).build();

    @Test
    void zombiePrimarysMutationAndNewPrimarysWrite_withTheSameSequence_doNotLeaveReplicasDivergent() {
        try (GridCluster cluster = GridCluster.start(3, b -> b.partitionCount(PARTITIONS).maxBackups(2)
                .operationTimeout(Duration.ofSeconds(4)))) {
            List<Grid> members = cluster.members();
            try {
                Grid zombie = members.get(1);
                String k1 = ReplicaProbe.keysWithPrimary(members, zombie, "epoch-", 1).get(0);
                int p = Faults.partitionOf(zombie, k1);
                String k2 = Faults.keyIn(zombie, p, "epoch-other-");
                Grid b1 = ReplicaProbe.ownerOf(members, k1, 1);
                Grid b2 = ReplicaProbe.ownerOf(members, k1, 2);
                Address zombieAddress = Faults.address(zombie);
                members.forEach(g -> g.map(MAP, TWO_BACKUPS));
                zombie.<String, String>map(MAP, TWO_BACKUPS).put(k1, "base");
                await().until(() -> ReplicaProbe.replicaDisagreement(members, MAP, 2) == null);

                MessageGate.on(b1).dropIncoming(r -> r.type() == MessageType.BACKUP
                        && zombieAddress.equals(r.source()));
                MessageGate gateOnB2 = MessageGate.on(b2).holdIncoming(
                        r -> r.type() == MessageType.BACKUP && zombieAddress.equals(r.source()),
                        r -> r.type() == MessageType.TABLE);
                zombie.<String, String>map(MAP, TWO_BACKUPS).putAsync(k1, "from-the-zombie");
                await("the zombie's mutation is on its way to " + Faults.name(b2))
                        .until(() -> gateOnB2.heldCount() == 1);

                List<Grid> survivors = List.of(b1, b2);
                Faults.isolate(zombie, survivors);
                Faults.awaitPromotedWithout(survivors, zombie);
                Faults.awaitSettled(survivors, Faults.DETECTION);
                assertThat(Faults.table(b1).primary(p)).as("the new primary of %d", p).isEqualTo(Faults.address(b1));

                b1.<String, String>map(MAP, TWO_BACKUPS).put(k2, "acknowledged-by-the-new-primary");

                Digest onB1 = ReplicaProbe.localDigests(b1, MAP).get(p);
                Digest onB2 = ReplicaProbe.localDigests(b2, MAP).get(p);
                assertThat(ReplicaProbe.recordOn(b2, MAP, k2))
                        .as("%s, acknowledged by the new primary %s, on its backup %s (digests: %s on %s, %s on %s)",
                                k2, Faults.name(b1), Faults.name(b2), onB1, Faults.name(b1), onB2, Faults.name(b2))
                        .isNotNull();
                assertThat(onB2.sameContent(onB1))
                        .as("the replicas of partition %d agree: %s on %s, %s on %s", p, onB1, Faults.name(b1), onB2,
                                Faults.name(b2))
                        .isTrue();
            } finally {
                Faults.crashAll(members);
            }
        }
    }
}
