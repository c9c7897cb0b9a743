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
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public interface GridMap<K, V> extends ConcurrentMap<K, V> {

    /**
     * Returns the name this map was obtained under ({@link Grid#map(String)}); every member reaches the same entries
     * through the same name.
     *
     * @return the map's name, never {@code null}
     */
    String name();

    /**
     * Returns the config this member applies to the map: the one given to {@link Grid#map(String, MapConfig)}, or
     * the defaults, as changed since by {@link #reconfigure}.
     *
     * @return the map's current config on this member
     */
    MapConfig config();

    /**
     * Changes this member's bound of the map from now on: {@code config} may differ from {@link #config()} only in
     * {@link MapConfig#maxSize()}, {@link MapConfig#maxMemory()}, {@link MapConfig#evictionPolicy()} and
     * {@link MapConfig#evictOnlyExpiring()}. How much of a map a member keeps is that member's own business (as
     * Redis's {@code CONFIG SET maxmemory} is per server): other members keep their bounds. A member that is beyond
     * its new bound evicts down to it within two maintenance ticks (about 200 ms) when its policy evicts.
     *
     * @param config the map's new config on this member
     * @throws NullPointerException if {@code config} is {@code null}
     * @throws IllegalArgumentException if {@code config} differs in anything else
     */
    void reconfigure(MapConfig config);

    /**
     * Returns what this member holds of the map by the grid's accounting, and how much its primaries evicted.
     *
     * @return a snapshot of this member's figures for the map
     */
    LocalMapStats localStats();

    /**
     * Puts {@code value} under {@code key} with a time to live of its own, in place of the map's default
     * ({@link MapConfig#ttl()}).
     *
     * @param key the key
     * @param value the new value
     * @param ttl how long the entry lives from now, at millisecond precision; {@link Duration#ZERO} for no expiry
     * @return the value {@code key} held before, or {@code null} if it had none
     * @throws IllegalArgumentException if {@code ttl} is negative
     */
    V put(K key, V value, Duration ttl);

    /**
     * Puts {@code value} under {@code key} with the map's default time to live ({@link MapConfig#ttl()}), without
     * returning the old value, which saves sending it back.
     *
     * @param key the key
     * @param value the new value
     */
    void set(K key, V value);

    /**
     * Puts {@code value} under {@code key} with a time to live of its own, without returning the old value.
     *
     * @param key the key
     * @param value the new value
     * @param ttl how long the entry lives from now, at millisecond precision; {@link Duration#ZERO} for no expiry
     * @throws IllegalArgumentException if {@code ttl} is negative
     */
    void set(K key, V value, Duration ttl);

    /**
     * Puts asynchronously without returning the old value, with a time to live ({@link Duration#ZERO}: none); the
     * future completes when the write is acknowledged as {@link #set} would return.
     *
     * @param key the key
     * @param value the new value
     * @param ttl how long the entry lives from now, at millisecond precision; {@link Duration#ZERO} for no expiry
     * @return a future that completes with {@code null} once the write is acknowledged, or exceptionally with a
     *         {@link GridException}
     * @throws IllegalArgumentException if {@code ttl} is negative
     */
    CompletableFuture<Void> setAsync(K key, V value, Duration ttl);

    /**
     * Removes {@code key} without returning the old value, which saves sending it back.
     *
     * @param key the key to remove
     * @return whether the key existed
     */
    boolean delete(K key);

    /**
     * Reads {@code key} asynchronously, as {@link #get} does.
     *
     * @param key the key to read
     * @return a future that completes with the key's value, or {@code null} if it has none
     */
    CompletableFuture<V> getAsync(K key);

    /**
     * Puts {@code value} under {@code key} asynchronously with the map's default time to live
     * ({@link MapConfig#ttl()}), as {@link #put(Object, Object)} does.
     *
     * @param key the key
     * @param value the new value
     * @return a future that completes with the old value (or {@code null}) once the write is acknowledged
     */
    CompletableFuture<V> putAsync(K key, V value);

    /**
     * Puts {@code value} under {@code key} asynchronously with a time to live of its own, as
     * {@link #put(Object, Object, Duration)} does.
     *
     * @param key the key
     * @param value the new value
     * @param ttl how long the entry lives from now, at millisecond precision; {@link Duration#ZERO} for no expiry
     * @return a future that completes with the old value (or {@code null}) once the write is acknowledged
     * @throws IllegalArgumentException if {@code ttl} is negative
     */
    CompletableFuture<V> putAsync(K key, V value, Duration ttl);

    /**
     * Removes {@code key} asynchronously, as {@link #remove(Object)} does.
     *
     * @param key the key to remove
     * @return a future that completes with the removed value, or {@code null} if the key had none
     */
    CompletableFuture<V> removeAsync(K key);

    /**
     * Runs {@code processor} atomically on the key's primary and returns its result; see {@link EntryProcessor}.
     * The processor is serialized to get there, so its class must be registered like a value's.
     *
     * @param <R> the type of the processor's result
     * @param key the key whose entry the processor reads and changes
     * @param processor the code to run on the entry
     * @return what the processor returned, or {@code null}
     */
    <R> R executeOnKey(K key, EntryProcessor<K, V, R> processor);

    /**
     * Runs {@code processor} atomically on the key's primary, asynchronously, as {@link #executeOnKey} does.
     *
     * @param <R> the type of the processor's result
     * @param key the key whose entry the processor reads and changes
     * @param processor the code to run on the entry
     * @return a future that completes with what the processor returned, or {@code null}
     */
    <R> CompletableFuture<R> executeOnKeyAsync(K key, EntryProcessor<K, V, R> processor);

    /**
     * Runs {@code processor} on the entries of {@code keys} atomically, on their common primary. The keys must be
     * distinct and in one partition ({@link Grid#partitionOf}); hash tags put related keys there.
     *
     * @param <R> the type of the processor's result
     * @param keys the keys whose entries the processor reads and changes: at least one, all distinct
     * @param processor the code to run on the entries
     * @return a future that completes with what the processor returned, or {@code null}
     * @throws IllegalArgumentException if {@code keys} is empty, spans partitions or repeats a key
     */
    <R> CompletableFuture<R> executeOnKeysAsync(List<K> keys, MultiKeyProcessor<K, V, R> processor);

    /**
     * Sets the time to live of an existing key, as Redis's {@code PEXPIRE} does; zero or negative expires it now.
     *
     * @param key the key
     * @param ttl how long the entry lives from now, at millisecond precision
     * @return whether the key existed
     */
    boolean expire(K key, Duration ttl);

    /**
     * Removes the time to live of an existing key, so that it lives until removed.
     *
     * @param key the key
     * @return whether the key existed
     */
    boolean persist(K key);

    /**
     * The remaining time to live of {@code key}: empty when the key does not exist or has no expiry (tell the two
     * apart with {@link #containsKey}).
     *
     * @param key the key
     * @return the time the key has left, in milliseconds, or empty
     */
    Optional<Duration> ttl(K key);

    /**
     * The live entries of one partition ({@link Partition#id()}, 0 to {@code Grid.partitions().size() - 1}), read
     * from its primary at one instant. Walking the partitions one by one visits every entry that exists throughout
     * the walk at least once, whatever joins, leaves and migrations happen meanwhile: the basis for cursors such
     * as Redis's {@code SCAN}.
     *
     * @param partitionId the partition to read
     * @return a copy of the partition's live entries
     * @throws IllegalArgumentException if the partition does not exist
     */
    Map<K, V> partitionEntries(int partitionId);

    /**
     * Registers a listener of every change of the map, receiving events with old and new values.
     *
     * @param listener the listener
     * @return the registration's id, for {@link #removeListener}
     */
    UUID addListener(EntryListener<K, V> listener);

    /**
     * Registers a listener of every change of the map; without values, events carry only type and key, which saves
     * bandwidth.
     *
     * @param listener the listener
     * @param includeValues whether events carry the old and new values
     * @return the registration's id, for {@link #removeListener}
     */
    UUID addListener(EntryListener<K, V> listener, boolean includeValues);

    /**
     * Registers a listener of one key, as Hazelcast's {@code addEntryListener(listener, key, includeValue)}: it hears
     * every change of that key (and nothing else), whichever member is the key's primary now or later. When this
     * returns, every member knows of it, so a change applied afterwards is never missed. Events of a key arrive in
     * the order its primary applied them; after a primary's crash the events of its last changes may be lost, as with
     * any listener.
     *
     * @param key the key to listen to
     * @param listener the listener
     * @param includeValues whether events carry the old and new values
     * @return the registration's id, for {@link #removeListener}
     */
    UUID addKeyListener(K key, EntryListener<K, V> listener, boolean includeValues);

    /**
     * Removes a listener registration (of the map or of a key).
     *
     * @param id the id its {@code add*Listener} call returned
     * @return whether it was registered
     */
    boolean removeListener(UUID id);
}
