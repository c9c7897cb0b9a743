package io.tessera.grid;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.grid.testing.ContractProcessors;
import io.tessera.grid.testing.ContractProcessors.Increment;
import io.tessera.grid.testing.GridCluster;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue point 7: "3 members × 8 threads incrementing one key with executeOnKey/merge, 1,000 times each: the result is
 * exactly 24,000; putIfAbsent races have exactly one winner."
 *
 * <p>Beyond the total, every increment must have returned a distinct new value (1..24,000 each exactly once): no two
 * increments saw the same state, so none was lost or applied twice.
 */
@Timeout(value = 60, unit = SECONDS)
class AtomicityTest {
    private static final int MEMBERS = 3;
    private static final int THREADS_PER_MEMBER = 8;
    private static final int THREADS = MEMBERS * THREADS_PER_MEMBER;
    private static final int INCREMENTS = 1_000;
    private static final int TOTAL = THREADS * INCREMENTS;

    private static GridCluster cluster;
    private static ExecutorService pool;

    @BeforeAll
    static void start() {
        cluster = GridCluster.start(MEMBERS, b -> b.serialization(ContractProcessors.serialization()));
        pool = Executors.newFixedThreadPool(THREADS);
    }

    @AfterAll
    static void stop() {
        if (pool != null) {
            pool.shutdownNow();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    /** A thread's work: thread {@code t} runs on member {@code t % MEMBERS}. */
    private interface Work {
        void run(int thread, GridMap<String, Integer> map) throws Exception;
    }

    /** Runs {@code work} on every thread at once and returns the failures. */
    private static List<Throwable> runOnAllThreads(String mapName, Work work) throws Exception {
        CyclicBarrier start = new CyclicBarrier(THREADS);
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int thread = t;
            GridMap<String, Integer> map = cluster.member(t % MEMBERS).map(mapName);
            futures.add(pool.submit(() -> {
                try {
                    start.await();
                    work.run(thread, map);
                } catch (Throwable e) {
                    failures.add(e);
                }
                return null;
            }));
        }
        for (Future<?> f : futures) {
            f.get(50, SECONDS);
        }
        return new ArrayList<>(failures);
    }

    private static void assertEveryValueReturnedOnce(BitSet returned, AtomicInteger duplicates) {
        assertThat(duplicates).as("new values returned twice").hasValue(0);
        assertThat(returned.cardinality()).as("distinct new values returned").isEqualTo(TOTAL);
        assertThat(returned.nextSetBit(0)).isEqualTo(1);
        assertThat(returned.length() - 1).isEqualTo(TOTAL);
    }

    @Test
    void executeOnKey_3Members8ThreadsEach_1000IncrementsEach_isExactly24000() throws Exception {
        BitSet returned = new BitSet(TOTAL + 1);
        AtomicInteger duplicates = new AtomicInteger();
        long began = System.nanoTime();
        List<Throwable> failures = runOnAllThreads("atomic-processor", (thread, map) -> {
            for (int i = 0; i < INCREMENTS; i++) {
                int value = map.executeOnKey("counter", new Increment(1));
                synchronized (returned) {
                    if (returned.get(value)) {
                        duplicates.incrementAndGet();
                    }
                    returned.set(value);
                }
            }
        });
        System.out.printf("FIGURE atomicity executeOnKey: %d increments from %d threads on %d members in %d ms%n",
                TOTAL, THREADS, MEMBERS, (System.nanoTime() - began) / 1_000_000);
        assertThat(failures).isEmpty();
        for (Grid g : cluster.members()) {
            assertThat(g.<String, Integer>map("atomic-processor").get("counter")).isEqualTo(TOTAL);
        }
        assertEveryValueReturnedOnce(returned, duplicates);
    }

    @Test
    void merge_3Members8ThreadsEach_1000IncrementsEach_isExactly24000() throws Exception {
        BitSet returned = new BitSet(TOTAL + 1);
        AtomicInteger duplicates = new AtomicInteger();
        long began = System.nanoTime();
        List<Throwable> failures = runOnAllThreads("atomic-merge", (thread, map) -> {
            for (int i = 0; i < INCREMENTS; i++) {
                int value = map.merge("counter", 1, Integer::sum);
                synchronized (returned) {
                    if (returned.get(value)) {
                        duplicates.incrementAndGet();
                    }
                    returned.set(value);
                }
            }
        });
        System.out.printf("FIGURE atomicity merge: %d increments from %d threads on %d members in %d ms%n",
                TOTAL, THREADS, MEMBERS, (System.nanoTime() - began) / 1_000_000);
        assertThat(failures).isEmpty();
        for (Grid g : cluster.members()) {
            assertThat(g.<String, Integer>map("atomic-merge").get("counter")).isEqualTo(TOTAL);
        }
        assertEveryValueReturnedOnce(returned, duplicates);
    }

    @Test
    void putIfAbsent_raceOf24ThreadsOn3Members_hasExactlyOneWinnerPerKey() throws Exception {
        int keys = 300;
        CyclicBarrier perKey = new CyclicBarrier(THREADS);
        Map<String, Integer> winners = new ConcurrentHashMap<>();
        Map<String, List<Integer>> seenByLosers = new ConcurrentHashMap<>();
        List<Throwable> failures = runOnAllThreads("atomic-put-if-absent", (thread, map) -> {
            for (int k = 0; k < keys; k++) {
                String key = "race-" + k;
                perKey.await(30, SECONDS); // every thread goes for the same key at once
                Integer previous = map.putIfAbsent(key, thread);
                if (previous == null) {
                    Integer other = winners.putIfAbsent(key, thread);
                    if (other != null) {
                        throw new AssertionError(key + " won by threads " + other + " and " + thread);
                    }
                } else {
                    seenByLosers.computeIfAbsent(key, x -> new java.util.concurrent.CopyOnWriteArrayList<>())
                            .add(previous);
                }
            }
        });
        assertThat(failures).isEmpty();
        assertThat(winners).hasSize(keys);
        GridMap<String, Integer> check = cluster.member(1).map("atomic-put-if-absent");
        for (int k = 0; k < keys; k++) {
            String key = "race-" + k;
            Integer winner = winners.get(key);
            assertThat(seenByLosers.get(key)).as("losers of %s", key).hasSize(THREADS - 1)
                    .containsOnly(winner);
            assertThat(check.get(key)).isEqualTo(winner);
        }
        assertThat(check.size()).isEqualTo(keys);
    }

    @Test
    void replaceAndRemoveIfSame_racesHaveExactlyOneWinnerPerKey() throws Exception {
        int keys = 100;
        GridMap<String, Integer> setup = cluster.member(0).map("atomic-cas");
        for (int k = 0; k < keys; k++) {
            setup.put("cas-" + k, -1);
        }
        CyclicBarrier perKey = new CyclicBarrier(THREADS);
        AtomicInteger[] replaceWins = new AtomicInteger[keys];
        AtomicInteger[] removeWins = new AtomicInteger[keys];
        for (int k = 0; k < keys; k++) {
            replaceWins[k] = new AtomicInteger();
            removeWins[k] = new AtomicInteger();
        }
        List<Throwable> failures = runOnAllThreads("atomic-cas", (thread, map) -> {
            for (int k = 0; k < keys; k++) {
                String key = "cas-" + k;
                perKey.await(30, SECONDS);
                if (map.replace(key, -1, thread)) {
                    replaceWins[k].incrementAndGet();
                }
                perKey.await(30, SECONDS);
                Integer current = map.get(key);
                if (current != null && map.remove(key, current)) {
                    removeWins[k].incrementAndGet();
                }
            }
        });
        assertThat(failures).isEmpty();
        for (int k = 0; k < keys; k++) {
            assertThat(replaceWins[k]).as("replace winners of cas-%d", k).hasValue(1);
            assertThat(removeWins[k]).as("remove winners of cas-%d", k).hasValue(1);
        }
        assertThat(cluster.member(2).<String, Integer>map("atomic-cas").isEmpty()).isTrue();
    }
}
