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
 * Issue 7, finding 3: a merge loses acknowledged writes. docs/architecture.md ("Split and merge"): when the halves meet
 * again, the replicas of the halves are merged entry by entry by the map's merge policy (LATEST_UPDATE); the issue
 * adds: every pushed entry is applied or the round retries, and the losing side stops acknowledging before its records
 * are copied.
 *
 * <p>Four members on the {@code local} stack, one backup, split two against two with DISCARD. The half with the
 * oldest member serves on (the other stays fenced and acknowledges nothing), takes over the partitions whose primary
 * was on the other half, and its newer table is the one the merge keeps; the fenced half's replicas are pushed into
 * it entry by entry, which is what these tests break.
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
     * Writes keys, splits the four members two against two and writes keys on each half; returns key → acknowledged
     * value. Of an even split only the half that kept the oldest member (h1, with the coordinator) goes on serving;
     * the other stays fenced, so its writes are retried until their deadline and never acknowledged (a counter
     * incremented on both halves could not keep both halves' increments through the merge). The keys are taken from
     * partitions with one replica on each half: h1 serves them, h2 holds a replica of each that the merge pushes
     * back.
     */
    private static Map<String, String> splitAndWriteOnBothHalves(List<Grid> members) {
        List<Grid> h1 = members.subList(0, 2);
        List<Grid> h2 = members.subList(2, 4);
        members.forEach(g -> g.map(MAP));
        PartitionTable before = Faults.table(members.get(0));
        Set<Address> first = Set.of(Faults.address(h1.get(0)), Faults.address(h1.get(1)));
        assertThat(members.get(0).members().get(0).name()).as("the oldest member is in h1")
                .isIn(h1.get(0).localMember().name(), h1.get(1).localMember().name());
        List<Integer> straddling = new ArrayList<>();
        for (int p = 0; p < PARTITIONS; p++) {
            Address[] owners = before.owners(p);
            if (owners.length == 2 && first.contains(owners[0]) != first.contains(owners[1])) {
                straddling.add(p);
            }
        }
        assertThat(straddling).as("partitions with a replica on each half").isNotEmpty();
        // Written before the split, so both halves hold them and the fenced half has replicas to push; h1 rewrites
        // every other one during the split, and the pushed older copies must not win.
        Map<String, String> acknowledged = new LinkedHashMap<>();
        List<String> beforeSplit = new ArrayList<>();
        for (int i = 0; i < KEYS_PER_HALF; i++) {
            String key = Faults.keyIn(h1.get(0), straddling.get(i % straddling.size()), "before-" + i + "-");
            h1.get(0).<String, String>map(MAP).put(key, "written-before-the-split");
            acknowledged.put(key, "written-before-the-split");
            beforeSplit.add(key);
        }
        Faults.split(h1, h2);
        awaitServing(h1);
        for (int i = 0; i < beforeSplit.size(); i += 2) {
            h1.get(0).<String, String>map(MAP).put(beforeSplit.get(i), "rewritten-on-h1");
            acknowledged.put(beforeSplit.get(i), "rewritten-on-h1");
        }
        h2.forEach(g -> Faults.awaitView(g, h2, Faults.DETECTION));
        Map<String, CompletableFuture<String>> onTheFencedHalf = new LinkedHashMap<>();
        for (int i = 0; i < KEYS_PER_HALF; i++) {
            int p = straddling.get(i % straddling.size());
            String k1 = Faults.keyIn(h1.get(0), p, "h1-" + i + "-");
            h1.get(0).<String, String>map(MAP).put(k1, "written-on-h1");
            acknowledged.put(k1, "written-on-h1");
            String k2 = Faults.keyIn(h2.get(0), p, "h2-" + i + "-");
            onTheFencedHalf.put(k2, h2.get(0).<String, String>map(MAP).putAsync(k2, "written-on-h2")
                    .toCompletableFuture());
        }
        onTheFencedHalf.forEach((key, write) -> {
            assertThat(write).as("a write on the half without the oldest member, %s", key)
                    .failsWithin(Duration.ofSeconds(30));
        });
        assertThat(h2).as("the half without the oldest member stays fenced")
                .noneMatch(g -> Faults.node(g).lease().holds());
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

                // The push starts on its own thread once the merged table is in place, which can be just after
                // the table reads settled: wait for it rather than assume it has begun.
                await("the first merge push, dropped on the way").atMost(Faults.MERGE)
                        .pollInterval(Duration.ofMillis(20)).until(() -> dropped.get() > 0);
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
