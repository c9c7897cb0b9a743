package io.tessera.session.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.tessera.grid.Grid;
import io.tessera.grid.GridStatus;
import java.util.List;

/**
 * The session meters of one web application on one node, in its grid's {@link Grid#meterRegistry()}, tagged with
 * {@code member} (the grid member) and {@code map} (the application's session map); removed when the filter is
 * destroyed. Counts are what this node did: sessions it created, expired (it won the expiry claim) or invalidated,
 * and the attribute bytes each of its requests wrote. The active gauge is cluster-wide when summed over the nodes:
 * each node counts the sessions whose record it holds as primary.
 *
 * <p>Threads: request threads and the expiry thread count; meters are thread-safe.
 */
final class SessionMeters implements AutoCloseable {
    private final MeterRegistry registry;
    private final Counter created;
    private final Counter expired;
    private final Counter invalidated;
    private final DistributionSummary attributeBytes;
    private final Gauge active;

    SessionMeters(Grid grid, String mapName) {
        this.registry = grid.meterRegistry();
        Tags tags = Tags.of("member", grid.localMember().name(), "map", mapName);
        this.created = Counter.builder("tessera.sessions.created").description("Sessions this node created")
                .tags(tags).register(registry);
        this.expired = Counter.builder("tessera.sessions.expired")
                .description("Sessions that timed out and whose end this node handled (listeners, unbinding)")
                .tags(tags).register(registry);
        this.invalidated = Counter.builder("tessera.sessions.invalidated")
                .description("Sessions a request on this node invalidated").tags(tags).register(registry);
        this.attributeBytes = DistributionSummary.builder("tessera.sessions.attribute.bytes")
                .description("Attribute bytes a request on this node wrote to its session (0 for one that only "
                        + "marked an access)")
                .baseUnit("bytes").tags(tags).register(registry);
        // Two grid entries per session (the record and its access timer), both in one partition; Grid.status() reads
        // the primary share from the member's own accounts, without a message.
        this.active = Gauge.builder("tessera.sessions.active", () -> grid.status().maps().stream()
                        .filter(m -> m.name().equals(mapName)).mapToLong(GridStatus.MapStatus::entries).sum() / 2)
                .description("Sessions whose record this node holds as primary (sum over the nodes: the cluster's)")
                .tags(tags).register(registry);
    }

    void created() {
        created.increment();
    }

    void expired() {
        expired.increment();
    }

    void invalidated() {
        invalidated.increment();
    }

    void attributesWritten(long bytes) {
        attributeBytes.record(bytes);
    }

    @Override
    public void close() {
        for (Meter meter : List.of(created, expired, invalidated, attributeBytes, active)) {
            registry.remove(meter);
        }
    }
}
