package io.tessera.grid.fencing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tessera.grid.Grid;
import io.tessera.grid.GridMap;
import io.tessera.grid.internal.store.Record;
import io.tessera.grid.testing.ContractProcessors;
import io.tessera.grid.testing.GridCluster;
import io.tessera.grid.testing.ReplicaProbe;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 7, finding 7: retries after a primary dies. docs/architecture.md ("Fencing, epochs and exactly-once"): every
 * call carries a unique id; the primary keeps recent (id → result) per partition, replicated with the backup stream, so
 * a retry after a timeout or a failover returns the first attempt's result instead of applying again.
 *
 * <p>Three members on the {@code local} stack, one backup: a key's primary {@code P}, its backup {@code B} and a
 * caller {@code C}. {@code C} stops hearing {@code P} (DISCARD), so the reply to its call is lost after {@code P}
 * applied the write and {@code B} acknowledged it; then {@code P} is cut off for good (a crash, to the others), the
 * survivors promote {@code B}, and {@code C}'s invoker retries the call on {@code B}.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class RetryAfterFailoverTest {
    private static final String MAP = "retries";

    private record Roles(List<Grid> members, Grid primary, Grid backup, Grid caller, String key) {
    }

    private static GridCluster start() {
        return GridCluster.start(3, b -> b.partitionCount(32).serialization(ContractProcessors.serialization()));
    }

    private static Roles roles(GridCluster cluster) {
        List<Grid> members = cluster.members();
        Grid primary = members.get(1);
        String key = ReplicaProbe.keysWithPrimary(members, primary, "retry-", 1).get(0);
        Grid backup = ReplicaProbe.ownerOf(members, key, 1);
        Grid caller = Faults.others(members, primary, backup).get(0);
        return new Roles(members, primary, backup, caller, key);
    }

    /** The value of {@code key} in {@code member}'s replica, decoded, or null. */
    private static Object valueOn(Grid member, String key) {
        Record r = ReplicaProbe.recordOn(member, MAP, key);
        return r == null ? null : Faults.node(member).serializer().decodeValue(r.value());
    }

    /**
     * Starts {@code call} on the caller with the replies from the primary lost, waits until the backup applied it,
     * runs {@code meanwhile}, cuts the primary off, and returns the call's future (still pending or completed by the
     * retry).
     */
    private static <T> CompletableFuture<T> loseReplyThenCrashPrimary(Roles r, Function<Grid, CompletableFuture<T>> call,
                                                                      BooleanSupplier appliedOnBackup,
                                                                      Runnable meanwhile) {
        Faults.discard(r.caller()).addIgnoredMembers(Faults.address(r.primary()));
        CompletableFuture<T> pending = call.apply(r.caller());
        await("the primary applied the call and its backup acknowledged it").until(appliedOnBackup::getAsBoolean);
        assertThat(pending).as("the reply is lost").isNotDone();
        meanwhile.run();
        List<Grid> survivors = List.of(r.backup(), r.caller());
        Faults.isolate(r.primary(), survivors);
        Faults.awaitPromotedWithout(survivors, r.primary());
        return pending;
    }

    private static <T> T outcome(CompletableFuture<T> f) {
        return f.orTimeout(30, TimeUnit.SECONDS).join();
    }

    @Test
    void remove_whoseReplyWasLost_returnsTheRemovedValueAfterFailover() {
        try (GridCluster cluster = start()) {
            Roles r = roles(cluster);
            try {
                r.caller().<String, String>map(MAP).put(r.key(), "removed-value");
                CompletableFuture<String> removed = loseReplyThenCrashPrimary(r,
                        c -> c.<String, String>map(MAP).removeAsync(r.key()).toCompletableFuture(),
                        () -> valueOn(r.backup(), r.key()) == null, () -> { });
                assertThat(outcome(removed))
                        .as("what remove(%s) returns when its first attempt removed the value and the retry ran on the "
                                + "promoted backup", r.key())
                        .isEqualTo("removed-value");
            } finally {
                Faults.crashAll(r.members());
            }
        }
    }

    @Test
    void put_whoseReplyWasLost_returnsThePreviousValueNotItsOwn() {
        try (GridCluster cluster = start()) {
            Roles r = roles(cluster);
            try {
                r.caller().<String, String>map(MAP).put(r.key(), "previous");
                CompletableFuture<String> put = loseReplyThenCrashPrimary(r,
                        c -> c.<String, String>map(MAP).putAsync(r.key(), "mine").toCompletableFuture(),
                        () -> "mine".equals(valueOn(r.backup(), r.key())), () -> { });
                assertThat(outcome(put))
                        .as("what put(%s, mine) returns as the previous value after its retry on the promoted backup",
                                r.key())
                        .isEqualTo("previous");
            } finally {
                Faults.crashAll(r.members());
            }
        }
    }

    @Test
    void retriedPut_doesNotOverwriteANewerAcknowledgedWrite() {
        try (GridCluster cluster = start()) {
            Roles r = roles(cluster);
            try {
                r.caller().<String, String>map(MAP).put(r.key(), "previous");
                CompletableFuture<String> put = loseReplyThenCrashPrimary(r,
                        c -> c.<String, String>map(MAP).putAsync(r.key(), "older").toCompletableFuture(),
                        () -> "older".equals(valueOn(r.backup(), r.key())),
                        // a newer write, acknowledged after the first attempt was applied
                        () -> r.backup().<String, String>map(MAP).put(r.key(), "newer-acknowledged"));
                String returned = outcome(put);
                assertThat(r.backup().<String, String>map(MAP).get(r.key()))
                        .as("%s after put(older) (applied first, reply lost, retried after the failover: returned %s) "
                                + "and an acknowledged put(newer-acknowledged) that came after its first attempt",
                                r.key(), returned)
                        .isEqualTo("newer-acknowledged");
            } finally {
                Faults.crashAll(r.members());
            }
        }
    }

    @Test
    void increment_whoseReplyWasLost_returnsTheFirstResult_andCountsOnce() {
        try (GridCluster cluster = start()) {
            Roles r = roles(cluster);
            try {
                r.caller().<String, Integer>map(MAP).put(r.key(), 41);
                CompletableFuture<Integer> incremented = loseReplyThenCrashPrimary(r,
                        c -> c.<String, Integer>map(MAP).executeOnKeyAsync(r.key(),
                                new ContractProcessors.Increment(1)).toCompletableFuture(),
                        () -> Objects.equals(42, valueOn(r.backup(), r.key())), () -> { });
                Throwable failure = null;
                Integer result = null;
                try {
                    result = outcome(incremented);
                } catch (RuntimeException e) {
                    failure = e.getCause() != null ? e.getCause() : e;
                }
                assertThat(failure).as("an increment applied once, whose reply was lost, after the failover").isNull();
                assertThat(result).isEqualTo(42);
                assertThat(r.caller().<String, Integer>map(MAP).get(r.key())).as("the counter").isEqualTo(42);
            } finally {
                Faults.crashAll(r.members());
            }
        }
    }

    /** How many call results the replicas of {@code member} keep, over every partition. */
    private static int resultsKept(Grid member) {
        var node = ReplicaProbe.node(member);
        int total = 0;
        for (int p = 0; p < 32; p++) {
            CompletableFuture<Integer> size = new CompletableFuture<>();
            node.replicas().execute(p, replica -> size.complete(replica.results().size()));
            total += size.join();
        }
        return total;
    }

    @Test
    void resultsOfFinishedCalls_areForgotten_byTheWatermarkOfEveryCallingThread()
            throws Exception {
        try (GridCluster cluster = start()) {
            Grid caller = cluster.member(0);
            GridMap<String, Integer> map = caller.map(MAP);
            List<Thread> threads = new java.util.ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                Thread writer = new Thread(() -> {
                    for (int i = 0; i < 1_000; i++) {
                        map.set("t" + thread + "-" + (i % 100), i);
                    }
                });
                writer.start();
                threads.add(writer);
            }
            for (Thread t : threads) {
                t.join();
            }
            Thread.sleep(5); // past the watermark's refresh interval
            // The watermark reaches a primary with the next call on its partition: one more write on each.
            for (int i = 0; i < 32; i++) {
                map.set(ReplicaProbe.keysOwnedBy(cluster.members(), cluster.members().get(i % 3), 0, "last-" + i, 1)
                        .get(0), i);
            }
            int kept = cluster.members().stream().mapToInt(RetryAfterFailoverTest::resultsKept).sum();
            // 4,000 writes made results on their primaries and backups; what is left is the last calls' own.
            assertThat(kept).isLessThan(300);
        }
    }
}
