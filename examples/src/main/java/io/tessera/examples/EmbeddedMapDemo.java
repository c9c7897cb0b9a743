package io.tessera.examples;

import io.tessera.grid.Grid;
import io.tessera.grid.GridBuilder;
import io.tessera.grid.GridMap;
import io.tessera.grid.Member;
import io.tessera.grid.Partition;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * The embedded demo: starts a grid member on 127.0.0.1, joins the members started the same way (on ports
 * 7800..7810), prints the membership and how many partitions each member leads, writes and reads some entries,
 * then stays in the cluster (printing changes) until Ctrl-C, which is a graceful leave.
 *
 * <pre>
 * java -jar examples/target/tessera-examples.jar [--cluster-name NAME] [--port 7800] [--members h:p,h:p]
 *                                                [--keys 1000] [--once] [--stack tcp]
 * </pre>
 */
public final class EmbeddedMapDemo {

    private EmbeddedMapDemo() {
    }

    /**
     * Runs the demo; see the class comment for the options.
     *
     * @param args the options of the class comment
     * @throws InterruptedException if the main thread is interrupted while the demo waits for membership changes
     */
    public static void main(String[] args) throws InterruptedException {
        if (run(args, System.out)) {
            System.exit(0);
        }
    }

    /**
     * Runs the demo, printing to {@code out}; returns true when it ended by itself ({@code --once} or
     * {@code --help}), and only returns otherwise after Ctrl-C.
     */
    static boolean run(String[] args, PrintStream out) throws InterruptedException {
        Map<String, String> options = parse(args);
        if (options.containsKey("help")) {
            out.println("usage: EmbeddedMapDemo [--cluster-name NAME] [--port PORT] [--members host:port,...]"
                    + " [--keys N] [--once] [--stack tcp|local|udp|kubernetes|FILE]");
            return true;
        }
        int keys = Integer.parseInt(options.getOrDefault("keys", "1000"));
        GridBuilder builder = Grid.builder().clusterName(options.getOrDefault("cluster-name", "tessera-demo"))
                .stack(options.getOrDefault("stack", "tcp"));
        if (!options.getOrDefault("stack", "tcp").equals("local")) {
            builder.bindAddress("127.0.0.1");
        }
        if (options.containsKey("port")) {
            builder.bindPort(Integer.parseInt(options.get("port")));
        }
        if (options.containsKey("members")) {
            builder.initialMembers(options.get("members").split(","));
        }
        Grid grid = builder.start();
        out.println("joined cluster '" + grid.clusterName() + "' as " + grid.localMember().name());
        printMembership(grid, out);

        GridMap<String, String> greetings = grid.map("greetings");
        String me = grid.localMember().name();
        long start = System.nanoTime();
        for (int i = 0; i < keys; i++) {
            greetings.set(me + ":" + i, "hello from " + me + " #" + i);
        }
        long wrote = System.nanoTime();
        int found = 0;
        for (int i = 0; i < keys; i++) {
            if (greetings.get(me + ":" + i) != null) {
                found++;
            }
        }
        long read = System.nanoTime();
        out.printf("wrote %d entries in %d ms, read back %d in %d ms; map size across the cluster: %d%n", keys,
                (wrote - start) / 1_000_000, found, (read - wrote) / 1_000_000, greetings.size());
        out.println("sample: " + me + ":0 -> " + greetings.get(me + ":0"));

        printMembership(grid, out);
        if (options.containsKey("once")) {
            grid.close();
            out.println("done");
            return true;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            out.println("leaving the cluster gracefully...");
            grid.close();
            stopped.countDown();
        }, "demo-shutdown"));
        out.println("running; start more members the same way, Ctrl-C to leave");
        int lastSize = grid.members().size();
        while (!stopped.await(1, java.util.concurrent.TimeUnit.SECONDS)) {
            int size = grid.members().size();
            if (size != lastSize) {
                lastSize = size;
                Thread.sleep(Duration.ofSeconds(1).toMillis());
                printMembership(grid, out);
            }
        }
        return false;
    }

    /** Prints the members and how many partitions each leads and backs up. */
    static void printMembership(Grid grid, PrintStream out) {
        List<Member> members = grid.members();
        Map<Member, int[]> counts = new LinkedHashMap<>();
        for (Member m : members) {
            counts.put(m, new int[2]);
        }
        for (Partition partition : grid.partitions()) {
            if (partition.primary() != null && counts.containsKey(partition.primary())) {
                counts.get(partition.primary())[0]++;
            }
            for (Member backup : partition.backups()) {
                if (counts.containsKey(backup)) {
                    counts.get(backup)[1]++;
                }
            }
        }
        out.println("members (" + members.size() + "):");
        for (Member m : members) {
            int[] c = counts.get(m);
            out.printf("  %-24s primary of %3d partitions, backup of %3d%s%n", m.name(), c[0], c[1],
                    m.isLocal() ? "  <- this member" : "");
        }
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> options = new LinkedHashMap<>();
        List<String> rest = new ArrayList<>(List.of(args));
        for (int i = 0; i < rest.size(); i++) {
            String arg = rest.get(i);
            if (!arg.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument: " + arg + " (try --help)");
            }
            String name = arg.substring(2);
            if (name.equals("once") || name.equals("help")) {
                options.put(name, "true");
            } else if (i + 1 < rest.size()) {
                options.put(name, rest.get(++i));
            } else {
                throw new IllegalArgumentException("option " + arg + " needs a value (try --help)");
            }
        }
        return options;
    }
}
