package io.tessera.grid.fencing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import io.tessera.grid.Grid;
import io.tessera.grid.GridMap;
import io.tessera.grid.testing.GridCluster;
import io.tessera.grid.testing.ReplicaProbe;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.jgroups.Address;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 7, finding 1: a cut-off member is never fenced. docs/architecture.md ("Fencing, epochs and exactly-once"): once
 * the survivors promote a replica, the old primary neither acknowledges a write nor serves a read as primary; a member
 * cut off from the cluster refuses with a retryable error until the coordinator has assigned it anew.
 *
 * <p>Three members on the {@code local} stack, one backup. The cut is made with DISCARD: {@link Faults#isolate}
 * (both directions: the member forms a view of its own) or a one-way cut (only the survivors stop hearing it: it keeps
 * its old view and table, as a member just resumed from a long pause does until it learns otherwise). A refusal, a
 * timeout or the new value are all acceptable answers from the old primary; its stale value is not.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class FencingTest {
    private static final int PARTITIONS = 32;
    private static final Duration TIMEOUT = Duration.ofSeconds(4);
    private static final String MAP = "fenced";

    private static GridCluster start() {
        return GridCluster.start(3, b -> b.partitionCount(PARTITIONS).operationTimeout(TIMEOUT));
    }

    /** What a read answered: its value, or the exception it threw. */
    private static Object outcome(Runnable call, AtomicReference<Object> value) {
        Throwable t = catchThrowable(call::run);
        return t != null ? t : value.get();
    }

    @Test
    void cutOffPrimary_servesNoReadAfterSurvivorsPromoted() {
        try (GridCluster cluster = start()) {
            List<Grid> members = cluster.members();
            try {
                Grid x = members.get(1);
                List<Grid> survivors = Faults.others(members, x);
                String key = ReplicaProbe.keysWithPrimary(members, x, "fenced-", 1).get(0);
                GridMap<String, String> onX = x.map(MAP);
                onX.put(key, "old");

                Faults.isolate(x, survivors);
                Faults.awaitPromotedWithout(survivors, x);
                survivors.get(0).<String, String>map(MAP).put(key, "new");

                AtomicReference<Object> read = new AtomicReference<>();
                Object answer = outcome(() -> read.set(onX.get(key)), read);
                assertThat(answer)
                        .as("the read of %s through its old primary %s after the survivors promoted its backup and "
                                + "acknowledged 'new' (a refusal or 'new' are fine)", key, Faults.name(x))
                        .isNotEqualTo("old");
            } finally {
                Faults.crashAll(members);
            }
        }
    }

    /**
     * The lease in numbers: a primary cut off from everyone stops serving within its lease of its last answered ping,
     * well before the survivors can exclude it (FD_ALL3 timeout - interval + VERIFY_SUSPECT2), and stays fenced.
     */
    @Test
    void cutOffPrimary_stopsServingWithinItsLease_beforeTheSurvivorsCanPromote() {
        try (GridCluster cluster = start()) {
            List<Grid> members = cluster.members();
            try {
                Grid x = members.get(1);
                List<Grid> survivors = Faults.others(members, x);
                long lease = Faults.node(x).lease().leaseMillis();
                assertThat(Faults.node(x).servedPrimaries().join()).isNotEmpty();

                long cut = System.nanoTime();
                Faults.isolate(x, survivors);
                await().atMost(Duration.ofMillis(lease * 2)).pollInterval(Duration.ofMillis(5))
                        .until(() -> Faults.node(x).servedPrimaries().join().isEmpty());
                long refusedAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - cut);
                Faults.awaitPromotedWithout(survivors, x);
                long promotedAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - cut);
                System.out.printf("fencing: cut-off primary refused after %d ms (lease %d ms); survivors promoted"
                        + " after %d ms%n", refusedAfter, lease, promotedAfter);
                assertThat(refusedAfter).as("refused before the survivors promoted").isLessThan(promotedAfter);
                assertThat(Faults.node(x).servedPrimaries().join()).as("still fenced after the promotion")
                        .isEmpty();
            } finally {
                Faults.crashAll(members);
            }
        }
    }

    @Test
    void cutOffPrimary_acknowledgesNoWriteAfterSurvivorsPromoted() {
        try (GridCluster cluster = start()) {
            List<Grid> members = cluster.members();
            try {
                Grid x = members.get(1);
                List<Grid> survivors = Faults.others(members, x);
                String key = ReplicaProbe.keysWithPrimary(members, x, "fenced-", 1).get(0);
                GridMap<String, String> onX = x.map(MAP);
                onX.put(key, "old");

                Faults.isolate(x, survivors);
                Faults.awaitPromotedWithout(survivors, x);

                Throwable refused = catchThrowable(() -> onX.put(key, "written-by-the-old-primary"));
                assertThat(refused)
                        .as("a write through %s, the old primary of %s, after the survivors promoted its backup: it "
                                + "must be refused, never acknowledged", Faults.name(x), key)
                        .isNotNull();
            } finally {
                Faults.crashAll(members);
            }
        }
    }

    @Test
    void isolatedMember_doesNotMakeItselfPrimaryOfPartitionsItNeverHeld() {
        try (GridCluster cluster = start()) {
            List<Grid> members = cluster.members();
            try {
                Grid x = members.get(1);
                Address xa = Faults.address(x);
                List<Grid> survivors = Faults.others(members, x);
                String foreign = null;
                for (int i = 0; foreign == null; i++) {
                    String key = "foreign-" + i;
                    if (Faults.table(x).ownerIndex(Faults.partitionOf(x, key), xa) < 0) {
                        foreign = key;
                    }
                }
                int p = Faults.partitionOf(x, foreign);
                survivors.get(0).<String, String>map(MAP).put(foreign, "exists");

                Faults.isolate(x, survivors);
                Faults.awaitView(x, List.of(x), Faults.DETECTION);
                Faults.awaitPromotedWithout(survivors, x);

                // "Never" needs a window: x's own round runs as soon as its one-member view is installed.
                await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                        assertThat(Faults.table(x).ownerIndex(p, xa))
                                .as("%s's owner index in partition %d, of which it never held a replica, in its own "
                                        + "table %s", Faults.name(x), p, Faults.table(x).version())
                                .isNegative());
                GridMap<String, String> onX = x.map(MAP);
                String key = foreign;
                AtomicReference<Object> read = new AtomicReference<>();
                Object answer = outcome(() -> read.set(onX.get(key)), read);
                assertThat(answer)
                        .as("a read through the isolated %s of %s, which exists and lives in partition %d that %s never "
                                + "held (a refusal is fine, 'not found' is not)", Faults.name(x), key, p, Faults.name(x))
                        .isNotNull();
            } finally {
                Faults.crashAll(members);
            }
        }
    }

    @Test
    void excludedMemberThatStillHearsTheCluster_servesNoStaleRead() {
        try (GridCluster cluster = start()) {
            List<Grid> members = cluster.members();
            try {
                Grid x = members.get(1);
                List<Grid> survivors = Faults.others(members, x);
                String key = ReplicaProbe.keysWithPrimary(members, x, "fenced-", 1).get(0);
                GridMap<String, String> onX = x.map(MAP);
                onX.put(key, "old");

                // One way: the survivors stop hearing x, x still hears them, so x never suspects anyone and keeps
                // its view and table. A lease renewed by what x hears (heartbeats) would not fence it.
                survivors.forEach(s -> Faults.discard(s).addIgnoredMembers(Faults.address(x)));
                Faults.awaitPromotedWithout(survivors, x);
                survivors.get(0).<String, String>map(MAP).put(key, "new");

                AtomicReference<Object> read = new AtomicReference<>();
                Object answer = outcome(() -> read.set(onX.get(key)), read);
                assertThat(answer)
                        .as("the read of %s through its old primary %s (excluded, but still hearing the cluster) after "
                                + "the survivors acknowledged 'new' (a refusal or 'new' are fine)", key, Faults.name(x))
                        .isNotEqualTo("old");
            } finally {
                Faults.crashAll(members);
            }
        }
    }
}
