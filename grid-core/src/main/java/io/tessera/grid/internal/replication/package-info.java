/**
 * The replication stream of each partition: the primary's side
 * ({@link io.tessera.grid.internal.replication.ReplicationStream}), which counts a step durable only when every
 * backup of the current table applied it, and the backup's side
 * ({@link io.tessera.grid.internal.replication.BackupReceiver}), which refuses a stream from anyone but the primary of
 * its table and epoch and acknowledges only what it applied.
 *
 * <p>Threads: called on partition threads; acknowledgements arrive on JGroups threads and are handed back to the
 * partition's thread.
 */
package io.tessera.grid.internal.replication;
