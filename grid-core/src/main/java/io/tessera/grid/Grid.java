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


    /** A builder for a new member, with the defaults documented on {@link GridBuilder}. */
    static GridBuilder builder() {
        return new GridBuilder();
    }

    /**
     * The map called {@code name}, with the default {@link MapConfig}; every member that asks for the same name
     * sees the same entries.
     */
    <K, V> GridMap<K, V> map(String name);

    /**
     * The map called {@code name} with {@code config}. Use the same config for a name on every member: the config
     * travels with each operation, and the primary applies the one it receives; only the bound
     * ({@link MapConfig#maxSize()}, {@link MapConfig#maxMemory()} and the eviction settings) is the member's own, from
     * its own config of the map (see {@link GridMap#reconfigure}).
     *
     * @throws IllegalArgumentException if this member already handed out {@code name} with another config, or the
     *     config asks for more backups than the grid keeps ({@link GridBuilder#maxBackups(int)})
     */
    <K, V> GridMap<K, V> map(String name, MapConfig config);

    /**
     * The publish/subscribe topic {@code name}, cluster-wide: what is published on any member reaches the listeners
     * of every member.
     */
    <M> GridTopic<M> topic(String name);

    /** The current members in view order; the first is the coordinator. */
    List<Member> members();

    /** This member. */
    Member localMember();

    /** The partitions as this member's newest partition table assigns them, in id order. */
    List<Partition> partitions();

    /** The partition that holds {@code key} (a String hashes as its UTF-8 bytes, as in Redis Cluster). */
    Partition partitionOf(Object key);

    /** The cluster name this member joined. */
    String clusterName();

    /**
     * The cluster as this member sees it now: members and their figures, the partition table with moving
     * partitions, migrations in progress, maps, recent membership events, and whether this member is ready to serve.
     * Cheap (no message is sent); status pages and health checks call it on every request.
     */
    GridStatus status();

    /** The registry this member's meters are in ({@link GridBuilder#meterRegistry}, or the member's own). */
    MeterRegistry meterRegistry();

    /**
     * Leaves the cluster gracefully: hands this member's partitions off, waits until the new owners hold them (at most
     * {@link #LEAVE_TIMEOUT}), then disconnects. Idempotent. Maps handed out by this grid fail with
     * {@link GridClosedException} afterwards.
     */
    @Override
    void close();
}
