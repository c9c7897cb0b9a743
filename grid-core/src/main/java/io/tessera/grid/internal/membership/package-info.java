/**
 * Membership as the coordinator drives it: after every view change or leave request, one round collects what every
 * member holds, promotes backups of dead primaries, and migrates partitions to the balanced target with snapshot,
 * catch-up and hand-off (see {@link io.tessera.grid.internal.membership.MembershipCoordinator}).
 *
 * <p>Threads: rounds run on the member's single coordinator thread, and only on the JGroups coordinator.
 */
package io.tessera.grid.internal.membership;
