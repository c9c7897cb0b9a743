package io.tessera.redis.internal.command;

import io.tessera.redis.internal.protocol.Reply;
import io.tessera.redis.internal.store.Bytes;
import io.tessera.redis.internal.store.ElementView;
import io.tessera.redis.internal.store.StoredValue;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Commands on sets. Every command on one key runs on the key's primary as one atomic step.
 *
 * <p>Commands on several keys (SMOVE, SINTER, SUNION, SDIFF and the *STORE variants) run as one atomic step on their
 * primary when the keys share a hash slot, as in Redis Cluster. Keys in different slots, which Redis Cluster refuses
 * with {@code CROSSSLOT}, are served split per key, atomic only per key: SINTER, SUNION and SDIFF read each key's
 * members on its primary ({@code SMEMBERS}) and combine them on the serving member, so a write to one of the keys
 * meanwhile may or may not be seen. The *STORE variants then replace the destination in one step on its primary
 * (whatever its type, without a time to live, deleted when the result is empty), so a write to a source after it was
 * read is not reflected. SMOVE between two keys checks the destination's type, removes the member from the source
 * and adds it to the destination, each on its own primary; if the add is refused the member is put back into the
 * source and the error returned. For a moment the member is in neither set.
 *
 * <p>Writes are {@link SetOperations} on the live set, applied only when they change it (an SADD of members already
 * there ships and notifies nothing, as Redis notifies nothing); SPOP ships the removal of the members its primary
 * chose. Reads go through {@link KeyEntry#setView()}, which copies nothing.
 */
final class SetCommands {
    /** The private key operation that replaces a key with a set: {@code tessera.setstore key member...}. */
    static final String STORE = "tessera.setstore";

    private SetCommands() {
    }

    static void register(CommandTable.Builder table) {
        table.keyCommand("sadd", -3, "write denyoom fast", "set", "Adds one or more members to a set.",
                SetCommands::sadd);
        table.keyCommand("srem", -3, "write fast", "set", "Removes one or more members from a set.",
                SetCommands::srem);
        table.keyCommand("smembers", 2, "readonly", "set", "Returns all members of a set.",
                (entry, args) -> members(entry.setView()));
        table.keyCommand("sismember", 3, "readonly fast", "set", "Determines whether a member belongs to a set.",
                (entry, args) -> Reply.integer(entry.setView().contains(Bytes.of(args[2])) ? 1 : 0));
        table.keyCommand("smismember", -3, "readonly fast", "set",
                "Determines whether multiple members belong to a set.", SetCommands::smismember);
        table.keyCommand("scard", 2, "readonly fast", "set", "Returns the number of members in a set.",
                (entry, args) -> Reply.integer(entry.setSize()));
        table.keyCommand("spop", -2, "write fast", "set",
                "Returns one or more random members from a set after removing them.", SetCommands::spop);
        table.keyCommand("srandmember", -2, "readonly", "set", "Get one or multiple random members from a set",
                SetCommands::srandmember);
        table.add(new CommandSpec("smove", 4, Set.of("write", "fast"), 1, 2, 1, "set",
                "Moves a member from one set to another.", SetCommands::smove, SetCommands::smoveWithin));
        table.command("sinter", -2, "readonly", 1, -1, 1, "set", "Returns the intersect of multiple sets.",
                call -> read(call, Op.INTER));
        table.command("sunion", -2, "readonly", 1, -1, 1, "set", "Returns the union of multiple sets.",
                call -> read(call, Op.UNION));
        table.command("sdiff", -2, "readonly", 1, -1, 1, "set", "Returns the difference of multiple sets.",
                call -> read(call, Op.DIFF));
        table.command("sintercard", -3, "readonly", 0, 0, 0, "set",
                "Returns the number of members of the intersect of multiple sets.", SetCommands::sintercard);
        table.slotOperation("sintercard", (entries, args) -> {
            Map<Bytes, KeyEntry> byKey = Multi.byKey(entries);
            int numkeys = Integer.parseInt(new String(args[1], java.nio.charset.StandardCharsets.US_ASCII));
            List<Set<Bytes>> sets = new ArrayList<>(numkeys);
            for (int i = 2; i < 2 + numkeys; i++) {
                sets.add(Multi.entry(byKey, args[i]).setView()); // WRONGTYPE for any key, even after a missing one
            }
            return Reply.integer(intersectionSize(sets, sintercardLimit(args, numkeys)));
        });
        table.command("sinterstore", -3, "write denyoom", 1, -1, 1, "set",
                "Stores the intersect of multiple sets in a key.", call -> store(call, Op.INTER));
        table.command("sunionstore", -3, "write denyoom", 1, -1, 1, "set",
                "Stores the union of multiple sets in a key.", call -> store(call, Op.UNION));
        table.command("sdiffstore", -3, "write denyoom", 1, -1, 1, "set",
                "Stores the difference of multiple sets in a key.", call -> store(call, Op.DIFF));
        table.keyCommand("sscan", -3, "readonly", "set", "Iterates over members of a set.", SetCommands::sscan);
        table.keyCommand(STORE, -2, "write denyoom internal", "set",
                "Replaces a key with a set of the given members (the store step of SINTERSTORE and the like).",
                SetCommands::replaceWithSet);
        table.slotOperation("smove", (entries, args) -> smoveBetween(entries.get(0), entries.get(1), args[3]));
        for (Op op : Op.values()) {
            String name = op.name().toLowerCase(java.util.Locale.ROOT);
            table.slotOperation("s" + name, (entries, args) ->
                    members(combine(sets(Multi.byKey(entries), args, 1), op)));
            table.slotOperation("s" + name + "store", (entries, args) -> {
                Map<Bytes, KeyEntry> byKey = Multi.byKey(entries);
                Set<Bytes> result = combine(sets(byKey, args, 2), op);
                return storeSet(Multi.entry(byKey, args[1]), result);
            });
        }
    }

    private enum Op { INTER, UNION, DIFF }

    private static Reply members(Collection<Bytes> members) {
        List<Reply> items = new ArrayList<>(members.size());
        for (Bytes member : members) {
            items.add(Reply.bulk(member.bytes()));
        }
        return new Reply.SetReply(List.copyOf(items));
    }

    private static Reply sadd(KeyEntry entry, byte[][] args) {
        ElementView set = entry.setView();
        boolean any = false;
        for (int i = 2; i < args.length && !any; i++) {
            any = !set.contains(Bytes.of(args[i]));
        }
        if (!any) {
            return Reply.ZERO;
        }
        return Reply.integer(entry.apply(new SetOperations.Add(Arrays.copyOfRange(args, 2, args.length))));
    }

    private static Reply srem(KeyEntry entry, byte[][] args) {
        ElementView set = entry.setView();
        boolean any = false;
        for (int i = 2; i < args.length && !any; i++) {
            any = set.contains(Bytes.of(args[i]));
        }
        if (!any) {
            return Reply.ZERO;
        }
        return Reply.integer(remove(entry, Arrays.copyOfRange(args, 2, args.length)));
    }

    /** Removes members of the set, deleting the key if none is left (Redis keeps no empty set); answers how many. */
    private static int remove(KeyEntry entry, byte[][] members) {
        int removed = entry.apply(new SetOperations.Remove(members));
        if (entry.setSize() == 0) {
            entry.remove();
        }
        return removed;
    }

    private static Reply smismember(KeyEntry entry, byte[][] args) {
        Set<Bytes> set = entry.setView();
        List<Reply> answers = new ArrayList<>(args.length - 2);
        for (int i = 2; i < args.length; i++) {
            answers.add(set.contains(Bytes.of(args[i])) ? Reply.ONE : Reply.ZERO);
        }
        return Reply.array(answers);
    }

    /** SPOP key [count]: one member, or with a count a set of up to count distinct members. */
    private static Reply spop(KeyEntry entry, byte[][] args) {
        if (args.length > 3) {
            throw RedisException.syntax();
        }
        if (args.length == 2) {
            ElementView set = entry.setView();
            if (set.isEmpty()) {
                return Reply.NULL;
            }
            Bytes member = set.random(ThreadLocalRandom.current());
            remove(entry, new byte[][] {member.bytes()});
            return Reply.bulk(member.bytes());
        }
        Long count = Arguments.tryParseLong(args[2]);
        if (count == null || count < 0) {
            return Reply.error("ERR value is out of range, must be positive");
        }
        ElementView set = entry.setView();
        if (set.isEmpty() || count == 0) {
            return members(Set.of());
        }
        if (count >= set.size()) {
            Reply all = members(set); // before the removal ends the view
            entry.remove(); // the backups receive a removal, not every member
            return all;
        }
        List<Bytes> popped = RandomSupport.sample(set, count);
        byte[][] chosen = new byte[popped.size()][];
        for (int i = 0; i < chosen.length; i++) {
            chosen[i] = popped.get(i).bytes();
        }
        remove(entry, chosen);
        return members(popped);
    }

    /** SRANDMEMBER key [count]: one member, or with a count an array (distinct members, or repeats if negative). */
    private static Reply srandmember(KeyEntry entry, byte[][] args) {
        if (args.length > 3) {
            throw RedisException.syntax();
        }
        if (args.length == 2) {
            ElementView set = entry.setView();
            if (set.isEmpty()) {
                return Reply.NULL;
            }
            return Reply.bulk(set.random(ThreadLocalRandom.current()).bytes());
        }
        long count = RandomSupport.parseCount(args[2]);
        ElementView set = entry.setView();
        if (set.isEmpty() || count == 0) {
            return Reply.EMPTY_ARRAY;
        }
        List<Reply> items = new ArrayList<>();
        for (Bytes member : RandomSupport.sample(set, count)) {
            items.add(Reply.bulk(member.bytes()));
        }
        return Reply.array(items);
    }

    /** SMOVE with source and destination the same key: 1 if the member is there, else 0. */
    private static Reply smoveWithin(KeyEntry entry, byte[][] args) {
        return Reply.integer(entry.setView().contains(Bytes.of(args[3])) ? 1 : 0);
    }

    /**
     * SMOVE between two distinct keys of one slot, in one step: 0 for a missing source before any type is looked at,
     * then WRONGTYPE for either key, as in Redis.
     */
    private static Reply smoveBetween(KeyEntry source, KeyEntry destination, byte[] member) {
        if (!source.exists()) {
            return Reply.ZERO;
        }
        ElementView from = source.setView();
        ElementView to = destination.setView();
        Bytes element = Bytes.of(member);
        if (!from.contains(element)) {
            return Reply.ZERO;
        }
        boolean add = !to.contains(element);
        remove(source, new byte[][] {member});
        if (add) {
            destination.apply(new SetOperations.Add(new byte[][] {member}));
        }
        return Reply.ONE;
    }

    /** SMOVE source destination member: one step on one key or one slot, else split; see the class comment. */
    private static CompletableFuture<Reply> smove(CommandCall call) {
        byte[] source = call.arg(1);
        byte[] destination = call.arg(2);
        byte[] member = call.arg(3);
        if (Arrays.equals(source, destination)) {
            return call.onKey(1);
        }
        List<byte[]> keys = List.of(source, destination);
        if (CommandCall.sameSlot(keys)) {
            return call.onSlot(keys, "smove", call.args());
        }
        return call.onKey(destination, "scard", ListCommands.args("scard", destination)).thenCompose(card -> {
            if (card instanceof Reply.Error) {
                // as Redis: a missing source answers 0 before the destination's type is looked at
                return call.onKey(source, "scard", ListCommands.args("scard", source)).thenApply(sourceCard ->
                        sourceCard instanceof Reply.Int n && n.value() == 0 ? Reply.ZERO : card);
            }
            return call.onKey(source, "srem", ListCommands.args("srem", source, member)).thenCompose(removed -> {
                if (!(removed instanceof Reply.Int n) || n.value() == 0) {
                    return CommandCall.done(removed); // 0 (not there) or WRONGTYPE
                }
                return call.onKey(destination, "sadd", ListCommands.args("sadd", destination, member))
                        .thenCompose(added -> {
                            if (!(added instanceof Reply.Error)) {
                                return CommandCall.done(Reply.ONE);
                            }
                            return call.onKey(source, "sadd", ListCommands.args("sadd", source, member))
                                    .thenApply(ignored -> added);
                        });
            });
        });
    }

    /** SINTER, SUNION, SDIFF key [key ...]: one step when the keys share a slot, else one read per key. */
    private static CompletableFuture<Reply> read(CommandCall call, Op op) {
        List<byte[]> keys = CommandCall.distinct(call.keys(1, 1));
        if (call.argCount() > 2 && CommandCall.sameSlot(keys)) {
            return call.onSlot(keys, call.spec().name(), call.args());
        }
        return combine(call, op, 1).thenApply(SetCommands::members);
    }

    /** SINTERCARD numkeys key [key ...] [LIMIT limit]: Redis's argument checks, then the size, up to the limit. */
    private static CompletableFuture<Reply> sintercard(CommandCall call) {
        Long numkeys = Arguments.tryParseLong(call.arg(1));
        if (numkeys == null || numkeys < 1) {
            return CommandCall.done(Reply.error("ERR numkeys should be greater than 0"));
        }
        if (numkeys > call.argCount() - 2) {
            return CommandCall.done(Reply.error("ERR Number of keys can't be greater than number of args"));
        }
        try {
            sintercardLimit(call.args(), numkeys.intValue());
        } catch (RedisException e) {
            return CommandCall.done(e.reply());
        }
        List<byte[]> keys = CommandCall.distinct(Arrays.asList(call.args()).subList(2, 2 + numkeys.intValue()));
        if (CommandCall.sameSlot(keys)) {
            return call.onSlot(keys, "sintercard", call.args());
        }
        List<CompletableFuture<Reply>> reads = new ArrayList<>();
        for (int i = 2; i < 2 + numkeys; i++) {
            reads.add(call.onKey(call.arg(i), "smembers", ListCommands.args("smembers", call.arg(i))));
        }
        long limit = sintercardLimit(call.args(), numkeys.intValue());
        return Multi.all(reads).thenApply(replies -> {
            List<Set<Bytes>> sets = new ArrayList<>(replies.size());
            for (Reply reply : replies) {
                if (reply instanceof Reply.Error) {
                    return reply;
                }
                Set<Bytes> set = new java.util.HashSet<>();
                for (Reply item : ((Reply.SetReply) reply).items()) {
                    set.add(Bytes.of(((Reply.Bulk) item).bytes()));
                }
                sets.add(set);
            }
            return Reply.integer(intersectionSize(sets, limit));
        });
    }

    /** The LIMIT after SINTERCARD's keys (0: none); a syntax error for anything else there. */
    private static long sintercardLimit(byte[][] args, int numkeys) {
        long limit = 0;
        for (int i = 2 + numkeys; i < args.length; i++) {
            boolean more = i < args.length - 1;
            if (!new String(args[i], java.nio.charset.StandardCharsets.UTF_8).equalsIgnoreCase("LIMIT") || !more) {
                throw new RedisException((Reply.Error) Reply.SYNTAX_ERROR);
            }
            Long value = Arguments.tryParseLong(args[++i]);
            if (value == null || value < 0) {
                throw new RedisException("ERR LIMIT can't be negative");
            }
            limit = value;
        }
        return limit;
    }

    /** How many members all the sets share, counting at most {@code limit} (0: no limit). */
    private static long intersectionSize(List<Set<Bytes>> sets, long limit) {
        Set<Bytes> smallest = sets.get(0);
        for (Set<Bytes> set : sets) {
            if (set.size() < smallest.size()) {
                smallest = set;
            }
        }
        long count = 0;
        for (Bytes member : smallest) {
            boolean inAll = true;
            for (Set<Bytes> set : sets) {
                inAll &= set.contains(member);
            }
            if (inAll && ++count == limit) {
                break;
            }
        }
        return count;
    }

    /**
     * Reads the sets at {@code args[first..]} (each on its primary) and combines them in key order; fails with the
     * first key's error (WRONGTYPE) if any, as Redis checks every key's type even when one is missing.
     */
    private static CompletableFuture<Set<Bytes>> combine(CommandCall call, Op op, int first) {
        int n = call.argCount() - first;
        List<CompletableFuture<Reply>> reads = new ArrayList<>(n);
        for (int i = first; i < call.argCount(); i++) {
            byte[] key = call.arg(i);
            reads.add(call.onKey(key, "smembers", ListCommands.args("smembers", key)));
        }
        return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)).thenApply(ignored -> {
            List<Set<Bytes>> sets = new ArrayList<>(n);
            for (CompletableFuture<Reply> read : reads) {
                Reply reply = read.join(); // already complete
                if (reply instanceof Reply.Error error) {
                    throw new RedisException(error);
                }
                LinkedHashSet<Bytes> set = new LinkedHashSet<>();
                for (Reply item : ((Reply.SetReply) reply).items()) {
                    set.add(Bytes.of(((Reply.Bulk) item).bytes()));
                }
                sets.add(set);
            }
            return combine(sets, op);
        });
    }

    /** The sets of the keys at {@code args[first..]} among a slot operation's entries; WRONGTYPE for any other type. */
    private static List<Set<Bytes>> sets(Map<Bytes, KeyEntry> byKey, byte[][] args, int first) {
        List<Set<Bytes>> sets = new ArrayList<>(args.length - first);
        for (int i = first; i < args.length; i++) {
            sets.add(Multi.entry(byKey, args[i]).setView());
        }
        return sets;
    }

    /** The sets combined in key order. */
    private static Set<Bytes> combine(List<Set<Bytes>> sets, Op op) {
        LinkedHashSet<Bytes> result = new LinkedHashSet<>(sets.get(0));
        for (int i = 1; i < sets.size(); i++) {
            switch (op) {
                case INTER -> result.retainAll(sets.get(i));
                case UNION -> result.addAll(sets.get(i));
                case DIFF -> result.removeAll(sets.get(i));
                default -> throw new IllegalStateException(op.name());
            }
        }
        return result;
    }

    /**
     * SINTERSTORE/SUNIONSTORE/SDIFFSTORE destination key [key ...]: the size of the stored result; one step when the
     * destination and the keys share a slot.
     */
    private static CompletableFuture<Reply> store(CommandCall call, Op op) {
        byte[] destination = call.arg(1);
        List<byte[]> keys = CommandCall.distinct(call.keys(1, 1));
        if (CommandCall.sameSlot(keys)) {
            return call.onSlot(keys, call.spec().name(), call.args());
        }
        return combine(call, op, 2).thenCompose(result -> {
            byte[][] args = new byte[result.size() + 2][];
            args[0] = STORE.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            args[1] = destination;
            int i = 2;
            for (Bytes member : result) {
                args[i++] = member.bytes();
            }
            return call.onKey(destination, STORE, args);
        });
    }

    /** {@code tessera.setstore key member...}: replaces the key (any type, no TTL) with the set; empty deletes. */
    private static Reply replaceWithSet(KeyEntry entry, byte[][] args) {
        LinkedHashSet<Bytes> set = new LinkedHashSet<>();
        for (int i = 2; i < args.length; i++) {
            set.add(Bytes.of(args[i]));
        }
        return storeSet(entry, set);
    }

    /** The store step of SINTERSTORE and the like: replaces the key (any type, no TTL); empty deletes it. */
    private static Reply storeSet(KeyEntry entry, Set<Bytes> set) {
        if (set.isEmpty()) {
            entry.remove();
        } else {
            entry.setStored(StoredValue.encodeSet(set), null);
        }
        return Reply.integer(set.size());
    }

    /** SSCAN key cursor [MATCH pattern] [COUNT count]. */
    private static Reply sscan(KeyEntry entry, byte[][] args) {
        long cursor = ScanSupport.parseCursor(args[2]);
        ElementView set = entry.setView();
        if (set.isEmpty()) {
            return ScanSupport.emptyScan();
        }
        ScanSupport.Options options = ScanSupport.parseOptions(args, 3, false);
        return ScanSupport.scan(set, null, cursor, options);
    }
}
