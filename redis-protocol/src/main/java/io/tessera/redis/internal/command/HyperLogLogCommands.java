package io.tessera.redis.internal.command;

import io.tessera.redis.internal.protocol.Reply;
import io.tessera.redis.internal.store.StoredValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * PFADD, PFCOUNT and PFMERGE over {@link HyperLogLog} strings. PFCOUNT and PFMERGE of several keys are one step on
 * their primary when the keys share a slot (as in Redis Cluster); across slots, which Redis Cluster refuses, they read
 * each key on its primary and PFMERGE then merges the union into the destination in one step there, so nothing added
 * to the destination meanwhile is lost.
 */
final class HyperLogLogCommands {
    private static final String STORE = "tessera.pfstore";
    private static final Reply NOT_HLL = Reply.error("WRONGTYPE Key is not a valid HyperLogLog string value.");

    private HyperLogLogCommands() {
    }

    static void register(CommandTable.Builder table) {
        table.keyCommand("pfadd", -2, "write denyoom fast", "hyperloglog",
                "Adds elements to a HyperLogLog key. Creates the key if it doesn't exist.", HyperLogLogCommands::pfadd);
        table.add(new CommandSpec("pfcount", -2, Set.of("readonly", "may_replicate"), 1, -1, 1, "hyperloglog",
                "Returns the approximated cardinality of the set(s) observed by the HyperLogLog key(s).",
                HyperLogLogCommands::pfcount, (entry, args) -> Reply.integer(HyperLogLog.count(registersOf(entry)))));
        table.command("pfmerge", -2, "write denyoom", 1, -1, 1, "hyperloglog",
                "Merges one or more HyperLogLog values into a single key.", HyperLogLogCommands::pfmerge);
        table.slotOperation("pfcount", (entries, args) -> Reply.integer(HyperLogLog.count(union(entries))));
        table.slotOperation("pfmerge", (entries, args) -> {
            byte[] union = union(entries);
            store(Multi.entry(Multi.byKey(entries), args[1]), union);
            return Reply.OK;
        });
        table.add(new CommandSpec(STORE, 3, Set.of("internal"), 1, 1, 1, "hyperloglog",
                "Merges registers into a HyperLogLog key (PFMERGE across slots).",
                call -> CommandCall.done(Reply.error(CommandDispatcher.unknownCommand(call.text(0), call.args()))),
                (entry, args) -> {
                    byte[] registers = registersOf(entry);
                    HyperLogLog.merge(registers, args[2]);
                    store(entry, registers);
                    return Reply.OK;
                }));
    }

    /** The registers of the key (empty if it does not exist); WRONGTYPE for anything but a HyperLogLog string. */
    private static byte[] registersOf(KeyEntry entry) {
        byte[] string = entry.string();
        if (string == null) {
            return HyperLogLog.empty();
        }
        byte[] registers = HyperLogLog.decode(string);
        if (registers == null) {
            throw new RedisException((Reply.Error) NOT_HLL);
        }
        return registers;
    }

    /** Writes registers, keeping the key's time to live; creates it without one. */
    private static void store(KeyEntry entry, byte[] registers) {
        if (entry.exists()) {
            entry.setString(HyperLogLog.encode(registers));
        } else {
            entry.setString(HyperLogLog.encode(registers), null);
        }
    }

    private static byte[] union(List<KeyEntry> entries) {
        byte[] union = HyperLogLog.empty();
        for (KeyEntry entry : entries) {
            HyperLogLog.merge(union, registersOf(entry));
        }
        return union;
    }

    /** PFADD key [element ...]: 1 if the key was created or a register changed. */
    private static Reply pfadd(KeyEntry entry, byte[][] args) {
        boolean created = !entry.exists();
        byte[] registers = registersOf(entry);
        boolean changed = created;
        for (int i = 2; i < args.length; i++) {
            changed |= HyperLogLog.add(registers, args[i]);
        }
        if (changed) {
            store(entry, registers);
        }
        return changed ? Reply.ONE : Reply.ZERO;
    }

    private static CompletableFuture<Reply> pfcount(CommandCall call) {
        if (call.argCount() == 2) {
            return call.onKey(1);
        }
        List<byte[]> keys = CommandCall.distinct(call.keys(1, 1));
        if (CommandCall.sameSlot(keys)) {
            return call.onSlot(keys, "pfcount", call.args());
        }
        return readUnion(call, keys).thenApply(union -> union instanceof byte[] registers
                ? Reply.integer(HyperLogLog.count(registers)) : (Reply) union);
    }

    private static CompletableFuture<Reply> pfmerge(CommandCall call) {
        List<byte[]> keys = CommandCall.distinct(call.keys(1, 1));
        if (CommandCall.sameSlot(keys)) {
            return call.onSlot(keys, "pfmerge", call.args());
        }
        return readUnion(call, keys).thenCompose(union -> union instanceof byte[] registers
                ? call.onKey(call.arg(1), STORE, new byte[][] {Arguments.utf8(STORE), call.arg(1), registers})
                : CommandCall.done((Reply) union));
    }

    /** The union of the keys' registers, read one key at a time on its primary, or the first error reply. */
    private static CompletableFuture<Object> readUnion(CommandCall call, List<byte[]> keys) {
        List<CompletableFuture<Reply>> reads = new ArrayList<>(keys.size());
        for (byte[] key : keys) {
            reads.add(call.onKey(key, KeyCommands.READ, new byte[][] {Arguments.utf8(KeyCommands.READ), key}));
        }
        return Multi.all(reads).thenApply(replies -> {
            byte[] union = HyperLogLog.empty();
            for (Reply reply : replies) {
                if (reply instanceof Reply.Error) {
                    return reply;
                }
                if (!(reply instanceof Reply.Array value)) {
                    continue; // a missing key
                }
                byte[] stored = ((Reply.Bulk) value.items().get(0)).bytes();
                if (StoredValue.type(stored) != StoredValue.STRING) {
                    return Reply.WRONGTYPE;
                }
                byte[] registers = HyperLogLog.decode(StoredValue.decodeString(stored));
                if (registers == null) {
                    return NOT_HLL;
                }
                HyperLogLog.merge(union, registers);
            }
            return union;
        });
    }
}
