package io.tessera.grid;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;

/**
 * A member of a Tessera cluster: it holds a share of every map's partitions and serves the maps it hands out.
 *
 * <p>Start one with {@link #builder()}. {@link #close()} is a graceful leave: the member hands its partitions to
 * the others before it disconnects, so no data is lost and clients only see retries.
 */
public interface Grid extends AutoCloseable {
    /**
     * The longest {@link #close()} waits for this member's partitions to be handed off before it disconnects anyway
     * (their backups then take over, as after a crash). A deployment that stops members gracefully (a Kubernetes
     * {@code terminationGracePeriodSeconds}, a systemd {@code TimeoutStopSec}) allows at least this much.
     */
    Duration LEAVE_TIMEOUT = Duration.ofMinutes(2);


    /**
     * Returns a builder for a new member, with the defaults documented on {@link GridBuilder}.
     *
     * @return a new builder; each call returns a fresh one
     */
    static GridBuilder builder() {
        return new GridBuilder();
    }

    /**
     * Returns the map called {@code name}, with the default {@link MapConfig}; every member that asks for the same name
     * sees the same entries.
     *
     * @param <K> the type of the map's keys
     * @param <V> the type of the map's values
     * @param name the map's name
     * @return the map; the same name on this member returns the same map
     * @throws IllegalArgumentException if {@code name} is empty
     */
    <K, V> GridMap<K, V> map(String name);

    /**
     * The map called {@code name} with {@code config}. Use the same config for a name on every member: the config
     * travels with each operation, and the primary applies the one it receives; only the bound
     * ({@link MapConfig#maxSize()}, {@link MapConfig#maxMemory()} and the eviction settings) is the member's own, from
     * its own config of the map (see {@link GridMap#reconfigure}).
     *
     * @param <K> the type of the map's keys
     * @param <V> the type of the map's values
     * @param name the map's name
     * @param config the map's config
     * @return the map
     * @throws IllegalArgumentException if this member already handed out {@code name} with another config, or the
     *     config asks for more backups than the grid keeps ({@link GridBuilder#maxBackups(int)})
     */
    <K, V> GridMap<K, V> map(String name, MapConfig config);

    /**
     * Returns the publish/subscribe topic {@code name}, cluster-wide: what is published on any member reaches the
     * listeners of every member.
     *
     * @param <M> the type of the topic's messages
     * @param name the topic's name
     * @return the topic
     */
    <M> GridTopic<M> topic(String name);

    /**
     * Returns the current members in view order; the first is the coordinator.
     *
     * @return the members of this member's current view, this one included
     */
    List<Member> members();

    /**
     * Returns this member as {@link #members()} lists it.
     *
     * @return this member, whose {@link Member#isLocal()} is true
     */
    Member localMember();

    /**
     * Returns the partitions as this member's newest partition table assigns them, in id order.
     *
     * @return every partition, indexed by its id
     */
    List<Partition> partitions();

    /**
     * Returns the partition that holds {@code key} (a String hashes as its UTF-8 bytes, as in Redis Cluster).
     *
     * @param key a key of any map; maps share the partitioning
     * @return the partition, with its owners as this member knows them
     */
    Partition partitionOf(Object key);

    /**
     * Returns the cluster name this member joined.
     *
     * @return the name given to {@link GridBuilder#clusterName(String)}, or the default
     */
    String clusterName();

    /**
     * The cluster as this member sees it now: members and their figures, the partition table with moving
     * partitions, migrations in progress, maps, recent membership events, and whether this member is ready to serve.
     * Cheap (no message is sent); status pages and health checks call it on every request.
     *
     * @return a snapshot of the cluster as this member sees it
     */
    GridStatus status();

    /**
     * Returns the registry this member's meters are in ({@link GridBuilder#meterRegistry}, or the member's own).
     *
     * @return the registry of this member's meters
     */
    MeterRegistry meterRegistry();

    /**
     * Leaves the cluster gracefully: hands this member's partitions off, waits until the new owners hold them (at most
     * {@link #LEAVE_TIMEOUT}), then disconnects. Idempotent. Maps handed out by this grid fail with
     * {@link GridClosedException} afterwards.
     */
    @Override
    void close();
}
