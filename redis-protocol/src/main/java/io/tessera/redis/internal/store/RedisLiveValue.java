package io.tessera.redis.internal.store;

import io.tessera.grid.internal.store.LiveValue;

/**
 * A Redis aggregate kept live on its key's replicas (a list, hash, set or sorted set), so a change to one element
 * costs what that change costs and ships only the change. Its {@link #toBytes() stored form} is the grid value
 * {@link StoredValue} would encode for the same elements (format byte first), so snapshots, migration and every
 * command that reads bytes see one format.
 */
public interface RedisLiveValue extends LiveValue {
    /** The {@link StoredValue} type byte of this value. */
    byte type();
}
