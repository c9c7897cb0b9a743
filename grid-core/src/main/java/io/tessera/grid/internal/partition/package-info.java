/**
 * Where keys meet members: {@link io.tessera.grid.internal.partition.SlotHashing} maps key bytes to one of 16384
 * Redis Cluster hash slots and slots to partitions (contiguous slot ranges);
 * {@link io.tessera.grid.internal.partition.PartitionAssigner} computes the balanced, minimal-movement owner lists
 * ({@code [primary, backup1, ...]}) of every partition from the live members and the replicas they hold;
 * {@link io.tessera.grid.internal.partition.PartitionTable} is the versioned table the coordinator publishes.
 * The migration of replicas between tables will live here too.
 *
 * <p>Threads: {@code SlotHashing} and {@code PartitionAssigner} are pure functions without state or dependencies on
 * the cluster (members are any type compared with {@code equals}), so they are safe on any thread and are tested
 * without a cluster; the coordinator calls the assigner on the cluster thread, which owns the current table. Tables
 * are immutable once made and may be read from any thread.
 */
package io.tessera.grid.internal.partition;
