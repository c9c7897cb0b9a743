/**
 * Cluster membership: the JGroups {@link org.jgroups.JChannel} a member runs on, the views it delivers, the protocol
 * stacks channels are built from ({@link io.tessera.grid.internal.cluster.JGroupsStacks}, with the bundled
 * {@code tcp}, {@code local}, {@code udp} and {@code kubernetes} stacks under {@code io/tessera/grid/stacks/}), and
 * the member's {@link io.tessera.grid.internal.cluster.MembershipLease} on acting as a primary.
 *
 * <p>Threads: JGroups delivery threads only hand view changes and messages over; they never block and never mutate
 * grid state. The lease has one thread of its own that pings the other members. Stack creation holds no state and
 * may run on any thread.
 */
package io.tessera.grid.internal.cluster;
