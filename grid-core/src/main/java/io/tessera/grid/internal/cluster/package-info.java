/**
 * Cluster membership: the JGroups {@link org.jgroups.JChannel} a member runs on, the views it delivers, and the
 * protocol stacks channels are built from ({@link io.tessera.grid.internal.cluster.JGroupsStacks}, with the
 * bundled {@code tcp}, {@code local}, {@code udp} and {@code kubernetes} stacks under
 * {@code io/tessera/grid/stacks/}).
 *
 * <p>Threads: JGroups delivery threads only hand view changes and messages over; they never block and never
 * mutate grid state. One cluster thread per member owns the current view and the partition table: it applies
 * views (including a {@code MergeView} after a split brain) in order, and every other thread reaches that state
 * through it. Stack creation holds no state and may run on any thread.
 */
package io.tessera.grid.internal.cluster;
