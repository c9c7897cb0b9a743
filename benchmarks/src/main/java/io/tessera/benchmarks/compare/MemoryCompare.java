package io.tessera.benchmarks.compare;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Heap bytes per entry, both copies counted: two members of each product in this JVM, map {@code bench} with one
 * synchronous backup, {@code --entries} entries (default 1,000,000) of {@code "key:<n>"} to 100-byte values, loaded
 * through member 0. The figure is the heap used after a full collection, loaded minus empty, divided by the entries.
 *
 * <pre>
 * java -Xmx8g -cp benchmarks/target/benchmarks.jar io.tessera.benchmarks.compare.MemoryCompare [--entries 1000000]
 * </pre>
 *
 * <p>{@code benchmarks/scripts/memory-compare.sh} runs it beside redis-server's {@code used_memory} for the same keys.
 */
public final class MemoryCompare {
    private MemoryCompare() {
    }

    public static void main(String[] argv) throws Exception {
        int entries = argv.length == 2 && argv[0].equals("--entries") ? Integer.parseInt(argv[1]) : 1_000_000;
        byte[] value = new byte[100];
        for (Product product : Product.values()) {
            String cluster = "memory-" + ProcessHandle.current().pid() + "-" + product.label;
            int[] ports = {freePort(), freePort()};
            List<Member> members = new ArrayList<>();
            try {
                for (int i = 0; i < 2; i++) {
                    members.add(Member.start(product, cluster, ports, i));
                }
                members.get(0).awaitClusterOf(2);
                long empty = usedAfterGc();
                Thread[] loaders = new Thread[8];
                for (int t = 0; t < loaders.length; t++) {
                    int first = t;
                    loaders[t] = new Thread(() -> {
                        for (int i = first; i < entries; i += loaders.length) {
                            members.get(0).set("key:" + i, value);
                        }
                    });
                    loaders[t].start();
                }
                for (Thread loader : loaders) {
                    loader.join();
                }
                long loaded = usedAfterGc();
                System.out.printf(Locale.ROOT, "%s,%d,%.1f%n", product.label, entries,
                        (loaded - empty) / (double) entries);
            } finally {
                for (int i = members.size() - 1; i >= 0; i--) {
                    members.get(i).close();
                }
            }
        }
        System.exit(0);
    }

    private static long usedAfterGc() throws InterruptedException {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(300);
            used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
