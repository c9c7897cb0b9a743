package io.tessera.grid;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentMap;

/**
 * A {@link ConcurrentMap} spanning the cluster: every key lives in one partition, kept by a primary member and its
 * backups, and every member sees the same entries.
 *
 * <p>Contracts: single-key operations are linearizable on the key's primary; {@code putIfAbsent},
 * {@code replace(k, old, new)}, {@code remove(k, v)} and {@link #executeOnKey} run atomically there, and so do
 * {@code compute*} and {@code merge} (as compare-and-set loops, since lambdas cannot travel). Values are compared
 * by their serialized bytes, so value types must serialize deterministically. {@code size()}, {@code clear()} and
 * iteration work across the cluster partition by partition and are weakly consistent, like
 * {@code ConcurrentHashMap}'s. Nulls are refused with {@link NullPointerException}.
 *
 * <p>Failures surface as {@link GridException}s: {@link OperationTimeoutException} when the deadline passes,
 * {@link IndeterminateOutcomeException} when a non-idempotent write may or may not have happened,
 * {@link GridSerializationException} for unregistered classes, {@link GridClosedException} after close.
 */
public interface GridMap<K, V> extends ConcurrentMap<K, V> {

    /** The map's name. */
    String name();

    /** The map's config on this member. */
    MapConfig config();

    /**
     * Changes this member's bound of the map from now on: {@code config} may differ from {@link #config()} only in
     * {@link MapConfig#maxSize()}, {@link MapConfig#maxMemory()}, {@link MapConfig#evictionPolicy()} and
     * {@link MapConfig#evictOnlyExpiring()}. How much of a map a member keeps is that member's own business (as
     * Redis's {@code CONFIG SET maxmemory} is per server): other members keep their bounds. A member that is beyond
     * its new bound evicts down to it within two maintenance ticks (about 200 ms) when its policy evicts.
     *
     * @throws IllegalArgumentException if {@code config} differs in anything else
     */
    void reconfigure(MapConfig config);

    /** What this member holds of the map by the grid's accounting, and how much its primaries evicted. */
    LocalMapStats localStats();

    /** Puts {@code value} under {@code key} with a time to live ({@link Duration#ZERO}: none), returning the old value. */
    V put(K key, V value, Duration ttl);

    /** Puts without returning the old value, which saves sending it back. */
    void set(K key, V value);

    /** Puts without returning the old value, with a time to live ({@link Duration#ZERO}: none). */
    void set(K key, V value, Duration ttl);

    /**
     * Puts asynchronously without returning the old value, with a time to live ({@link Duration#ZERO}: none); the
     * future completes when the write is acknowledged as {@link #set} would return.
     */
    CompletableFuture<Void> setAsync(K key, V value, Duration ttl);

    /** Removes {@code key} without returning the old value; returns whether it existed. */
    boolean delete(K key);

    /** Reads {@code key} asynchronously. */
    CompletableFuture<V> getAsync(K key);

    /** Writes asynchronously; the future completes with the old value once the write is acknowledged. */
    CompletableFuture<V> putAsync(K key, V value);

    /** Writes asynchronously with a time to live. */
    CompletableFuture<V> putAsync(K key, V value, Duration ttl);

    /** Removes asynchronously; the future completes with the old value. */
    CompletableFuture<V> removeAsync(K key);

    /** Runs {@code processor} atomically on the key's primary and returns its result; see {@link EntryProcessor}. */
    <R> R executeOnKey(K key, EntryProcessor<K, V, R> processor);

    /** Runs {@code processor} asynchronously. */
    <R> CompletableFuture<R> executeOnKeyAsync(K key, EntryProcessor<K, V, R> processor);

    /**
     * Runs {@code processor} on the entries of {@code keys} atomically, on their common primary. The keys must be
     * distinct and in one partition ({@link Grid#partitionOf}); hash tags put related keys there.
     *
     * @throws IllegalArgumentException if the keys span partitions or repeat a key
     */
    <R> CompletableFuture<R> executeOnKeysAsync(List<K> keys, MultiKeyProcessor<K, V, R> processor);

    /**
     * Sets the time to live of an existing key; zero or negative expires it now. Returns whether the key existed.
     */
    boolean expire(K key, Duration ttl);

    /** Removes the time to live of an existing key; returns whether it existed. */
    boolean persist(K key);

    /**
     * The remaining time to live of {@code key}: empty when the key does not exist or has no expiry (tell the two
     * apart with {@link #containsKey}).
     */
    Optional<Duration> ttl(K key);

    /**
     * The live entries of one partition ({@link Partition#id()}, 0 to {@code Grid.partitions().size() - 1}), read
     * from its primary at one instant. Walking the partitions one by one visits every entry that exists throughout
     * the walk at least once, whatever joins, leaves and migrations happen meanwhile: the basis for cursors such
     * as Redis's {@code SCAN}.
     */
    Map<K, V> partitionEntries(int partitionId);

    /** Registers a listener that receives events with old and new values; returns its id. */
    UUID addListener(EntryListener<K, V> listener);

    /** Registers a listener; without values, events carry only type and key, which saves bandwidth. */
    UUID addListener(EntryListener<K, V> listener, boolean includeValues);

    /**
     * Registers a listener of one key, as Hazelcast's {@code addEntryListener(listener, key, includeValue)}: it hears
     * every change of that key (and nothing else), whichever member is the key's primary now or later. When this
     * returns, every member knows of it, so a change applied afterwards is never missed. Events of a key arrive in
     * the order its primary applied them; after a primary's crash the events of its last changes may be lost, as with
     * any listener.
     */
    UUID addKeyListener(K key, EntryListener<K, V> listener, boolean includeValues);

    /** Removes a listener (of the map or of a key); returns whether it was registered. */
    boolean removeListener(UUID id);
}
