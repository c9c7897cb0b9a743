package io.tessera.grid;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.grid.testing.GridCluster;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Calls that one caller pipelines on one key take effect in the order it made them, also while the key's partition
 * moves: a member joins (migrations) and another leaves (hand-offs), so some calls are rejected by a member that
 * just stopped being the primary and retried while later ones go straight to the new primary. This is what a RESP
 * connection relies on for {@code SET k 1; SET k 2} in one pipeline.
 *
 * <p>One thread keeps up to {@value #WINDOW} asynchronous puts in flight over a few keys, each putting the next number;
 * a put's previous value must be exactly the number before it (a reordered pair shows up as a jump), and a get
 * pipelined after a put must see at least that put.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class CallOrderTest {
    private static final int KEYS = 24;
    private static final int WINDOW = 256;

    private record Put(String key, int value, CompletableFuture<Integer> previous) {
    }

    private record Get(String key, int atLeast, CompletableFuture<Integer> seen) {
    }

    @Test
    void pipelinedCallsOnAKeyTakeEffectInOrder_whileItsPartitionMovesTwice() throws Exception {
        try (GridCluster cluster = GridCluster.start(2)) {
            GridMap<String, Integer> map = cluster.member(0).map("ordered");
            List<String> keys = new ArrayList<>();
            for (int k = 0; k < KEYS; k++) {
                keys.add("key-" + k);
            }
            ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
            int[] next = new int[KEYS];
            ArrayDeque<Put> inFlight = new ArrayDeque<>();
            List<Get> gets = new ArrayList<>();
            long checked = 0;

            Thread churn = new Thread(() -> {
                cluster.addMember();
                cluster.awaitSettled();
                cluster.closeMember(1);
                cluster.awaitSettled();
            }, "churn");
            churn.start();
            while (churn.isAlive() || checked < 20_000) {
                for (int k = 0; k < KEYS; k++) {
                    int value = ++next[k];
                    inFlight.add(new Put(keys.get(k), value, map.putAsync(keys.get(k), value)));
                    if (value % 16 == 0 && gets.size() < 50_000) {
                        gets.add(new Get(keys.get(k), value, map.getAsync(keys.get(k))));
                    }
                }
                while (inFlight.size() > WINDOW) {
                    check(inFlight.poll(), problems);
                    checked++;
                }
            }
            churn.join();
            while (!inFlight.isEmpty()) {
                check(inFlight.poll(), problems);
            }
            for (Get get : gets) {
                Integer seen = get.seen.get(30, TimeUnit.SECONDS);
                if (seen == null || seen < get.atLeast) {
                    problems.add("get of " + get.key + " after put " + get.atLeast + " saw " + seen);
                }
            }
            assertThat(problems).as("calls that took effect out of order").isEmpty();
            for (int k = 0; k < KEYS; k++) {
                assertThat(map.get(keys.get(k))).as(keys.get(k)).isEqualTo(next[k]);
            }
        }
    }

    private static void check(Put put, ConcurrentLinkedQueue<String> problems) throws Exception {
        Integer previous = put.previous.get(30, TimeUnit.SECONDS);
        Integer expected = put.value == 1 ? null : put.value - 1;
        if (!java.util.Objects.equals(previous, expected)) {
            problems.add("put " + put.value + " of " + put.key + " replaced " + previous + ", expected " + expected);
        }
    }
}
