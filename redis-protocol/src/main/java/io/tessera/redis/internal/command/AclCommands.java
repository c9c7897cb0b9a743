package io.tessera.redis.internal.command;

import io.tessera.redis.internal.protocol.Reply;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The ACL command and the permission check the dispatcher runs for every restricted user: may the user run the
 * command, touch its keys, use its channels. Users live in {@link AclUsers}; the commands that change or list them
 * run on the admin executor, since they wait for the grid.
 */
final class AclCommands {
    private AclCommands() {
    }

    static void register(CommandTable.Builder table) {
        Subcommands acl = new Subcommands("acl")
                .add("setuser", -3, AclCommands::setUser)
                .add("getuser", 3, AclCommands::getUser)
                .add("deluser", -3, AclCommands::delUser)
                .add("list", 2, call -> onAdmin(call, () -> list(call)))
                .add("users", 2, call -> onAdmin(call, () -> Reply.array(call.server().acl().all().keySet()
                        .stream().map(Reply::bulk).toList())))
                .addImmediate("whoami", 2, call -> Reply.bulk(call.client().user().name()))
                .addImmediate("cat", -2, AclCommands::cat)
                .add("dryrun", -4, AclCommands::dryRun)
                .add("load", 2, AclCommands::load)
                .add("save", 2, AclCommands::save)
                .help("CAT [<category>]", "    List all commands that belong to <category>, or all command categories",
                        "    when no category is specified.",
                        "DELUSER <username> [<username> ...]", "    Delete a list of users.",
                        "DRYRUN <username> <command> [<arg> ...]",
                        "    Returns whether the user can execute the given command without executing the command.",
                        "GETUSER <username>", "    Get the user's details.",
                        "LIST", "    Show users details in config file format.",
                        "LOAD", "    Reload users from the ACL file.",
                        "SAVE", "    Save the current config to the ACL file.",
                        "SETUSER <username> <attribute> [<attribute> ...]", "    Create or modify a user with the "
                                + "specified attributes.",
                        "USERS", "    List all the registered usernames.",
                        "WHOAMI", "    Return the current connection username.");
        table.subcommands("acl", acl);
        table.command("acl", -2, "admin noscript loading stale sentinel", 0, 0, 0, "server",
                "A container for Access List Control commands.", acl);
    }

    /**
     * Whether {@code user} may run {@code spec} with {@code args}: null if so, else the NOPERM error (Redis's
     * texts; {@code verbose} names the user, key or channel, as ACL DRYRUN does).
     */
    static Reply.Error check(AclUser user, CommandSpec spec, byte[][] args, CommandTable table, boolean verbose) {
        if (!user.mayRun(spec, args)) {
            String name = spec.name();
            if (args.length >= 2 && !table.subcommands(name).isEmpty()) {
                name += "|" + new String(args[1], StandardCharsets.UTF_8).toLowerCase(Locale.ROOT);
            }
            return new Reply.Error((verbose ? "" : "NOPERM ") + "User " + user.name()
                    + " has no permissions to run the '" + name + "' command");
        }
        for (byte[] key : keysOf(table, spec, args)) {
            if (!user.mayAccessKey(key)) {
                return new Reply.Error(verbose ? "User " + user.name() + " has no permissions to access the '"
                        + new String(key, StandardCharsets.UTF_8) + "' key" : "NOPERM No permissions to access a key");
            }
        }
        int from = switch (spec.name()) {
            case "publish", "spublish", "subscribe", "ssubscribe", "psubscribe" -> 1;
            default -> 0;
        };
        if (from > 0) {
            boolean pattern = spec.name().equals("psubscribe");
            int to = spec.name().endsWith("publish") ? Math.min(2, args.length) : args.length;
            for (int i = from; i < to; i++) {
                if (!user.mayAccessChannel(args[i], pattern)) {
                    return new Reply.Error(verbose ? "User " + user.name() + " has no permissions to access the '"
                            + new String(args[i], StandardCharsets.UTF_8) + "' channel"
                            : "NOPERM No permissions to access a channel");
                }
            }
        }
        return null;
    }

    /**
     * The keys a command names, for the key patterns: the table's, and those of the commands whose keys the table
     * leaves to their handlers (SINTERCARD and BZMPOP after numkeys, OBJECT's key). Arguments too malformed to find
     * the keys in name none: the command refuses them itself before it touches a key.
     */
    private static List<byte[]> keysOf(CommandTable table, CommandSpec spec, byte[][] args) {
        try {
            return switch (spec.name()) {
                case "sintercard" -> numkeyKeys(args, 1);
                case "bzmpop" -> numkeyKeys(args, 2);
                case "object" -> args.length > 2 ? List.of(args[2]) : List.of();
                default -> TransactionCommands.keysOf(table, spec, args);
            };
        } catch (RuntimeException malformed) { // RedisException with Redis's text, or a parse failure of the args
            return List.of();
        }
    }

    private static List<byte[]> numkeyKeys(byte[][] args, int numkeysAt) {
        Long n = numkeysAt < args.length ? Arguments.tryParseLong(args[numkeysAt]) : null;
        if (n == null || n < 1 || n > args.length - numkeysAt - 1) {
            return List.of();
        }
        return Arrays.asList(args).subList(numkeysAt + 1, numkeysAt + 1 + n.intValue());
    }

    private static CompletableFuture<Reply> onAdmin(CommandCall call, Supplier<Reply> work) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return work.get();
            } catch (IllegalArgumentException e) {
                return Reply.error(CommandDispatcher.sanitize(e.getMessage()));
            }
        }, call.server().adminExecutor());
    }

    /** ACL SETUSER name rule...: applies the rules in order, all or none. */
    private static CompletableFuture<Reply> setUser(CommandCall call) {
        String name = call.text(2);
        List<String> rules = new ArrayList<>();
        for (int i = 3; i < call.argCount(); i++) {
            rules.add(call.text(i));
        }
        return onAdmin(call, () -> {
            call.server().acl().setUser(name, rules);
            return Reply.OK;
        });
    }

    /** ACL GETUSER name: flags, passwords, commands, keys, channels, selectors; null for an unknown user. */
    private static CompletableFuture<Reply> getUser(CommandCall call) {
        return call.server().acl().user(call.text(2)).thenApply(user -> {
            if (user == null) {
                return Reply.NULL;
            }
            return new Reply.MapReply(List.of(
                    Reply.bulk("flags"), Reply.array(user.flags().stream().map(Reply::bulk).toList()),
                    Reply.bulk("passwords"), Reply.array(user.passwordHashes().stream().map(Reply::bulk).toList()),
                    Reply.bulk("commands"), Reply.bulk(user.commandsDescription()),
                    Reply.bulk("keys"), Reply.bulk(user.keysDescription()),
                    Reply.bulk("channels"), Reply.bulk(user.channelsDescription()),
                    Reply.bulk("selectors"), Reply.EMPTY_ARRAY));
        });
    }

    /** ACL DELUSER name...: how many existed; their connections on every member are closed. */
    private static CompletableFuture<Reply> delUser(CommandCall call) {
        List<String> names = new ArrayList<>();
        for (int i = 2; i < call.argCount(); i++) {
            if (call.text(i).equals(AclUsers.DEFAULT)) {
                return CommandCall.done(Reply.error("ERR The 'default' user cannot be removed"));
            }
            names.add(call.text(i));
        }
        return onAdmin(call, () -> Reply.integer(call.server().acl().deleteUsers(names)));
    }

    private static Reply list(CommandCall call) {
        return Reply.array(lines(call.server().acl()).stream().map(Reply::bulk).toList());
    }

    /** The users as ACL file lines ({@code ACL LIST}, {@code ACL SAVE}). */
    private static List<String> lines(AclUsers users) {
        List<String> lines = new ArrayList<>();
        users.all().forEach((name, user) -> lines.add("user " + name + " " + user.rules()));
        return lines;
    }

    /** ACL CAT [category]: the categories, or the commands of one. */
    private static Reply cat(CommandCall call) {
        if (call.argCount() > 3) {
            return Reply.error("ERR wrong number of arguments for 'acl|cat' command");
        }
        if (call.argCount() == 2) {
            return Reply.array(AclUser.CATEGORIES.stream().map(Reply::bulk).toList());
        }
        String category = call.text(2).toLowerCase(Locale.ROOT);
        if (!AclUser.CATEGORIES.contains(category)) {
            return Reply.error(CommandDispatcher.sanitize("ERR Unknown category '" + call.text(2) + "'"));
        }
        List<Reply> commands = new ArrayList<>();
        CommandTable table = call.dispatcher().table();
        for (CommandSpec spec : table.all()) {
            List<String> subs = table.subcommands(spec.name());
            if (subs.isEmpty() && CommandIntrospection.aclCategories(spec).contains("@" + category)) {
                commands.add(Reply.bulk(spec.name()));
            }
            for (String sub : subs) {
                if (CommandIntrospection.aclCategories(spec, sub).contains("@" + category)) {
                    commands.add(Reply.bulk(spec.name() + "|" + sub));
                }
            }
        }
        return Reply.array(commands);
    }

    /** ACL DRYRUN user command arg...: OK, or why the user may not run it. */
    private static CompletableFuture<Reply> dryRun(CommandCall call) {
        String name = call.text(2);
        CommandTable table = call.dispatcher().table();
        byte[][] args = Arrays.copyOfRange(call.args(), 3, call.argCount());
        return call.server().acl().user(name).thenApply(user -> {
            if (user == null) {
                return Reply.error(CommandDispatcher.sanitize("ERR User '" + name + "' not found"));
            }
            CommandSpec spec = table.lookup(call.text(3));
            if (spec == null) {
                return Reply.error(CommandDispatcher.sanitize("ERR Command '" + call.text(3) + "' not found"));
            }
            if (!spec.arityAccepts(args.length)) {
                return Reply.error("ERR wrong number of arguments for '" + spec.name() + "' command");
            }
            Reply.Error denied = check(user, spec, args, table, true);
            return denied == null ? Reply.OK : Reply.bulk(denied.text());
        });
    }

    /** ACL LOAD: replaces every user of the cluster by the ACL file's, if all its lines are valid. */
    private static CompletableFuture<Reply> load(CommandCall call) {
        Path file = call.server().config().aclFile();
        if (file == null) {
            return CommandCall.done(NO_ACL_FILE);
        }
        return onAdmin(call, () -> {
            call.server().acl().replaceAll(readFile(file, call.dispatcher().table()));
            return Reply.OK;
        });
    }

    /** ACL SAVE: writes every user of the cluster to this member's ACL file, replacing it whole. */
    private static CompletableFuture<Reply> save(CommandCall call) {
        Path file = call.server().config().aclFile();
        if (file == null) {
            return CommandCall.done(NO_ACL_FILE);
        }
        return onAdmin(call, () -> {
            try {
                Path temp = file.resolveSibling(file.getFileName() + ".tmp");
                Files.write(temp, lines(call.server().acl()), StandardCharsets.UTF_8);
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                return Reply.OK;
            } catch (IOException e) {
                return Reply.error(CommandDispatcher.sanitize("ERR There was an error trying to save the ACLs. "
                        + "Please check the server logs for more information (" + e.getMessage() + ")"));
            }
        });
    }

    private static final Reply NO_ACL_FILE = Reply.error("ERR This Redis instance is not configured to use an ACL "
            + "file. You may want to specify users via the ACL SETUSER command and then issue a CONFIG REWRITE "
            + "(assuming you have a Redis configuration file set) in order to store users in the Redis "
            + "configuration.");

    /**
     * The users of an ACL file in Redis's format: one {@code user <name> <rule>...} per line; blank lines and lines
     * starting with {@code #} are skipped.
     *
     * @throws IllegalArgumentException naming the file, the line and what is wrong, if any line is invalid
     */
    static List<AclUser> readFile(Path file, CommandTable table) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException("ERR Error loading ACLs, opening file '" + file + "': " + e);
        }
        Map<String, AclUser> users = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).trim();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] words = line.split("\\s+");
            String where = file + ":" + (i + 1) + ": ";
            if (!words[0].equals("user") || words.length < 2) {
                throw new IllegalArgumentException("ERR " + where + "should start with user keyword");
            }
            if (users.containsKey(words[1])) {
                throw new IllegalArgumentException("ERR " + where + "duplicate user '" + words[1] + "'");
            }
            try {
                users.put(words[1], AclUser.created(words[1], table)
                        .with(Arrays.asList(words).subList(2, words.length), table));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("ERR " + where + e.getMessage().substring("ERR ".length()));
            }
        }
        return List.copyOf(users.values());
    }
}
