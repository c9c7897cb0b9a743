/**
 * Where entries live: {@link io.tessera.grid.internal.store.RecordStore}, one per map and partition, holding
 * immutable {@link io.tessera.grid.internal.store.Record}s keyed by their bytes, with the replication sequence, a
 * count-and-digest summary, and an expiry queue; the {@link io.tessera.grid.internal.store.HybridLogicalClock}
 * that stamps every write; and the {@link io.tessera.grid.internal.store.MemoryAccount}s in which the stores count
 * what this member holds of each map, against the map's {@link io.tessera.grid.internal.store.Capacity}.
 *
 * <p>Threads: a record store is owned by the partition thread of its partition; nothing else touches it. Records are
 * immutable (but for the last-access time, written only by the owner), so a snapshot is a shallow copy that another
 * thread may serialize while the owner goes on. A memory account is written by every partition thread, each into
 * slots of its own, and read by any thread.
 */
package io.tessera.grid.internal.store;
