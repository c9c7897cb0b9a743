package io.tessera.redis.internal.command;

import io.tessera.redis.RespServerConfig;
import io.tessera.redis.internal.protocol.Reply;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code CONFIG GET}, {@code CONFIG SET} and {@code CONFIG RESETSTAT}: the parameters a node reports and the ones it
 * lets a client change at run time, per node as in Redis. {@code maxmemory} and {@code maxmemory-policy} bound the
 * node's databases from then on (see {@link Maxmemory}); {@code maxmemory-samples} is accepted and reported as 5,
 * the grid's own sampling.
 */
final class ConfigCommands {
    /** Parameters CONFIG SET refuses as Redis does for immutable ones. */
    private static final Set<String> IMMUTABLE = Set.of("port", "bind", "databases");
    /**
     * Redis 7.0's encoding tunables and their defaults. Tessera stores every value its own way, so they change
     * nothing; it accepts and reports them because scripts, test suites and tooling set them.
     */
    static final Map<String, String> ENCODING_DEFAULTS = orderedMap(
            "hash-max-listpack-entries", "128", "hash-max-listpack-value", "64",
            "list-max-listpack-size", "-2", "list-compress-depth", "0",
            "set-max-intset-entries", "512",
            "zset-max-listpack-entries", "128", "zset-max-listpack-value", "64",
            "stream-node-max-bytes", "4096", "stream-node-max-entries", "100",
            "hll-sparse-max-bytes", "3000");
    /** The names Redis 7.0 still accepts for them (the ziplist era's). */
    private static final Map<String, String> ENCODING_ALIASES = orderedMap(
            "hash-max-ziplist-entries", "hash-max-listpack-entries",
            "hash-max-ziplist-value", "hash-max-listpack-value",
            "list-max-ziplist-size", "list-max-listpack-size",
            "zset-max-ziplist-entries", "zset-max-listpack-entries",
            "zset-max-ziplist-value", "zset-max-listpack-value");

    private ConfigCommands() {
    }

    static void register(CommandTable.Builder table) {
        Subcommands config = new Subcommands("config")
                .addImmediate("get", -3, ConfigCommands::configGet)
                .add("set", -4, ConfigCommands::configSetAndDefaultUser)
                .addImmediate("resetstat", 2, ConfigCommands::configResetStat)
                .help("GET <pattern>", "    Return parameters matching the glob-like <pattern> and their values.",
                        "SET <directive> <value>", "    Set the configuration <directive> to <value>.",
                        "RESETSTAT", "    Reset statistics reported by the INFO command.");
        table.subcommands("config", config);
        table.command("config", -2, "", 0, 0, 0, "server", "A container for server configuration commands.",
                config);
    }

    // ---- CONFIG ----

    /** The parameters CONFIG GET knows, with their current values, in a stable order. */
    private static Map<String, String> parameters(ServerContext server) {
        RespServerConfig config = server.config();
        Map<String, String> values = new LinkedHashMap<>();
        values.put("port", Integer.toString(server.port()));
        values.put("bind", config.bindAddress());
        values.put("requirepass", server.requirePass() == null ? "" : server.requirePass());
        values.put("protected-mode", server.protectedMode() ? "yes" : "no");
        values.put("maxclients", Integer.toString(server.maxClients()));
        values.put("databases", Integer.toString(server.databaseCount()));
        values.put("proto-max-bulk-len", Integer.toString(config.protoMaxBulkLen()));
        values.put("client-query-buffer-limit", Long.toString(config.clientQueryBufferLimit()));
        values.put("save", "");
        values.put("appendonly", "no");
        values.put("notify-keyspace-events", KeyspaceEvents.format(server.keyspaceEventFlags()));
        values.put("maxmemory", Long.toString(server.maxmemory()));
        values.put("maxmemory-policy", server.maxmemoryPolicy().redisName());
        values.put("maxmemory-samples", "5");
        values.put("slowlog-log-slower-than", Long.toString(server.slowLog().slowerThanMicros()));
        values.put("slowlog-max-len", Integer.toString(server.slowLog().maxLen()));
        ENCODING_DEFAULTS.keySet().forEach(name -> values.put(name, server.encodingSetting(name)));
        ENCODING_ALIASES.forEach((alias, name) -> values.put(alias, server.encodingSetting(name)));
        return values;
    }

    /** Why Redis 7.0 would refuse {@code value} for encoding tunable {@code name}, or null if it takes it. */
    private static String encodingProblem(String name, String value) {
        boolean memory = name.endsWith("-value") || name.endsWith("-bytes");
        Long parsed = memory ? Maxmemory.parse(value) : Arguments.tryParseLong(
                value.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        if (memory) {
            return parsed == null || parsed < 0 ? "argument must be a memory value" : null;
        }
        if (parsed == null) {
            return "argument couldn't be parsed into an integer";
        }
        long min = name.equals("list-max-listpack-size") ? Integer.MIN_VALUE : 0;
        long max = name.startsWith("list-") ? Integer.MAX_VALUE : Long.MAX_VALUE;
        return parsed < min || parsed > max ? "argument must be between " + min + " and " + max + " inclusive" : null;
    }

    private static Map<String, String> orderedMap(String... namesAndValues) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            map.put(namesAndValues[i], namesAndValues[i + 1]);
        }
        return java.util.Collections.unmodifiableMap(map);
    }

    private static Reply configGet(CommandCall call) {
        Map<String, String> values = parameters(call.server());
        Set<String> matched = new LinkedHashSet<>();
        for (int i = 2; i < call.argCount(); i++) {
            GlobPattern glob = GlobPattern.compileIgnoringCase(call.arg(i));
            for (String name : values.keySet()) {
                if (glob.matches(Arguments.utf8(name))) {
                    matched.add(name);
                }
            }
        }
        List<Reply> map = new ArrayList<>();
        for (String name : matched) {
            map.add(Reply.bulk(name));
            map.add(Reply.bulk(values.get(name)));
        }
        return new Reply.MapReply(List.copyOf(map));
    }

    /** SET parameter value [parameter value ...]: all or nothing, as in Redis 7. */
    /**
     * CONFIG SET; a new requirepass also becomes the stored default user's only password, as Redis sets the default
     * user's, for every member (without a stored default user, each member's default user follows its requirepass).
     */
    private static java.util.concurrent.CompletableFuture<Reply> configSetAndDefaultUser(CommandCall call) {
        Reply reply = configSet(call);
        boolean passwordSet = false;
        for (int i = 2; i < call.argCount(); i += 2) {
            passwordSet |= call.text(i).equalsIgnoreCase("requirepass");
        }
        AclUsers acl = call.server().acl();
        if (reply != Reply.OK || !passwordSet || !acl.defaultUserStored()) {
            return CommandCall.done(reply);
        }
        String password = call.server().requirePass();
        java.util.List<String> rules = password == null ? java.util.List.of("nopass")
                : java.util.List.of("resetpass", ">" + password);
        return java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            acl.setUser(AclUsers.DEFAULT, rules);
            return Reply.OK;
        }, call.server().adminExecutor());
    }

    private static Reply configSet(CommandCall call) {
        if (call.argCount() % 2 != 0) {
            return Reply.error("ERR wrong number of arguments for 'config|set' command");
        }
        Map<String, String> changes = new LinkedHashMap<>();
        for (int i = 2; i < call.argCount(); i += 2) {
            String name = call.text(i).toLowerCase(Locale.ROOT);
            if (changes.containsKey(name)) {
                return Reply.error("ERR CONFIG SET failed - duplicate parameter");
            }
            changes.put(name, call.text(i + 1));
        }
        Integer maxClients = null;
        Boolean protectedMode = null;
        Integer keyspaceEvents = null;
        Long maxmemory = null;
        Maxmemory.Policy policy = null;
        Long slowerThan = null;
        Integer slowLogLength = null;
        Map<String, String> encodings = new LinkedHashMap<>();
        for (Map.Entry<String, String> change : changes.entrySet()) {
            String name = change.getKey();
            if (IMMUTABLE.contains(name)) {
                return Reply.error("ERR CONFIG SET failed (possibly related to argument '" + name
                        + "') - can't set immutable config");
            }
            switch (name) {
                case "requirepass" -> { }
                case "protected-mode" -> {
                    protectedMode = switch (change.getValue().toLowerCase(Locale.ROOT)) {
                        case "yes" -> Boolean.TRUE;
                        case "no" -> Boolean.FALSE;
                        default -> null;
                    };
                    if (protectedMode == null) {
                        return failed(name, "argument must be 'yes' or 'no'");
                    }
                }
                case "notify-keyspace-events" -> {
                    keyspaceEvents = KeyspaceEvents.parse(change.getValue());
                    if (keyspaceEvents < 0) {
                        return Reply.error(CommandDispatcher.sanitize("ERR CONFIG SET failed (possibly related to "
                                + "argument 'notify-keyspace-events') - Invalid event class character. Use "
                                + "'Ag$lshzxeKEtmdn'."));
                    }
                }
                case "maxmemory" -> {
                    maxmemory = Maxmemory.parse(change.getValue());
                    if (maxmemory == null || maxmemory < 0) {
                        return failed(name, "argument must be a memory value");
                    }
                }
                case "maxmemory-policy" -> {
                    policy = Maxmemory.Policy.of(change.getValue());
                    if (policy == null) {
                        return failed(name, "argument(s) must be one of the following: " + Maxmemory.Policy.names());
                    }
                }
                case "maxmemory-samples" -> {
                    Long samples = Arguments.tryParseLong(change.getValue().getBytes(
                            java.nio.charset.StandardCharsets.UTF_8));
                    if (samples == null || samples < 1 || samples > 64) {
                        return failed(name, "argument must be between 1 and 64 inclusive");
                    }
                }
                case "slowlog-log-slower-than" -> {
                    IntegerValue value = IntegerValue.of(name, change.getValue(), -1, Long.MAX_VALUE / 2);
                    if (value.refusal() != null) {
                        return value.refusal();
                    }
                    slowerThan = value.value();
                }
                case "slowlog-max-len" -> {
                    IntegerValue value = IntegerValue.of(name, change.getValue(), 0, Integer.MAX_VALUE);
                    if (value.refusal() != null) {
                        return value.refusal();
                    }
                    slowLogLength = (int) value.value();
                }
                case "maxclients" -> {
                    IntegerValue value = IntegerValue.of(name, change.getValue(), 1, Integer.MAX_VALUE);
                    if (value.refusal() != null) {
                        return value.refusal();
                    }
                    maxClients = (int) value.value();
                }
                default -> {
                    String encoding = ENCODING_ALIASES.getOrDefault(name, name);
                    if (!ENCODING_DEFAULTS.containsKey(encoding)) {
                        return Reply.error(CommandDispatcher.sanitize("ERR Unsupported CONFIG parameter: " + name));
                    }
                    String problem = encodingProblem(encoding, change.getValue());
                    if (problem != null) {
                        return Reply.error(CommandDispatcher.sanitize("ERR CONFIG SET failed (possibly related to "
                                + "argument '" + name + "') - " + problem));
                    }
                    Long value = Maxmemory.parse(change.getValue());
                    encodings.put(encoding, Long.toString(value));
                }
            }
        }
        encodings.forEach((name, value) -> call.server().encodingSetting(name, value));
        if (keyspaceEvents != null) {
            call.server().keyspaceEventFlags(keyspaceEvents);
        }
        if (changes.containsKey("requirepass")) {
            call.server().requirePass(changes.get("requirepass"));
        }
        if (protectedMode != null) {
            call.server().protectedMode(protectedMode);
        }
        if (maxClients != null) {
            call.server().maxClients(maxClients);
        }
        if (slowerThan != null) {
            call.server().slowLog().slowerThanMicros(slowerThan);
        }
        if (slowLogLength != null) {
            call.server().slowLog().maxLen(slowLogLength);
        }
        if (maxmemory != null || policy != null) {
            ServerContext server = call.server();
            server.maxmemory(maxmemory != null ? maxmemory : server.maxmemory(),
                    policy != null ? policy : server.maxmemoryPolicy());
        }
        return Reply.OK;
    }

    /** A CONFIG SET value read as an integer of a range, or Redis's refusal of it. */
    private record IntegerValue(long value, Reply refusal) {
        static IntegerValue of(String name, String text, long min, long max) {
            Long value = Arguments.tryParseLong(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            if (value == null) {
                return new IntegerValue(0, failed(name, "argument couldn't be parsed into an integer"));
            }
            if (value < min || value > max) {
                return new IntegerValue(0, failed(name, "argument must be between " + min + " and " + max
                        + " inclusive"));
            }
            return new IntegerValue(value, null);
        }
    }

    private static Reply failed(String name, String problem) {
        return Reply.error(CommandDispatcher.sanitize("ERR CONFIG SET failed (possibly related to argument '" + name
                + "') - " + problem));
    }

    private static Reply configResetStat(CommandCall call) {
        ServerContext server = call.server();
        server.commandStats().reset();
        server.connectionsReceived.set(0);
        server.rejectedConnections.set(0);
        server.keyspaceHits.set(0);
        server.keyspaceMisses.set(0);
        return Reply.OK;
    }
}
