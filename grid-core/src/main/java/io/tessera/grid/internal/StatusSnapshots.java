package io.tessera.grid.internal;

import io.tessera.grid.GridConfig;
import io.tessera.grid.GridStatus;
import io.tessera.grid.Member;
import io.tessera.grid.internal.cluster.ClusterService;
import io.tessera.grid.internal.cluster.MembershipLease;
import io.tessera.grid.internal.membership.MemberReport;
import io.tessera.grid.internal.membership.MemberReports;
import io.tessera.grid.internal.membership.MembershipCoordinator;
import io.tessera.grid.internal.membership.MembershipEvents;
import io.tessera.grid.internal.migration.MigrationService;
import io.tessera.grid.internal.partition.PartitionTable;
import io.tessera.grid.internal.replica.PartitionReplicas;
import io.tessera.grid.internal.replica.ReplicaStatus;
import io.tessera.grid.internal.store.MemoryAccount;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.jgroups.Address;
import org.jgroups.View;

/**
 * Takes {@link GridStatus} snapshots of one member from what it knows locally: its table and replicas, its own
 * figures, the other members' latest {@link MemberReport}s, the coordinator's moving partitions (its own, or from the
 * coordinator's report) and its window of membership events. No message is sent.
 *
 * <p>Partition states: {@code LOST} when the table gives a partition no owner; {@code MIGRATING} when it has syncing
 * replicas and the running round moves its primary; {@code SYNCING} when it has syncing replicas otherwise (a new
 * backup is being filled); else {@code STABLE}.
 *
 * <p>Threads: any; every source is thread-safe or published.
 */
final class StatusSnapshots {
    private final GridConfig config;
    private final Address self;
    private final ClusterService cluster;
    private final PartitionReplicas replicas;
    private final MembershipLease lease;
    private final MemberReports reports;
    private final MembershipEvents membershipEvents;
    private final MembershipCoordinator coordinator;
    private final MigrationService migration;
    private final MemberFigures figures;
    private final long startedAtMillis;
    private final Function<Address, Member> member;

    StatusSnapshots(GridConfig config, ClusterService cluster, PartitionReplicas replicas, MembershipLease lease,
                    MemberReports reports, MembershipEvents membershipEvents, MembershipCoordinator coordinator,
                    MigrationService migration, MemberFigures figures, long startedAtMillis,
                    Function<Address, Member> member) {
        this.config = config;
        this.self = replicas.self();
        this.cluster = cluster;
        this.replicas = replicas;
        this.lease = lease;
        this.reports = reports;
        this.membershipEvents = membershipEvents;
        this.coordinator = coordinator;
        this.migration = migration;
        this.figures = figures;
        this.startedAtMillis = startedAtMillis;
        this.member = member;
    }

    /** Takes a snapshot; {@code serving} is false once the member is closing or closed (never ready then). */
    GridStatus take(boolean serving) {
        PartitionTable table = replicas.table();
        View view = cluster.view();
        Map<Address, MemberReport> latest = reports.all();
        Map<Address, Member> known = new HashMap<>();
        Function<Address, Member> member = address -> known.computeIfAbsent(address, this.member);
        MemberReport coordinatorReport = view == null ? null : latest.get(view.getCoord());
        BitSet moving = coordinator.isCoordinator() ? coordinator.movingPrimaries()
                : coordinatorReport == null ? new BitSet() : coordinatorReport.movingPrimaries();

        List<GridStatus.PartitionStatus> partitions = new ArrayList<>(table.partitionCount());
        for (int p = 0; p < table.partitionCount(); p++) {
            Address[] owners = table.owners(p);
            List<Member> backups = new ArrayList<>(Math.max(0, owners.length - 1));
            for (int i = 1; i < owners.length; i++) {
                backups.add(member.apply(owners[i]));
            }
            GridStatus.PartitionState state = owners.length == 0 ? GridStatus.PartitionState.LOST
                    : table.syncing(p).length == 0 ? GridStatus.PartitionState.STABLE
                    : moving.get(p) ? GridStatus.PartitionState.MIGRATING : GridStatus.PartitionState.SYNCING;
            partitions.add(new GridStatus.PartitionStatus(p, owners.length == 0 ? null : member.apply(owners[0]),
                    backups, state));
        }

        List<GridStatus.MigrationStatus> migrations = new ArrayList<>();
        latest.forEach((source, report) -> {
            if (source.equals(self)) {
                return; // this member's own copies are read below, not from its last report
            }
            report.copies().forEach(c -> addCopy(migrations, member, source, c.partition(), c.targets(),
                    c.copiedBytes(), c.totalBytes(), c.startedAtMillis()));
        });
        migration.running().forEach(c -> addCopy(migrations, member, self, c.partition(), c.targets(), c.copiedBytes(),
                c.totalBytes(), c.startedAtMillis()));
        migrations.sort(Comparator.comparingInt(GridStatus.MigrationStatus::partition));

        List<GridStatus.MapStatus> mapStatuses = new ArrayList<>();
        for (MemoryAccount account : replicas.accounts().all()) {
            mapStatuses.add(new GridStatus.MapStatus(account.mapName(), figures.primary(account, false),
                    figures.primary(account, true), figures.opsPerSecond(account.mapName())));
        }
        mapStatuses.sort(Comparator.comparing(GridStatus.MapStatus::name));

        List<GridStatus.MemberStatus> members = new ArrayList<>();
        for (Address address : view == null ? List.<Address>of() : view.getMembers()) {
            if (address.equals(self)) {
                Runtime runtime = Runtime.getRuntime();
                members.add(new GridStatus.MemberStatus(member.apply(self), cluster.physicalAddress(),
                        Instant.ofEpochMilli(startedAtMillis), runtime.totalMemory() - runtime.freeMemory(),
                        runtime.maxMemory(), figures.primaryEntries(), figures.opsPerSecond(),
                        Instant.ofEpochMilli(replicas.clock().wallMillis())));
                continue;
            }
            MemberReport r = latest.get(address);
            members.add(r == null ? new GridStatus.MemberStatus(member.apply(address), null, null, -1, -1, -1, -1, null)
                    : new GridStatus.MemberStatus(member.apply(address), r.address().isEmpty() ? null : r.address(),
                    Instant.ofEpochMilli(r.startedAtMillis()), r.heapUsedBytes(), r.heapMaxBytes(),
                    r.primaryEntries(), r.opsPerSecond(), Instant.ofEpochMilli(r.reportedAtMillis())));
        }

        List<GridStatus.MembershipEvent> events = membershipEvents.events().stream()
                .map(e -> new GridStatus.MembershipEvent(Instant.ofEpochMilli(e.atMillis()), e.kind(),
                        e.members().stream().map(member).toList(), e.viewSize()))
                .toList();
        return new GridStatus(config.clusterName(), member.apply(self), table.version(),
                serving && ready(table, view), members, partitions, migrations, mapStatuses, events);
    }

    private static void addCopy(List<GridStatus.MigrationStatus> out, Function<Address, Member> member, Address source,
                                int partition, List<Address> targets, long copied, long total, long startedAt) {
        int n = Math.max(1, targets.size());
        for (Address target : targets) {
            out.add(new GridStatus.MigrationStatus(partition, member.apply(source), member.apply(target), copied / n,
                    total < 0 ? -1 : total / n, Instant.ofEpochMilli(startedAt)));
        }
    }

    /**
     * Whether this member can serve its share (see {@link GridStatus#ready()}): open and not leaving, holding its
     * lease, in a table without syncing replicas that gives it replicas (a member the table does not list yet is
     * still joining, unless there are more members than replicas to give), each of which it holds complete.
     */
    private boolean ready(PartitionTable table, View view) {
        if (view == null || table.version() == 0 || table.hasSyncing()
                || !lease.holds()) {
            return false;
        }
        boolean listed = false;
        for (int p = 0; p < table.partitionCount(); p++) {
            if (table.ownerIndex(p, self) >= 0) {
                listed = true;
                if (replicas.statusOf(p) != ReplicaStatus.OWNER) {
                    return false;
                }
            }
        }
        long replicaSlots = (long) table.partitionCount() * (1 + config.maxBackups());
        return listed || view.size() > replicaSlots;
    }
}
