/**
 * Operations on partition primaries: {@link io.tessera.grid.internal.operation.PrimaryExecutor} runs single-key
 * operations (exactly once per call id), {@link io.tessera.grid.internal.operation.Invoker} routes an operation to
 * its primary and retries until its deadline, {@link io.tessera.grid.internal.operation.PartitionQueries} runs
 * per-partition queries and clears, and {@link io.tessera.grid.internal.operation.PartitionMaintenance} expires
 * entries and forgets old tombstones and call results.
 *
 * <p>Threads: everything that touches a partition runs on its partition thread; JGroups threads only decode and
 * enqueue; the invoker's retries wait on the member's timer.
 */
package io.tessera.grid.internal.operation;
