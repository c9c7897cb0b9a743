package io.tessera.benchmarks;

import io.tessera.grid.Grid;
import io.tessera.grid.GridMap;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Throughput of {@code put} and {@code get} on a 3-member cluster in one JVM (the {@code local} stack) with one
 * synchronous backup: the calls go through member 0, so about two thirds of them cross to another member.
 *
 * <pre>
 * mvn -q -B -DskipTests package &amp;&amp; java -jar benchmarks/target/benchmarks.jar GridMapBenchmark
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgs = {"-Xmx2g", "-Djava.net.preferIPv4Stack=true"})
@Threads(8)
public class GridMapBenchmark {
    private static final int KEYS = 10_000;

    @Param({"100"})
    public int valueSize;

    private final List<Grid> members = new ArrayList<>();
    private GridMap<String, byte[]> map;
    private byte[] value;
    private String[] keys;

    @Setup(Level.Trial)
    public void start() {
        String cluster = "bench-" + UUID.randomUUID();
        for (int i = 0; i < 3; i++) {
            members.add(Grid.builder().clusterName(cluster).stack("local").memberName("m" + i)
                    .operationTimeout(Duration.ofSeconds(30)).start());
        }
        // Let the joins settle before measuring.
        try {
            Thread.sleep(3000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        map = members.get(0).map("bench");
        value = new byte[valueSize];
        keys = new String[KEYS];
        for (int i = 0; i < KEYS; i++) {
            keys[i] = "key:" + i;
            map.set(keys[i], value);
        }
    }

    @TearDown(Level.Trial)
    public void stop() {
        for (int i = members.size() - 1; i >= 0; i--) {
            members.get(i).close();
        }
    }

    @Benchmark
    public void put() {
        map.set(keys[ThreadLocalRandom.current().nextInt(KEYS)], value);
    }

    @Benchmark
    public byte[] get() {
        return map.get(keys[ThreadLocalRandom.current().nextInt(KEYS)]);
    }
}
