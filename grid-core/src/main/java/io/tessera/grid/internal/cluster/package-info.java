/**
 * Cluster membership: the JGroups {@link org.jgroups.JChannel} a member runs on, the views it delivers, the protocol
 * stacks channels are built from ({@link io.tessera.grid.internal.cluster.JGroupsStacks}, with the bundled
 * {@code tcp}, {@code local}, {@code udp} and {@code kubernetes} stacks under {@code io/tessera/grid/stacks/}), and
 * the member's {@link io.tessera.grid.internal.cluster.MembershipLease} on acting as a primary.
 *
 * <p>Member authentication and encryption, when a cluster secret or keystore is set:
 * {@link io.tessera.grid.internal.cluster.ClusterKeys} derives the keys, and {@code JGroupsStacks} puts
 * {@link io.tessera.grid.internal.cluster.RefusalPassingSymEncrypt} (JGroups' SYM_ENCRYPT) and, below it,
 * {@link io.tessera.grid.internal.cluster.JoinAuth} (JGroups' AUTH with the HMAC
 * {@link io.tessera.grid.internal.cluster.JoinToken}) under the reliable-delivery protocols of any stack.
 * {@code ClusterService} turns a refused join into a {@code GridException} that names the cause.
 *
 * <p>Threads: JGroups delivery threads only hand view changes and messages over; they never block and never mutate
 * grid state. The lease has one thread of its own that pings the other members. Stack creation holds no state and
 * may run on any thread.
 */
package io.tessera.grid.internal.cluster;
