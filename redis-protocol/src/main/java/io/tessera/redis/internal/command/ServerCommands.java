package io.tessera.redis.internal.command;

import io.tessera.grid.Grid;
import io.tessera.grid.Member;
import io.tessera.grid.Partition;
import io.tessera.redis.RespServerConfig;
import io.tessera.redis.internal.protocol.Reply;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Server commands: {@code COMMAND} (answered from the {@link CommandTable}), {@code INFO}, {@code TIME} and
 * {@code SHUTDOWN} ({@code CONFIG} is {@link ConfigCommands}).
 *
 * <p>{@code INFO keyspace} counts keys with {@code GridMap.size()}, a cluster-wide read: it runs on the server's
 * admin executor, never on an event loop. Commands flagged {@code internal} are hidden from {@code COMMAND}.
 */
final class ServerCommands {
    private static final List<String> DEFAULT_SECTIONS = List.of("server", "clients", "memory", "stats",
            "replication", "cluster", "keyspace", "tessera");
    /** The Redis version that introduced each command, for COMMAND DOCS. */
    private static final Map<String, String> SINCE = since();

    private ServerCommands() {
    }

    static void register(CommandTable.Builder table) {
        Subcommands command = new Subcommands("command")
                .addImmediate("count", 2, call -> Reply.integer(visible(table(call)).size()))
                .addImmediate("info", -2, ServerCommands::commandInfo)
                .addImmediate("docs", -2, ServerCommands::commandDocs)
                .addImmediate("list", -2, ServerCommands::commandList)
                .help("(no subcommand)", "    Return details about all Redis commands.",
                        "COUNT", "    Return the total number of commands in this Redis server.",
                        "LIST", "    Return a list of all commands in this Redis server.",
                        "INFO [<command-name> ...]",
                        "    Return details about multiple Redis commands.",
                        "    If no command names are given, documentation details for all",
                        "    commands are returned.",
                        "DOCS [<command-name> ...]",
                        "    Return documentation details about multiple Redis commands.",
                        "    If no command names are given, documentation details for all",
                        "    commands are returned.");
        table.command("command", -1, "loading stale", 0, 0, 0, "server",
                "Returns detailed information about all commands.",
                call -> call.argCount() == 1 ? CommandCall.done(allCommandInfo(call)) : command.execute(call));
        table.command("info", -1, "loading stale", 0, 0, 0, "server",
                "Returns information and statistics about the server.", ServerCommands::info);
        table.immediate("time", 1, "loading stale fast", "server", "Returns the server time.", call -> {
            java.time.Instant now = java.time.Instant.now(); // microsecond precision on Linux
            return Reply.array(List.of(Reply.bulk(Long.toString(now.getEpochSecond())),
                    Reply.bulk(Long.toString(now.getNano() / 1000))));
        });
        table.command("shutdown", -1, "admin noscript loading stale no_multi sentinel allow_busy", 0, 0, 0,
                "server", "Synchronously saves the database(s) to disk and shuts down the Redis server.",
                ServerCommands::shutdown);
    }

    private static CommandTable table(CommandCall call) {
        return CommandTable.standard();
    }

    private static List<CommandSpec> visible(CommandTable table) {
        List<CommandSpec> specs = new ArrayList<>();
        for (CommandSpec spec : table.all()) {
            if (!spec.flags().contains("internal")) {
                specs.add(spec);
            }
        }
        return specs;
    }

    private static CommandSpec lookupVisible(CommandTable table, String name) {
        CommandSpec spec = table.lookup(name);
        return spec == null || spec.flags().contains("internal") ? null : spec;
    }

    // ---- COMMAND ----

    private static Reply allCommandInfo(CommandCall call) {
        List<Reply> entries = new ArrayList<>();
        for (CommandSpec spec : visible(table(call))) {
            entries.add(commandInfo(spec));
        }
        return Reply.array(entries);
    }

    private static Reply commandInfo(CommandCall call) {
        if (call.argCount() == 2) {
            return allCommandInfo(call);
        }
        List<Reply> entries = new ArrayList<>();
        for (int i = 2; i < call.argCount(); i++) {
            CommandSpec spec = lookupVisible(table(call), call.text(i));
            entries.add(spec == null ? Reply.NULL : commandInfo(spec));
        }
        return Reply.array(entries);
    }

    /** Redis 7's ten-element command description. */
    static Reply commandInfo(CommandSpec spec) {
        List<Reply> flags = new ArrayList<>();
        for (String flag : spec.flags()) {
            flags.add(Reply.simple(flag));
        }
        List<Reply> categories = new ArrayList<>();
        for (String category : aclCategories(spec)) {
            categories.add(Reply.simple(category));
        }
        return Reply.array(List.of(
                Reply.bulk(spec.name()),
                Reply.integer(spec.arity()),
                new Reply.SetReply(List.copyOf(flags)),
                Reply.integer(spec.firstKey()),
                Reply.integer(spec.lastKey()),
                Reply.integer(spec.step()),
                new Reply.SetReply(List.copyOf(categories)),
                new Reply.SetReply(List.of()),
                Reply.EMPTY_ARRAY,
                Reply.EMPTY_ARRAY));
    }

    /** ACL categories as Redis would list them, derived from the flags and the group. */
    static Set<String> aclCategories(CommandSpec spec) {
        Set<String> categories = new LinkedHashSet<>();
        if (spec.flags().contains("write")) {
            categories.add("@write");
        }
        if (spec.flags().contains("readonly")) {
            categories.add("@read");
        }
        String group = switch (spec.group()) {
            case "generic" -> "@keyspace";
            case "sorted-set" -> "@sortedset";
            case "transactions" -> "@transaction";
            case "server", "cluster" -> null;
            default -> "@" + spec.group();
        };
        if (group != null) {
            categories.add(group);
        }
        if (spec.flags().contains("admin")) {
            categories.add("@admin");
            categories.add("@dangerous");
        }
        if (spec.flags().contains("blocking")) {
            categories.add("@blocking");
        }
        categories.add(spec.flags().contains("fast") ? "@fast" : "@slow");
        return categories;
    }

    private static Reply commandDocs(CommandCall call) {
        List<Reply> map = new ArrayList<>();
        if (call.argCount() == 2) {
            for (CommandSpec spec : visible(table(call))) {
                map.add(Reply.bulk(spec.name()));
                map.add(docs(spec));
            }
        } else {
            for (int i = 2; i < call.argCount(); i++) {
                CommandSpec spec = lookupVisible(table(call), call.text(i));
                if (spec != null) {
                    map.add(Reply.bulk(spec.name()));
                    map.add(docs(spec));
                }
            }
        }
        return new Reply.MapReply(List.copyOf(map));
    }

    private static Reply docs(CommandSpec spec) {
        List<Reply> doc = new ArrayList<>(6);
        doc.add(Reply.bulk("summary"));
        doc.add(Reply.bulk(spec.summary()));
        String since = SINCE.get(spec.name());
        if (since != null) {
            doc.add(Reply.bulk("since"));
            doc.add(Reply.bulk(since));
        }
        doc.add(Reply.bulk("group"));
        doc.add(Reply.bulk(spec.group()));
        return new Reply.MapReply(List.copyOf(doc));
    }

    /** LIST [FILTERBY MODULE name | ACLCAT category | PATTERN pattern]. */
    private static Reply commandList(CommandCall call) {
        String by = null;
        String value = null;
        if (call.argCount() == 5 && call.option(2).equals("FILTERBY")) {
            by = call.option(3);
            value = call.text(4);
            if (!by.equals("MODULE") && !by.equals("ACLCAT") && !by.equals("PATTERN")) {
                return Reply.SYNTAX_ERROR;
            }
        } else if (call.argCount() != 2) {
            return Reply.SYNTAX_ERROR;
        }
        List<Reply> names = new ArrayList<>();
        for (CommandSpec spec : visible(table(call))) {
            boolean matches = by == null
                    || (by.equals("ACLCAT") && aclCategories(spec).contains("@" + value.toLowerCase(Locale.ROOT)))
                    || (by.equals("PATTERN")
                            && GlobPattern.compileIgnoringCase(Arguments.utf8(value)).matches(Arguments.utf8(spec.name())));
            if (matches) {
                names.add(Reply.bulk(spec.name()));
            }
        }
        return Reply.array(names);
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
                case "default", "all", "everything" -> sections.addAll(DEFAULT_SECTIONS);
                default -> sections.add(section);
            }
        }
        ServerContext server = call.server();
        if (!sections.contains("keyspace")) {
            return CommandCall.done(new Reply.Verbatim(infoText(server, sections, null)));
        }
        return CompletableFuture.supplyAsync(() -> keyCounts(server), server.adminExecutor())
                .thenApply(counts -> new Reply.Verbatim(infoText(server, sections, counts)));
    }

    /** Keys per non-empty database; blocking, cluster-wide. */
    private static Map<Integer, Integer> keyCounts(ServerContext server) {
        Map<Integer, Integer> counts = new LinkedHashMap<>();
        for (int db = 0; db < server.databaseCount(); db++) {
            int size = server.database(db).size();
            if (size > 0) {
                counts.put(db, size);
            }
        }
        return counts;
    }

    static String infoText(ServerContext server, Set<String> sections, Map<Integer, Integer> keyCounts) {
        StringBuilder out = new StringBuilder();
        for (String section : sections) {
            int before = out.length();
            if (before > 0) {
                out.append("\r\n");
            }
            if (!appendSection(out, section, server, keyCounts)) {
                out.setLength(before);
            }
        }
        return out.toString();
    }

    private static boolean appendSection(StringBuilder out, String section, ServerContext server,
                                         Map<Integer, Integer> keyCounts) {
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
                line(out, "total_blocking_keys", "0");
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
                line(out, "total_commands_processed", Long.toString(server.commandsProcessed.get()));
                line(out, "instantaneous_ops_per_sec", "0");
                line(out, "rejected_connections", Long.toString(server.rejectedConnections.get()));
                line(out, "expired_keys", "0");
                line(out, "evicted_keys", Long.toString(server.evictedKeys()));
                line(out, "evicted_clients", "0");
                line(out, "keyspace_hits", Long.toString(server.keyspaceHits.get()));
                line(out, "keyspace_misses", Long.toString(server.keyspaceMisses.get()));
                line(out, "total_error_replies", "0");
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
                if (keyCounts != null) {
                    for (Map.Entry<Integer, Integer> db : keyCounts.entrySet()) {
                        line(out, "db" + db.getKey(), "keys=" + db.getValue() + ",expires=0,avg_ttl=0");
                    }
                }
            }
            case "tessera" -> {
                Member self = grid.localMember();
                int led = 0;
                int backups = 0;
                List<Partition> partitions = grid.partitions();
                for (Partition partition : partitions) {
                    if (self.equals(partition.primary())) {
                        led++;
                    }
                    if (partition.backups().contains(self)) {
                        backups++;
                    }
                }
                out.append("# Tessera\r\n");
                line(out, "tessera_member", self.name());
                line(out, "tessera_member_id", self.id());
                line(out, "tessera_cluster", grid.clusterName());
                line(out, "tessera_members", Integer.toString(grid.members().size()));
                line(out, "tessera_partitions", Integer.toString(partitions.size()));
                line(out, "tessera_partitions_led", Integer.toString(led));
                line(out, "tessera_partitions_backed_up", Integer.toString(backups));
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

    // ---- helpers ----


    private static Map<String, String> since() {
        Map<String, String> since = new HashMap<>();
        String table = "1.0.0: get set del exists keys randomkey rename renamenx type dbsize expire ttl select move "
                + "flushdb flushall incr decr incrby decrby mget setnx getset lpush rpush llen lrange ltrim lindex "
                + "lset lrem lpop rpop sadd srem smembers sismember scard spop sinter sinterstore sunion "
                + "sunionstore sdiff sdiffstore smove srandmember save bgsave lastsave shutdown info monitor "
                + "slaveof auth ping echo quit sort;"
                + "1.2.0: zadd zrem zrange zrevrange zrangebyscore zcard zscore zincrby zremrangebyscore rpoplpush "
                + "mset msetnx expireat bgrewriteaof;"
                + "2.0.0: append substr hset hget hmset hmget hincrby hexists hdel hlen hkeys hvals hgetall "
                + "setex zcount zrank zrevrank zremrangebyrank zunionstore zinterstore blpop brpop subscribe "
                + "unsubscribe psubscribe punsubscribe publish multi exec discard config;"
                + "2.2.0: watch unwatch persist setrange getrange strlen lpushx rpushx linsert brpoplpush "
                + "zrevrangebyscore setbit getbit;"
                + "2.4.0: client;"
                + "2.6.0: pttl pexpire pexpireat psetex incrbyfloat hincrbyfloat bitcount bitop dump restore "
                + "migrate eval evalsha script time object;"
                + "2.8.0: scan sscan hscan zscan pubsub command;"
                + "2.8.7: bitpos;"
                + "2.8.9: zrangebylex zlexcount zremrangebylex zrevrangebylex pfadd pfcount pfmerge;"
                + "3.0.0: cluster readonly readwrite wait;"
                + "3.2.0: hstrlen geoadd geodist geohash geopos georadius georadiusbymember bitfield;"
                + "3.2.1: touch;"
                + "4.0.0: unlink swapdb memory;"
                + "5.0.0: zpopmin zpopmax bzpopmin bzpopmax xadd xrange xrevrange xlen xread xgroup xreadgroup "
                + "xack xpending xclaim xinfo xdel xtrim;"
                + "6.0.0: hello acl;"
                + "6.0.6: lpos;"
                + "6.2.0: getdel getex copy lmove blmove smismember zrandmember zrangestore zunion zinter zdiff "
                + "zdiffstore hrandfield reset xautoclaim geosearch geosearchstore;"
                + "7.0.0: expiretime pexpiretime lmpop blmpop zmpop bzmpop sintercard lcs spublish ssubscribe "
                + "sunsubscribe function fcall fcall_ro eval_ro evalsha_ro sort_ro bitfield_ro";
        for (String row : table.split(";")) {
            String[] parts = row.split(":");
            for (String name : parts[1].trim().split("\\s+")) {
                since.put(name, parts[0].trim());
            }
        }
        return Map.copyOf(since);
    }
}
