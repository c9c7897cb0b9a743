/**
 * Tessera's internals; nothing here is API. {@link io.tessera.grid.internal.GridNode} is one member and wires the
 * concerns of the sub-packages together, lowest first: {@code wire} (message encoding), {@code serialization}
 * (Kryo), {@code store} (records and tombstones), {@code partition} (table and assignment), {@code cluster} (the
 * JChannel and the lease), {@code nearcache}, {@code replica} (what a member holds of each partition, and the threads
 * that own it), {@code replication} (the backup stream), {@code migration} (snapshots, copies, hand-off freezes),
 * {@code operation} (primary execution, invocation, queries), {@code merge} (merging replicas after a split),
 * {@code event}, {@code membership} (the coordinator's rounds, member reports, membership events) and {@code map}. A
 * package references only its own layer or lower ones; the {@code ArchitectureTest} checks it.
 *
 * <p>Operations: {@code MemberMeters} registers a member's Micrometer meters over the figures the layers keep (they
 * keep counters, never meters, except the few timers made here and handed down), and {@code StatusSnapshots} builds
 * {@code Grid.status()} from the same figures and the other members' reports, without sending a message.
 */
package io.tessera.grid.internal;
