package io.tessera.redis.internal.command;

import io.tessera.grid.GridMap;
import io.tessera.redis.internal.protocol.Reply;
import io.tessera.redis.internal.store.Bytes;
import io.tessera.redis.internal.store.StoredValue;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Commands on keys of any type ({@code generic} group): deletion, existence, expiry, renaming and copying (the walks
 * over the whole keyspace are {@link KeyspaceCommands}).
 *
 * <p>Single-key commands (TYPE, EXPIRE and its kin, TTL, PERSIST) run on the key's primary as one atomic step.
 *
 * <p>Commands on several keys run as one atomic step on their primary when the keys share a hash slot, as in Redis
 * Cluster: DEL, UNLINK, EXISTS and TOUCH, RENAME and RENAMENX, and COPY within one database. Keys in different
 * slots, which Redis Cluster refuses with {@code CROSSSLOT}, are served split per key:
 * <ul>
 *   <li>DEL, UNLINK, EXISTS and TOUCH run one key operation per key and add up the replies: a concurrent writer may
 *   create or delete one key between the steps on two others.</li>
 *   <li>RENAME and RENAMENX read the source's stored value and expiry on its primary, write the target on its
 *   primary, and then delete the source only if it still holds the value read. A client may see both keys for a
 *   moment, and a write to the source between the read and the delete survives in the source (the target then
 *   holds the older value).</li>
 *   <li>COPY reads the source on its primary and then writes the target on its own (the same for COPY ... DB into
 *   another database, whatever the slots): a write to the source in between is not copied.</li>
 * </ul>
 */
final class KeyCommands {
    /** Internal: deletes a key only if it still holds the given stored value (the last step of a cross-slot RENAME). */
    static final String DELETE_IF_SAME = "tessera.delifsame";
    /** Internal: the stored value and expiry of a key. */
    static final String READ = "tessera.read";
    /** Internal: writes a stored value with an expiry, replacing or only if absent. */
    static final String WRITE = "tessera.write";

    private static final Reply NO_SUCH_KEY = Reply.error("ERR no such key");

    private KeyCommands() {
    }

    static void register(CommandTable.Builder table) {
        perKey(table, "del", "write", "Deletes one or more keys.", KeyCommands::delete);
        perKey(table, "unlink", "write fast",
                "Asynchronously deletes one or more keys. Deletes them at once in Tessera.", KeyCommands::delete);
        perKey(table, "exists", "readonly fast", "Determines whether one or more keys exist.",
                (entry, args) -> entry.exists() ? Reply.ONE : Reply.ZERO);
        perKey(table, "touch", "readonly fast",
                "Returns the number of existing keys out of those specified after updating the time they were last "
                        + "accessed.",
                (entry, args) -> entry.exists() ? Reply.ONE : Reply.ZERO);
        table.keyCommand("type", 2, "readonly fast", "generic", "Determines the type of value stored at a key.",
                (entry, args) -> Reply.simple(entry.exists() ? StoredValue.typeName(entry.type()) : "none"));
        table.keyCommand("expire", -3, "write fast", "generic",
                "Sets the expiration time of a key in seconds.",
                (entry, args) -> expire(entry, args, true, true, "expire"));
        table.keyCommand("pexpire", -3, "write fast", "generic",
                "Sets the expiration time of a key in milliseconds.",
                (entry, args) -> expire(entry, args, true, false, "pexpire"));
        table.keyCommand("expireat", -3, "write fast", "generic",
                "Sets the expiration time of a key to a Unix timestamp.",
                (entry, args) -> expire(entry, args, false, true, "expireat"));
        table.keyCommand("pexpireat", -3, "write fast", "generic",
                "Sets the expiration time of a key to a Unix milliseconds timestamp.",
                (entry, args) -> expire(entry, args, false, false, "pexpireat"));
        table.keyCommand("ttl", 2, "readonly fast", "generic", "Returns the expiration time in seconds of a key.",
                (entry, args) -> ttl(entry, false, false));
        table.keyCommand("pttl", 2, "readonly fast", "generic",
                "Returns the expiration time in milliseconds of a key.", (entry, args) -> ttl(entry, true, false));
        table.keyCommand("expiretime", 2, "readonly fast", "generic",
                "Returns the expiration time of a key as a Unix timestamp.", (entry, args) -> ttl(entry, false, true));
        table.keyCommand("pexpiretime", 2, "readonly fast", "generic",
                "Returns the expiration time of a key as a Unix milliseconds timestamp.",
                (entry, args) -> ttl(entry, true, true));
        table.keyCommand("persist", 2, "write fast", "generic", "Removes the expiration time of a key.",
                KeyCommands::persist);
        table.command("rename", 3, "write", 1, 2, 1, "generic", "Renames a key and overwrites the destination.",
                call -> rename(call, false));
        table.command("renamenx", 3, "write fast", 1, 2, 1, "generic",
                "Renames a key only when the target key name doesn't exist.", call -> rename(call, true));
        table.command("copy", -3, "write denyoom", 1, 2, 1, "generic", "Copies the value of a key to a new key.",
                KeyCommands::copy);
        table.slotOperation("rename", (entries, args) -> renameInSlot(entries, false));
        table.slotOperation("renamenx", (entries, args) -> renameInSlot(entries, true));
        table.slotOperation("copy", KeyCommands::copyInSlot);

        table.add(internal(DELETE_IF_SAME, 3,
                "Deletes a key only if it still holds the given stored value (the last step of a cross-slot RENAME).",
                KeyCommands::deleteIfSame));
        table.add(internal(READ, 2, "Returns a key's stored value and expiry (RENAME, COPY).", KeyCommands::read));
        table.add(internal(WRITE, 5, "Writes a stored value and expiry (RENAME, COPY).", KeyCommands::write));
    }

    /**
     * A command on keys 1..n that runs {@code operation} once per key and answers the sum of the replies: as one
     * slot operation when the keys share a slot, else one key operation per key.
     */
    private static void perKey(CommandTable.Builder table, String name, String flags, String summary,
                               KeyOperation operation) {
        table.add(new CommandSpec(name, -2, Set.of(flags.split(" ")), 1, -1, 1, "generic", summary, call -> {
            List<byte[]> keys = CommandCall.distinct(call.keys(1, 1));
            if (call.argCount() > 2 && CommandCall.sameSlot(keys)) {
                return call.onSlot(keys, name, call.args());
            }
            List<CompletableFuture<Reply>> replies = new ArrayList<>(call.argCount() - 1);
            for (int i = 1; i < call.argCount(); i++) {
                replies.add(call.onKey(call.arg(i), name, new byte[][] {call.arg(0), call.arg(i)}));
            }
            return Multi.sumOrError(replies);
        }, operation));
        table.slotOperation(name, (entries, args) -> {
            Map<Bytes, KeyEntry> byKey = Multi.byKey(entries);
            long total = 0;
            for (int i = 1; i < args.length; i++) { // a repeated key counts each time, as in Redis
                total += ((Reply.Int) operation.apply(Multi.entry(byKey, args[i]), new byte[][] {args[0], args[i]}))
                        .value();
            }
            return Reply.integer(total);
        });
    }

    /**
     * A key operation that only other commands run (through {@link CommandCall#onKey}); a client that names it
     * gets the unknown-command error, since it could otherwise store bytes that are not a Redis value.
     */
    private static CommandSpec internal(String name, int arity, String summary, KeyOperation operation) {
        return new CommandSpec(name, arity, Set.of("internal"), 1, 1, 1, "generic", summary,
                call -> CommandCall.done(Reply.error(CommandDispatcher.unknownCommand(call.text(0), call.args()))),
                operation);
    }


    private static Reply delete(KeyEntry entry, byte[][] args) {
        if (!entry.exists()) {
            return Reply.ZERO;
        }
        entry.remove();
        return Reply.ONE;
    }

    /** EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT key time [NX | XX | GT | LT], with Redis 7's checks in its order. */
    private static Reply expire(KeyEntry entry, byte[][] args, boolean relative, boolean seconds, String command) {
        boolean nx = false;
        boolean xx = false;
        boolean gt = false;
        boolean lt = false;
        for (int i = 3; i < args.length; i++) {
            String option = new String(args[i], StandardCharsets.UTF_8);
            switch (option.toUpperCase(java.util.Locale.ROOT)) {
                case "NX" -> nx = true;
                case "XX" -> xx = true;
                case "GT" -> gt = true;
                case "LT" -> lt = true;
                default -> throw new RedisException("ERR Unsupported option " + option);
            }
        }
        if (nx && (xx || gt || lt)) {
            throw new RedisException("ERR NX and XX, GT or LT options at the same time are not compatible");
        }
        if (gt && lt) {
            throw new RedisException("ERR GT and LT options at the same time are not compatible");
        }
        long when = Arguments.parseLong(args[2]);
        RedisException invalid = new RedisException("ERR invalid expire time in '" + command + "' command");
        if (seconds) {
            if (when > Long.MAX_VALUE / 1000 || when < Long.MIN_VALUE / 1000) {
                throw invalid;
            }
            when *= 1000;
        }
        long now = System.currentTimeMillis();
        if (relative) {
            if (when > Long.MAX_VALUE - now) {
                throw invalid;
            }
            when += now;
        }
        if (!entry.exists()) {
            return Reply.ZERO;
        }
        Instant current = entry.expiresAt();
        if (nx && current != null || xx && current == null) {
            return Reply.ZERO;
        }
        if (gt && (current == null || when <= current.toEpochMilli())) {
            return Reply.ZERO; // no expiry counts as infinite
        }
        if (lt && current != null && when >= current.toEpochMilli()) {
            return Reply.ZERO;
        }
        if (when <= now) {
            entry.remove();
        } else {
            entry.setExpiresAt(Instant.ofEpochMilli(when));
        }
        return Reply.ONE;
    }

    /** TTL, PTTL, EXPIRETIME, PEXPIRETIME: -2 without the key, -1 without an expiry. */
    private static Reply ttl(KeyEntry entry, boolean millis, boolean absolute) {
        if (!entry.exists()) {
            return Reply.integer(-2);
        }
        Instant expiresAt = entry.expiresAt();
        if (expiresAt == null) {
            return Reply.integer(-1);
        }
        long at = expiresAt.toEpochMilli();
        long value = Math.max(0, absolute ? at : at - System.currentTimeMillis());
        return Reply.integer(millis ? value : (value + 500) / 1000);
    }

    private static Reply persist(KeyEntry entry, byte[][] args) {
        if (!entry.exists() || entry.expiresAt() == null) {
            return Reply.ZERO;
        }
        entry.setExpiresAt(null);
        return Reply.ONE;
    }

    /** RENAME / RENAMENX: one step within a slot, else read, write, delete-if-unchanged; see the class comment. */
    private static CompletableFuture<Reply> rename(CommandCall call, boolean nx) {
        byte[] source = call.arg(1);
        byte[] target = call.arg(2);
        if (Arrays.equals(source, target)) {
            return call.onKey(source, "exists", new byte[][] {Arguments.utf8("exists"), source}).thenApply(reply -> {
                if (reply instanceof Reply.Error) {
                    return reply;
                }
                return reply.equals(Reply.ZERO) ? NO_SUCH_KEY : nx ? Reply.ZERO : Reply.OK;
            });
        }
        List<byte[]> keys = List.of(source, target);
        if (CommandCall.sameSlot(keys)) {
            return call.onSlot(keys, nx ? "renamenx" : "rename", call.args());
        }
        return call.onKey(source, READ, new byte[][] {Arguments.utf8(READ), source}).thenCompose(read -> {
            if (read instanceof Reply.Error) {
                return CommandCall.done(read);
            }
            if (!(read instanceof Reply.Array value)) {
                return CommandCall.done(NO_SUCH_KEY);
            }
            byte[] stored = ((Reply.Bulk) value.items().get(0)).bytes();
            byte[] expiry = Arguments.utf8(Long.toString(((Reply.Int) value.items().get(1)).value()));
            return call.onKey(target, WRITE, new byte[][] {Arguments.utf8(WRITE), target, stored, expiry,
                    Arguments.utf8(nx ? "NX" : "REPLACE")}).thenCompose(written -> {
                        if (written instanceof Reply.Error) {
                            return CommandCall.done(written);
                        }
                        if (written.equals(Reply.ZERO)) {
                            return CommandCall.done(Reply.ZERO); // RENAMENX onto an existing key
                        }
                        return call.onKey(source, DELETE_IF_SAME, new byte[][] {Arguments.utf8(DELETE_IF_SAME), source,
                                stored}).thenApply(deleted -> deleted instanceof Reply.Error ? deleted
                                : nx ? Reply.ONE : Reply.OK);
                    });
        });
    }

    /** RENAME / RENAMENX source target (distinct keys) on one slot: the target takes the value and the expiry. */
    private static Reply renameInSlot(List<KeyEntry> entries, boolean nx) {
        KeyEntry source = entries.get(0);
        KeyEntry target = entries.get(1);
        if (!source.exists()) {
            return NO_SUCH_KEY;
        }
        if (!writeStored(target, source.stored(), source.expiresAt(), nx)) {
            return Reply.ZERO;
        }
        source.remove();
        return nx ? Reply.ONE : Reply.OK;
    }

    /** COPY source destination [DB destination-db] [REPLACE]: one step within a slot of one database. */
    private static CompletableFuture<Reply> copy(CommandCall call) {
        boolean replace = false;
        int sourceDb = call.client().database();
        int targetDb = sourceDb;
        for (int i = 3; i < call.argCount(); i++) {
            String option = call.option(i);
            if (option.equals("REPLACE")) {
                replace = true;
            } else if (option.equals("DB") && i + 1 < call.argCount()) {
                long db = call.integer(i + 1);
                if (db < Integer.MIN_VALUE || db > Integer.MAX_VALUE) {
                    return CommandCall.done(Reply.NOT_INTEGER);
                }
                if (db < 0 || db >= call.server().databaseCount()) {
                    return CommandCall.done(Reply.error("ERR DB index is out of range"));
                }
                targetDb = (int) db;
                i++;
            } else {
                return CommandCall.done(Reply.SYNTAX_ERROR);
            }
        }
        byte[] source = call.arg(1);
        byte[] target = call.arg(2);
        if (sourceDb == targetDb && Arrays.equals(source, target)) {
            return CommandCall.done(Reply.error("ERR source and destination objects are the same"));
        }
        List<byte[]> keys = List.of(source, target);
        if (sourceDb == targetDb && CommandCall.sameSlot(keys)) {
            return call.onSlot(keys, "copy", call.args());
        }
        GridMap<byte[], byte[]> targetMap = call.server().database(targetDb);
        String mode = replace ? "REPLACE" : "NX";
        return call.onKey(source, READ, new byte[][] {Arguments.utf8(READ), source}).thenCompose(read -> {
            if (read instanceof Reply.Error) {
                return CommandCall.done(read);
            }
            if (!(read instanceof Reply.Array value)) {
                return CommandCall.done(Reply.ZERO);
            }
            byte[] stored = ((Reply.Bulk) value.items().get(0)).bytes();
            byte[] expiry = Arguments.utf8(Long.toString(((Reply.Int) value.items().get(1)).value()));
            return call.onKey(targetMap, target, WRITE, new byte[][] {Arguments.utf8(WRITE), target, stored, expiry,
                    Arguments.utf8(mode)});
        });
    }

    /** COPY source destination (distinct keys of one slot and database): 1 if copied, with the expiry. */
    private static Reply copyInSlot(List<KeyEntry> entries, byte[][] args) {
        boolean replace = false;
        for (int i = 3; i < args.length; i++) { // checked by the serving member
            String option = new String(args[i], StandardCharsets.UTF_8).toUpperCase(java.util.Locale.ROOT);
            if (option.equals("REPLACE")) {
                replace = true;
            } else {
                i++; // DB n
            }
        }
        KeyEntry source = entries.get(0);
        if (!source.exists()) {
            return Reply.ZERO;
        }
        return writeStored(entries.get(1), source.stored(), source.expiresAt(), !replace) ? Reply.ONE : Reply.ZERO;
    }


    private static Reply deleteIfSame(KeyEntry entry, byte[][] args) {
        byte[] stored = entry.stored();
        if (stored != null && Arrays.equals(stored, args[2])) {
            entry.remove();
            return Reply.ONE;
        }
        return Reply.ZERO;
    }

    /** tessera.read key: [stored value, expiry in epoch milliseconds or -1], or a null array. */
    private static Reply read(KeyEntry entry, byte[][] args) {
        byte[] stored = entry.stored();
        if (stored == null) {
            return Reply.NULL_ARRAY;
        }
        Instant expiresAt = entry.expiresAt();
        return Reply.array(List.of(Reply.bulk(stored),
                Reply.integer(expiresAt == null ? -1 : expiresAt.toEpochMilli())));
    }

    /** tessera.write key stored expiry-ms|-1 REPLACE|NX: 1 if written. */
    private static Reply write(KeyEntry entry, byte[][] args) {
        long expiry = Arguments.parseLong(args[3]);
        boolean onlyIfAbsent = new String(args[4], StandardCharsets.US_ASCII).equals("NX");
        return writeStored(entry, args[2], expiry < 0 ? null : Instant.ofEpochMilli(expiry), onlyIfAbsent)
                ? Reply.ONE : Reply.ZERO;
    }

    /** The write step of RENAME and COPY: replaces the key (any type), or only if absent; whether it wrote. */
    private static boolean writeStored(KeyEntry entry, byte[] stored, Instant expiresAt, boolean onlyIfAbsent) {
        if (onlyIfAbsent && entry.exists()) {
            return false;
        }
        entry.setStored(stored, expiresAt);
        return true;
    }

}
