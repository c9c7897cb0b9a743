package io.tessera.redis.internal.command;

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
 */
public record CommandSpec(String name, int arity, Set<String> flags, int firstKey, int lastKey, int step,
                          String group, String summary, CommandHandler handler, KeyOperation keyOperation) {

    /** Whether the argument count (name included) fits the arity. */
    public boolean arityAccepts(int argCount) {
        return arity >= 0 ? argCount == arity : argCount >= -arity;
    }

    /** Whether the command changes data. */
    public boolean isWrite() {
        return flags.contains("write");
    }
}
