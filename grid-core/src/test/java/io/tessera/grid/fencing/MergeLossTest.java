package io.tessera.grid.fencing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tessera.grid.Grid;
import io.tessera.grid.GridMap;
import io.tessera.grid.internal.merge.MergePrepare;
import io.tessera.grid.internal.partition.PartitionTable;
import io.tessera.grid.internal.wire.MessageType;
import io.tessera.grid.testing.GridCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.jgroups.Address;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 7, finding 3: a merge loses acknowledged writes. DESIGN ("Split brain"): when the halves meet again, the
 * replicas of the halves are merged entry by entry by the map's merge policy (LATEST_UPDATE); the issue adds: every
 * pushed entry is applied or the round retries, and the losing side stops acknowledging before its records are
 * copied.
 *
 * <p>Four members on the {@code local} stack, one backup, split two against two with DISCARD. Each half keeps a
 * primary and a backup for every partition, so each half acknowledges writes with a real backup, as a legitimately
 * split cluster without a quorum setting does. Which half's table survives the merge depends on which member
 * coordinates the merged view, so each test treats both halves alike.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class MergeLossTest {
    private static final int PARTITIONS = 32;
    private static final int KEYS_PER_HALF = 20;
    private static final String MAP = "merged";

    private static GridCluster start() {
        return GridCluster.start(4, b -> b.partitionCount(PARTITIONS).operationTimeout(Duration.ofSeconds(2)));
    }

    /** Whether {@code r} is a batch of merged entries, the unit of a split-brain merge push. */
    private static boolean isMergeOp(MessageGate.Request r) {
        return r.type() == MessageType.MERGE_ENTRIES;
    }

    /**
     * Splits the four members two against two, writes keys on each half, and returns key → acknowledged value. An
     * even split keeps both halves serving the partitions each holds a replica of (a partition whose replicas are
     * both on the other half waits for them): the keys are taken from partitions with one replica on each half, which
     * both halves serve, so each half's writes must be merged into the other's.
     */
    private static Map<String, String> splitAndWriteOnBothHalves(List<Grid> members) {
        List<Grid> h1 = members.subList(0, 2);
        List<Grid> h2 = members.subList(2, 4);
        members.forEach(g -> g.map(MAP));
        PartitionTable before = Faults.table(members.get(0));
        Set<Address> first = Set.of(Faults.address(h1.get(0)), Faults.address(h1.get(1)));
        List<Integer> straddling = new ArrayList<>();
        for (int p = 0; p < PARTITIONS; p++) {
            Address[] owners = before.owners(p);
            if (owners.length == 2 && first.contains(owners[0]) != first.contains(owners[1])) {
                straddling.add(p);
            }
        }
        assertThat(straddling).as("partitions with a replica on each half").isNotEmpty();
        Faults.split(h1, h2);
        awaitServing(h1);
        awaitServing(h2);
        Map<String, String> acknowledged = new LinkedHashMap<>();
        for (int i = 0; i < KEYS_PER_HALF; i++) {
            int p = straddling.get(i % straddling.size());
            String k1 = Faults.keyIn(h1.get(0), p, "h1-" + i + "-");
            h1.get(0).<String, String>map(MAP).put(k1, "written-on-h1");
            acknowledged.put(k1, "written-on-h1");
            String k2 = Faults.keyIn(h2.get(0), p, "h2-" + i + "-");
            h2.get(0).<String, String>map(MAP).put(k2, "written-on-h2");
            acknowledged.put(k2, "written-on-h2");
        }
        return acknowledged;
    }

    /** Waits until {@code half} sees only itself and both of its members act as primaries again. */
    private static void awaitServing(List<Grid> half) {
        half.forEach(g -> Faults.awaitView(g, half, Faults.DETECTION));
        await("both members of the half hold their leases").atMost(Faults.DETECTION).pollInterval(Duration.ofMillis(20))
                .until(() -> half.stream().allMatch(g -> Faults.node(g).lease().holds()));
    }

    private static Map<String, String> missingOrWrong(GridMap<String, String> map, Map<String, String> expected) {
        Map<String, String> wrong = new LinkedHashMap<>();
        expected.forEach((k, v) -> {
            String actual = map.get(k);
            if (!v.equals(actual)) {
                wrong.put(k, String.valueOf(actual));
            }
        });
        return wrong;
    }

    /**
     * 3a. A merge push that fails must be retried, never dropped: here every batch of merged entries of the first
     * push is lost on the way (dropped above UNICAST3 on the pushing member, so it is never retransmitted and times
     * out), as an overloaded or briefly unreachable surviving primary would make it. After the table settles and the
     * pushes are done, every write acknowledged on either half is there.
     */
    @Test
    void mergePushThatFails_isRetried_soNoAcknowledgedWriteOfEitherHalfIsLost() {
        try (GridCluster cluster = start()) {
            List<Grid> members = cluster.members();
            try {
                Map<String, String> acknowledged = splitAndWriteOnBothHalves(members);

                AtomicLong firstDrop = new AtomicLong();
                AtomicInteger dropped = new AtomicInteger();
                for (Grid g : members) {
                    MessageGate.on(g).dropOutgoing(r -> {
                        if (!isMergeOp(r)) {
                            return false;
                        }
                        long now = System.nanoTime();
                        firstDrop.compareAndSet(0, now);
                        // Only the first push: a round that retries after its failures gets through.
                        if (now - firstDrop.get() < TimeUnit.SECONDS.toNanos(2)) {
                            dropped.incrementAndGet();
                            return true;
                        }
                        return false;
                    });
                }
                Faults.heal(members);
                Faults.awaitSettled(members, Faults.MERGE);

                assertThat(dropped.get()).as("merge batches dropped from the first push").isPositive();
                Faults.awaitMergesPushed(members);
                assertThat(missingOrWrong(members.get(0).map(MAP), acknowledged))
                        .as("writes acknowledged on either half, read after the merge settled, when the first merge "
                                + "push lost %d entries on the way", dropped.get())
                        .isEmpty();
            } finally {
                Faults.crashAll(members);
            }
        }
    }

    /**
     * 3b. The losing side must stop acknowledging before its records are copied for the push: at the moment the
     * coordinator asks a member of the losing half to capture its replicas for the merge, a new key of one of them is
     * written through that member, the partition's primary under the losing table. Either the write runs before the
     * capture (and is merged with it) or the capture froze the replica and the write is retried against the merged
     * table; if it is acknowledged, it survives the merge.
     */
    @Test
    void writeAcknowledgedByTheLosingHalfDuringTheMergePush_isNotLost() {
        try (GridCluster cluster = start()) {
            List<Grid> members = cluster.members();
            try {
                Map<String, String> acknowledged = splitAndWriteOnBothHalves(members);

                AtomicBoolean fired = new AtomicBoolean();
                AtomicReference<String> lateKey = new AtomicReference<>();
                AtomicReference<CompletableFuture<String>> lateWrite = new AtomicReference<>();
                for (Grid g : members) {
                    MessageGate.on(g).dropOutgoing(r -> {
                        if (r.type() != MessageType.MERGE_PREPARE || fired.get()) {
                            return false;
                        }
                        Grid loser = members.stream().filter(m -> Faults.address(m).equals(r.destination()))
                                .findFirst().orElseThrow();
                        for (int p : MergePrepare.readFrom(r.body()).partitions()) {
                            if (Faults.address(loser).equals(Faults.table(loser).primary(p))
                                    && fired.compareAndSet(false, true)) {
                                String key = Faults.keyIn(loser, p, "late-");
                                lateKey.set(key);
                                lateWrite.set(loser.<String, String>map(MAP).putAsync(key, "written-during-the-push")
                                        .toCompletableFuture());
                                break;
                            }
                        }
                        return false;
                    });
                }
                Faults.heal(members);
                Faults.awaitSettled(members, Faults.MERGE);

                assertThat(fired.get()).as("a member of the losing half was asked to capture a partition it leads")
                        .isTrue();
                Faults.awaitMergesPushed(members);
                boolean acked;
                try {
                    lateWrite.get().get(10, TimeUnit.SECONDS);
                    acked = true;
                } catch (Exception e) {
                    acked = false; // not acknowledged: nothing is promised about it
                }
                System.out.println("write of " + lateKey.get() + " during the merge push acknowledged: " + acked);
                if (acked) {
                    acknowledged.put(lateKey.get(), "written-during-the-push");
                }
                assertThat(missingOrWrong(members.get(0).map(MAP), acknowledged))
                        .as("writes acknowledged on either half, and %s acknowledged by a primary of the losing half "
                                + "after it copied its records for the merge push (acknowledged: %s)", lateKey.get(),
                                acked)
                        .isEmpty();
            } finally {
                Faults.crashAll(members);
            }
        }
    }
}
