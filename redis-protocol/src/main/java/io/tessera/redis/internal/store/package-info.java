/**
 * How Redis values live in the grid: {@link io.tessera.redis.internal.store.StoredValue} (a type byte, then the
 * string or the aggregate's elements, one grid entry per key), {@link io.tessera.redis.internal.store.HashSlots}
 * (Redis Cluster's CRC16 slots with hash tags) and {@link io.tessera.redis.internal.store.Bytes}, a byte array with
 * value equality for sets and hashes. Lists, hashes, sets and sorted sets are kept live on their replicas
 * ({@link io.tessera.redis.internal.store.LiveList}, {@link io.tessera.redis.internal.store.LiveHash},
 * {@link io.tessera.redis.internal.store.LiveSet}, {@link io.tessera.redis.internal.store.LiveSortedSet}), owned by
 * their key's partition thread, and read in place through views that are valid until the value changes.
 *
 * <p>Internal: nothing outside the {@code redis-protocol} module may import this package.
 */
package io.tessera.redis.internal.store;
