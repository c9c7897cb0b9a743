package io.tessera.grid.internal;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import io.tessera.grid.internal.membership.MembershipCoordinator;
import io.tessera.grid.internal.merge.MergeService;
import io.tessera.grid.internal.migration.MigrationService;
import io.tessera.grid.internal.nearcache.NearCache;
import io.tessera.grid.internal.operation.Invoker;
import io.tessera.grid.internal.operation.OpCode;
import io.tessera.grid.internal.operation.OperationTimers;
import io.tessera.grid.internal.partition.PartitionTable;
import io.tessera.grid.internal.replica.PartitionReplicas;
import io.tessera.grid.internal.store.MemoryAccount;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import org.jgroups.Address;

/**
 * The Micrometer meters of one member, registered in its {@code GridConfig.meterRegistry()} when it starts and removed
 * when it closes, so that members that share a registry (several in one JVM) leave nothing of theirs behind. Every
 * name starts with {@code tessera.}; every meter has the tag {@code member} (the member's name, which must therefore be
 * unique among the members that share a registry) and, where it applies, {@code map}. Near caches are the exception to
 * the names: they are bound by Micrometer's {@link CaffeineCacheMetrics} under its standard {@code cache.*} names (tag
 * {@code cache} = the map), so that stock cache dashboards show them.
 *
 * <p>Almost every meter is a gauge or function counter over a figure the grid keeps anyway (the maps' memory accounts,
 * the invoker's counters, the partition table), read when the registry is scraped; the hot path pays only for the
 * operation timers ({@link OperationTimers}: a clock read and a timer record per call, and the percentiles of one call
 * in eight, {@code tessera.operations.sampled}, for their cost). Percentiles are computed in the client (p50, p99,
 * p999 over a sliding window); for Prometheus histograms an application adds a {@code MeterFilter} that turns on
 * {@code percentilesHistogram} for {@code tessera.operations} in its own registry.
 *
 * <p>Threads: built and closed by the member's start and close, maps' meters registered on the member's timer thread,
 * near caches' on the thread that opens the map, all under this object's lock (so none is added after the close);
 * meters are read by whatever thread scrapes.
 */
final class MemberMeters implements AutoCloseable {
    private final MeterRegistry registry;
    private final String member;
    private final Tags tags;
    private final List<Meter> meters = new ArrayList<>();
    private final Set<String> mapsRegistered = new HashSet<>(); // guarded by this
    private final Set<String> nearCachesBound = new HashSet<>(); // guarded by this
    private boolean closed; // guarded by this

    /** The meters made before the services that record into them exist. */
    final OperationTimers operationTimers;
    final Timer migrationTimer;
    final Timer roundTimer;

    MemberMeters(MeterRegistry registry, String member) {
        this.registry = registry;
        this.member = member;
        this.tags = Tags.of("member", member);
        Map<OpCode.Kind, Timer> all = new EnumMap<>(OpCode.Kind.class);
        Map<OpCode.Kind, Timer> sampled = new EnumMap<>(OpCode.Kind.class);
        for (OpCode.Kind kind : OpCode.Kind.values()) {
            all.put(kind, add(Timer.builder("tessera.operations")
                    .description("Map operations this member invoked, as the caller sees them: from the call to its "
                            + "completion, retries and the wait for backups included (recorded at the caller, every "
                            + "call)")
                    .tags(tags).tag("kind", kind.tag())
                    .register(registry)));
            sampled.put(kind, add(Timer.builder("tessera.operations.sampled")
                    .description("Latency percentiles of the map operations this member invoked, from a sample of "
                            + "one call in eight (recorded at the caller)")
                    .tags(tags).tag("kind", kind.tag())
                    .publishPercentiles(0.5, 0.99, 0.999)
                    .register(registry)));
        }
        this.operationTimers = new OperationTimers(all, sampled);
        this.migrationTimer = add(Timer.builder("tessera.migrations.duration")
                .description("Partition copies this member sent as their source, from the snapshot point until "
                        + "every new replica installed it")
                .tags(tags).register(registry));
        this.roundTimer = add(Timer.builder("tessera.rebalance.duration")
                .description("Rebalancing rounds that copied partitions, run by this member as coordinator")
                .tags(tags).register(registry));
    }

    /**
     * Registers the meters over the member's services, once they exist; the meters of maps that appear later are
     * registered on {@code executor}, since a map's account may first be made on a partition thread, which must not
     * wait for the registry's lock.
     */
    void bind(Invoker invoker, PartitionReplicas replicas, MigrationService migration,
              MembershipCoordinator coordinator, MergeService merges, Executor executor) {
        Address self = replicas.self();
        counter("tessera.operations.retries", "Attempts of operations this member retried (recorded at the caller)",
                invoker, Invoker::retries);
        counter("tessera.operations.indeterminate", "Writes this member invoked that ended with an indeterminate "
                + "outcome (recorded at the caller)", invoker, Invoker::indeterminateOutcomes);
        counter("tessera.operations.remote", "Operations this member sent to another member's primary", invoker,
                Invoker::remoteInvocations);

        gauge("tessera.partitions.table.version", "The version of the partition table this member routes by",
                () -> replicas.table().version());
        gauge("tessera.partitions.primary", "Partitions the table gives this member as primary",
                () -> count(replicas.table(), self, Role.PRIMARY));
        gauge("tessera.partitions.backup", "Partitions the table gives this member as a backup",
                () -> count(replicas.table(), self, Role.BACKUP));
        gauge("tessera.partitions.syncing", "Partitions the table has copied to this member as a new replica now",
                () -> count(replicas.table(), self, Role.SYNCING));
        gauge("tessera.partitions.unowned", "Partitions the table gives no owner (lost until restarted)",
                () -> count(replicas.table(), self, Role.NONE));
        counter("tessera.partitions.lost", "Partitions this member, as coordinator, found with every replica gone",
                coordinator, MembershipCoordinator::lostPartitions);

        gauge("tessera.backup.inflight", "Replication messages this member's primaries sent that wait for their "
                + "acknowledgements, over all partitions", () -> backups(replicas, false));
        gauge("tessera.backup.inflight.max", "The most replication messages one partition of this member waits "
                + "for", () -> backups(replicas, true));
        add(TimeGauge.builder("tessera.backup.lag", replicas, TimeUnit.NANOSECONDS, MemberMeters::oldestUnacknowledged)
                .description("The age of the oldest replication message this member's primaries wait for, over all "
                        + "partitions (0 when none waits)")
                .tags(tags).register(registry));
        counter("tessera.backup.resyncs", "Snapshots this member sent to backups that found a gap", migration,
                MigrationService::resyncsServed);

        gauge("tessera.migrations.running", "Partition copies this member sends now", () -> migration.running().size());
        counter("tessera.migrations.completed", "Partition copies this member completed as their source", migration,
                MigrationService::completedCopies);
        counter("tessera.migrations.failed", "Partition copies this member started as their source that failed",
                migration, MigrationService::failedCopies);
        add(FunctionCounter.builder("tessera.migrations.bytes", migration, MigrationService::bytesSent)
                .description("Snapshot bytes this member sent for partition copies").baseUnit("bytes")
                .tags(tags).register(registry));
        counter("tessera.rebalance.rounds", "Rebalancing rounds that copied partitions, run by this member as "
                + "coordinator", coordinator, MembershipCoordinator::roundsRun);
        gauge("tessera.rebalance.partitions", "Partitions the round this member coordinates copies now (0: none)",
                coordinator::roundPartitions);
        gauge("tessera.rebalance.partitions.copied", "Partitions the round this member coordinates copied so far, "
                + "by the members' reports", coordinator::roundPartitionsCopied);
        add(FunctionCounter.builder("tessera.rebalance.bytes", coordinator, MembershipCoordinator::bytesCopied)
                .description("Snapshot bytes the rounds this member coordinated moved").baseUnit("bytes")
                .tags(tags).register(registry));

        counter("tessera.merges.entries", "Entries this member's primaries merged in after a split", merges,
                MergeService::entriesMerged);
        counter("tessera.merges.dropped", "Merged entries this member's primaries dropped by the merge policy",
                merges, MergeService::entriesDropped);
        counter("tessera.merges.captures", "Captured replicas this member pushed into new primaries after a split",
                merges, MergeService::capturesPushed);

        replicas.accounts().onCreated(account -> {
            try {
                executor.execute(() -> registerMap(account));
            } catch (RejectedExecutionException e) {
                // the member is closing: its meters go anyway
            }
        });
        replicas.accounts().all().forEach(this::registerMap);
    }

    /** Registers the meters of one map, once. */
    private synchronized void registerMap(MemoryAccount account) {
        String map = account.mapName();
        if (closed || !mapsRegistered.add(map)) {
            return;
        }
        Tags mapTags = tags.and("map", map);
        add(Gauge.builder("tessera.map.entries", account, MemoryAccount::entries)
                .description("Entries of the map this member holds, as primary or backup").tags(mapTags)
                .register(registry));
        add(Gauge.builder("tessera.map.bytes", account, MemoryAccount::bytes)
                .description("Estimated heap the map's entries take on this member, as primary or backup")
                .baseUnit("bytes").tags(mapTags).register(registry));
        add(FunctionCounter.builder("tessera.map.operations", account, MemoryAccount::operations)
                .description("Operations on the map this member executed as primary (recorded at the primary)")
                .tags(mapTags).register(registry));
        add(FunctionCounter.builder("tessera.map.evictions", account, MemoryAccount::evictions)
                .description("Entries of the map this member's primaries evicted").tags(mapTags).register(registry));
        add(FunctionCounter.builder("tessera.map.expirations", account, MemoryAccount::expirations)
                .description("Entries of the map this member's primaries removed because they expired")
                .tags(mapTags).register(registry));
    }

    /** Binds the near cache of {@code map} (hits, misses, evictions, size), once. */
    synchronized void bindNearCache(String map, NearCache nearCache) {
        if (closed || !nearCachesBound.add(map)) {
            return;
        }
        CaffeineCacheMetrics.monitor(registry, nearCache.cache(), map, tags.and("map", map));
    }

    private void gauge(String name, String description, Supplier<Number> value) {
        add(Gauge.builder(name, value).description(description).tags(tags).register(registry));
    }

    private <T> void counter(String name, String description, T source, ToDoubleFunction<T> count) {
        add(FunctionCounter.builder(name, source, count).description(description).tags(tags).register(registry));
    }

    private synchronized <M extends Meter> M add(M meter) {
        meters.add(meter);
        return meter;
    }

    /** Removes every meter of this member from the registry, near caches' included. */
    @Override
    public synchronized void close() {
        closed = true;
        meters.forEach(registry::remove);
        meters.clear();
        // The cache binder's meters were not made here: find them by this member's tag.
        for (Meter meter : registry.getMeters()) {
            if (member.equals(meter.getId().getTag("member")) && meter.getId().getTag("cache") != null) {
                registry.remove(meter);
            }
        }
    }

    /**
     * Removes every {@code tessera.} meter tagged with member {@code member} from {@code registry}: the clean-up of a
     * member that failed to start after it registered some.
     */
    static void removeAll(MeterRegistry registry, String member) {
        if (member == null) {
            return;
        }
        for (Meter meter : registry.getMeters()) {
            Meter.Id id = meter.getId();
            if (member.equals(id.getTag("member")) && (id.getName().startsWith("tessera.")
                    || id.getTag("cache") != null)) {
                registry.remove(meter);
            }
        }
    }

    private enum Role { PRIMARY, BACKUP, SYNCING, NONE }

    private static int count(PartitionTable table, Address self, Role role) {
        int count = 0;
        for (int p = 0; p < table.partitionCount(); p++) {
            boolean counts = switch (role) {
                case PRIMARY -> table.ownerIndex(p, self) == 0;
                case BACKUP -> table.ownerIndex(p, self) > 0;
                case SYNCING -> table.isSyncing(p, self);
                case NONE -> table.version() > 0 && table.owners(p).length == 0;
            };
            if (counts) {
                count++;
            }
        }
        return count;
    }

    private static int backups(PartitionReplicas replicas, boolean max) {
        int total = 0;
        int most = 0;
        for (int p = 0; p < replicas.partitionCount(); p++) {
            int inFlight = replicas.backupsInFlight(p);
            total += inFlight;
            most = Math.max(most, inFlight);
        }
        return max ? most : total;
    }

    private static double oldestUnacknowledged(PartitionReplicas replicas) {
        long now = System.nanoTime();
        long oldest = 0;
        for (int p = 0; p < replicas.partitionCount(); p++) {
            long sent = replicas.oldestUnacknowledgedNanos(p);
            if (sent != 0) {
                oldest = Math.max(oldest, now - sent);
            }
        }
        return oldest;
    }
}
