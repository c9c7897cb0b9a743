package io.tessera.redis.internal.command;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * One ACL user as Redis defines it: on or off, its passwords (SHA-256 hex digests, never the passwords), the commands
 * it may run, the key and channel patterns it may touch. Immutable: {@link #with} answers a changed copy, so a
 * connection's event loop reads its user without locks while {@code ACL SETUSER} swaps in the next version.
 *
 * <p>The user is kept in the grid as its rules ({@link #rules()}: {@code on #<sha256> ~cache:* resetchannels -@all
 * +@read}) and rebuilt from them against the command table; the set of allowed commands is computed once there, and
 * {@link #unrestricted()} lets the dispatcher skip every check for a user that may run everything everywhere.
 */
public final class AclUser {
    /** Redis's ACL categories, as {@code ACL CAT} lists them. */
    static final List<String> CATEGORIES = List.of("keyspace", "read", "write", "set", "sortedset", "list", "hash",
            "string", "bitmap", "hyperloglog", "geo", "stream", "pubsub", "admin", "fast", "slow", "blocking",
            "dangerous", "connection", "transaction", "scripting");

    private final String name;
    private final boolean enabled;
    private final boolean nopass;
    private final List<String> passwordHashes;
    /** The command rules in order, the first always {@code +@all} or {@code -@all}. */
    private final List<String> commandRules;
    /** Allowed command names; for a container command, its allowed subcommands as {@code container|sub}. */
    private final Set<String> allowedCommands;
    private final CommandTable table;
    private final boolean allCommands;
    private final List<String> keyPatterns;
    private final List<GlobPattern> keyMatchers;
    private final boolean allKeys;
    private final List<String> channelPatterns;
    private final List<GlobPattern> channelMatchers;
    private final boolean allChannels;
    private final boolean unrestricted;
    private final String rules;

    /** Each command's categories, computed once: a user is rebuilt from its rules at every AUTH. */
    private static final java.util.Map<CommandSpec, Set<String>> CATEGORIES_OF =
            new java.util.concurrent.ConcurrentHashMap<>();

    private AclUser(Editor e, CommandTable table) {
        this.name = e.name;
        this.enabled = e.enabled;
        this.nopass = e.nopass;
        this.passwordHashes = List.copyOf(e.passwordHashes);
        this.commandRules = List.copyOf(e.commandRules);
        this.allKeys = e.allKeys;
        this.keyPatterns = allKeys ? List.of() : List.copyOf(e.keyPatterns);
        this.keyMatchers = keyPatterns.stream().map(GlobPattern::compile).toList();
        this.allChannels = e.allChannels;
        this.channelPatterns = allChannels ? List.of() : List.copyOf(e.channelPatterns);
        this.channelMatchers = channelPatterns.stream().map(GlobPattern::compile).toList();
        this.table = table;
        Set<String> allowed = new HashSet<>();
        for (String rule : commandRules) {
            applyCommandRule(rule, table, allowed);
        }
        this.allowedCommands = Set.copyOf(allowed);
        boolean every = true;
        for (CommandSpec spec : table.all()) {
            List<String> subs = table.subcommands(spec.name());
            if (subs.isEmpty()) {
                every &= allowed.contains(spec.name());
            } else {
                for (String sub : subs) {
                    every &= allowed.contains(spec.name() + "|" + sub);
                }
            }
        }
        this.allCommands = every;
        this.unrestricted = allCommands && allKeys && allChannels;
        this.rules = describe();
    }

    /** A new user as {@code ACL SETUSER name} makes it: off, no password, no command, no key, no channel. */
    static AclUser created(String name, CommandTable table) {
        return new AclUser(new Editor(name), table);
    }

    /** A user from its stored rules (see {@link #rules()}). */
    static AclUser parse(String name, String rules, CommandTable table) {
        List<String> tokens = rules.isBlank() ? List.of() : List.of(rules.trim().split("\\s+"));
        return created(name, table).with(tokens, table);
    }

    /**
     * This user changed by {@code rules} applied in order, as {@code ACL SETUSER} applies them.
     *
     * @throws IllegalArgumentException with Redis's error text for the first rule it refuses
     */
    AclUser with(List<String> rules, CommandTable table) {
        Editor editor = new Editor(this);
        for (String rule : rules) {
            String reason = editor.apply(rule, table);
            if (reason != null) {
                throw new IllegalArgumentException("ERR Error in ACL SETUSER modifier '" + rule + "': " + reason);
            }
        }
        return new AclUser(editor, table);
    }

    public String name() {
        return name;
    }

    public boolean enabled() {
        return enabled;
    }

    /** Whether the user may run every command on every key and channel: the dispatcher checks nothing for it. */
    public boolean unrestricted() {
        return unrestricted;
    }

    /** Whether a connection is this user as soon as it connects: on, and no password needed. */
    boolean opensWithoutPassword() {
        return enabled && nopass;
    }

    boolean nopass() {
        return nopass;
    }

    /** Whether {@code password} is one of this user's (any password is, with {@code nopass}); constant time. */
    boolean acceptsPassword(byte[] password) {
        if (nopass) {
            return true;
        }
        byte[] digest = hash(password).getBytes(StandardCharsets.US_ASCII);
        boolean match = false;
        for (String stored : passwordHashes) {
            match |= MessageDigest.isEqual(stored.getBytes(StandardCharsets.US_ASCII), digest);
        }
        return match;
    }

    /** Whether the user may run {@code spec} with {@code args} (for a container, the subcommand in args[1]). */
    boolean mayRun(CommandSpec spec, byte[][] args) {
        if (allCommands || spec.flags().contains("no_auth")) {
            return true;
        }
        List<String> subs = table.subcommands(spec.name());
        if (subs.isEmpty()) {
            return allowedCommands.contains(spec.name());
        }
        if (args.length < 2) { // COMMAND alone: as the user may run any of its subcommands
            return subs.stream().anyMatch(sub -> allowedCommands.contains(spec.name() + "|" + sub));
        }
        String sub = new String(args[1], StandardCharsets.UTF_8).toLowerCase(Locale.ROOT);
        // An unknown subcommand runs nothing: the container answers Redis's error for it.
        return !subs.contains(sub) || allowedCommands.contains(spec.name() + "|" + sub);
    }

    /** Whether the user may touch {@code key}. */
    boolean mayAccessKey(byte[] key) {
        if (allKeys) {
            return true;
        }
        for (GlobPattern pattern : keyMatchers) {
            if (pattern.matches(key)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether the user may use {@code channel}; a pattern ({@code PSUBSCRIBE}) must be one of the user's patterns
     * literally, as Redis requires, since a broader pattern would hear channels the user may not.
     */
    boolean mayAccessChannel(byte[] channel, boolean isPattern) {
        if (allChannels) {
            return true;
        }
        String text = new String(channel, StandardCharsets.UTF_8);
        for (int i = 0; i < channelPatterns.size(); i++) {
            if (isPattern ? channelPatterns.get(i).equals(text) : channelMatchers.get(i).matches(channel)) {
                return true;
            }
        }
        return false;
    }

    /** The rules that rebuild this user, as {@code ACL LIST} shows them after {@code user <name>}. */
    public String rules() {
        return rules;
    }

    private String describe() {
        StringBuilder out = new StringBuilder(enabled ? "on" : "off");
        if (nopass) {
            out.append(" nopass");
        }
        for (String hash : passwordHashes) {
            out.append(" #").append(hash);
        }
        out.append(' ').append(keysDescription().isEmpty() ? "resetkeys" : keysDescription());
        out.append(' ').append(channelsDescription().isEmpty() ? "resetchannels" : channelsDescription());
        out.append(' ').append(commandsDescription());
        return out.toString();
    }

    List<String> flags() {
        List<String> flags = new ArrayList<>();
        flags.add(enabled ? "on" : "off");
        if (nopass) {
            flags.add("nopass");
        }
        return flags;
    }

    List<String> passwordHashes() {
        return passwordHashes;
    }

    String commandsDescription() {
        return String.join(" ", commandRules);
    }

    String keysDescription() {
        return allKeys ? "~*" : String.join(" ", keyPatterns.stream().map(p -> "~" + p).toList());
    }

    String channelsDescription() {
        return allChannels ? "&*" : String.join(" ", channelPatterns.stream().map(p -> "&" + p).toList());
    }

    /** SHA-256 of a password in lower-case hex, as Redis stores it. */
    static String hash(byte[] password) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(password));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** Applies one {@code +...}/{@code -...} rule to the allowed names; a container's are its subcommands'. */
    private static void applyCommandRule(String rule, CommandTable table, Set<String> allowed) {
        boolean add = rule.charAt(0) == '+';
        String what = rule.substring(1);
        if (what.startsWith("@")) {
            String category = what;
            boolean all = category.equals("@all");
            for (CommandSpec spec : table.all()) {
                List<String> subs = table.subcommands(spec.name());
                if (subs.isEmpty()) {
                    if (all || CATEGORIES_OF.computeIfAbsent(spec, CommandIntrospection::aclCategories)
                            .contains(category)) {
                        toggle(allowed, spec.name(), add);
                    }
                } else {
                    for (String sub : subs) {
                        if (all || CommandIntrospection.aclCategories(spec, sub).contains(category)) {
                            toggle(allowed, spec.name() + "|" + sub, add);
                        }
                    }
                }
            }
        } else if (what.contains("|") || table.subcommands(what).isEmpty()) {
            toggle(allowed, what, add);
        } else {
            for (String sub : table.subcommands(what)) {
                toggle(allowed, what + "|" + sub, add);
            }
        }
    }

    private static void toggle(Set<String> allowed, String name, boolean add) {
        if (add) {
            allowed.add(name);
        } else {
            allowed.remove(name);
        }
    }

    /** A user being changed by rules; errors come back as Redis's reasons. */
    private static final class Editor {
        private final String name;
        private boolean enabled;
        private boolean nopass;
        private final List<String> passwordHashes = new ArrayList<>();
        private final List<String> commandRules = new ArrayList<>(List.of("-@all"));
        private boolean allKeys;
        private final List<String> keyPatterns = new ArrayList<>();
        private boolean allChannels;
        private final List<String> channelPatterns = new ArrayList<>();

        Editor(String name) {
            this.name = name;
        }

        Editor(AclUser user) {
            this.name = user.name;
            this.enabled = user.enabled;
            this.nopass = user.nopass;
            this.passwordHashes.addAll(user.passwordHashes);
            this.commandRules.clear();
            this.commandRules.addAll(user.commandRules);
            this.allKeys = user.allKeys;
            this.keyPatterns.addAll(user.keyPatterns);
            this.allChannels = user.allChannels;
            this.channelPatterns.addAll(user.channelPatterns);
        }

        /** Applies one rule; answers null, or Redis's reason for refusing it. */
        String apply(String rule, CommandTable table) {
            if (rule.isEmpty()) {
                return "Syntax error";
            }
            String lower = rule.toLowerCase(Locale.ROOT);
            switch (lower) {
                case "on" -> enabled = true;
                case "off" -> enabled = false;
                case "nopass" -> {
                    nopass = true;
                    passwordHashes.clear();
                }
                case "resetpass" -> {
                    nopass = false;
                    passwordHashes.clear();
                }
                case "allkeys" -> allKeys(true);
                case "resetkeys" -> allKeys(false);
                case "allchannels" -> allChannels(true);
                case "resetchannels" -> allChannels(false);
                case "allcommands" -> resetCommands("+@all");
                case "nocommands" -> resetCommands("-@all");
                case "reset" -> {
                    nopass = false;
                    passwordHashes.clear();
                    allKeys(false);
                    allChannels(false);
                    enabled = false;
                    resetCommands("-@all");
                }
                default -> {
                    return applyValued(rule, table);
                }
            }
            return null;
        }

        private String applyValued(String rule, CommandTable table) {
            char kind = rule.charAt(0);
            String value = rule.substring(1);
            switch (kind) {
                case '>' -> {
                    addHash(hash(value.getBytes(StandardCharsets.UTF_8)));
                    nopass = false;
                }
                case '#' -> {
                    if (!value.matches("[0-9a-fA-F]{64}")) {
                        return "The password hash must be exactly 64 characters and contain only lowercase "
                                + "hexadecimal characters";
                    }
                    addHash(value.toLowerCase(Locale.ROOT));
                    nopass = false;
                }
                case '<' -> {
                    if (!passwordHashes.remove(hash(value.getBytes(StandardCharsets.UTF_8)))) {
                        return "The password you are trying to remove from the user does not exist";
                    }
                }
                case '!' -> {
                    if (!passwordHashes.remove(value.toLowerCase(Locale.ROOT))) {
                        return "The password you are trying to remove from the user does not exist";
                    }
                }
                case '~' -> {
                    if (value.equals("*")) {
                        allKeys(true);
                    } else if (!allKeys && !keyPatterns.contains(value)) {
                        keyPatterns.add(value);
                    } else if (allKeys) {
                        return "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and "
                                + "does not have any effect. Try 'resetkeys' to start with an empty list of patterns";
                    }
                }
                case '&' -> {
                    if (value.equals("*")) {
                        allChannels(true);
                    } else if (!allChannels && !channelPatterns.contains(value)) {
                        channelPatterns.add(value);
                    } else if (allChannels) {
                        return "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and "
                                + "does not have any effect. Try 'resetchannels' to start with an empty list of "
                                + "channels";
                    }
                }
                case '+', '-' -> {
                    return commandRule(kind, value.toLowerCase(Locale.ROOT), table);
                }
                default -> {
                    return "Syntax error";
                }
            }
            return null;
        }

        private String commandRule(char kind, String what, CommandTable table) {
            if (what.equals("@all")) {
                resetCommands(kind + "@all");
                return null;
            }
            if (what.startsWith("@")) {
                if (!CATEGORIES.contains(what.substring(1))) {
                    return "Unknown command or category name in ACL";
                }
            } else {
                int bar = what.indexOf('|');
                String command = bar < 0 ? what : what.substring(0, bar);
                CommandSpec spec = table.lookup(command);
                if (spec == null || (bar >= 0 && !table.subcommands(command).contains(what.substring(bar + 1)))) {
                    return "Unknown command or category name in ACL";
                }
            }
            commandRules.add(kind + what);
            return null;
        }

        private void resetCommands(String base) {
            commandRules.clear();
            commandRules.add(base);
        }

        private void addHash(String hash) {
            if (!passwordHashes.contains(hash)) {
                passwordHashes.add(hash);
            }
        }

        private void allKeys(boolean all) {
            allKeys = all;
            keyPatterns.clear();
        }

        private void allChannels(boolean all) {
            allChannels = all;
            channelPatterns.clear();
        }
    }
}
