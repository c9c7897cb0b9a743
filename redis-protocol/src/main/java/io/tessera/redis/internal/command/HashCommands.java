package io.tessera.redis.internal.command;

import io.tessera.redis.internal.protocol.Reply;
import io.tessera.redis.internal.protocol.RespReplyWriter;
import io.tessera.redis.internal.store.Bytes;
import io.tessera.redis.internal.store.HashView;
import io.tessera.redis.internal.store.StoredValue;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Commands on hashes. Each runs on its key's primary as one atomic step (so concurrent HINCRBYs through different
 * members add up exactly). Only HRANDFIELD's serving member does something of its own: it flattens the field/value
 * pairs into one array for a RESP2 connection, as Redis does.
 *
 * <p>Writes are {@link HashOperations} on the live hash, applied only when the command writes (an HDEL of missing
 * fields or an HSETNX of an existing one ships and notifies nothing, as Redis notifies nothing); reads go through
 * {@link KeyEntry#hashView()}, which copies nothing.
 */
final class HashCommands {
    private static final Reply.Error HASH_NOT_INTEGER = new Reply.Error("ERR hash value is not an integer");
    private static final Reply.Error HASH_NOT_FLOAT = new Reply.Error("ERR hash value is not a float");

    private HashCommands() {
    }

    static void register(CommandTable.Builder table) {
        table.keyCommand("hset", -4, "write denyoom fast", "hash",
                "Creates or modifies the value of a field in a hash.", (entry, args) -> hset(entry, args, false));
        table.keyCommand("hmset", -4, "write denyoom fast", "hash",
                "Sets the values of multiple fields.", (entry, args) -> hset(entry, args, true));
        table.keyCommand("hsetnx", 4, "write denyoom fast", "hash",
                "Sets the value of a field in a hash only when the field doesn't exist.", HashCommands::hsetnx);
        table.keyCommand("hget", 3, "readonly fast", "hash", "Returns the value of a field in a hash.",
                (entry, args) -> Reply.bulk(entry.hashView().get(Bytes.of(args[2]))));
        table.keyCommand("hmget", -3, "readonly fast", "hash", "Returns the values of all fields in a hash.",
                HashCommands::hmget);
        table.keyCommand("hdel", -3, "write fast", "hash", "Deletes one or more fields and their values from a hash.",
                HashCommands::hdel);
        table.keyCommand("hexists", 3, "readonly fast", "hash", "Determines whether a field exists in a hash.",
                (entry, args) -> Reply.integer(entry.hashView().containsKey(Bytes.of(args[2])) ? 1 : 0));
        table.keyCommand("hlen", 2, "readonly fast", "hash", "Returns the number of fields in a hash.",
                (entry, args) -> Reply.integer(entry.hashSize()));
        table.keyCommand("hstrlen", 3, "readonly fast", "hash", "Returns the length of the value of a field.",
                HashCommands::hstrlen);
        table.keyCommand("hkeys", 2, "readonly", "hash", "Returns all fields in a hash.",
                (entry, args) -> Reply.array(entry.hashView().keySet().stream().map(f -> Reply.bulk(f.bytes()))
                        .toList()));
        table.keyCommand("hvals", 2, "readonly", "hash", "Returns all values in a hash.",
                (entry, args) -> Reply.bulks(new ArrayList<>(entry.hashView().values())));
        table.keyCommand("hgetall", 2, "readonly", "hash", "Returns all fields and values in a hash.",
                HashCommands::hgetall);
        table.keyCommand("hincrby", 4, "write denyoom fast", "hash",
                "Increments the integer value of a field in a hash by a number.", HashCommands::hincrby);
        table.keyCommand("hincrbyfloat", 4, "write denyoom fast", "hash",
                "Increments the floating point value of a field by a number.", HashCommands::hincrbyfloat);
        table.add(new CommandSpec("hrandfield", -2, Set.of("readonly"), 1, 1, 1, "hash",
                "Returns one or more random fields from a hash.",
                call -> call.onKey(1).thenApply(reply -> call.client().protocol() >= 3 ? reply : flattenPairs(reply)),
                HashCommands::hrandfield));
        table.keyCommand("hscan", -3, "readonly", "hash", "Iterates over fields and values of a hash.",
                HashCommands::hscan);
    }

    /** HSET key field value [field value ...] (number of new fields); HMSET (OK). */
    private static Reply hset(KeyEntry entry, byte[][] args, boolean hmset) {
        if (args.length % 2 != 0) {
            return Reply.error("ERR wrong number of arguments for '" + (hmset ? "hmset" : "hset") + "' command");
        }
        entry.requireType(StoredValue.HASH);
        int created = entry.apply(new HashOperations.Put(args, 2));
        return hmset ? Reply.OK : Reply.integer(created);
    }

    private static Reply hsetnx(KeyEntry entry, byte[][] args) {
        if (entry.hashView().containsKey(Bytes.of(args[2]))) {
            return Reply.ZERO;
        }
        entry.apply(new HashOperations.Put(args, 2));
        return Reply.ONE;
    }

    private static Reply hmget(KeyEntry entry, byte[][] args) {
        Map<Bytes, byte[]> hash = entry.hashView();
        List<Reply> values = new ArrayList<>(args.length - 2);
        for (int i = 2; i < args.length; i++) {
            values.add(Reply.bulk(hash.get(Bytes.of(args[i]))));
        }
        return Reply.array(values);
    }

    private static Reply hdel(KeyEntry entry, byte[][] args) {
        HashView hash = entry.hashView();
        boolean any = false;
        for (int i = 2; i < args.length && !any; i++) {
            any = hash.containsKey(Bytes.of(args[i]));
        }
        if (!any) {
            return Reply.ZERO;
        }
        int deleted = entry.apply(new HashOperations.Delete(Arrays.copyOfRange(args, 2, args.length)));
        if (entry.hashSize() == 0) {
            entry.remove(); // Redis keeps no empty hash
        }
        return Reply.integer(deleted);
    }

    private static Reply hstrlen(KeyEntry entry, byte[][] args) {
        byte[] value = entry.hashView().get(Bytes.of(args[2]));
        return Reply.integer(value == null ? 0 : value.length);
    }

    private static Reply hgetall(KeyEntry entry, byte[][] args) {
        Map<Bytes, byte[]> hash = entry.hashView();
        List<Reply> flat = new ArrayList<>(hash.size() * 2);
        for (Map.Entry<Bytes, byte[]> e : hash.entrySet()) {
            flat.add(Reply.bulk(e.getKey().bytes()));
            flat.add(Reply.bulk(e.getValue()));
        }
        return new Reply.MapReply(List.copyOf(flat));
    }

    private static Reply hincrby(KeyEntry entry, byte[][] args) {
        long increment = Arguments.parseLong(args[3]);
        byte[] current = entry.hashView().get(Bytes.of(args[2]));
        if (current != null && Arguments.tryParseLong(current) == null) {
            return HASH_NOT_INTEGER;
        }
        if (HashOperations.IncrBy.sum(current, increment) == null) {
            return Reply.error("ERR increment or decrement would overflow");
        }
        return Reply.integer(entry.apply(new HashOperations.IncrBy(args[2], increment)));
    }

    /**
     * HINCRBYFLOAT: the new value as a bulk string in Redis's human-friendly form (both protocols). The primary
     * formats it once and ships the text ({@link HashOperations.Put}), so every replica stores the same bytes.
     */
    private static Reply hincrbyfloat(KeyEntry entry, byte[][] args) {
        double increment = Arguments.parseDouble(args[3]);
        if (Double.isInfinite(increment)) {
            return Reply.error("ERR value is NaN or Infinity");
        }
        byte[] current = entry.hashView().get(Bytes.of(args[2]));
        double value = 0;
        if (current != null) {
            try {
                value = Arguments.parseDouble(current);
            } catch (RedisException e) {
                return HASH_NOT_FLOAT;
            }
        }
        double result = value + increment;
        if (Double.isNaN(result) || Double.isInfinite(result)) {
            return Reply.error("ERR increment would produce NaN or Infinity");
        }
        byte[] text = RespReplyWriter.formatDouble(result).getBytes(StandardCharsets.US_ASCII);
        entry.apply(new HashOperations.Put(new byte[][] {args[2], text}, 0));
        return Reply.bulk(text);
    }

    /**
     * HRANDFIELD key [count [WITHVALUES]]. With values, the reply is an array of [field, value] pairs, which the
     * serving member flattens for RESP2 ({@link #flattenPairs}).
     */
    private static Reply hrandfield(KeyEntry entry, byte[][] args) {
        if (args.length == 2) {
            HashView hash = entry.hashView();
            if (hash.isEmpty()) {
                return Reply.NULL;
            }
            return Reply.bulk(hash.keySet().random(ThreadLocalRandom.current()).bytes());
        }
        long count = RandomSupport.parseCount(args[2]);
        boolean withValues = false;
        if (args.length > 4 || (args.length == 4
                && !new String(args[3], StandardCharsets.US_ASCII).equalsIgnoreCase("withvalues"))) {
            throw RedisException.syntax();
        } else if (args.length == 4) {
            withValues = true;
            if (count < -Long.MAX_VALUE / 2 || count > Long.MAX_VALUE / 2) {
                return Reply.error("ERR value is out of range");
            }
        }
        HashView hash = entry.hashView();
        if (hash.isEmpty() || count == 0) {
            return Reply.EMPTY_ARRAY;
        }
        List<Bytes> fields = RandomSupport.sample(hash.keySet(), count);
        List<Reply> items = new ArrayList<>(fields.size());
        for (Bytes field : fields) {
            items.add(withValues
                    ? Reply.array(List.of(Reply.bulk(field.bytes()), Reply.bulk(hash.get(field))))
                    : Reply.bulk(field.bytes()));
        }
        return Reply.array(items);
    }

    /** An array of [field, value] arrays as one flat array (RESP2's HRANDFIELD WITHVALUES); others unchanged. */
    static Reply flattenPairs(Reply reply) {
        if (!(reply instanceof Reply.Array array) || array.items().isEmpty()
                || !(array.items().get(0) instanceof Reply.Array)) {
            return reply;
        }
        List<Reply> flat = new ArrayList<>(array.items().size() * 2);
        for (Reply pair : array.items()) {
            flat.addAll(((Reply.Array) pair).items());
        }
        return Reply.array(flat);
    }

    /** HSCAN key cursor [MATCH pattern] [COUNT count] [NOVALUES]. */
    private static Reply hscan(KeyEntry entry, byte[][] args) {
        long cursor = ScanSupport.parseCursor(args[2]);
        HashView hash = entry.hashView();
        if (hash.isEmpty()) {
            return ScanSupport.emptyScan();
        }
        ScanSupport.Options options = ScanSupport.parseOptions(args, 3, true);
        return ScanSupport.scan(hash.keySet(), hash::get, cursor, options);
    }
}
