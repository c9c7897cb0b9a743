package io.tessera.examples;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tessera.grid.Grid;
import io.tessera.grid.GridMap;
import io.tessera.grid.GridStatus;
import io.tessera.grid.GridStatus.PartitionState;
import java.time.Duration;

/**
 * The embedding guide's {@code GridBuilder}, {@code Grid.status()} and graceful-leave example
 * (docs/embedding.md): two members on the {@code tcp} stack on 127.0.0.1, one of which leaves while the other keeps
 * every entry.
 */
public final class ClusterExample {

    /**
     * What the example saw.
     *
     * @param members the members the first member saw once both were up
     * @param summary {@link #summarize} of the first member's status before the leave
     * @param sizeAfterLeave the map's size on the member that stayed, once the other one left
     */
    public record Outcome(int members, String summary, int sizeAfterLeave) {
    }

    private ClusterExample() {
    }

    /**
     * Starts a member of {@code clusterName} on 127.0.0.1:{@code port}, with its meters in {@code registry}, that
     * contacts {@code members} ({@code host:port}) to join.
     *
     * @param clusterName the cluster to join or found
     * @param port the port the member's grid transport binds on 127.0.0.1
     * @param registry where the member publishes its meters
     * @param members the grid addresses ({@code host:port}) the member contacts to join
     * @return the started member, joined and holding the partition table
     */
    public static Grid start(String clusterName, int port, MeterRegistry registry, String... members) {
        // tag::builder[]
        Grid grid = Grid.builder()
                .clusterName(clusterName)                   // only members with the same name form a cluster
                .stack("tcp")                               // the default; or udp, kubernetes, local, a JGroups XML
                .bindAddress("127.0.0.1")                   // the address the grid's transport binds
                .bindPort(port)                             // default: the first free one of 7800..7810
                .initialMembers(members)                    // host:port of the members to contact
                .memberName("member-" + port)               // in logs, views and Member.name()
                .partitionCount(256)                        // the same on every member
                .maxBackups(1)                              // the most backups a map may keep; the same everywhere
                .operationTimeout(Duration.ofSeconds(15))   // the deadline of every call, retries included
                .meterRegistry(registry)                    // where the member's tessera.* meters go
                .start();                                   // returns once joined and the partition table is known
        // end::builder[]
        return grid;
    }

    /**
     * Summarizes the cluster as {@code grid} sees it now.
     *
     * @param grid the member to ask
     * @return one line: the members, the partitions by state and whether the member is ready
     */
    public static String summarize(Grid grid) {
        // tag::status[]
        GridStatus status = grid.status();                  // a snapshot; sends no message
        long moving = status.partitions().stream().filter(p -> p.state() != PartitionState.STABLE).count();
        String summary = status.clusterName() + ": " + status.members().size() + " members, table version "
                + status.tableVersion() + ", " + moving + " partitions moving, ready: " + status.ready();
        // end::status[]
        return summary;
    }

    /**
     * Starts two members of {@code clusterName} on 127.0.0.1 ports {@code port} and {@code port + 1}, writes
     * {@code entries} entries, lets the second member leave and reads what the first one then sees.
     *
     * @param clusterName the example cluster's name
     * @param port the first member's grid port; the second takes the next one
     * @param entries how many entries to write
     * @return what the first member saw before and after the leave
     */
    public static Outcome run(String clusterName, int port, int entries) {
        String[] members = {"127.0.0.1:" + port, "127.0.0.1:" + (port + 1)};
        try (Grid first = start(clusterName, port, new SimpleMeterRegistry(), members)) {
            Grid second = start(clusterName, port + 1, new SimpleMeterRegistry(), members);
            GridMap<String, Integer> numbers = second.map("numbers");
            for (int i = 0; i < entries; i++) {
                numbers.set("n" + i, i);
            }
            int seen = first.members().size();
            String summary = summarize(first);
            // tag::close[]
            second.close();   // hands its partitions to the others, waits until they hold them, then disconnects
            // end::close[]
            return new Outcome(seen, summary, first.<String, Integer>map("numbers").size());
        }
    }

    /**
     * Runs the example on ports 7800 and 7801 and prints what it saw.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        System.out.println(run("cluster-example", 7800, 1_000));
    }
}
