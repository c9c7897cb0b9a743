package io.tessera.redis.internal.command;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.TimeGauge;
import io.tessera.grid.Grid;
import io.tessera.grid.GridStatus;
import io.tessera.grid.Member;
import io.tessera.grid.internal.map.DefaultGridMap;
import io.tessera.grid.internal.map.KeyspaceFigures;
import io.tessera.redis.RespServerConfig;
import io.tessera.redis.internal.protocol.Reply;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Server commands: {@code INFO}, {@code TIME} and {@code SHUTDOWN} ({@code CONFIG} is {@link ConfigCommands},
 * {@code COMMAND} is {@link CommandIntrospection}).
 *
 * <p>{@code INFO keyspace} counts keys with {@code GridMap.size()}, a cluster-wide read: it runs on the server's
 * admin executor, never on an event loop.
 */
final class ServerCommands {
    private static final List<String> DEFAULT_SECTIONS = List.of("server", "clients", "memory", "stats",
            "replication", "errorstats", "cluster", "keyspace", "tessera");

    private ServerCommands() {
    }

    static void register(CommandTable.Builder table) {
        table.command("info", -1, "loading stale", 0, 0, 0, "server",
                "Returns information and statistics about the server.", ServerCommands::info);
        table.immediate("time", 1, "loading stale fast", "server", "Returns the server time.", call -> {
            java.time.Instant now = java.time.Instant.now(); // microsecond precision on Linux
            return Reply.array(List.of(Reply.bulk(Long.toString(now.getEpochSecond())),
                    Reply.bulk(Long.toString(now.getNano() / 1000))));
        });
        table.command("shutdown", -1, "admin noscript loading stale no_multi sentinel allow_busy", 0, 0, 0,
                "server", "Hands the node's partitions to the other members and stops it (nothing is saved to disk).",
                ServerCommands::shutdown);
        table.rules("shutdown", CommandRule.REFUSED_IN_MULTI);
        Subcommands slowlog = new Subcommands("slowlog")
                .addImmediate("get", -2, ServerCommands::slowlogGet)
                .addImmediate("len", 2, call -> Reply.integer(call.server().slowLog().size()))
                .addImmediate("reset", 2, call -> {
                    call.server().slowLog().reset();
                    return Reply.OK;
                })
                .help("GET [<count>]", "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
                        "    Entries are made of:",
                        "    id, timestamp, time in microseconds, arguments array, client IP and port,",
                        "    client name",
                        "LEN", "    Return the length of the slowlog.",
                        "RESET", "    Reset the slowlog.");
        table.subcommands("slowlog", slowlog);
        table.command("slowlog", -2, "", 0, 0, 0, "server", "A container for slow log commands.", slowlog);
    }

    /** SLOWLOG GET [count]: the newest entries, 10 by default, all with -1. */
    private static Reply slowlogGet(CommandCall call) {
        long count = 10;
        if (call.argCount() > 3) {
            return Reply.error("ERR wrong number of arguments for 'slowlog|get' command");
        }
        if (call.argCount() == 3) {
            Long parsed = Arguments.tryParseLong(call.arg(2));
            if (parsed == null || parsed < -1 || parsed > Long.MAX_VALUE / 2) {
                return Reply.error("ERR count should be greater than or equal to -1");
            }
            count = parsed;
        }
        return call.server().slowLog().newest(count);
    }

    // ---- INFO ----

    private static CompletableFuture<Reply> info(CommandCall call) {
        Set<String> sections = new LinkedHashSet<>();
        if (call.argCount() == 1) {
            sections.addAll(DEFAULT_SECTIONS);
        }
        for (int i = 1; i < call.argCount(); i++) {
            String section = call.text(i).toLowerCase(Locale.ROOT);
            switch (section) {
                case "default" -> sections.addAll(DEFAULT_SECTIONS);
                case "all", "everything" -> {
                    sections.addAll(DEFAULT_SECTIONS);
                    sections.add("commandstats");
                }
                default -> sections.add(section);
            }
        }
        ServerContext server = call.server();
        if (!sections.contains("keyspace")) {
            return CommandCall.done(new Reply.Verbatim(infoText(server, sections, null)));
        }
        return CompletableFuture.supplyAsync(() -> keyspace(server), server.adminExecutor())
                .thenApply(keyspace -> new Reply.Verbatim(infoText(server, sections, keyspace)));
    }

    /** Keys, expiring keys and their average TTL per non-empty database; blocking, cluster-wide. */
    private static Map<Integer, KeyspaceFigures> keyspace(ServerContext server) {
        Map<Integer, KeyspaceFigures> figures = new LinkedHashMap<>();
        for (int db = 0; db < server.databaseCount(); db++) {
            KeyspaceFigures database = ((DefaultGridMap<?, ?>) server.database(db)).keyspaceFigures();
            if (database.keys() > 0) {
                figures.put(db, database);
            }
        }
        return figures;
    }

    static String infoText(ServerContext server, Set<String> sections, Map<Integer, KeyspaceFigures> keyspace) {
        StringBuilder out = new StringBuilder();
        for (String section : sections) {
            int before = out.length();
            if (before > 0) {
                out.append("\r\n");
            }
            if (!appendSection(out, section, server, keyspace)) {
                out.setLength(before);
            }
        }
        return out.toString();
    }

    private static boolean appendSection(StringBuilder out, String section, ServerContext server,
                                         Map<Integer, KeyspaceFigures> keyspace) {
        Grid grid = server.grid();
        long now = System.currentTimeMillis();
        switch (section) {
            case "server" -> {
                long uptime = (now - server.startMillis()) / 1000;
                out.append("# Server\r\n");
                line(out, "redis_version", ConnectionCommands.REDIS_VERSION);
                line(out, "redis_git_sha1", "00000000");
                line(out, "redis_git_dirty", "0");
                line(out, "redis_build_id", "0");
                line(out, "redis_mode", "standalone");
                line(out, "os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                        + System.getProperty("os.arch"));
                line(out, "arch_bits", "64");
                line(out, "multiplexing_api", "netty");
                line(out, "gcc_version", "0.0.0");
                line(out, "process_id", Long.toString(ProcessHandle.current().pid()));
                line(out, "run_id", server.runId());
                line(out, "tcp_port", Integer.toString(server.port()));
                line(out, "server_time_usec", Long.toString(now * 1000));
                line(out, "uptime_in_seconds", Long.toString(uptime));
                line(out, "uptime_in_days", Long.toString(uptime / 86400));
                line(out, "executable", "");
                line(out, "config_file", "");
            }
            case "clients" -> {
                int pubsub = 0;
                for (ClientSession client : server.clients()) {
                    if (client.subscriptionCount() > 0) {
                        pubsub++;
                    }
                }
                out.append("# Clients\r\n");
                line(out, "connected_clients", Integer.toString(server.clients().size()));
                line(out, "cluster_connections", "0");
                line(out, "maxclients", Integer.toString(server.maxClients()));
                line(out, "client_recent_max_input_buffer", "0");
                line(out, "client_recent_max_output_buffer", "0");
                line(out, "blocked_clients", Integer.toString(server.blockedClients().size()));
                line(out, "tracking_clients", "0");
                line(out, "pubsub_clients", Integer.toString(pubsub));
                line(out, "clients_in_timeout_table", "0");
                line(out, "total_blocking_keys", Integer.toString(server.blockedClients().blockingKeys()));
            }
            case "memory" -> {
                // used_memory is what maxmemory bounds: the grid's estimate of what this node holds of the databases.
                // The JVM's heap (which also holds the server itself) is in the Tessera section.
                Runtime runtime = Runtime.getRuntime();
                long used = server.usedMemory();
                long max = server.maxmemory();
                out.append("# Memory\r\n");
                line(out, "used_memory", Long.toString(used));
                line(out, "used_memory_human", Maxmemory.human(used));
                long rss = residentSetBytes();
                if (rss >= 0) {
                    line(out, "used_memory_rss", Long.toString(rss));
                    line(out, "used_memory_rss_human", Maxmemory.human(rss));
                }
                long heapUsed = runtime.totalMemory() - runtime.freeMemory();
                line(out, "used_memory_jvm_heap", Long.toString(heapUsed));
                line(out, "used_memory_jvm_heap_human", Maxmemory.human(heapUsed));
                line(out, "total_system_memory", Long.toString(runtime.maxMemory()));
                line(out, "total_system_memory_human", Maxmemory.human(runtime.maxMemory()));
                line(out, "maxmemory", Long.toString(max));
                line(out, "maxmemory_human", Maxmemory.human(max));
                line(out, "maxmemory_policy", server.maxmemoryPolicy().redisName());
                line(out, "mem_allocator", "jvm");
            }
            case "stats" -> {
                out.append("# Stats\r\n");
                line(out, "total_connections_received", Long.toString(server.connectionsReceived.get()));
                line(out, "total_commands_processed", Long.toString(server.commandStats().commandsProcessed()));
                line(out, "instantaneous_ops_per_sec", Long.toString(server.commandStats().opsPerSecond()));
                line(out, "rejected_connections", Long.toString(server.rejectedConnections.get()));
                line(out, "expired_keys", Long.toString((long) memberMeterSum(grid, "tessera.map.expirations")));
                line(out, "evicted_keys", Long.toString(server.evictedKeys()));
                line(out, "evicted_clients", "0");
                line(out, "keyspace_hits", Long.toString(server.keyspaceHits.get()));
                line(out, "keyspace_misses", Long.toString(server.keyspaceMisses.get()));
                line(out, "total_error_replies", Long.toString(server.commandStats().errorReplies()));
            }
            case "commandstats" -> {
                // Not among the default sections, as in Redis: INFO commandstats, INFO all or INFO everything.
                out.append("# Commandstats\r\n");
                server.commandStats().commandLines().forEach((key, value) -> line(out, key, value));
            }
            case "errorstats" -> {
                out.append("# Errorstats\r\n");
                server.commandStats().errorsByPrefix().forEach((prefix, count) ->
                        line(out, "errorstat_" + prefix, "count=" + count));
            }
            case "replication" -> {
                out.append("# Replication\r\n");
                line(out, "role", "master");
                line(out, "connected_slaves", "0");
                line(out, "master_failover_state", "no-failover");
                line(out, "master_replid", server.runId());
                line(out, "master_replid2", "0000000000000000000000000000000000000000");
                line(out, "master_repl_offset", "0");
                line(out, "second_repl_offset", "-1");
                line(out, "repl_backlog_active", "0");
                line(out, "repl_backlog_size", "0");
                line(out, "repl_backlog_first_byte_offset", "0");
                line(out, "repl_backlog_histlen", "0");
            }
            case "cluster" -> {
                out.append("# Cluster\r\n");
                line(out, "cluster_enabled", "0");
            }
            case "keyspace" -> {
                out.append("# Keyspace\r\n");
                if (keyspace != null) {
                    keyspace.forEach((db, figures) -> line(out, "db" + db, "keys=" + figures.keys()
                            + ",expires=" + figures.expires() + ",avg_ttl=" + figures.averageTtlMillis()));
                }
            }
            case "tessera" -> {
                GridStatus status = grid.status();
                Member self = status.localMember();
                int led = 0;
                int backups = 0;
                int moving = 0;
                int lost = 0;
                for (GridStatus.PartitionStatus partition : status.partitions()) {
                    if (self.equals(partition.primary())) {
                        led++;
                    }
                    if (partition.backups().contains(self)) {
                        backups++;
                    }
                    switch (partition.state()) {
                        case SYNCING, MIGRATING -> moving++;
                        case LOST -> lost++;
                        default -> { }
                    }
                }
                out.append("# Tessera\r\n");
                line(out, "tessera_member", self.name());
                line(out, "tessera_member_id", self.id());
                line(out, "tessera_cluster", status.clusterName());
                line(out, "tessera_ready", status.ready() ? "1" : "0");
                line(out, "tessera_members", Integer.toString(status.members().size()));
                line(out, "tessera_table_version", Long.toString(status.tableVersion()));
                line(out, "tessera_partitions", Integer.toString(status.partitions().size()));
                line(out, "tessera_partitions_led", Integer.toString(led));
                line(out, "tessera_partitions_backed_up", Integer.toString(backups));
                line(out, "tessera_partitions_moving", Integer.toString(moving));
                line(out, "tessera_partitions_lost", Integer.toString(lost));
                line(out, "tessera_migrations_running", Integer.toString(status.migrations().size()));
                long inflight = (long) memberMeterSum(grid, "tessera.backup.inflight");
                line(out, "tessera_backup_inflight", Long.toString(inflight));
                line(out, "tessera_backup_lag_ms", Long.toString(Math.round(
                        memberMeterSum(grid, "tessera.backup.lag") / 1_000_000.0)));
                Runtime runtime = Runtime.getRuntime();
                line(out, "tessera_heap_used", Long.toString(runtime.totalMemory() - runtime.freeMemory()));
                line(out, "tessera_heap_max", Long.toString(runtime.maxMemory()));
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    /**
     * The sum of this member's meters called {@code name} (over maps, where the meter has a map tag), in the meter's
     * base unit (nanoseconds for a time gauge), or 0 where none is registered.
     */
    private static double memberMeterSum(Grid grid, String name) {
        double sum = 0;
        for (Meter meter : grid.meterRegistry().find(name).tag("member", grid.localMember().name()).meters()) {
            if (meter instanceof FunctionCounter counter) {
                sum += counter.count();
            } else if (meter instanceof Counter counter) {
                sum += counter.count();
            } else if (meter instanceof TimeGauge gauge) {
                sum += gauge.value(TimeUnit.NANOSECONDS);
            } else if (meter instanceof Gauge gauge) {
                sum += gauge.value();
            }
        }
        return Double.isNaN(sum) ? 0 : sum;
    }

    /** This process's resident set ({@code VmRSS} of {@code /proc/self/status}, Linux), or -1 where there is none. */
    private static long residentSetBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.substring(6).replace("kB", "").trim()) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or /proc is not mounted: leave the figure out
        }
        return -1;
    }

    private static void line(StringBuilder out, String key, String value) {
        out.append(key).append(':').append(value).append("\r\n");
    }



    // ---- SHUTDOWN ----

    /** SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]: runs the owner's shutdown action; nothing to save. */
    private static CompletableFuture<Reply> shutdown(CommandCall call) {
        boolean abort = false;
        boolean save = false;
        boolean noSave = false;
        for (int i = 1; i < call.argCount(); i++) {
            switch (call.option(i)) {
                case "NOSAVE" -> noSave = true;
                case "SAVE" -> save = true;
                case "NOW", "FORCE" -> { }
                case "ABORT" -> abort = true;
                default -> {
                    return CommandCall.done(Reply.SYNTAX_ERROR);
                }
            }
        }
        if ((abort && call.argCount() > 2) || (save && noSave)) {
            return CommandCall.done(Reply.SYNTAX_ERROR);
        }
        if (abort) {
            return CommandCall.done(Reply.error("ERR No shutdown in progress."));
        }
        Runnable action = call.server().shutdownAction();
        if (action == null) {
            return CommandCall.done(Reply.error("ERR SHUTDOWN is disabled on an embedded server"));
        }
        // As in Redis, a successful SHUTDOWN answers nothing: the connection closes and the server goes away.
        call.client().channel().close();
        call.server().adminExecutor().execute(action);
        return new CompletableFuture<>();
    }

}
