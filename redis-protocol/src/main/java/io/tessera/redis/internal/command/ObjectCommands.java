package io.tessera.redis.internal.command;

import io.tessera.grid.GridMap;
import io.tessera.redis.internal.protocol.Reply;
import io.tessera.redis.internal.store.Bytes;
import io.tessera.redis.internal.store.SortedSetView;
import io.tessera.redis.internal.store.StoredValue;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * OBJECT ENCODING/FREQ/IDLETIME/REFCOUNT/HELP and MOVE.
 *
 * <p>OBJECT ENCODING names the encoding Redis 7.0 would give the value as it is now, from its type, size and the
 * encoding tunables of CONFIG SET (Tessera stores every value its own way): a string is {@code int}, {@code embstr}
 * (up to 44 bytes) or {@code raw}; a list {@code quicklist}; a set {@code intset} (integers only, up to
 * set-max-intset-entries) or {@code hashtable}; a hash {@code listpack} (up to hash-max-listpack-entries fields, each
 * field and value up to hash-max-listpack-value bytes) or {@code hashtable}; a sorted set {@code listpack} (up to
 * zset-max-listpack-entries members, each up to zset-max-listpack-value bytes) or {@code skiplist}. Redis also keeps
 * a value's history (an appended string stays {@code raw}, a hash once converted stays {@code hashtable}); Tessera
 * does not. IDLETIME counts from the key's last read or write on its primary; FREQ, under an LFU maxmemory-policy
 * (and, as in Redis, only then, while IDLETIME then answers an error), is the grid's access counter of the key:
 * reads and writes since the last aging halved it, 0..255, where Redis keeps a logarithmic counter.
 *
 * <p>MOVE key db reads the key, writes it into the other database only if absent there, then deletes it only if it
 * still holds what was read; a write to the key in between (which Redis, single-threaded, cannot see) leaves it in
 * both databases.
 */
final class ObjectCommands {
    /** Redis shares the integers below this (OBJ_SHARED_INTEGERS): their REFCOUNT is INT_MAX. */
    private static final long SHARED_INTEGERS = 10_000;

    private ObjectCommands() {
    }

    static void register(CommandTable.Builder table) {
        Subcommands object = new Subcommands("object")
                .add("encoding", 3, call -> call.onKey(call.arg(2), "tessera.objectencoding",
                        new byte[][] {Arguments.utf8("tessera.objectencoding"), call.arg(2),
                            Arguments.utf8(call.server().encodingSetting("set-max-intset-entries")),
                            Arguments.utf8(call.server().encodingSetting("hash-max-listpack-entries")),
                            Arguments.utf8(call.server().encodingSetting("hash-max-listpack-value")),
                            Arguments.utf8(call.server().encodingSetting("zset-max-listpack-entries")),
                            Arguments.utf8(call.server().encodingSetting("zset-max-listpack-value"))}))
                .add("refcount", 3, call -> call.onKey(call.arg(2), "tessera.objectrefcount",
                        new byte[][] {Arguments.utf8("tessera.objectrefcount"), call.arg(2)}))
                .add("idletime", 3, call -> lfu(call) ? CommandCall.done(Reply.error("ERR An LFU maxmemory policy is "
                        + "selected, idle time not tracked. Please note that when switching between policies at "
                        + "runtime LRU and LFU data will take some time to adjust.")) : call.onKey(call.arg(2),
                        "tessera.objectidletime", new byte[][] {Arguments.utf8("tessera.objectidletime"),
                            call.arg(2)}))
                .add("freq", 3, call -> !lfu(call) ? CommandCall.done(Reply.error("ERR An LFU maxmemory policy is "
                        + "not selected, access frequency not tracked. Please note that when switching between "
                        + "policies at runtime LRU and LFU data will take some time to adjust.")) : call.onKey(
                        call.arg(2), "tessera.objectfreq", new byte[][] {Arguments.utf8("tessera.objectfreq"),
                            call.arg(2)}))
                .help("ENCODING <key>",
                        "    Return the kind of internal representation used in order to store the value",
                        "    associated with a <key>.",
                        "FREQ <key>",
                        "    Return the access frequency index of the <key>. The returned integer is",
                        "    proportional to the logarithm of the recent access frequency of the key.",
                        "IDLETIME <key>",
                        "    Return the idle time of the <key>, that is the approximated number of",
                        "    seconds elapsed since the last access to the key.",
                        "REFCOUNT <key>",
                        "    Return the number of references of the value associated with the specified",
                        "    <key>.");
        table.subcommands("object", object);
        table.command("object", -2, "", 0, 0, 0, "generic", "A container for object introspection commands.",
                object);
        table.add(new CommandSpec("tessera.objectencoding", 7, java.util.Set.of("internal"), 1, 1, 1, "generic",
                "The Redis encoding of a key's value under the serving node's tunables (OBJECT ENCODING).",
                call -> CommandCall.done(Reply.error(CommandDispatcher.unknownCommand(call.text(0), call.args()))),
                (entry, args) -> entry.exists() ? Reply.bulk(encoding(entry, Arguments.parseLong(args[2]),
                        Arguments.parseLong(args[3]), Arguments.parseLong(args[4]), Arguments.parseLong(args[5]),
                        Arguments.parseLong(args[6]))) : Reply.NULL));
        table.add(internal("tessera.objectrefcount", "A key's reference count as Redis reports it (OBJECT REFCOUNT).",
                (entry, args) -> entry.exists() ? Reply.integer(sharedInteger(entry) ? Integer.MAX_VALUE : 1)
                        : Reply.NULL));
        table.add(internal("tessera.objectidletime", "Seconds since a key's last access (OBJECT IDLETIME).",
                (entry, args) -> entry.exists()
                        ? Reply.integer(Math.max(0, System.currentTimeMillis() - entry.lastAccessMillis()) / 1000)
                        : Reply.NULL));
        table.add(internal("tessera.objectfreq", "A key's access frequency for LFU eviction (OBJECT FREQ).",
                (entry, args) -> entry.exists() ? Reply.integer(entry.accessFrequency()) : Reply.NULL));
        table.command("move", 3, "write fast", 1, 1, 1, "generic", "Moves a key to another database.",
                ObjectCommands::move);
    }

    /** Whether the serving node's maxmemory-policy is an LFU one: then FREQ answers and IDLETIME does not. */
    private static boolean lfu(CommandCall call) {
        Maxmemory.Policy policy = call.server().maxmemoryPolicy();
        return policy == Maxmemory.Policy.ALLKEYS_LFU || policy == Maxmemory.Policy.VOLATILE_LFU;
    }

    private static CommandSpec internal(String name, String summary, KeyOperation operation) {
        return new CommandSpec(name, 2, java.util.Set.of("internal"), 1, 1, 1, "generic", summary,
                call -> CommandCall.done(Reply.error(CommandDispatcher.unknownCommand(call.text(0), call.args()))),
                operation);
    }

    /** The encoding Redis 7.0 would use for the value now, under the given tunables. */
    static String encoding(KeyEntry entry, long setMaxIntsetEntries, long hashMaxEntries, long hashMaxValue,
                           long zsetMaxEntries, long zsetMaxValue) {
        return switch (entry.type()) {
            case StoredValue.STRING -> {
                byte[] value = entry.string();
                yield canonicalLong(value) != null ? "int" : value.length <= 44 ? "embstr" : "raw";
            }
            case StoredValue.LIST -> "quicklist";
            case StoredValue.SET -> {
                var members = entry.setView();
                boolean integers = members.size() <= setMaxIntsetEntries;
                for (Bytes member : members) {
                    integers &= canonicalLong(member.bytes()) != null;
                }
                yield integers ? "intset" : "hashtable";
            }
            case StoredValue.ZSET -> {
                SortedSetView set = entry.sortedSet();
                boolean[] small = {set.size() <= zsetMaxEntries};
                if (small[0]) {
                    set.forEach(0, set.size(), false, (member, score) -> small[0] &= member.length <= zsetMaxValue);
                }
                yield small[0] ? "listpack" : "skiplist";
            }
            default -> {
                Map<Bytes, byte[]> fields = entry.hashView();
                boolean small = fields.size() <= hashMaxEntries;
                for (Map.Entry<Bytes, byte[]> field : fields.entrySet()) {
                    small &= field.getKey().bytes().length <= hashMaxValue && field.getValue().length <= hashMaxValue;
                }
                yield small ? "listpack" : "hashtable";
            }
        };
    }

    private static boolean sharedInteger(KeyEntry entry) {
        if (entry.type() != StoredValue.STRING) {
            return false;
        }
        Long value = canonicalLong(entry.string());
        return value != null && value >= 0 && value < SHARED_INTEGERS;
    }

    /** The value of a string Redis would store as an integer (canonical decimal, fits a long), or null. */
    static Long canonicalLong(byte[] value) {
        if (value.length == 0 || value.length > 20) {
            return null;
        }
        Long parsed = Arguments.tryParseLong(value);
        return parsed != null && Long.toString(parsed).equals(new String(value, StandardCharsets.US_ASCII))
                ? parsed : null;
    }

    private static CompletableFuture<Reply> move(CommandCall call) {
        Long db = Arguments.tryParseLong(call.arg(2));
        if (db == null || db < Integer.MIN_VALUE || db > Integer.MAX_VALUE) {
            return CommandCall.done(Reply.NOT_INTEGER);
        }
        int sourceDb = call.client().database();
        if (db == sourceDb) {
            return CommandCall.done(Reply.error("ERR source and destination objects are the same"));
        }
        if (db < 0 || db >= call.server().databaseCount()) {
            return CommandCall.done(Reply.error("ERR DB index is out of range"));
        }
        byte[] key = call.arg(1);
        GridMap<byte[], byte[]> target = call.server().database(db.intValue());
        return call.onKey(key, KeyCommands.READ, new byte[][] {Arguments.utf8(KeyCommands.READ), key}).thenCompose(read -> {
            if (!(read instanceof Reply.Array value)) {
                return CommandCall.done(read instanceof Reply.Error ? read : Reply.ZERO);
            }
            byte[] stored = ((Reply.Bulk) value.items().get(0)).bytes();
            byte[] expiry = Arguments.utf8(Long.toString(((Reply.Int) value.items().get(1)).value()));
            return call.onKey(target, key, KeyCommands.WRITE, new byte[][] {Arguments.utf8(KeyCommands.WRITE), key, stored,
                    expiry, Arguments.utf8("NX")}).thenCompose(written -> {
                        if (!Reply.ONE.equals(written)) {
                            return CommandCall.done(written instanceof Reply.Error ? written : Reply.ZERO);
                        }
                        return call.onKey(key, KeyCommands.DELETE_IF_SAME,
                                new byte[][] {Arguments.utf8(KeyCommands.DELETE_IF_SAME), key, stored})
                                .thenApply(deleted -> deleted instanceof Reply.Error ? deleted : Reply.ONE);
                    });
        });
    }

}
