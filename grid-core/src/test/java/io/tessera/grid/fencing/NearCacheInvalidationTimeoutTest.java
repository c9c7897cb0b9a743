package io.tessera.grid.fencing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.tessera.grid.Grid;
import io.tessera.grid.GridMap;
import io.tessera.grid.MapConfig;
import io.tessera.grid.NearCacheConfig;
import io.tessera.grid.internal.wire.MessageType;
import io.tessera.grid.testing.GridCluster;
import io.tessera.grid.testing.ReplicaProbe;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 7, finding 8, second half: an invalidation that times out is logged and the write acknowledged anyway.
 * {@link NearCacheConfig}: a write's future completes only after every member with a near cache of the map dropped
 * its copy, so once a write returned on any member, a read on any member returns that value or a newer one.
 *
 * <p>Three members on the {@code local} stack; member {@code x} near-caches a key and then stops receiving
 * invalidations (its incoming EVENT requests are dropped above UNICAST3; it stays in the view). A write through
 * another member may fail (the invalidation was not confirmed), but if it returns, {@code x} must not serve the old
 * value.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NearCacheInvalidationTimeoutTest {
    private static final MapConfig NEAR = MapConfig.builder().nearCache(NearCacheConfig.ofMaxSize(1_000)).build();

    @Test
    void writeWhoseInvalidationTimedOut_isNotAcknowledgedWhileANearCacheServesTheOldValue() {
        try (GridCluster cluster = GridCluster.start(3, b -> b.partitionCount(32)
                .operationTimeout(Duration.ofSeconds(2)))) {
            List<Grid> members = cluster.members();
            Grid x = members.get(1);
            Grid writer = Faults.others(members, x).get(0);
            String key = ReplicaProbe.keysWithPrimary(members, writer, "invalidated-", 1).get(0);
            GridMap<String, String> onX = x.map("near", NEAR);
            GridMap<String, String> onWriter = writer.map("near", NEAR);
            onWriter.put(key, "old");
            assertThat(onX.get(key)).isEqualTo("old"); // cached on x

            MessageGate gate = MessageGate.on(x).dropIncoming(r -> r.type() == MessageType.EVENT);
            Throwable failed = catchThrowable(() -> onWriter.put(key, "new"));
            String read = onX.get(key);
            gate.open();

            assertThat(failed == null ? read : "new")
                    .as("a read through %s right after put(%s, new) returned on %s although %s never confirmed the "
                            + "invalidation", Faults.name(x), key, Faults.name(writer), Faults.name(x))
                    .isEqualTo("new");
        }
    }
}
