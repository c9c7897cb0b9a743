package io.tessera.redis.internal.admin;

import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.jmx.JmxConfig;
import io.micrometer.jmx.JmxMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * The standalone node's meters: one {@link CompositeMeterRegistry} that the grid and the RESP server register in
 * ({@code tessera.*}), with the JVM's meters (memory, GC, threads, processor, uptime) bound to it, published to
 * Prometheus ({@link #prometheusText()}, what {@code GET /metrics} answers) and, when asked, to JMX (domain
 * {@code tessera}, for jconsole and the agents that read MBeans).
 *
 * <p>JMX is its own choice ({@code --jmx}) because Micrometer's JMX registry is built on Dropwizard's metrics, whose
 * timer updates a decaying reservoir under a lock: a timer record plus a counter increment cost about 60 ns in the
 * Prometheus registry alone and about 360 ns with the JMX registry beside it, on every timed operation of the grid
 * ({@code MeterRegistryBenchmark} in the benchmarks module).
 */
public final class NodeMetrics implements AutoCloseable {
    /** The JMX domain of the meters' MBeans. */
    public static final String JMX_DOMAIN = "tessera";

    private final CompositeMeterRegistry registry = new CompositeMeterRegistry();
    private final PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    /** The JMX registry, or null without JMX. */
    private final JmxMeterRegistry jmx;
    private final JvmGcMetrics gc = new JvmGcMetrics();

    /** Meters published to Prometheus, and to JMX if {@code jmx}. */
    public NodeMetrics(boolean jmx) {
        registry.add(prometheus);
        this.jmx = jmx ? new JmxMeterRegistry(new JmxConfig() {
            @Override
            public String get(String key) {
                return null;
            }

            @Override
            public String domain() {
                return JMX_DOMAIN;
            }
        }, Clock.SYSTEM) : null;
        if (this.jmx != null) {
            registry.add(this.jmx);
        }
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    /** The registry to give the grid ({@code GridBuilder.meterRegistry}). */
    public MeterRegistry registry() {
        return registry;
    }

    /** Every meter in Prometheus's text format 0.0.4. */
    public String prometheusText() {
        return prometheus.scrape();
    }

    /** Stops the GC listener and unregisters the MBeans. */
    @Override
    public void close() {
        gc.close();
        registry.close();
        prometheus.close();
        if (jmx != null) {
            jmx.close();
        }
    }
}
