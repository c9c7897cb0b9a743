package io.tessera.redis.internal.command;

import io.tessera.redis.internal.protocol.Reply;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Every command the server knows, one {@link CommandSpec} per command, with what the dispatcher needs to know of it
 * (Redis's flags, key positions, the version that introduced it, Tessera's {@link CommandRule}s). Built once: the
 * server passes it to its dispatcher, and every call reaches it through there.
 */
public final class CommandTable {
    private static final CommandTable STANDARD = buildStandard();

    private final Map<String, CommandSpec> commands;
    /** The same commands under their upper-case names, as most clients send them: found without a lower-casing. */
    private final Map<String, CommandSpec> byUpperCaseName;
    private final Map<String, SlotOperation> slotOperations;
    private final Map<String, Function<byte[][], List<byte[]>>> movableKeys;
    private final Map<String, List<String>> subcommands;

    private CommandTable(Map<String, CommandSpec> commands, Map<String, SlotOperation> slotOperations,
                         Map<String, Function<byte[][], List<byte[]>>> movableKeys,
                         Map<String, List<String>> subcommands) {
        this.commands = Collections.unmodifiableMap(commands);
        Map<String, CommandSpec> upper = new HashMap<>();
        commands.forEach((name, spec) -> upper.put(name.toUpperCase(Locale.ROOT), spec));
        this.byUpperCaseName = Map.copyOf(upper);
        this.slotOperations = Collections.unmodifiableMap(slotOperations);
        this.movableKeys = Collections.unmodifiableMap(movableKeys);
        this.subcommands = Map.copyOf(subcommands);
    }

    /**
     * The subcommands (lower case, HELP included) of container command {@code name} ({@code CLIENT},
     * {@code CONFIG}, ...) when it dispatches them through {@link Subcommands}; empty otherwise. They are not rows of
     * the table: {@code COMMAND COUNT} counts the container once.
     */
    public List<String> subcommands(String name) {
        return subcommands.getOrDefault(name, List.of());
    }

    /**
     * How command {@code name} finds its keys in its arguments when their positions depend on the arguments (Redis's
     * {@code movablekeys}: ZUNION numkeys key ...), or {@code null} when its row's key positions say it.
     */
    public Function<byte[][], List<byte[]>> movableKeys(String name) {
        return movableKeys.get(name);
    }

    /** The same-slot operation registered under {@code name}, or {@code null}. */
    public SlotOperation slotOperation(String name) {
        return slotOperations.get(name);
    }

    /**
     * The table of this server version. The RESP server takes it once; the entry processors, which arrive on a key's
     * primary by name and may run on a member that serves no RESP at all (an embedded grid member), look their
     * operations up here: every member of one version builds the same table.
     */
    public static CommandTable standard() {
        return STANDARD;
    }

    /** The command named {@code name} (any case), or {@code null}. */
    public CommandSpec lookup(String name) {
        CommandSpec spec = commands.get(name);
        if (spec == null) {
            spec = byUpperCaseName.get(name);
        }
        return spec != null ? spec : commands.get(name.toLowerCase(Locale.ROOT));
    }

    /** Every command, in registration order. */
    public Collection<CommandSpec> all() {
        return commands.values();
    }

    private static CommandTable buildStandard() {
        Builder builder = new Builder();
        ConnectionCommands.register(builder);
        StringCommands.register(builder);
        PubSubCommands.register(builder);
        HashCommands.register(builder);
        ListCommands.register(builder);
        BlockingCommands.register(builder);
        SetCommands.register(builder);
        SortedSetCommands.register(builder);
        SortedSetMultiKeyCommands.register(builder);
        KeyCommands.register(builder);
        KeyspaceCommands.register(builder);
        ClientCommands.register(builder);
        ServerCommands.register(builder);
        CommandIntrospection.register(builder);
        ConfigCommands.register(builder);
        ClusterCommands.register(builder);
        TransactionCommands.register(builder);
        BitmapCommands.register(builder);
        HyperLogLogCommands.register(builder);
        LcsCommand.register(builder);
        ObjectCommands.register(builder);
        AclCommands.register(builder);
        return builder.build();
    }

    /** Collects rows; the families of commands each add theirs. */
    public static final class Builder {
        private final Map<String, CommandSpec> commands = new LinkedHashMap<>();
        private final Map<String, SlotOperation> slotOperations = new LinkedHashMap<>();
        private final Map<String, Function<byte[][], List<byte[]>>> movableKeys = new LinkedHashMap<>();
        private final Map<String, Set<CommandRule>> rules = new HashMap<>();
        private final Map<String, List<String>> subcommands = new HashMap<>();

        /** Gives command {@code name} (registered before or after) the dispatcher's {@code rules}. */
        public Builder rules(String name, CommandRule... rules) {
            this.rules.computeIfAbsent(name, n -> java.util.EnumSet.noneOf(CommandRule.class))
                    .addAll(Arrays.asList(rules));
            return this;
        }

        /**
         * Registers what a multi-key command runs on its keys' primary when they share a slot (see
         * {@link CommandCall#onSlot}); usually under the command's own name.
         */
        public Builder slotOperation(String name, SlotOperation operation) {
            if (slotOperations.putIfAbsent(name, operation) != null) {
                throw new IllegalStateException("slot operation " + name + " registered twice");
            }
            return this;
        }

        /** Records the subcommands of container command {@code name}, for {@link CommandTable#subcommands}. */
        Builder subcommands(String name, Subcommands subs) {
            if (subcommands.putIfAbsent(name, subs.names()) != null) {
                throw new IllegalStateException("subcommands of " + name + " registered twice");
            }
            return this;
        }

        /**
         * Registers how command {@code name} finds its keys when their positions depend on its arguments: the
         * function answers them, repeats included, or an empty list when the arguments name none validly.
         */
        public Builder movableKeys(String name, Function<byte[][], List<byte[]>> keys) {
            if (movableKeys.putIfAbsent(name, keys) != null) {
                throw new IllegalStateException("movable keys of " + name + " registered twice");
            }
            return this;
        }

        /**
         * A command on one key (at position 1) that runs entirely on the key's primary: the serving member only
         * forwards it and relays the reply.
         */
        public Builder keyCommand(String name, int arity, String flags, String group, String summary,
                                  KeyOperation operation) {
            return add(new CommandSpec(name, arity, flags(flags), 1, 1, 1, group, summary,
                    call -> call.onKey(1), operation));
        }

        /**
         * A single-key command with a handler of its own for the serving member (a faster path for its common
         * form), whose key operation still serves the rest and other commands built on it.
         */
        public Builder keyCommand(String name, int arity, String flags, String group, String summary,
                                  KeyOperation operation, CommandHandler handler) {
            return add(new CommandSpec(name, arity, flags(flags), 1, 1, 1, group, summary, handler, operation));
        }

        /** A command with its own handler and the given key positions (0, 0, 0 for none). */
        public Builder command(String name, int arity, String flags, int firstKey, int lastKey, int step,
                               String group, String summary, CommandHandler handler) {
            return add(new CommandSpec(name, arity, flags(flags), firstKey, lastKey, step, group, summary,
                    handler, null));
        }

        /**
         * A command with its own handler and the given key positions, whose {@code operation} runs it on one key's
         * primary when all its keys are that key (inside a transaction).
         */
        public Builder command(String name, int arity, String flags, int firstKey, int lastKey, int step,
                               String group, String summary, CommandHandler handler, KeyOperation operation) {
            return add(new CommandSpec(name, arity, flags(flags), firstKey, lastKey, step, group, summary,
                    handler, operation));
        }

        /** A command without keys whose reply does not wait for anything. */
        public Builder immediate(String name, int arity, String flags, String group, String summary,
                                 java.util.function.Function<CommandCall, Reply> handler) {
            return command(name, arity, flags, 0, 0, 0, group, summary,
                    call -> CompletableFuture.completedFuture(handler.apply(call)));
        }

        /** Adds a complete row. */
        public Builder add(CommandSpec spec) {
            if (commands.putIfAbsent(spec.name(), spec) != null) {
                throw new IllegalStateException("command " + spec.name() + " registered twice");
            }
            return this;
        }

        CommandTable build() {
            for (String name : rules.keySet()) {
                if (!commands.containsKey(name)) {
                    throw new IllegalStateException("rules for " + name + ", which is not a command");
                }
            }
            for (String name : subcommands.keySet()) {
                if (!commands.containsKey(name)) {
                    throw new IllegalStateException("subcommands for " + name + ", which is not a command");
                }
            }
            Map<String, CommandSpec> rows = new LinkedHashMap<>();
            commands.forEach((name, spec) -> rows.put(name, spec.with(RedisReleases.since(name),
                    rules.getOrDefault(name, Set.of()))));
            return new CommandTable(rows, new LinkedHashMap<>(slotOperations), new LinkedHashMap<>(movableKeys),
                    subcommands);
        }

        /** Redis's flags from their space-separated names. */
        static Set<String> flags(String flags) {
            return flags.isBlank() ? Set.of()
                    : Collections.unmodifiableSet(new LinkedHashSet<>(Arrays.asList(flags.trim().split("\\s+"))));
        }
    }
}
