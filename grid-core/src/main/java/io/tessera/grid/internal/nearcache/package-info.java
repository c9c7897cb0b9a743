/**
 * The member-local near cache of a map: a bounded Caffeine cache of value bytes, with per-key reservations so a read
 * that raced with an invalidation never caches the stale value it fetched.
 *
 * <p>Thread-safe: map callers read and fill it, event delivery (JGroups threads and partition threads)
 * invalidates it.
 */
package io.tessera.grid.internal.nearcache;
