package io.tessera.redis.internal.server;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.tessera.redis.internal.command.CommandStats;
import io.tessera.redis.internal.command.ServerContext;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The RESP server's meters, read from the state the server keeps anyway, so serving a command costs nothing more:
 *
 * <ul>
 *   <li>{@code tessera.redis.connections} (gauge): clients connected now;
 *   <li>{@code tessera.redis.blocked.clients} (gauge): clients waiting in BLPOP and its kin;
 *   <li>{@code tessera.redis.commands} (counter, tag {@code command}): calls per command, as INFO commandstats
 *       counts them, and {@code tessera.redis.commands.time} (counter, seconds) the time they took;
 *   <li>{@code tessera.redis.errors} (counter, tag {@code prefix}): error replies by prefix ({@code ERR},
 *       {@code WRONGTYPE}, ...), as INFO errorstats counts them.
 * </ul>
 *
 * <p>Every meter carries the tag {@code member} (the grid member's name), as grid-core's do. The counters are function
 * counters over {@link CommandStats}' totals: they are read when the registry publishes (a Prometheus scrape), and
 * CONFIG RESETSTAT does not lower them. A command's and an error prefix's counter is registered the first time this
 * server counts it, on the thread that counted it (once per name); the meters are removed when the server closes.
 */
public final class RespMeters implements CommandStats.Names, AutoCloseable {
    private final MeterRegistry registry;
    private final CommandStats stats;
    private final Tags tags;
    private final List<Meter> meters = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    private RespMeters(MeterRegistry registry, CommandStats stats, Tags tags) {
        this.registry = registry;
        this.stats = stats;
        this.tags = tags;
    }

    /** Registers {@code server}'s meters in {@code registry} (the grid's). */
    public static RespMeters register(MeterRegistry registry, ServerContext server) {
        RespMeters meters = new RespMeters(registry, server.commandStats(),
                Tags.of("member", server.grid().localMember().name()));
        meters.add(Gauge.builder("tessera.redis.connections", server, s -> s.clients().size())
                .description("Clients connected to the RESP server now")
                .tags(meters.tags)
                .register(registry));
        meters.add(Gauge.builder("tessera.redis.blocked.clients", server, s -> s.blockedClients().size())
                .description("Clients blocked in BLPOP and its kin")
                .tags(meters.tags)
                .register(registry));
        server.commandStats().names(meters);
        return meters;
    }

    @Override
    public void command(String name) {
        Tags commandTags = tags.and("command", name);
        add(FunctionCounter.builder("tessera.redis.commands", stats, s -> s.callsEver(name))
                .description("Commands the RESP server ran, by command (as INFO commandstats counts calls)")
                .tags(commandTags)
                .register(registry));
        add(FunctionCounter.builder("tessera.redis.commands.time", stats, s -> s.microsEver(name) / 1e6)
                .description("The time commands took from their start to their reply, blocking commands aside")
                .baseUnit("seconds")
                .tags(commandTags)
                .register(registry));
    }

    @Override
    public void errorPrefix(String prefix) {
        add(FunctionCounter.builder("tessera.redis.errors", stats, s -> s.errorsEver(prefix))
                .description("Error replies by prefix (as INFO errorstats counts them)")
                .tags(tags.and("prefix", prefix))
                .register(registry));
    }

    private void add(Meter meter) {
        meters.add(meter);
        if (closed) {
            registry.remove(meter); // a command counted while the server closed
        }
    }

    /** Removes every meter of this server from the registry. */
    @Override
    public void close() {
        closed = true;
        for (Meter meter : meters) {
            registry.remove(meter);
        }
        meters.clear();
    }
}
