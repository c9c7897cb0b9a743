package io.tessera.grid.internal;

import io.tessera.grid.GridClock;
import io.tessera.grid.internal.cluster.ClusterService;
import io.tessera.grid.internal.membership.MemberReport;
import io.tessera.grid.internal.membership.MemberReports;
import io.tessera.grid.internal.membership.MembershipCoordinator;
import io.tessera.grid.internal.migration.MigrationService;
import io.tessera.grid.internal.partition.PartitionTable;
import io.tessera.grid.internal.replica.PartitionReplicas;
import io.tessera.grid.internal.store.MemoryAccount;
import io.tessera.grid.internal.wire.WireWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jgroups.Address;
import org.jgroups.View;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This member's own figures for its {@link MemberReport} and its status: what it holds as primary (from the maps'
 * per-partition accounts and the table), and its operation rates, taken as the difference of the primaries' operation
 * counts between two reports; and the report itself, sent to every other member every second.
 *
 * <p>Threads: {@link #report} runs on the member's timer thread ({@link #take} is synchronized all the same); the
 * rates it leaves are read by any thread.
 */
final class MemberFigures {
    private static final Logger log = LoggerFactory.getLogger(MemberFigures.class);

    private final PartitionReplicas replicas;
    private final MigrationService migration;
    private final MembershipCoordinator coordinator;
    private final GridClock clock;
    private final ClusterService cluster;
    private final MemberReports reports;
    private final long startedAtMillis;
    private final Map<String, Long> lastOperations = new HashMap<>(); // guarded by this
    private long lastNanos; // guarded by this
    private volatile double opsPerSecond;
    private volatile Map<String, Double> mapOpsPerSecond = Map.of();

    MemberFigures(PartitionReplicas replicas, MigrationService migration, MembershipCoordinator coordinator,
                  ClusterService cluster, MemberReports reports, long startedAtMillis) {
        this.replicas = replicas;
        this.migration = migration;
        this.coordinator = coordinator;
        this.clock = replicas.clock();
        this.cluster = cluster;
        this.reports = reports;
        this.startedAtMillis = startedAtMillis;
    }

    /** Takes this member's figures, files them as its own report, and sends them to every other member. */
    void report() {
        try {
            String address = cluster.physicalAddress();
            MemberReport report = take(address == null ? "" : address);
            reports.file(replicas.self(), report);
            View view = cluster.view();
            if (view == null || view.size() < 2) {
                return;
            }
            List<Address> others = new ArrayList<>(view.getMembers());
            others.remove(replicas.self());
            WireWriter out = report.encode();
            cluster.sendAllOutOfBand(others, out.array(), out.size());
        } catch (RuntimeException e) {
            // The next tick tries again; a status with figures a second old is no reason to stop reporting.
            log.debug("report failed", e);
        }
    }

    /** Takes the figures now, updating the rates, and returns them as this member's report. */
    synchronized MemberReport take(String address) {
        long now = System.nanoTime();
        double seconds = (now - lastNanos) / 1e9;
        Map<String, Double> rates = new HashMap<>();
        double total = 0;
        for (MemoryAccount account : replicas.accounts().all()) {
            long operations = account.operations();
            Long before = lastOperations.put(account.mapName(), operations);
            double rate = lastNanos == 0 || before == null || seconds <= 0 ? 0 : (operations - before) / seconds;
            rates.put(account.mapName(), rate);
            total += rate;
        }
        lastNanos = now;
        mapOpsPerSecond = Map.copyOf(rates);
        opsPerSecond = total;
        Runtime runtime = Runtime.getRuntime();
        List<MemberReport.Copy> copies = migration.running().stream()
                .map(c -> new MemberReport.Copy(c.partition(), c.targets(), c.copiedBytes(), c.totalBytes(),
                        c.startedAtMillis()))
                .toList();
        return new MemberReport(address, startedAtMillis, clock.wallMillis(),
                runtime.totalMemory() - runtime.freeMemory(), runtime.maxMemory(), primaryEntries(),
                total, migration.completedCopies(), migration.bytesSent(), copies, coordinator.movingPrimaries());
    }

    /** The operations per second this member executed as primary between its last two reports. */
    double opsPerSecond() {
        return opsPerSecond;
    }

    /** The operations per second this member executed as primary on {@code map} between its last two reports. */
    double opsPerSecond(String map) {
        return mapOpsPerSecond.getOrDefault(map, 0.0);
    }

    /** The entries this member holds as primary, over all maps. */
    long primaryEntries() {
        long entries = 0;
        for (MemoryAccount account : replicas.accounts().all()) {
            entries += primary(account, false);
        }
        return entries;
    }

    /** The entries (or with {@code bytes}, their estimated bytes) of {@code account}'s map this member leads. */
    long primary(MemoryAccount account, boolean bytes) {
        PartitionTable table = replicas.table();
        Address self = replicas.self();
        long sum = 0;
        for (int p = 0; p < table.partitionCount(); p++) {
            if (self.equals(table.primary(p))) {
                sum += bytes ? account.bytes(p) : account.entries(p);
            }
        }
        return sum;
    }
}
