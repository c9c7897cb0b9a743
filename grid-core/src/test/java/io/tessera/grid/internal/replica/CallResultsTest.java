package io.tessera.grid.internal.replica;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.grid.internal.wire.WireReader;
import io.tessera.grid.internal.wire.WireWriter;
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
}
