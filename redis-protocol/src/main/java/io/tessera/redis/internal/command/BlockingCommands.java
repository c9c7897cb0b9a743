package io.tessera.redis.internal.command;

import io.tessera.redis.internal.protocol.Reply;
import io.tessera.redis.internal.store.Bytes;
import io.tessera.redis.internal.store.StoredValue;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * LMPOP and the blocking commands: BLPOP, BRPOP, BLMPOP, BRPOPLPUSH, BLMOVE on lists, BZPOPMIN, BZPOPMAX, BZMPOP on
 * sorted sets.
 *
 * <p>Each blocking command is its non-blocking form plus waiting: the serving member runs the non-blocking pop (one
 * atomic step on the keys' primary when they share a slot, as Redis Cluster requires; key by key otherwise), and if
 * it found nothing, parks the client in {@link BlockedClients} until a change of one of the keys lets it try again,
 * or the timeout passes. Inside MULTI (and so in EXEC) they never wait, as in Redis.
 */
final class BlockingCommands {
    private static final Reply.Error NOT_A_TIMEOUT = new Reply.Error("ERR timeout is not a float or out of range");
    private static final Reply.Error NEGATIVE_TIMEOUT = new Reply.Error("ERR timeout is negative");

    private BlockingCommands() {
    }

    static void register(CommandTable.Builder table) {
        table.add(new CommandSpec("blpop", -3, flags("write blocking"), 1, -2, 1, "list",
                "Removes and returns the first element in a list. Blocks until an element is available otherwise. "
                        + "Deletes the list if the last element was popped.",
                call -> pop(call, true), (entry, args) -> popFirst(List.of(entry), args, true)));
        table.add(new CommandSpec("brpop", -3, flags("write blocking"), 1, -2, 1, "list",
                "Removes and returns the last element in a list. Blocks until an element is available otherwise. "
                        + "Deletes the list if the last element was popped.",
                call -> pop(call, false), (entry, args) -> popFirst(List.of(entry), args, false)));
        table.slotOperation("blpop", (entries, args) -> popFirst(entries, args, true));
        table.slotOperation("brpop", (entries, args) -> popFirst(entries, args, false));

        // Their keys move with numkeys (first key 0, as Redis's movablekeys); the key operation serves one key.
        table.add(new CommandSpec("lmpop", -4, flags("write"), 0, 0, 0, "list",
                "Returns multiple elements from a list after removing them. Deletes the list if the last element was "
                        + "popped.", call -> mpop(call, 1), (entry, args) -> mpopOnSlot(List.of(entry), args, 1)));
        table.add(new CommandSpec("blmpop", -5, flags("write blocking"), 0, 0, 0, "list",
                "Pops the first element from one of multiple lists. Blocks until an element is available otherwise. "
                        + "Deletes the list if the last element was popped.", call -> mpop(call, 2),
                (entry, args) -> mpopOnSlot(List.of(entry), args, 2)));
        table.slotOperation("lmpop", (entries, args) -> mpopOnSlot(entries, args, 1));
        table.slotOperation("blmpop", (entries, args) -> mpopOnSlot(entries, args, 2));
        table.movableKeys("lmpop", args -> mpopKeys(args, 1));
        table.movableKeys("blmpop", args -> mpopKeys(args, 2));

        table.add(new CommandSpec("brpoplpush", 4, flags("write denyoom blocking"), 1, 2, 1, "list",
                "Pops an element from a list, pushes it to another list and returns it. Blocks until an element is "
                        + "available otherwise. Deletes the list if the last element was popped.",
                call -> move(call, false, true, 3),
                (entry, args) -> ListCommands.moveWithin(entry, false, true)));
        table.add(new CommandSpec("blmove", 6, flags("write denyoom blocking"), 1, 2, 1, "list",
                "Pops an element from a list, pushes it to another list and returns it. Blocks until an element is "
                        + "available otherwise. Deletes the list if the last element was popped.",
                call -> move(call, ListCommands.end(call.arg(3)), ListCommands.end(call.arg(4)), 5),
                (entry, args) -> ListCommands.moveWithin(entry, ListCommands.end(args[3]),
                        ListCommands.end(args[4]))));
        table.slotOperation("brpoplpush", (entries, args) -> ListCommands.moveBetween(entries.get(0), entries.get(1),
                false, true));
        table.slotOperation("blmove", (entries, args) -> ListCommands.moveBetween(entries.get(0), entries.get(1),
                ListCommands.end(args[3]), ListCommands.end(args[4])));

        table.add(new CommandSpec("bzpopmin", -3, flags("write fast blocking"), 1, -2, 1, SortedSetCommands.GROUP,
                "Removes and returns the member with the lowest score from one or more sorted sets. Blocks until a "
                        + "member is available otherwise. Deletes the sorted set if the last element was popped.",
                call -> zpop(call, false), (entry, args) -> zpopFirst(List.of(entry), args, false)));
        table.add(new CommandSpec("bzpopmax", -3, flags("write fast blocking"), 1, -2, 1, SortedSetCommands.GROUP,
                "Removes and returns the member with the highest score from one or more sorted sets. Blocks until a "
                        + "member available otherwise.  Deletes the sorted set if the last element was popped.",
                call -> zpop(call, true), (entry, args) -> zpopFirst(List.of(entry), args, true)));
        table.slotOperation("bzpopmin", (entries, args) -> zpopFirst(entries, args, false));
        table.slotOperation("bzpopmax", (entries, args) -> zpopFirst(entries, args, true));
        table.add(new CommandSpec(REFRESH, 3, flags("internal"), 1, 1, 1, "list",
                "Keeps a blocked command's place among the clients blocked on a key.", BlockingCommands::internalOnly,
                (entry, args) -> {
                    BlockingOrder.refresh(entry, new String(args[2], StandardCharsets.UTF_8),
                            System.currentTimeMillis());
                    return Reply.OK;
                }));
        table.add(new CommandSpec(LEAVE, 3, flags("internal"), 1, 1, 1, "list",
                "Takes a blocked command out of the clients blocked on a key.", BlockingCommands::internalOnly,
                (entry, args) -> {
                    BlockingOrder.leave(entry, new String(args[2], StandardCharsets.UTF_8), System.currentTimeMillis());
                    return Reply.OK;
                }));
        table.command("bzmpop", -5, "write blocking", 0, 0, 0, SortedSetCommands.GROUP,
                "Removes and returns a member by score from one or more sorted sets. Blocks until a member is "
                        + "available otherwise. Deletes the sorted set if the last element was popped.",
                BlockingCommands::bzmpop);
    }

    private static Set<String> flags(String flags) {
        return CommandTable.Builder.flags(flags);
    }

    /** What a client that names an internal operation gets: Redis's unknown-command error. */
    private static CompletableFuture<Reply> internalOnly(CommandCall call) {
        return CommandCall.done(Reply.error(CommandDispatcher.unknownCommand(call.text(0), call.args())));
    }

    /** Internal: keeps a blocked command's ticket queued on a key (its member refreshes it every second). */
    static final String REFRESH = "tessera.blockrefresh";
    /** Internal: takes a blocked command's ticket out of a key's queue (it timed out, was unblocked, or left). */
    static final String LEAVE = "tessera.blockleave";

    // ------------------------------------------------------------------------------------------ BLPOP, BRPOP

    /** BLPOP/BRPOP key [key ...] timeout: [key, element] from the first non-empty list. */
    private static CompletableFuture<Reply> pop(CommandCall call, boolean left) {
        long timeout = timeoutMillis(call.arg(call.argCount() - 1));
        List<byte[]> keys = Arrays.asList(call.args()).subList(1, call.argCount() - 1);
        String name = call.spec().name();
        Function<BlockingOrder.Ticket, CompletableFuture<Reply>> attempt = ticket -> onKeys(call, keys, name, call.args(), ticket,
                key -> ListCommands.args(name, key, call.arg(call.argCount() - 1)));
        Function<Reply, CompletableFuture<Reply>> undo = popped -> {
            List<Reply> pair = ((Reply.Array) popped).items();
            byte[] key = ((Reply.Bulk) pair.get(0)).bytes();
            String push = left ? "lpush" : "rpush";
            return call.onKey(key, push, ListCommands.args(push, key, ((Reply.Bulk) pair.get(1)).bytes()));
        };
        return blockUnlessServed(call, keys, timeout, attempt, undo);
    }

    /** On the primary: pops one element of the first existing list among the command's keys, in argument order. */
    private static Reply popFirst(List<KeyEntry> entries, byte[][] args, boolean left) {
        Map<Bytes, KeyEntry> byKey = Multi.byKey(entries);
        for (int i = 1; i < args.length - 1; i++) {
            KeyEntry entry = Multi.entry(byKey, args[i]);
            entry.requireType(StoredValue.LIST);
            if (entry.exists()) {
                byte[] element = ListCommands.popFrom(entry, left, 1).get(0);
                return Reply.array(List.of(Reply.bulk(entry.key()), Reply.bulk(element)));
            }
        }
        return Reply.NULL_ARRAY;
    }

    // ------------------------------------------------------------------------------------------ LMPOP, BLMPOP

    /** What LMPOP's arguments say, from {@code numkeysAt} on: the keys, the end, the count. */
    private record MpopArgs(List<byte[]> keys, boolean left, int count) {
        static MpopArgs parse(byte[][] args, int numkeysAt) {
            Long numkeys = Arguments.tryParseLong(args[numkeysAt]);
            if (numkeys == null || numkeys <= 0 || numkeys > Integer.MAX_VALUE) {
                throw new RedisException("ERR numkeys should be greater than 0");
            }
            int endAt = numkeysAt + 1 + (int) (long) numkeys;
            if (endAt >= args.length) {
                throw RedisException.syntax();
            }
            String end = new String(args[endAt], StandardCharsets.UTF_8).toUpperCase(Locale.ROOT);
            if (!end.equals("LEFT") && !end.equals("RIGHT")) {
                throw RedisException.syntax();
            }
            long count = 1;
            int next = endAt + 1;
            if (next < args.length) {
                if (next + 2 != args.length
                        || !new String(args[next], StandardCharsets.UTF_8).equalsIgnoreCase("COUNT")) {
                    throw RedisException.syntax();
                }
                Long parsed = Arguments.tryParseLong(args[next + 1]);
                if (parsed == null || parsed <= 0) {
                    throw new RedisException("ERR count should be greater than 0");
                }
                count = parsed;
            }
            List<byte[]> keys = Arrays.asList(args).subList(numkeysAt + 1, endAt);
            return new MpopArgs(keys, end.equals("LEFT"), (int) Math.min(count, Integer.MAX_VALUE));
        }
    }

    /** LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count]; BLMPOP timeout numkeys ... (numkeys at 2). */
    private static CompletableFuture<Reply> mpop(CommandCall call, int numkeysAt) {
        long timeout = numkeysAt == 2 ? timeoutMillis(call.arg(1)) : 0;
        MpopArgs parsed = MpopArgs.parse(call.args(), numkeysAt);
        String name = call.spec().name();
        Function<BlockingOrder.Ticket, CompletableFuture<Reply>> attempt = ticket -> onKeys(call, parsed.keys(), name,
                call.args(), ticket, key -> withOneKey(call.args(), numkeysAt, parsed.keys().size(), key));
        if (numkeysAt == 1) {
            return attempt.apply(null);
        }
        Function<Reply, CompletableFuture<Reply>> undo = popped -> {
            List<Reply> pair = ((Reply.Array) popped).items();
            byte[] key = ((Reply.Bulk) pair.get(0)).bytes();
            List<Reply> elements = ((Reply.Array) pair.get(1)).items();
            byte[][] push = new byte[elements.size() + 2][];
            push[0] = Arguments.utf8(parsed.left() ? "lpush" : "rpush");
            push[1] = key;
            for (int i = 0; i < elements.size(); i++) {
                push[2 + i] = ((Reply.Bulk) elements.get(elements.size() - 1 - i)).bytes(); // back in their order
            }
            return call.onKey(key, new String(push[0], StandardCharsets.US_ASCII), push);
        };
        return blockUnlessServed(call, parsed.keys(), timeout, attempt, undo);
    }

    /** LMPOP's keys for a transaction, none when the arguments are wrong (the command answers the error itself). */
    private static List<byte[]> mpopKeys(byte[][] args, int numkeysAt) {
        try {
            return MpopArgs.parse(args, numkeysAt).keys();
        } catch (RedisException e) {
            return List.of();
        }
    }

    /** On the primary: pops up to the count from the first existing list among the keys: [key, [elements]]. */
    private static Reply mpopOnSlot(List<KeyEntry> entries, byte[][] args, int numkeysAt) {
        MpopArgs parsed = MpopArgs.parse(args, numkeysAt);
        Map<Bytes, KeyEntry> byKey = Multi.byKey(entries);
        for (byte[] key : parsed.keys()) {
            KeyEntry entry = Multi.entry(byKey, key);
            entry.requireType(StoredValue.LIST);
            if (entry.exists()) {
                List<byte[]> popped = ListCommands.popFrom(entry, parsed.left(), parsed.count());
                return Reply.array(List.of(Reply.bulk(entry.key()), Reply.bulks(popped)));
            }
        }
        return Reply.NULL_ARRAY;
    }

    // ---------------------------------------------------------------------------------- BRPOPLPUSH, BLMOVE

    /** BRPOPLPUSH source destination timeout; BLMOVE source destination from to timeout. */
    private static CompletableFuture<Reply> move(CommandCall call, boolean fromLeft, boolean toLeft, int timeoutAt) {
        long timeout = timeoutMillis(call.arg(timeoutAt));
        Function<BlockingOrder.Ticket, CompletableFuture<Reply>> attempt = ticket -> ListCommands.move(call, fromLeft,
                toLeft, ticket);
        // The element is in the destination already, where a client that left would have put it.
        Function<Reply, CompletableFuture<Reply>> undo = CompletableFuture::completedFuture;
        return blockUnlessServed(call, List.of(call.arg(1)), timeout, attempt, undo);
    }

    // ------------------------------------------------------------------------------ BZPOPMIN, BZPOPMAX, BZMPOP

    /** BZPOPMIN/BZPOPMAX key [key ...] timeout: [key, member, score] from the first non-empty sorted set. */
    private static CompletableFuture<Reply> zpop(CommandCall call, boolean max) {
        long timeout = timeoutMillis(call.arg(call.argCount() - 1));
        List<byte[]> keys = Arrays.asList(call.args()).subList(1, call.argCount() - 1);
        String name = call.spec().name();
        Function<BlockingOrder.Ticket, CompletableFuture<Reply>> attempt = ticket -> onKeys(call, keys, name, call.args(), ticket,
                key -> ListCommands.args(name, key, call.arg(call.argCount() - 1)));
        Function<Reply, CompletableFuture<Reply>> undo = popped -> {
            List<Reply> triple = ((Reply.Array) popped).items();
            return zaddBack(call, ((Reply.Bulk) triple.get(0)).bytes(), triple.subList(1, 3));
        };
        return blockUnlessServed(call, keys, timeout, attempt, undo);
    }

    /** On the primary: pops the lowest (highest) member of the first existing sorted set among the keys. */
    private static Reply zpopFirst(List<KeyEntry> entries, byte[][] args, boolean max) {
        Map<Bytes, KeyEntry> byKey = Multi.byKey(entries);
        for (int i = 1; i < args.length - 1; i++) {
            KeyEntry entry = Multi.entry(byKey, args[i]);
            entry.requireType(StoredValue.ZSET);
            if (entry.exists()) {
                List<Reply> popped = SortedSetCommands.pop(entry, 1, max);
                return Reply.array(List.of(Reply.bulk(entry.key()), popped.get(0), popped.get(1)));
            }
        }
        return Reply.NULL_ARRAY;
    }

    /** BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count]: ZMPOP's answer once there is one. */
    private static CompletableFuture<Reply> bzmpop(CommandCall call) {
        long timeout = timeoutMillis(call.arg(1));
        byte[][] zmpop = new byte[call.argCount() - 1][];
        zmpop[0] = Arguments.utf8("zmpop");
        System.arraycopy(call.args(), 2, zmpop, 1, call.argCount() - 2);
        List<byte[]> keys = SortedSetMultiKeyCommands.zmpopKeys(zmpop);
        Function<BlockingOrder.Ticket, CompletableFuture<Reply>> attempt = ticket -> onKeys(call, keys, "zmpop", zmpop,
                ticket, key -> withOneKey(zmpop, 1, keys.size(), key));
        Function<Reply, CompletableFuture<Reply>> undo = popped -> {
            List<Reply> pair = ((Reply.Array) popped).items();
            List<Reply> flat = new ArrayList<>();
            for (Reply scored : ((Reply.Array) pair.get(1)).items()) {
                flat.addAll(((Reply.Array) scored).items());
            }
            return zaddBack(call, ((Reply.Bulk) pair.get(0)).bytes(), flat);
        };
        return blockUnlessServed(call, keys, timeout, attempt, undo);
    }

    /**
     * The arguments of a numkeys command ({@code args}, numkeys at {@code numkeysAt}, {@code keyCount} keys after
     * it) with {@code key} as its only key: what runs on that key's primary when the keys are in several slots.
     */
    private static byte[][] withOneKey(byte[][] args, int numkeysAt, int keyCount, byte[] key) {
        int rest = args.length - (numkeysAt + 1 + keyCount);
        byte[][] one = new byte[numkeysAt + 2 + rest][];
        System.arraycopy(args, 0, one, 0, numkeysAt);
        one[numkeysAt] = Arguments.utf8("1");
        one[numkeysAt + 1] = key;
        System.arraycopy(args, numkeysAt + 1 + keyCount, one, numkeysAt + 2, rest);
        return one;
    }

    /** ZADD of popped [member, score, member, score ...] back to {@code key}. */
    private static CompletableFuture<Reply> zaddBack(CommandCall call, byte[] key, List<Reply> membersAndScores) {
        byte[][] zadd = new byte[2 + membersAndScores.size()][];
        zadd[0] = Arguments.utf8("zadd");
        zadd[1] = key;
        for (int i = 0; i + 1 < membersAndScores.size(); i += 2) {
            double score = ((Reply.Double) membersAndScores.get(i + 1)).value();
            zadd[2 + i] = Arguments.utf8(Double.isInfinite(score) ? (score > 0 ? "inf" : "-inf")
                    : Double.toString(score)); // Java's shortest exact form; ZADD reads it back to the same double
            zadd[3 + i] = ((Reply.Bulk) membersAndScores.get(i)).bytes();
        }
        return call.onKey(key, "zadd", zadd);
    }

    // ------------------------------------------------------------------------------------------------ shared

    /**
     * Tries once; if that found nothing, blocks the client (unless inside a transaction) until a try finds
     * something or the timeout passes (a null array then, in both protocols' forms).
     */
    static CompletableFuture<Reply> blockUnlessServed(CommandCall call, List<byte[]> keys, long timeoutMillis,
                                                      Function<BlockingOrder.Ticket, CompletableFuture<Reply>> attempt,
                                                      Function<Reply, CompletableFuture<Reply>> undo) {
        if (!call.mayBlock()) {
            return attempt.apply(null);
        }
        BlockedClients blocked = call.server().blockedClients();
        BlockingOrder.Ticket ticket = new BlockingOrder.Ticket(blocked.nextTicket(call.client()),
                CommandCall.distinct(keys));
        // What keeps the ticket's place while the client waits, and what gives it up when it stops waiting.
        Runnable refresh = () -> ticket.keys().forEach(key -> call.onKey(key, REFRESH,
                ListCommands.args(REFRESH, key, Arguments.utf8(ticket.id()))));
        Runnable leave = () -> ticket.keys().forEach(key -> call.onKey(key, LEAVE,
                ListCommands.args(LEAVE, key, Arguments.utf8(ticket.id()))));
        CompletableFuture<Reply> reply = new CompletableFuture<>();
        call.client().blockedOn(reply); // from the first try on: the client's next requests wait for this one
        attempt.apply(ticket).thenCompose(first -> {
            if (BlockedClients.isNothing(first) || BlockingOrder.turnOf(first) != null) {
                return blocked.block(call.client(), call.client().database(), keys, timeoutMillis,
                        () -> attempt.apply(ticket), undo, Reply.NULL_ARRAY, ticket.id(), refresh, leave);
            }
            if (!BlockedClients.served(first) || ticket.keys().size() > 1) {
                // An error: the ticket the try queued goes. Served from one of several keys in different slots: the
                // step that served it took it out of that key's queue only.
                leave.run();
            }
            return CommandCall.done(first);
        }).whenComplete((answer, failure) -> {
            if (failure != null) {
                leave.run();
                reply.completeExceptionally(failure);
            } else {
                reply.complete(answer);
            }
        });
        return reply;
    }

    /**
     * Runs slot operation {@code name} over {@code keys} when they share a slot (one atomic step), else the same
     * operation key by key in argument order (each step atomic on its key), answering the first reply that is not
     * a null.
     */
    static CompletableFuture<Reply> onKeys(CommandCall call, List<byte[]> keys, String name, byte[][] args,
                                           BlockingOrder.Ticket ticket, Function<byte[], byte[][]> argsForOneKey) {
        List<byte[]> distinct = CommandCall.distinct(keys);
        if (distinct.size() == 1) {
            return call.onKey(distinct.get(0), name, argsForOneKey.apply(distinct.get(0)), ticket);
        }
        if (CommandCall.sameSlot(distinct)) {
            return call.onSlot(distinct, name, args, ticket);
        }
        return keyByKey(call, new ArrayList<>(distinct), 0, name, ticket, argsForOneKey);
    }

    private static CompletableFuture<Reply> keyByKey(CommandCall call, List<byte[]> keys, int index, String name,
                                                     BlockingOrder.Ticket ticket,
                                                     Function<byte[], byte[][]> argsForOneKey) {
        byte[] key = keys.get(index);
        return call.onKey(key, name, argsForOneKey.apply(key), ticket).thenCompose(reply -> {
            if (index + 1 == keys.size() || !(BlockedClients.isNothing(reply) || BlockingOrder.turnOf(reply) != null)) {
                return CommandCall.done(reply);
            }
            return keyByKey(call, keys, index + 1, name, ticket, argsForOneKey).thenApply(next ->
                    BlockedClients.isNothing(next) && BlockingOrder.turnOf(reply) != null ? reply : next);
        });
    }

    /**
     * A blocking command's timeout in seconds (decimals allowed) as milliseconds, 0 meaning for ever; Redis's error
     * texts otherwise. Redis 7.0 answers "negative" for a timeout too large for its millisecond clock, too.
     */
    static long timeoutMillis(byte[] arg) {
        double seconds;
        try {
            seconds = Arguments.parseDouble(arg);
        } catch (RedisException e) {
            throw new RedisException(NOT_A_TIMEOUT);
        }
        if (Double.isNaN(seconds)) {
            throw new RedisException(NOT_A_TIMEOUT);
        }
        double millis = Math.ceil(seconds * 1000);
        if (seconds < 0 || millis >= 0x1p63) {
            throw new RedisException(NEGATIVE_TIMEOUT);
        }
        return (long) millis;
    }
}
