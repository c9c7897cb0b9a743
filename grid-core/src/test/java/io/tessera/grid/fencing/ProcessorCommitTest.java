package io.tessera.grid.fencing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.tessera.grid.EntryProcessor;
import io.tessera.grid.Grid;
import io.tessera.grid.GridMap;
import io.tessera.grid.MultiKeyProcessor;
import io.tessera.grid.MutableEntry;
import io.tessera.grid.SerializationConfig;
import io.tessera.grid.testing.ContractProcessors.Unregistered;
import io.tessera.grid.testing.GridCluster;
import io.tessera.grid.testing.ReplicaProbe;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 7, finding 6: an entry processor commits even when the call fails. {@link EntryProcessor} and
 * {@link MultiKeyProcessor}: every change a processor makes is applied and replicated together, and a processor
 * "may run again only if the caller retries after an IndeterminateOutcomeException"; so a call that fails with a
 * definite error (here a result or value the serializer refuses) must leave the entries as they were, or a retry
 * applies the change twice.
 *
 * <p>Two members on the {@code local} stack, one backup; the call goes through the backup so it crosses the wire.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProcessorCommitTest {
    private static GridCluster cluster;

    /** Increments an Integer and returns an object of a class nobody registered. */
    static final class IncrementReturningUnregistered implements EntryProcessor<String, Integer, Object> {
        @Override
        public Object process(MutableEntry<String, Integer> entry) {
            entry.setValue((entry.exists() ? entry.getValue() : 0) + 1);
            return new Unregistered("the result");
        }
    }

    /** Sets a valid value on the first key and an unregistered one on the second. */
    static final class SetValidThenUnserializable implements MultiKeyProcessor<String, Object, Object> {
        @Override
        public Object process(List<MutableEntry<String, Object>> entries) {
            entries.get(0).setValue("changed");
            entries.get(1).setValue(new Unregistered("a value"));
            return null;
        }
    }

    @BeforeAll
    static void start() {
        cluster = GridCluster.start(2, b -> b.partitionCount(32).serialization(SerializationConfig.builder()
                .register(IncrementReturningUnregistered.class, 900)
                .register(SetValidThenUnserializable.class, 901).build()));
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void processorWhoseResultCannotBeEncoded_failsWithoutCommittingItsChange() {
        List<Grid> members = cluster.members();
        String key = "counter";
        Grid caller = ReplicaProbe.ownerOf(members, key, 1); // the backup: the call crosses the wire
        GridMap<String, Integer> map = caller.map("counters");
        map.put(key, 0);

        Throwable first = catchThrowable(() -> map.executeOnKey(key, new IncrementReturningUnregistered()));
        Throwable retry = catchThrowable(() -> map.executeOnKey(key, new IncrementReturningUnregistered()));

        assertThat(first).as("the call whose result cannot be encoded").isNotNull();
        assertThat(map.get(key))
                .as("the counter after two calls that both failed (%s)", first)
                .isEqualTo(0);
        assertThat(retry).isNotNull();
    }

    @Test
    void multiKeyProcessorThatFailsOnItsSecondKey_commitsNothingOnItsFirst() {
        GridMap<String, Object> map = cluster.member(0).map("multi");
        List<String> keys = List.of("{tx}.first", "{tx}.second");
        map.put(keys.get(0), "first-before");
        map.put(keys.get(1), "second-before");

        Throwable failure = catchThrowable(() ->
                map.executeOnKeysAsync(keys, new SetValidThenUnserializable()).join());

        assertThat(failure).as("the call that set an unregistered value").isInstanceOf(CompletionException.class);
        assertThat(map.get(keys.get(0)))
                .as("the first key after the processor failed on the second (%s)", failure.getCause())
                .isEqualTo("first-before");
        assertThat(map.get(keys.get(1))).isEqualTo("second-before");
    }
}
