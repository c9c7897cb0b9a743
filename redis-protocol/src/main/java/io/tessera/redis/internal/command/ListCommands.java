package io.tessera.redis.internal.command;

import io.tessera.redis.internal.protocol.Reply;
import io.tessera.redis.internal.store.StoredValue;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Commands on lists. Every command on one key runs on the key's primary as one atomic step.
 *
 * <p>LMOVE and RPOPLPUSH name two keys. When both are the same key, or the two keys share a hash slot, the move is
 * one atomic step on their primary, as in Redis Cluster. Keys in different slots, which Redis Cluster refuses with
 * {@code CROSSSLOT}, are served but the move is <em>not</em> atomic: the serving member checks the destination's
 * type, pops from the source on its primary, then pushes onto the destination on its primary. Another client may
 * observe the element in neither list for a moment. Should the push be refused (the destination became another type
 * in between), the element is pushed back onto the end of the source it came from and the error is returned. If the
 * grid fails in the middle (a deadline with an unknown outcome on the push), the client gets the grid's error
 * ({@code ERR outcome unknown: ...}) and the element may be lost: it is not pushed back, since the push may have
 * happened.
 */
final class ListCommands {
    private static final Reply.Error NO_SUCH_KEY = new Reply.Error("ERR no such key");
    private static final Reply.Error INDEX_OUT_OF_RANGE = new Reply.Error("ERR index out of range");
    private static final Reply.Error MUST_BE_POSITIVE = new Reply.Error("ERR value is out of range, must be positive");

    private ListCommands() {
    }

    static void register(CommandTable.Builder table) {
        table.keyCommand("lpush", -3, "write denyoom fast", "list", "Prepends one or more elements to a list.",
                (entry, args) -> push(entry, args, true, false));
        table.keyCommand("rpush", -3, "write denyoom fast", "list", "Appends one or more elements to a list.",
                (entry, args) -> push(entry, args, false, false));
        table.keyCommand("lpushx", -3, "write denyoom fast", "list",
                "Prepends one or more elements to a list only when the list exists.",
                (entry, args) -> push(entry, args, true, true));
        table.keyCommand("rpushx", -3, "write denyoom fast", "list",
                "Appends an element to a list only when the list exists.",
                (entry, args) -> push(entry, args, false, true));
        table.keyCommand("lpop", -2, "write fast", "list",
                "Returns the first elements in a list after removing it.", (entry, args) -> pop(entry, args, true));
        table.keyCommand("rpop", -2, "write fast", "list",
                "Returns and removes the last elements of a list.", (entry, args) -> pop(entry, args, false));
        table.keyCommand("llen", 2, "readonly fast", "list", "Returns the length of a list.",
                (entry, args) -> Reply.integer(entry.listSize()));
        table.keyCommand("lrange", 4, "readonly", "list", "Returns a range of elements from a list.",
                ListCommands::lrange);
        table.keyCommand("lindex", 3, "readonly", "list", "Returns an element from a list by its index.",
                ListCommands::lindex);
        table.keyCommand("lset", 4, "write denyoom", "list", "Sets the value of an element in a list by its index.",
                ListCommands::lset);
        table.keyCommand("lrem", 4, "write", "list", "Removes elements from a list.", ListCommands::lrem);
        table.keyCommand("ltrim", 4, "write", "list", "Removes elements from both ends a list.",
                ListCommands::ltrim);
        table.keyCommand("linsert", 5, "write denyoom", "list",
                "Inserts an element before or after another element in a list.", ListCommands::linsert);
        table.keyCommand("lpos", -3, "readonly", "list", "Returns the index of matching elements in a list.",
                ListCommands::lpos);
        table.add(new CommandSpec("lmove", 5, Set.of("write", "denyoom"), 1, 2, 1, "list",
                "Returns an element after popping it from one list and pushing it to another.",
                call -> move(call, end(call.arg(3)), end(call.arg(4))),
                (entry, args) -> moveWithin(entry, end(args[3]), end(args[4]))));
        table.add(new CommandSpec("rpoplpush", 3, Set.of("write", "denyoom"), 1, 2, 1, "list",
                "Returns the last element of a list after removing and pushing it to another list.",
                call -> move(call, false, true),
                (entry, args) -> moveWithin(entry, false, true)));
        table.slotOperation("lmove", (entries, args) -> moveBetween(entries.get(0), entries.get(1), end(args[3]),
                end(args[4])));
        table.slotOperation("rpoplpush", (entries, args) -> moveBetween(entries.get(0), entries.get(1), false, true));
    }

    /** LPUSH/RPUSH/LPUSHX/RPUSHX: one live operation on the key's primary, O(elements pushed). */
    private static Reply push(KeyEntry entry, byte[][] args, boolean left, boolean onlyIfExists) {
        entry.requireType(StoredValue.LIST);
        if (onlyIfExists && !entry.exists()) {
            return Reply.ZERO;
        }
        int size = entry.apply(new ListOperations.Push(left, Arrays.copyOfRange(args, 2, args.length)));
        return Reply.integer(size);
    }

    /** LPOP/RPOP key [count]: one element, or with a count an array (a null array for a missing key). */
    private static Reply pop(KeyEntry entry, byte[][] args, boolean left) {
        if (args.length > 3) {
            return Reply.error("ERR wrong number of arguments for '" + (left ? "lpop" : "rpop") + "' command");
        }
        boolean hasCount = args.length == 3;
        long count = 1;
        if (hasCount) {
            Long parsed = Arguments.tryParseLong(args[2]);
            if (parsed == null || parsed < 0) {
                return MUST_BE_POSITIVE;
            }
            count = parsed;
        }
        entry.requireType(StoredValue.LIST);
        if (!entry.exists()) {
            return hasCount ? Reply.NULL_ARRAY : Reply.NULL;
        }
        if (hasCount && count == 0) {
            return Reply.EMPTY_ARRAY;
        }
        List<byte[]> popped = popFrom(entry, left, (int) Math.min(count, Integer.MAX_VALUE));
        return hasCount ? Reply.bulks(popped) : Reply.bulk(popped.get(0));
    }

    /** Pops up to {@code count} elements of an existing list, deleting the key when it empties (Redis keeps none). */
    static List<byte[]> popFrom(KeyEntry entry, boolean left, int count) {
        List<byte[]> popped = entry.apply(new ListOperations.Pop(left, count));
        if (entry.listSize() == 0) {
            entry.remove();
        }
        return popped;
    }

    private static Reply lrange(KeyEntry entry, byte[][] args) {
        long start = Arguments.parseLong(args[2]);
        long stop = Arguments.parseLong(args[3]);
        List<byte[]> list = entry.listView();
        int size = list.size();
        if (start < 0) {
            start += size;
        }
        if (stop < 0) {
            stop += size;
        }
        if (start < 0) {
            start = 0;
        }
        if (start > stop || start >= size) {
            return Reply.EMPTY_ARRAY;
        }
        if (stop >= size) {
            stop = size - 1;
        }
        return Reply.bulks(list.subList((int) start, (int) stop + 1));
    }

    private static Reply lindex(KeyEntry entry, byte[][] args) {
        List<byte[]> list = entry.listView();
        if (list.isEmpty()) {
            return Reply.NULL;
        }
        int index = index(Arguments.parseLong(args[2]), list.size());
        return index < 0 ? Reply.NULL : Reply.bulk(list.get(index));
    }

    /** LSET key index element: O(1) on the primary, and the backups get the one element. */
    private static Reply lset(KeyEntry entry, byte[][] args) {
        entry.requireType(StoredValue.LIST);
        if (!entry.exists()) {
            return NO_SUCH_KEY;
        }
        int index = index(Arguments.parseLong(args[2]), entry.listSize());
        if (index < 0) {
            return INDEX_OUT_OF_RANGE;
        }
        entry.apply(new ListOperations.Set(index, args[3]));
        return Reply.OK;
    }

    /** A Redis index (negative: from the end) as a position in a list of {@code size}, or -1 if out of range. */
    private static int index(long index, int size) {
        if (index < 0) {
            index += size;
        }
        return index < 0 || index >= size ? -1 : (int) index;
    }

    /**
     * LREM key count element: count > 0 from the head, < 0 from the tail, 0 all. The primary finds the indexes and
     * removes them in one pass; the backups get the indexes, not the list.
     */
    private static Reply lrem(KeyEntry entry, byte[][] args) {
        long count = Arguments.parseLong(args[2]);
        List<byte[]> list = entry.listView();
        byte[] element = args[3];
        long limit = count == 0 ? Long.MAX_VALUE : Math.abs(count == Long.MIN_VALUE ? Long.MAX_VALUE : count);
        int[] found = new int[8];
        int removed = 0;
        int size = list.size();
        for (int n = 0; n < size && removed < limit; n++) {
            int i = count >= 0 ? n : size - 1 - n;
            if (Arrays.equals(list.get(i), element)) {
                if (removed == found.length) {
                    found = Arrays.copyOf(found, removed * 2);
                }
                found[removed++] = i;
            }
        }
        if (removed == 0) {
            return Reply.ZERO;
        }
        int[] indexes = Arrays.copyOf(found, removed);
        Arrays.sort(indexes);
        if (removed == size) {
            entry.remove(); // Redis keeps no empty list
        } else {
            entry.apply(new ListOperations.RemoveAt(indexes));
        }
        return Reply.integer(removed);
    }

    /** LTRIM key start stop: O(elements removed) on the primary; the backups get the bounds. */
    private static Reply ltrim(KeyEntry entry, byte[][] args) {
        long start = Arguments.parseLong(args[2]);
        long stop = Arguments.parseLong(args[3]);
        int size = entry.listSize();
        if (size == 0) {
            return Reply.OK;
        }
        if (start < 0) {
            start += size;
        }
        if (stop < 0) {
            stop += size;
        }
        if (start < 0) {
            start = 0;
        }
        if (start > stop || start >= size) {
            entry.remove();
            return Reply.OK;
        }
        if (stop >= size) {
            stop = size - 1;
        }
        int count = (int) (stop - start + 1);
        if (count != size) {
            entry.apply(new ListOperations.Trim((int) start, count));
        }
        return Reply.OK;
    }

    /** LINSERT key BEFORE|AFTER pivot element: the new length, 0 for a missing key, -1 without the pivot. */
    private static Reply linsert(KeyEntry entry, byte[][] args) {
        String where = new String(args[2], StandardCharsets.US_ASCII).toUpperCase(Locale.ROOT);
        boolean after;
        if (where.equals("AFTER")) {
            after = true;
        } else if (where.equals("BEFORE")) {
            after = false;
        } else {
            throw RedisException.syntax();
        }
        List<byte[]> list = entry.listView();
        if (list.isEmpty()) {
            return Reply.ZERO;
        }
        for (int i = 0; i < list.size(); i++) {
            if (Arrays.equals(list.get(i), args[3])) {
                int size = entry.apply(new ListOperations.Insert(after ? i + 1 : i, args[4]));
                return Reply.integer(size);
            }
        }
        return Reply.integer(-1);
    }

    /** LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]. */
    private static Reply lpos(KeyEntry entry, byte[][] args) {
        long rank = 1;
        long count = -1;
        long maxLen = 0;
        for (int i = 3; i < args.length; i++) {
            String option = new String(args[i], StandardCharsets.US_ASCII).toUpperCase(Locale.ROOT);
            boolean hasValue = i + 1 < args.length;
            if (option.equals("RANK") && hasValue) {
                rank = RandomSupport.parseCount(args[++i]);
                if (rank == 0) {
                    return Reply.error("ERR RANK can't be zero: use 1 to start from the first match, 2 from the "
                            + "second ... or use negative to start from the end of the list");
                }
            } else if (option.equals("COUNT") && hasValue) {
                count = nonNegative(args[++i], "ERR COUNT can't be negative");
            } else if (option.equals("MAXLEN") && hasValue) {
                maxLen = nonNegative(args[++i], "ERR MAXLEN can't be negative");
            } else {
                throw RedisException.syntax();
            }
        }
        List<byte[]> list = entry.listView();
        boolean forward = rank > 0;
        long skip = Math.abs(rank) - 1;
        List<Reply> found = new ArrayList<>();
        int size = list.size();
        for (int k = 0; k < size && (maxLen == 0 || k < maxLen); k++) {
            int index = forward ? k : size - 1 - k;
            if (Arrays.equals(list.get(index), args[2])) {
                if (skip > 0) {
                    skip--;
                    continue;
                }
                found.add(Reply.integer(index));
                if (count == -1 || (count > 0 && found.size() == count)) {
                    break;
                }
            }
        }
        if (count == -1) {
            return found.isEmpty() ? Reply.NULL : found.get(0);
        }
        return Reply.array(found);
    }

    private static long nonNegative(byte[] arg, String error) {
        Long value = Arguments.tryParseLong(arg);
        if (value == null || value < 0) {
            throw new RedisException(error);
        }
        return value;
    }

    /** LEFT (true) or RIGHT (false), else a syntax error. */
    static boolean end(byte[] arg) {
        String text = new String(arg, StandardCharsets.US_ASCII).toUpperCase(Locale.ROOT);
        if (text.equals("LEFT")) {
            return true;
        }
        if (text.equals("RIGHT")) {
            return false;
        }
        throw RedisException.syntax();
    }

    /** LMOVE/RPOPLPUSH with source and destination the same key: a rotation, atomic on that key, O(1). */
    static Reply moveWithin(KeyEntry entry, boolean fromLeft, boolean toLeft) {
        entry.requireType(StoredValue.LIST);
        if (!entry.exists()) {
            return Reply.NULL;
        }
        byte[] element = entry.apply(new ListOperations.Pop(fromLeft, 1)).get(0);
        entry.apply(new ListOperations.Push(toLeft, new byte[][] {element}));
        return Reply.bulk(element);
    }

    /**
     * LMOVE/RPOPLPUSH between two distinct keys of one slot, in one step: a missing source answers null before the
     * destination's type is looked at, as in Redis.
     */
    static Reply moveBetween(KeyEntry source, KeyEntry destination, boolean fromLeft, boolean toLeft) {
        source.requireType(StoredValue.LIST);
        if (!source.exists()) {
            return Reply.NULL;
        }
        destination.requireType(StoredValue.LIST);
        byte[] element = popFrom(source, fromLeft, 1).get(0);
        destination.apply(new ListOperations.Push(toLeft, new byte[][] {element}));
        return Reply.bulk(element);
    }

    /**
     * LMOVE/RPOPLPUSH (and their blocking forms, whose slot operations have the same names): one step on one key or
     * one slot, else split; see the class comment.
     */
    static CompletableFuture<Reply> move(CommandCall call, boolean fromLeft, boolean toLeft) {
        return move(call, fromLeft, toLeft, null);
    }

    /** As above, for a try of a blocked BLMOVE/BRPOPLPUSH holding {@code ticket} on the source (null: none). */
    static CompletableFuture<Reply> move(CommandCall call, boolean fromLeft, boolean toLeft,
                                         BlockingOrder.Ticket ticket) {
        byte[] source = call.arg(1);
        byte[] destination = call.arg(2);
        if (Arrays.equals(source, destination)) {
            return call.onKey(source, call.spec().name(), call.args(), ticket);
        }
        List<byte[]> keys = List.of(source, destination);
        if (CommandCall.sameSlot(keys)) {
            return call.onSlot(keys, call.spec().name(), call.args(), ticket);
        }
        return call.onKey(destination, "llen", args("llen", destination)).thenCompose(destinationLength -> {
            if (destinationLength instanceof Reply.Error) {
                // as Redis: a missing source answers null before the destination's type is looked at
                return call.onKey(source, "llen", args("llen", source)).thenApply(sourceLength ->
                        sourceLength instanceof Reply.Int n && n.value() == 0 ? Reply.NULL : destinationLength);
            }
            String pop = fromLeft ? "lpop" : "rpop";
            return call.onKey(source, pop, args(pop, source), ticket).thenCompose(popped -> {
                if (!(popped instanceof Reply.Bulk element)) {
                    return CommandCall.done(popped); // null (no source) or WRONGTYPE
                }
                String push = toLeft ? "lpush" : "rpush";
                return call.onKey(destination, push, args(push, destination, element.bytes())).thenCompose(pushed -> {
                    if (!(pushed instanceof Reply.Error)) {
                        return CommandCall.done(popped);
                    }
                    String back = fromLeft ? "lpush" : "rpush";
                    return call.onKey(source, back, args(back, source, element.bytes())).thenApply(ignored -> pushed);
                });
            });
        });
    }

    /** An argument vector for a key operation. */
    static byte[][] args(String command, byte[]... rest) {
        byte[][] args = new byte[rest.length + 1][];
        args[0] = command.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(rest, 0, args, 1, rest.length);
        return args;
    }
}
