package io.tessera.redis.internal.command;

import io.tessera.redis.internal.protocol.Reply;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code COMMAND} and its subcommands (COUNT, INFO, DOCS, LIST), answered from the rows of the {@link CommandTable}
 * the call's dispatcher runs: Redis 7's descriptions, ACL categories derived from the flags and the group, and the
 * version each command came with. Commands flagged {@code internal} (the steps other commands run on a key's primary)
 * are hidden.
 */
final class CommandIntrospection {
    private CommandIntrospection() {
    }

    static void register(CommandTable.Builder table) {
        Subcommands command = new Subcommands("command")
                .addImmediate("count", 2, call -> Reply.integer(visible(table(call)).size()))
                .addImmediate("info", -2, CommandIntrospection::commandInfo)
                .addImmediate("docs", -2, CommandIntrospection::commandDocs)
                .addImmediate("list", -2, CommandIntrospection::commandList)
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
        table.subcommands("command", command);
        table.command("command", -1, "loading stale", 0, 0, 0, "server",
                "Returns detailed information about all commands.",
                call -> call.argCount() == 1 ? CommandCall.done(allCommandInfo(call)) : command.execute(call));
    }

    private static CommandTable table(CommandCall call) {
        return call.dispatcher().table();
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

    /** Commands Redis puts in @dangerous although they are not admin commands (its commands/*.json). */
    private static final Set<String> DANGEROUS = Set.of("keys", "flushall", "flushdb", "sort", "swapdb", "migrate",
            "restore", "restore-asking", "info", "role", "lastsave", "config", "pfdebug", "pfselftest");

    private static final Set<String> ADMIN = Set.of("@admin", "@slow", "@dangerous");
    private static final Set<String> ADMIN_CONNECTION = Set.of("@admin", "@slow", "@dangerous", "@connection");
    private static final Set<String> CONNECTION = Set.of("@slow", "@connection");
    private static final Set<String> KEY_READ = Set.of("@keyspace", "@read", "@slow");

    /**
     * The subcommands whose categories differ from their container's, as Redis's commands/*.json list them: the
     * table has one row per container, and ACL rules need the difference (CLIENT KILL is admin, CLIENT SETNAME not).
     */
    private static final java.util.Map<String, Set<String>> SUBCOMMAND_CATEGORIES = java.util.Map.ofEntries(
            java.util.Map.entry("acl|whoami", Set.of("@slow")), java.util.Map.entry("acl|cat", Set.of("@slow")),
            java.util.Map.entry("client|id", CONNECTION), java.util.Map.entry("client|getname", CONNECTION),
            java.util.Map.entry("client|setname", CONNECTION), java.util.Map.entry("client|info", CONNECTION),
            java.util.Map.entry("client|setinfo", CONNECTION), java.util.Map.entry("client|list", ADMIN_CONNECTION),
            java.util.Map.entry("client|kill", ADMIN_CONNECTION),
            java.util.Map.entry("client|unblock", ADMIN_CONNECTION),
            java.util.Map.entry("client|no-evict", ADMIN_CONNECTION), java.util.Map.entry("config|get", ADMIN),
            java.util.Map.entry("config|set", ADMIN), java.util.Map.entry("config|resetstat", ADMIN),
            java.util.Map.entry("slowlog|get", ADMIN), java.util.Map.entry("slowlog|len", ADMIN),
            java.util.Map.entry("slowlog|reset", ADMIN), java.util.Map.entry("object|encoding", KEY_READ),
            java.util.Map.entry("object|freq", KEY_READ), java.util.Map.entry("object|idletime", KEY_READ),
            java.util.Map.entry("object|refcount", KEY_READ));

    /**
     * The ACL categories of subcommand {@code sub} of container {@code spec}: Redis's where they differ from the
     * container's, {@code @slow} for HELP, the container's otherwise.
     */
    static Set<String> aclCategories(CommandSpec spec, String sub) {
        Set<String> own = SUBCOMMAND_CATEGORIES.get(spec.name() + "|" + sub);
        if (own != null) {
            return own;
        }
        return sub.equals("help") ? Set.of("@slow") : aclCategories(spec);
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
        } else if (DANGEROUS.contains(spec.name())) {
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
        String since = spec.since();
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
}
