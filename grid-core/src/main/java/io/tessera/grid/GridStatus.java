package io.tessera.grid;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The cluster as one member sees it at one moment: members and their figures, the partition table with the
 * partitions that are moving, the migrations in progress, the maps and the last membership events. Status pages,
 * health checks and {@code INFO} read it through {@link Grid#status()}; it is cheap to take (no message is sent).
 *
 * @param clusterName the cluster this member joined
 * @param localMember the member that took the snapshot
 * @param tableVersion the version of this member's newest partition table (0 before it knows one)
 * @param ready whether this member can serve its share: it is in a settled table (no migration pending), holds
 *     every replica the table gives it, and is neither joining nor leaving. Load balancers and Kubernetes readiness
 *     probes send traffic only to a ready member.
 * @param members every member of the current view, in view order (the first is the coordinator)
 * @param partitions every partition in id order, with its owners and its state
 * @param migrations the partition copies running now, cluster-wide as far as this member knows
 * @param maps the maps this member holds data of, by name
 * @param events the last membership events this member saw, oldest first (a bounded window)
 */
public record GridStatus(String clusterName, Member localMember, long tableVersion, boolean ready,
                         List<MemberStatus> members, List<PartitionStatus> partitions,
                         List<MigrationStatus> migrations, List<MapStatus> maps, List<MembershipEvent> events) {

    /**
     * Creates a snapshot and copies the lists, so that it never changes.
     *
     * @param clusterName the cluster this member joined, not {@code null}
     * @param localMember the member that took the snapshot, not {@code null}
     * @param tableVersion the version of this member's newest partition table, or 0
     * @param ready whether this member can serve its share
     * @param members every member of the current view, in view order; copied
     * @param partitions every partition in id order; copied
     * @param migrations the partition copies running now; copied
     * @param maps the maps this member holds data of; copied
     * @param events the last membership events, oldest first; copied
     * @throws NullPointerException if {@code clusterName}, {@code localMember} or a list is {@code null}
     */
    public GridStatus {
        Objects.requireNonNull(clusterName, "clusterName");
        Objects.requireNonNull(localMember, "localMember");
        members = List.copyOf(members);
        partitions = List.copyOf(partitions);
        migrations = List.copyOf(migrations);
        maps = List.copyOf(maps);
        events = List.copyOf(events);
    }

    /**
     * One member and the figures it last reported about itself (members report every second; the local member's
     * are read when the snapshot is taken).
     *
     * @param member the member
     * @param address its grid transport address ({@code host:port}), or {@code null} where the stack has none
     * @param startedAt when it started, or {@code null} before its first report
     * @param heapUsedBytes its JVM's used heap, or -1 before its first report
     * @param heapMaxBytes its JVM's maximum heap, or -1 before its first report
     * @param entries the entries it holds as primary, over all maps, or -1 before its first report
     * @param opsPerSecond the map operations per second it served as primary lately, or -1 before its first report
     * @param reportedAt when these figures were taken, or {@code null} before its first report
     */
    public record MemberStatus(Member member, String address, Instant startedAt, long heapUsedBytes,
                               long heapMaxBytes, long entries, double opsPerSecond, Instant reportedAt) {
    }

    /**
     * One partition of the table.
     *
     * @param id the partition id
     * @param primary the member that executes its operations, or {@code null} while it has none (lost)
     * @param backups its backup owners in promotion order
     * @param state whether it is in place, being copied to a new owner, or lost
     */
    public record PartitionStatus(int id, Member primary, List<Member> backups, PartitionState state) {
        /**
         * Creates a partition's status and copies the backups.
         *
         * @param id the partition id
         * @param primary the member that executes its operations, or {@code null} while it has none
         * @param backups its backup owners in promotion order; copied
         * @param state whether it is in place, being copied or lost
         */
        public PartitionStatus {
            backups = List.copyOf(backups);
        }
    }

    /** What a partition is doing. */
    public enum PartitionState {
        /** Every owner holds a current copy. */
        STABLE,
        /** A new backup owner is receiving its copy; the partition serves as before. */
        SYNCING,
        /** Its primary is moving to another member. */
        MIGRATING,
        /** No member holds a copy: every owner crashed before a backup was made. */
        LOST
    }

    /**
     * One partition copy in progress.
     *
     * @param partition the partition being copied
     * @param source the member sending the copy
     * @param target the member receiving it
     * @param copiedBytes the bytes sent so far
     * @param totalBytes the bytes the copy will send, or -1 where not known yet
     * @param startedAt when the copy started
     */
    public record MigrationStatus(int partition, Member source, Member target, long copiedBytes, long totalBytes,
                                  Instant startedAt) {
    }

    /**
     * One map's share on this member.
     *
     * @param name the map name
     * @param entries the entries this member holds as primary
     * @param memoryBytes the estimated bytes of those entries (keys, values and metadata)
     * @param opsPerSecond the operations per second this member served for the map as primary lately
     */
    public record MapStatus(String name, long entries, long memoryBytes, double opsPerSecond) {
    }

    /**
     * A change of membership as this member saw it.
     *
     * @param at when this member saw it
     * @param kind what happened
     * @param members the members it concerns
     * @param viewSize the number of members after it
     */
    public record MembershipEvent(Instant at, MembershipEventKind kind, List<Member> members, int viewSize) {
        /**
         * Creates an event and copies its members.
         *
         * @param at when this member saw it
         * @param kind what happened
         * @param members the members it concerns; copied
         * @param viewSize the number of members after it
         */
        public MembershipEvent {
            members = List.copyOf(members);
        }
    }

    /** What happened to the membership. */
    public enum MembershipEventKind {
        /** Members joined. */
        JOINED,
        /** Members left gracefully, handing their partitions off. */
        LEFT,
        /** Members disappeared without leaving (crashed, paused, cut off); their backups took over. */
        CRASHED,
        /** Two sides of a split found each other again and merged. */
        MERGED
    }
}
