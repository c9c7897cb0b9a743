package io.tessera.grid.testing;

import io.tessera.grid.Grid;
import io.tessera.grid.GridBuilder;
import io.tessera.grid.GridMap;
import io.tessera.grid.internal.GridNode;
import io.tessera.grid.internal.cluster.ClusterService;
import io.tessera.grid.internal.partition.PartitionTable;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.jgroups.Address;
import org.jgroups.View;

/**
 * A grid member in its own JVM, for multi-process tests ({@link MemberProcesses} forks it): it starts a member on the
 * {@code tcp} stack bound to 127.0.0.1, prints {@code @@ READY name=<name> address=<uuid> pid=<pid> view=<size>} once the member knows the
 * partition table, and then serves one line command at a time on stdin, answering each with exactly one line that
 * starts with {@value #REPLY} on stdout. Logs go to stderr.
 *
 * <p>Arguments: {@code --cluster NAME --name NAME --port N --initial host:port,host:port [--partitions N]
 * [--backups N] [--timeout-ms N]}.
 *
 * <p>Commands (keys and values are single words):
 * <ul>
 *   <li>{@code PING} &rarr; {@code PONG}
 *   <li>{@code PUT map key value} &rarr; {@code OK <old value or null>}
 *   <li>{@code GET map key} &rarr; {@code VALUE <value>} or {@code NULL}
 *   <li>{@code SIZE map} &rarr; {@code SIZE <n>}
 *   <li>{@code FILL map prefix count tag [length]} writes {@code prefix<i> = prefix<i>:tag} for i in 0..count-1
 *       &rarr; {@code FILLED ok=<n> failed=<n>}; with {@code length}, the tag is padded with {@code ~} to that many
 *       characters (here and in WRITE-START and CHECK)
 *   <li>{@code WRITE-START map prefix tag [length]} starts writing {@code prefix<i> = prefix<i>:tag} for i = 0, 1, 2, ... in
 *       the background &rarr; {@code STARTED}; {@code WRITE-STOP} stops it and waits for the writes in flight
 *       &rarr; {@code WRITTEN count=<keys written> failed=<n> first=<first failure>}
 *   <li>{@code CHECK map prefix count tag [length]} reads them back &rarr; {@code CHECKED ok=<n> bad=<n> first=<key=value>}
 *   <li>{@code TABLE} &rarr; {@code TABLE version=.. syncing=.. minOwners=.. maxOwners=.. owners=a,b
 *       primaries=a:n,b:n backups=a:n,b:n lease=held|lost merging=<n>}, the partition counts of the installed table,
 *       whether the member holds its lease, and how many captured replicas it has still to merge
 *   <li>{@code VIEW} &rarr; {@code VIEW size=<n> coord=<name> members=a,b}
 *   <li>{@code OWNERS key} &rarr; {@code OWNERS partition=<p> primary=<name> backups=a,b}, under the installed table
 *   <li>{@code CLOSE} &rarr; graceful leave, {@code CLOSED}, exit 0
 * </ul>
 * A failing command answers {@code ERR <exception>}. End of stdin (the test JVM died) halts the process at once,
 * so a crashed test leaks no members.
 */
public final class MemberProcess {
    /** The prefix of every line the test reads; other output is diagnostics. */
    public static final String REPLY = "@@ ";

    private static final int MAX_IN_FLIGHT = 128;

    private final Grid grid;
    private final GridNode node;
    private final PrintStream out;
    private BackgroundWriter writer;

    private MemberProcess(Grid grid, PrintStream out) {
        this.grid = grid;
        this.node = (GridNode) grid;
        this.out = out;
    }

    /** Starts the member and serves commands until CLOSE or end of input. */
    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true,
                StandardCharsets.UTF_8);
        Map<String, String> options = parse(args);
        GridBuilder builder = Grid.builder()
                .clusterName(required(options, "cluster"))
                .memberName(required(options, "name"))
                .stack("tcp")
                .bindAddress("127.0.0.1")
                .bindPort(Integer.parseInt(required(options, "port")))
                .initialMembers(required(options, "initial").split(","))
                .partitionCount(Integer.parseInt(options.getOrDefault("partitions", "256")))
                .maxBackups(Integer.parseInt(options.getOrDefault("backups", "1")))
                .operationTimeout(Duration.ofMillis(Long.parseLong(options.getOrDefault("timeout-ms", "10000"))));
        Grid grid;
        try {
            grid = builder.start();
        } catch (RuntimeException e) {
            out.println(REPLY + "FAILED " + oneLine(e));
            e.printStackTrace();
            System.exit(2);
            return;
        }
        GridNode node = (GridNode) grid;
        String address = ((org.jgroups.util.UUID) node.address()).toStringLong();
        out.println(REPLY + "READY name=" + grid.localMember().name() + " address=" + address + " pid="
                + ProcessHandle.current().pid() + " view=" + node.cluster().view().size());
        new MemberProcess(grid, out).serve();
    }

    private void serve() throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            line = line.strip();
            if (line.isEmpty()) {
                continue;
            }
            String[] words = line.split("\\s+");
            String reply;
            try {
                reply = execute(words);
            } catch (RuntimeException e) {
                e.printStackTrace();
                reply = "ERR " + oneLine(e);
            }
            out.println(REPLY + reply);
            if (words[0].equalsIgnoreCase("CLOSE")) {
                System.exit(0);
            }
        }
        // The test JVM went away: die without a graceful leave, as a crash would.
        System.err.println("stdin closed; halting");
        Runtime.getRuntime().halt(3);
    }

    private String execute(String[] w) {
        switch (w[0].toUpperCase(java.util.Locale.ROOT)) {
            case "PING":
                return "PONG";
            case "PUT": {
                Object old = map(w[1]).put(w[2], w[3]);
                return "OK " + old;
            }
            case "GET": {
                Object value = map(w[1]).get(w[2]);
                return value == null ? "NULL" : "VALUE " + value;
            }
            case "SIZE":
                return "SIZE " + map(w[1]).size();
            case "FILL":
                return fill(map(w[1]), w[2], Integer.parseInt(w[3]), tag(w, 4));
            case "WRITE-START":
                if (writer != null) {
                    return "ERR a background writer is running";
                }
                writer = new BackgroundWriter(map(w[1]), w[2], tag(w, 3));
                writer.start();
                return "STARTED";
            case "WRITE-STOP": {
                if (writer == null) {
                    return "ERR no background writer";
                }
                String result = writer.finish();
                writer = null;
                return result;
            }
            case "CHECK":
                return check(map(w[1]), w[2], Integer.parseInt(w[3]), tag(w, 4));
            case "TABLE":
                return describe(node.table(), node.cluster()) + " lease=" + (node.lease().holds() ? "held" : "lost")
                        + " merging=" + node.merges().pendingCaptures();
            case "VIEW": {
                View view = node.cluster().view();
                ClusterService cluster = node.cluster();
                return "VIEW size=" + view.size() + " coord=" + cluster.nameOf(view.getCoord()) + " members="
                        + view.getMembers().stream().map(cluster::nameOf).collect(Collectors.joining(","));
            }
            case "OWNERS": {
                PartitionTable table = node.table();
                int p = io.tessera.grid.internal.partition.SlotHashing.partition(
                        node.serializer().encodeKey(w[1]), table.partitionCount());
                Address[] owners = table.owners(p);
                ClusterService cluster = node.cluster();
                return "OWNERS partition=" + p + " primary=" + (owners.length == 0 ? "none" : cluster.nameOf(owners[0]))
                        + " backups=" + Arrays.stream(owners).skip(1).map(cluster::nameOf)
                        .collect(Collectors.joining(","));
            }
            case "CLOSE":
                grid.close();
                return "CLOSED";
            default:
                return "ERR unknown command " + String.join(" ", w);
        }
    }

    /** The tag argument at {@code index}, padded to the length given by the optional argument after it. */
    private static String tag(String[] w, int index) {
        String tag = w[index];
        if (w.length > index + 1) {
            int pad = Integer.parseInt(w[index + 1]);
            tag = tag + "~".repeat(Math.max(0, pad - tag.length()));
        }
        return tag;
    }

    private static String value(String prefix, int i, String tag) {
        return prefix + i + ":" + tag;
    }

    private GridMap<String, String> map(String name) {
        return grid.map(name);
    }

    private static String fill(GridMap<String, String> map, String prefix, int count, String tag) {
        Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        AtomicReference<Throwable> firstFailure = new AtomicReference<>();
        for (int i = 0; i < count; i++) {
            inFlight.acquireUninterruptibly();
            map.putAsync(prefix + i, value(prefix, i, tag)).whenComplete((old, e) -> {
                if (e == null) {
                    ok.incrementAndGet();
                } else {
                    failed.incrementAndGet();
                    firstFailure.compareAndSet(null, e);
                }
                inFlight.release();
            });
        }
        inFlight.acquireUninterruptibly(MAX_IN_FLIGHT);
        return "FILLED ok=" + ok + " failed=" + failed
                + (firstFailure.get() == null ? "" : " first=" + oneLine(firstFailure.get()));
    }

    /** Writes numbered keys until stopped, with a bounded number in flight. */
    private static final class BackgroundWriter extends Thread {
        private final GridMap<String, String> map;
        private final String prefix;
        private final String tag;
        private final Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
        private final AtomicInteger failed = new AtomicInteger();
        private final AtomicReference<Throwable> firstFailure = new AtomicReference<>();
        private volatile boolean running = true;
        private int count;

        BackgroundWriter(GridMap<String, String> map, String prefix, String tag) {
            super("background-writer");
            this.map = map;
            this.prefix = prefix;
            this.tag = tag;
        }

        @Override
        public void run() {
            while (running) {
                inFlight.acquireUninterruptibly();
                int i = count++;
                try {
                    map.putAsync(prefix + i, value(prefix, i, tag)).whenComplete((old, e) -> {
                        if (e != null) {
                            failed.incrementAndGet();
                            firstFailure.compareAndSet(null, e);
                        }
                        inFlight.release();
                    });
                } catch (RuntimeException e) {
                    failed.incrementAndGet();
                    firstFailure.compareAndSet(null, e);
                    inFlight.release();
                }
            }
            inFlight.acquireUninterruptibly(MAX_IN_FLIGHT);
        }

        String finish() {
            running = false;
            try {
                join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "ERR interrupted";
            }
            return "WRITTEN count=" + count + " failed=" + failed
                    + (firstFailure.get() == null ? "" : " first=" + oneLine(firstFailure.get()));
        }
    }

    private static String check(GridMap<String, String> map, String prefix, int count, String tag) {
        Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger bad = new AtomicInteger();
        AtomicReference<String> first = new AtomicReference<>();
        for (int i = 0; i < count; i++) {
            inFlight.acquireUninterruptibly();
            String key = prefix + i;
            String expected = value(prefix, i, tag);
            CompletableFuture<String> read = map.getAsync(key);
            read.whenComplete((value, e) -> {
                if (e == null && expected.equals(value)) {
                    ok.incrementAndGet();
                } else {
                    bad.incrementAndGet();
                    first.compareAndSet(null, key + "=" + (e != null ? oneLine(e) : value));
                }
                inFlight.release();
            });
        }
        inFlight.acquireUninterruptibly(MAX_IN_FLIGHT);
        return "CHECKED ok=" + ok + " bad=" + bad + (first.get() == null ? "" : " first=" + first.get());
    }

    /** One line with the partition counts of {@code table}, members by name. */
    static String describe(PartitionTable table, ClusterService cluster) {
        Map<String, Integer> primaries = new TreeMap<>();
        Map<String, Integer> backups = new TreeMap<>();
        int minOwners = Integer.MAX_VALUE;
        int maxOwners = 0;
        List<String> owners = new ArrayList<>();
        Map<Address, String> names = new HashMap<>();
        for (int p = 0; p < table.partitionCount(); p++) {
            Address[] list = table.owners(p);
            minOwners = Math.min(minOwners, list.length);
            maxOwners = Math.max(maxOwners, list.length);
            for (int i = 0; i < list.length; i++) {
                String name = names.computeIfAbsent(list[i], cluster::nameOf);
                (i == 0 ? primaries : backups).merge(name, 1, Integer::sum);
                if (!owners.contains(name)) {
                    owners.add(name);
                }
            }
        }
        owners.sort(null);
        return "TABLE version=" + table.version() + " syncing=" + table.hasSyncing() + " minOwners=" + minOwners
                + " maxOwners=" + maxOwners + " owners=" + String.join(",", owners)
                + " primaries=" + counts(primaries) + " backups=" + counts(backups);
    }

    private static String counts(Map<String, Integer> counts) {
        return counts.entrySet().stream().map(e -> e.getKey() + ":" + e.getValue()).collect(Collectors.joining(","));
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("arguments: " + Arrays.toString(args)
                        + " (expected --option value pairs)");
            }
            options.put(args[i].substring(2), args[++i]);
        }
        return options;
    }

    private static String required(Map<String, String> options, String name) {
        String value = options.get(name);
        if (value == null) {
            throw new IllegalArgumentException("--" + name + " is required");
        }
        return value;
    }

    private static String oneLine(Throwable e) {
        Throwable t = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
        return String.valueOf(t).replace('\n', ' ').replace('\r', ' ');
    }
}
