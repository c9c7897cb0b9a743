package io.tessera.grid.internal.nearcache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.tessera.grid.NearCacheConfig;
import io.tessera.grid.internal.store.BytesKey;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * A near cache of one map on this member.
 *
 * <p>Reads follow reserve → fetch → {@link #offer}: the fetched value is cached only if no invalidation of the key
 * arrived between the reservation and the offer, so a value fetched before a write can never be cached after that
 * write's invalidation. Values are kept as bytes and decoded on every hit, so callers never share a mutable object.
 */
public final class NearCache {
    private final Cache<BytesKey, Cached> cache;
    private final ConcurrentHashMap<BytesKey, Object> reservations = new ConcurrentHashMap<>();
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();

    /** Creates a near cache with the bounds of {@code config}. */
    public NearCache(NearCacheConfig config) {
        // Caffeine's statistics cost a counter increment per read; the member's meters bind them (hits, misses,
        // evictions, sizes) the way Micrometer binds any Caffeine cache.
        Caffeine<Object, Object> builder = Caffeine.newBuilder().maximumSize(config.maxSize()).recordStats();
        if (!config.expireAfterWrite().isZero()) {
            builder.expireAfterWrite(config.expireAfterWrite());
        }
        this.cache = builder.build();
    }

    /** A cached value and the absolute time its entry expires on the primary (0: never). */
    private record Cached(byte[] value, long expireAt) {
    }

    /** The cached value bytes of {@code key}, or {@code null} on a miss or when the entry's TTL passed. */
    public byte[] get(BytesKey key, long now) {
        Cached cached = cache.getIfPresent(key);
        if (cached != null && cached.expireAt > 0 && now >= cached.expireAt) {
            cache.invalidate(key);
            cached = null;
        }
        if (cached != null) {
            hits.increment();
            return cached.value;
        }
        misses.increment();
        return null;
    }

    /** Reserves {@code key} before fetching it; pass the token to {@link #offer}. */
    public Object reserve(BytesKey key) {
        Object token = new Object();
        reservations.put(key, token);
        return token;
    }

    /**
     * Caches a fetched value, which expires at {@code expireAt} (0: never), if the reservation still stands; a null
     * value only releases the reservation.
     */
    public void offer(BytesKey key, Object token, byte[] value, long expireAt) {
        // Check and put under the key's lock in the reservation map, which invalidate() takes too: checking first
        // and putting after would let an invalidation slip in between and leave the older value cached.
        reservations.computeIfPresent(key, (k, current) -> {
            if (current != token) {
                return current;
            }
            if (value != null) {
                cache.put(k, new Cached(value, expireAt));
            }
            return null;
        });
    }

    /** Drops {@code key} and voids any reservation of it. */
    public void invalidate(BytesKey key) {
        reservations.compute(key, (k, current) -> {
            cache.invalidate(k);
            return null;
        });
    }

    /** Drops everything. */
    public void invalidateAll() {
        reservations.clear();
        cache.invalidateAll();
    }

    /** The number of hits so far. */
    public long hits() {
        return hits.sum();
    }

    /** The number of misses so far. */
    public long misses() {
        return misses.sum();
    }

    /** The Caffeine cache underneath, for the member's meters (statistics are recorded); not for reads or writes. */
    public Cache<?, ?> cache() {
        return cache;
    }

    /** The approximate number of cached entries. */
    public long size() {
        return cache.estimatedSize();
    }
}
