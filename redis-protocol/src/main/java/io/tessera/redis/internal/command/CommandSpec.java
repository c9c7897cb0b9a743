package io.tessera.redis.internal.command;

import java.util.EnumSet;
import java.util.Set;

/**
 * One row of the command table, in Redis's terms: {@code arity} counts the command name (negative: at least that
 * many), key positions are {@code firstKey}, {@code lastKey} (negative: from the end) and {@code step} (0 when the
 * command takes no key). {@code COMMAND INFO} and {@code COMMAND DOCS} answer from these rows.
 *
 * @param name lower-case command name
 * @param arity Redis arity
 * @param flags Redis command flags ({@code write}, {@code readonly}, {@code fast}, {@code denyoom}, ...)
 * @param firstKey position of the first key, 0 if none
 * @param lastKey position of the last key (-1 = last argument)
 * @param step distance between keys
 * @param group Redis's command group ({@code string}, {@code generic}, {@code hash}, ...)
 * @param summary one line for {@code COMMAND DOCS}
 * @param handler what the serving member runs
 * @param keyOperation what runs on the key's primary, for single-key commands; {@code null} otherwise
 * @param since the Redis version that introduced the command, for {@code COMMAND DOCS} ({@code null}: Tessera's own)
 * @param rules how the dispatcher treats it in subscribe mode and inside MULTI
 */
public record CommandSpec(String name, int arity, Set<String> flags, int firstKey, int lastKey, int step,
                          String group, String summary, CommandHandler handler, KeyOperation keyOperation,
                          String since, Set<CommandRule> rules) {

    /** A row as the families register it; the table fills in {@code since} and the rules when it is built. */
    public CommandSpec(String name, int arity, Set<String> flags, int firstKey, int lastKey, int step, String group,
                       String summary, CommandHandler handler, KeyOperation keyOperation) {
        this(name, arity, flags, firstKey, lastKey, step, group, summary, handler, keyOperation, null,
                Set.of());
    }

    /** This row with {@code since} and {@code rules}. */
    CommandSpec with(String since, Set<CommandRule> rules) {
        return new CommandSpec(name, arity, flags, firstKey, lastKey, step, group, summary, handler, keyOperation,
                since, rules.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(rules)));
    }

    /** Whether the row carries {@code rule}. */
    public boolean has(CommandRule rule) {
        return rules.contains(rule);
    }

    /** Whether the argument count (name included) fits the arity. */
    public boolean arityAccepts(int argCount) {
        return arity >= 0 ? argCount == arity : argCount >= -arity;
    }

    /** Whether the command changes data. */
    public boolean isWrite() {
        return flags.contains("write");
    }
}
