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
 * Prometheus ({@link #prometheusText()}, what {@code GET /metrics} answers) and to JMX (domain {@code tessera}, for
 * jconsole and the agents that read MBeans). Made only when the node has an admin port.
 */
public final class NodeMetrics implements AutoCloseable {
    /** The JMX domain of the meters' MBeans. */
    public static final String JMX_DOMAIN = "tessera";

    private final CompositeMeterRegistry registry = new CompositeMeterRegistry();
    private final PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JmxMeterRegistry jmx = new JmxMeterRegistry(new JmxConfig() {
        @Override
        public String get(String key) {
            return null;
        }

        @Override
        public String domain() {
            return JMX_DOMAIN;
        }
    }, Clock.SYSTEM);
    private final JvmGcMetrics gc = new JvmGcMetrics();

    public NodeMetrics() {
        registry.add(prometheus);
        registry.add(jmx);
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
        jmx.close();
    }
}
