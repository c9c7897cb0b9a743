/**
 * Operations and the replication stream: {@link io.tessera.grid.internal.operation.PartitionEngine} executes map
 * operations on primaries, streams their {@link io.tessera.grid.internal.operation.Mutation}s to backups, installs
 * snapshots and tables, and freezes partitions for hand-off; {@link io.tessera.grid.internal.operation.Invoker}
 * routes an operation to its primary and retries until its deadline.
 *
 * <p>Threads: {@link io.tessera.grid.internal.operation.PartitionThreads} own all partition data (partition p on
 * thread p mod T); JGroups threads only decode and enqueue; acknowledgement callbacks run on JGroups threads and
 * touch partition state only by enqueueing onto the partition's thread.
 */
package io.tessera.grid.internal.operation;
