package io.tessera.benchmarks;

import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.jmx.JmxConfig;
import io.micrometer.jmx.JmxMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * What one timed operation's meters cost (a {@link Timer} record and a {@link Counter} increment, as a grid operation
 * records them) in each registry tessera-server can publish to: the grid's default {@code simple} registry, the
 * {@code prometheus} one behind {@code --admin-port} (inside the node's composite), and {@code prometheus+jmx} with
 * {@code --jmx}. The figures decided that JMX is its own switch, off by default.
 *
 * <pre>
 * mvn -q -B -DskipTests package &amp;&amp; java -jar benchmarks/target/benchmarks.jar MeterRegistryBenchmark
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = {"-Xmx1g"})
@State(Scope.Benchmark)
public class MeterRegistryBenchmark {
    @Param({"simple", "prometheus", "prometheus+jmx"})
    public String registry;

    private MeterRegistry meters;
    private Timer timer;
    private Counter counter;
    private long nanos;

    @Setup(Level.Trial)
    public void setUp() {
        meters = switch (registry) {
            case "simple" -> new SimpleMeterRegistry();
            case "prometheus" -> composite(false);
            case "prometheus+jmx" -> composite(true);
            default -> throw new IllegalArgumentException("registry: " + registry);
        };
        timer = Timer.builder("tessera.bench.operation").tag("map", "m").register(meters);
        counter = Counter.builder("tessera.bench.count").tag("map", "m").register(meters);
    }

    /** As the standalone node builds it (NodeMetrics): a composite of Prometheus and, with --jmx, JMX. */
    private static MeterRegistry composite(boolean jmx) {
        CompositeMeterRegistry composite = new CompositeMeterRegistry();
        composite.add(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
        if (jmx) {
            composite.add(new JmxMeterRegistry(new JmxConfig() {
                @Override
                public String get(String key) {
                    return null;
                }

                @Override
                public String domain() {
                    return "tessera-bench";
                }
            }, Clock.SYSTEM));
        }
        return composite;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        meters.close();
    }

    @Benchmark
    public void timedOperation() {
        timer.record(nanos++ & 1023, TimeUnit.NANOSECONDS);
        counter.increment();
    }
}
