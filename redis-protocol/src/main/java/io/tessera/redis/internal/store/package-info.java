/**
 * How Redis values live in the grid: {@link io.tessera.redis.internal.store.StoredValue} (a type byte, then the
 * string or the aggregate's elements, one grid entry per key), {@link io.tessera.redis.internal.store.HashSlots}
 * (Redis Cluster's CRC16 slots with hash tags) and {@link io.tessera.redis.internal.store.Bytes}, a byte array with
 * value equality for sets and hashes. Lists and sorted sets also live on their replicas as structures changed in place
 * ({@link io.tessera.redis.internal.store.LiveList}, {@link io.tessera.redis.internal.store.LiveSortedSet}), owned,
 * like the records that hold them, by their partition's thread.
 *
 * <p>Internal: nothing outside the {@code redis-protocol} module may import this package.
 */
package io.tessera.redis.internal.store;
