/**
 * Membership as the coordinator drives it: after every view change or leave request, one round collects what every
 * member holds, promotes backups of dead primaries, and migrates partitions to the balanced target with snapshot,
 * catch-up and hand-off (see {@link io.tessera.grid.internal.membership.MembershipCoordinator}); a round that copies
 * reports itself in the log and in meters ({@code RebalanceRounds}). Every member also reports its own figures to the
 * others every second ({@link io.tessera.grid.internal.membership.MemberReport}, kept by {@code MemberReports}) and
 * tells membership events from its successive views ({@code MembershipEvents}) for its status.
 *
 * <p>Threads: rounds run on the member's single coordinator thread, and only on the JGroups coordinator; reports are
 * filed from JGroups threads and the member's timer, views from a JGroups thread.
 */
package io.tessera.grid.internal.membership;
