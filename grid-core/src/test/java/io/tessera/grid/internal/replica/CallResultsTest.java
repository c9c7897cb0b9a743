package io.tessera.grid.internal.replica;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.grid.internal.wire.WireReader;
import io.tessera.grid.internal.wire.WireWriter;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Results of recent calls are kept exactly as long as a caller may still retry: until its watermark passes them, or
 * their retention ends; a pending one is never dropped, and a snapshot carries them to a new replica.
 */
class CallResultsTest {

    @Test
    void theWatermarkDropsResultsTheCallerNoLongerWaitsFor() {
        CallResults results = new CallResults();
        for (long seq = 1; seq <= 5; seq++) {
            results.record(new CallId(7, seq), new byte[] {(byte) seq}, CallResults.State.DONE, Long.MAX_VALUE);
        }
        results.record(new CallId(8, 1), new byte[] {1}, CallResults.State.DONE, Long.MAX_VALUE);
        results.acknowledge(7, 4);
        assertThat(results.get(new CallId(7, 3))).isNull();
        assertThat(results.get(new CallId(7, 4)).result()).containsExactly(4);
        assertThat(results.get(new CallId(8, 1))).as("another invoker's").isNotNull();
        assertThat(results.size()).isEqualTo(3);
    }

    @Test
    void retention_dropsSettledResults_butNeverAPendingOne() {
        CallResults results = new CallResults();
        results.record(new CallId(7, 1), new byte[0], CallResults.State.DONE, 100);
        CallResults.Entry pending = results.record(new CallId(7, 2), new byte[0], CallResults.State.PENDING, 100);
        results.expire(200);
        assertThat(results.get(new CallId(7, 1))).isNull();
        assertThat(results.get(new CallId(7, 2))).isSameAs(pending);
        boolean[] woken = {false};
        pending.whenSettled(() -> woken[0] = true);
        pending.settle(CallResults.State.DONE);
        assertThat(woken[0]).isTrue();
        results.expire(200);
        assertThat(results.size()).isZero();
    }

    @Test
    void aSnapshotCarriesTheResults() {
        CallResults results = new CallResults();
        results.record(new CallId(7, 1), new byte[] {42}, CallResults.State.UNCERTAIN, 10_000_000_000L);
        WireWriter out = new WireWriter(64);
        results.writeTo(out, 0);
        CallResults copy = new CallResults();
        copy.readFrom(new WireReader(out.toByteArray()), 0);
        assertThat(copy.get(new CallId(7, 1)).result()).containsExactly(42);
        assertThat(copy.get(new CallId(7, 1)).state()).isEqualTo(CallResults.State.DONE);
    }

    @Test
    void randomCallsWatermarksAndExpiry_agreeWithASortedMapModel() {
        Random random = new Random(11);
        CallResults results = new CallResults();
        // invoker -> sequence -> retainUntil (all recorded DONE, so expiry applies to every one)
        Map<Long, TreeMap<Long, Long>> model = new HashMap<>();
        long[] invokers = {3, -8, 1L << 40, 17, 5};
        long[] next = new long[invokers.length];
        long now = 0;
        for (int step = 0; step < 30_000; step++) {
            int i = random.nextInt(invokers.length);
            long invoker = invokers[i];
            int action = random.nextInt(10);
            if (action < 6) {
                // Mostly in order, sometimes a late or repeated call from up to 20 behind.
                long sequence = random.nextInt(4) == 0 ? Math.max(1, next[i] - random.nextInt(20)) : ++next[i];
                long retain = now + 1 + random.nextInt(500);
                results.record(new CallId(invoker, sequence), new byte[] {(byte) sequence}, CallResults.State.DONE,
                        retain);
                model.computeIfAbsent(invoker, k -> new TreeMap<>()).put(sequence, retain);
            } else if (action < 8) {
                long watermark = Math.max(1, next[i] - random.nextInt(30));
                results.acknowledge(invoker, watermark);
                TreeMap<Long, Long> calls = model.get(invoker);
                if (calls != null) {
                    calls.headMap(watermark).clear();
                }
            } else if (action < 9) {
                now += random.nextInt(100);
                results.expire(now);
                long at = now;
                model.values().forEach(calls -> calls.values().removeIf(retain -> retain - at <= 0));
            } else {
                long sequence = 1 + random.nextInt((int) Math.max(1, next[i] + 5));
                TreeMap<Long, Long> calls = model.get(invoker);
                boolean expected = calls != null && calls.containsKey(sequence);
                assertThat(results.get(new CallId(invoker, sequence)) != null).as("call %d:%d at step %d", invoker,
                        sequence, step).isEqualTo(expected);
            }
            assertThat(results.size()).as("size at step %d", step)
                    .isEqualTo(model.values().stream().mapToInt(Map::size).sum());
        }
        WireWriter out = new WireWriter(1024);
        results.writeTo(out, now);
        CallResults copy = new CallResults();
        copy.readFrom(new WireReader(out.toByteArray()), now);
        assertThat(copy.size()).isEqualTo(results.size());
        model.forEach((invoker, calls) -> calls.keySet().forEach(sequence ->
                assertThat(copy.get(new CallId(invoker, sequence))).isNotNull()));
    }
}
