package io.tessera.benchmarks.compare;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The embedded grid against Hazelcast, measured in one run: three members with one synchronous backup, {@code put},
 * {@code set} and {@code get} of 100-byte values over 100,000 keys from 8 threads, both products alternating round by
 * round so that both see the same machine load.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.tessera.benchmarks.compare.EmbeddedCompare \
 *     [--rounds 3] [--seconds 10] [--warmup 5] [--threads 8] [--keys 100000] [--value 100] \
 *     [--scenarios one-jvm-member0,one-jvm-spread,three-jvms-member0] [--out results.csv]
 * </pre>
 *
 * <p>Scenarios: {@code one-jvm-*} runs the three members of each product in this JVM (over TCP on 127.0.0.1, each
 * product's default transport), with every thread calling member 0 ({@code member0}) or thread {@code i} calling
 * member {@code i mod 3} ({@code spread}); {@code three-jvms-member0} runs two members in child JVMs and the load in
 * the third, here. Writes {@code scenario,server,pipeline,round,test,rps,p50_ms,p99_ms} rows, the format
 * {@code benchmarks/scripts/summarize.py} tables and charts.
 */
public final class EmbeddedCompare {
    private static final List<String> OPERATIONS = List.of("put", "set", "get");

    private final int rounds;
    private final int seconds;
    private final int warmupSeconds;
    private final int threads;
    private final int keyCount;
    private final int valueSize;
    private final List<String> scenarios;
    private final Path out;

    private EmbeddedCompare(Args args) {
        rounds = args.integer("--rounds", 3);
        seconds = args.integer("--seconds", 10);
        warmupSeconds = args.integer("--warmup", 5);
        threads = args.integer("--threads", 8);
        keyCount = args.integer("--keys", 100_000);
        valueSize = args.integer("--value", 100);
        scenarios = List.of(args.text("--scenarios", "one-jvm-member0,one-jvm-spread,three-jvms-member0")
                .split(","));
        out = Path.of(args.text("--out", "embedded-compare.csv"));
    }

    public static void main(String[] argv) throws Exception {
        if (argv.length > 0 && argv[0].equals("member")) {
            ChildMember.run(argv);
            return;
        }
        new EmbeddedCompare(new Args(argv)).run();
        System.exit(0);
    }

    private void run() throws Exception {
        try (PrintWriter csv = new PrintWriter(Files.newBufferedWriter(out))) {
            csv.println("scenario,server,pipeline,round,test,rps,p50_ms,p99_ms");
            for (String scenario : scenarios) {
                for (int round = 1; round <= rounds; round++) {
                    for (Product product : Product.values()) {
                        measure(scenario, product, round, csv);
                        csv.flush();
                    }
                }
            }
        }
        System.out.println("results in " + out.toAbsolutePath());
    }

    private void measure(String scenario, Product product, int round, PrintWriter csv) throws Exception {
        boolean threeJvms = scenario.startsWith("three-jvms");
        boolean spread = scenario.endsWith("spread");
        String cluster = "compare-" + ProcessHandle.current().pid() + "-" + scenario + "-" + round;
        int[] ports = {freePort(), freePort(), freePort()};
        List<Process> children = new ArrayList<>();
        List<Member> members = new ArrayList<>();
        try {
            if (threeJvms) {
                for (int i = 1; i < 3; i++) {
                    children.add(ChildMember.start(product, cluster, ports, i));
                }
                members.add(Member.start(product, cluster, ports, 0));
            } else {
                for (int i = 0; i < 3; i++) {
                    members.add(Member.start(product, cluster, ports, i));
                }
            }
            members.get(0).awaitClusterOf(3);
            byte[] value = new byte[valueSize];
            ThreadLocalRandom.current().nextBytes(value);
            String[] keys = new String[keyCount];
            for (int i = 0; i < keyCount; i++) {
                keys[i] = "key:" + i;
            }
            load(members.get(0), keys, value);
            for (String operation : OPERATIONS) {
                run(members, spread, operation, keys, value, warmupSeconds, null);
                Histogram latencies = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
                long ops = run(members, spread, operation, keys, value, seconds, latencies);
                double rps = ops / (double) seconds;
                String row = String.format(Locale.ROOT, "%s,%s,%d threads,%d,%s,%.1f,%.3f,%.3f", scenario,
                        product.label, threads, round, operation, rps,
                        latencies.getValueAtPercentile(50) / 1e6, latencies.getValueAtPercentile(99) / 1e6);
                csv.println(row);
                System.out.println(row);
            }
        } finally {
            for (int i = members.size() - 1; i >= 0; i--) {
                members.get(i).close();
            }
            for (Process child : children) {
                child.getOutputStream().close();
                if (!child.waitFor(30, TimeUnit.SECONDS)) {
                    child.destroyForcibly();
                }
            }
        }
    }

    /** Writes every key once, from {@link #threads} threads. */
    private void load(Member member, String[] keys, byte[] value) throws InterruptedException {
        List<Thread> loaders = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int first = t;
            Thread loader = new Thread(() -> {
                for (int i = first; i < keys.length; i += threads) {
                    member.set(keys[i], value);
                }
            });
            loader.start();
            loaders.add(loader);
        }
        for (Thread loader : loaders) {
            loader.join();
        }
    }

    /** Runs {@code operation} on random keys from every thread for {@code forSeconds}; returns the operations done. */
    private long run(List<Member> members, boolean spread, String operation, String[] keys, byte[] value,
                     int forSeconds, Histogram latencies) throws InterruptedException {
        AtomicBoolean stop = new AtomicBoolean();
        Recorder recorder = new Recorder(3);
        long[] counts = new long[threads];
        CountDownLatch done = new CountDownLatch(threads);
        for (int t = 0; t < threads; t++) {
            int index = t;
            Member member = spread ? members.get(t % members.size()) : members.get(0);
            Thread worker = new Thread(() -> {
                ThreadLocalRandom random = ThreadLocalRandom.current();
                long count = 0;
                while (!stop.get()) {
                    String key = keys[random.nextInt(keys.length)];
                    long start = System.nanoTime();
                    switch (operation) {
                        case "put" -> member.put(key, value);
                        case "set" -> member.set(key, value);
                        default -> member.get(key);
                    }
                    recorder.recordValue(Math.min(System.nanoTime() - start, TimeUnit.SECONDS.toNanos(60)));
                    count++;
                }
                counts[index] = count;
                done.countDown();
            }, "load-" + t);
            worker.start();
        }
        Thread.sleep(TimeUnit.SECONDS.toMillis(forSeconds));
        stop.set(true);
        done.await();
        if (latencies != null) {
            latencies.add(recorder.getIntervalHistogram());
        }
        long total = 0;
        for (long c : counts) {
            total += c;
        }
        return total;
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Options as {@code --name value} pairs. */
    private record Args(String[] argv) {
        String text(String name, String fallback) {
            for (int i = 0; i + 1 < argv.length; i += 2) {
                if (argv[i].equals(name)) {
                    return argv[i + 1];
                }
            }
            for (int i = 0; i < argv.length; i += 2) {
                if (!argv[i].startsWith("--")) {
                    throw new IllegalArgumentException("expected --option value pairs, got " + argv[i]);
                }
            }
            return fallback;
        }

        int integer(String name, int fallback) {
            return Integer.parseInt(text(name, Integer.toString(fallback)));
        }
    }
}
