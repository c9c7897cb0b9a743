/**
 * What a member holds of each partition: {@link io.tessera.grid.internal.replica.PartitionReplica} (its stores,
 * status, buffered mutations, call results and hand-off state), the {@link io.tessera.grid.internal.replica.Mutation}s
 * a primary streams, and {@link io.tessera.grid.internal.replica.PartitionReplicas}, which holds them all, installs
 * partition tables, and tells whether this member may act as a partition's primary (table, completeness, freeze,
 * lease).
 *
 * <p>Threads: partition p's replica is owned by thread p mod T of
 * {@link io.tessera.grid.internal.replica.PartitionThreads}; every other thread reaches it by running a task there.
 */
package io.tessera.grid.internal.replica;
