/**
 * Where entries live: {@link io.tessera.grid.internal.store.RecordStore}, one per map and partition, holding
 * immutable {@link io.tessera.grid.internal.store.Record}s keyed by their bytes, with the replication sequence, a
 * count-and-digest summary, and an expiry queue; and the {@link io.tessera.grid.internal.store.HybridLogicalClock}
 * that stamps every write.
 *
 * <p>Threads: a record store is owned by the partition thread of its partition; nothing else touches it. Records are
 * immutable (but for the last-access time, written only by the owner), so a snapshot is a shallow copy that another
 * thread may serialize while the owner goes on.
 */
package io.tessera.grid.internal.store;
