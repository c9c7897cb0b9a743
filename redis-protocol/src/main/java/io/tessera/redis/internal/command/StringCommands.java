package io.tessera.redis.internal.command;

import io.tessera.redis.internal.protocol.Reply;
import io.tessera.redis.internal.store.Bytes;
import io.tessera.redis.internal.store.StoredValue;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Commands on string values. Every single-key command runs on its key's primary as one atomic step.
 *
 * <p>MGET and MSET whose keys share one hash slot run as one atomic step on the slot's primary, as in Redis
 * Cluster: a reader never sees part of an MSET. Keys in different slots, which Redis Cluster refuses with
 * {@code CROSSSLOT}, are served split per key: MGET runs GET and MSET runs SET on each key's primary, so each key is
 * atomic but the command as a whole is not (a concurrent MGET may see some of an MSET's keys written and others not
 * yet, or two concurrent MSETs may leave some keys with one's values and others with the other's).
 *
 * <p>MSETNX needs its keys in one slot (otherwise {@code CROSSSLOT}, as Redis Cluster answers) and is then one
 * atomic step: all keys are set, or none when any exists.
 */
final class StringCommands {
    /** Redis's default {@code proto-max-bulk-len}: the largest string a command may build. */
    static final long MAX_STRING_LENGTH = 512L * 1024 * 1024;

    private StringCommands() {
    }

    static void register(CommandTable.Builder table) {
        table.keyCommand("get", 2, "readonly fast", "string", "Returns the string value of a key.",
                (entry, args) -> Reply.bulk(entry.string()), StringCommands::getFast);
        table.keyCommand("set", -3, "write denyoom", "string",
                "Sets the string value of a key, ignoring its type. The key is created if it doesn't exist.",
                StringCommands::set, StringCommands::setFast);
        table.keyCommand("setnx", 3, "write denyoom fast", "string",
                "Set the string value of a key only when the key doesn't exist.", StringCommands::setnx);
        table.keyCommand("setex", 4, "write denyoom", "string",
                "Sets the string value and expiration time of a key. Creates the key if it doesn't exist.",
                (entry, args) -> setWithExpiry(entry, args, "EX", "setex"));
        table.keyCommand("psetex", 4, "write denyoom", "string",
                "Sets both string value and expiration time in milliseconds of a key. "
                        + "The key is created if it doesn't exist.",
                (entry, args) -> setWithExpiry(entry, args, "PX", "psetex"));
        table.keyCommand("getset", 3, "write denyoom fast", "string",
                "Returns the previous string value of a key after setting it to a new value.",
                StringCommands::getset);
        table.keyCommand("getdel", 2, "write fast", "string",
                "Returns the string value of a key after deleting the key.", StringCommands::getdel);
        table.keyCommand("getex", -2, "write fast", "string",
                "Returns the string value of a key after setting its expiration time.", StringCommands::getex);
        table.command("mget", -2, "readonly fast", 1, -1, 1, "string",
                "Atomically returns the string values of one or more keys.", StringCommands::mget);
        table.command("mset", -3, "write denyoom", 1, -1, 2, "string",
                "Atomically creates or modifies the string values of one or more keys.", StringCommands::mset);
        table.command("msetnx", -3, "write denyoom", 1, -1, 2, "string",
                "Atomically modifies the string values of one or more keys only when all keys don't exist.",
                StringCommands::msetnx);
        table.slotOperation("mget", StringCommands::mgetInSlot);
        table.slotOperation("mset", StringCommands::msetInSlot);
        table.slotOperation("msetnx", StringCommands::msetnxInSlot);
        table.keyCommand("incr", 2, "write denyoom fast", "string",
                "Increments the integer value of a key by one. Uses 0 as initial value if the key doesn't exist.",
                (entry, args) -> incrBy(entry, 1));
        table.keyCommand("decr", 2, "write denyoom fast", "string",
                "Decrements the integer value of a key by one. Uses 0 as initial value if the key doesn't exist.",
                (entry, args) -> incrBy(entry, -1));
        table.keyCommand("incrby", 3, "write denyoom fast", "string",
                "Increments the integer value of a key by a number. Uses 0 as initial value if the key doesn't "
                        + "exist.",
                (entry, args) -> incrBy(entry, Arguments.parseLong(args[2])));
        table.keyCommand("decrby", 3, "write denyoom fast", "string",
                "Decrements a number from the integer value of a key. Uses 0 as initial value if the key doesn't "
                        + "exist.",
                StringCommands::decrby);
        table.keyCommand("incrbyfloat", 3, "write denyoom fast", "string",
                "Increment the floating point value of a key by a number. Uses 0 as initial value if the key "
                        + "doesn't exist.",
                StringCommands::incrbyfloat);
        table.keyCommand("append", 3, "write denyoom fast", "string",
                "Appends a string to the value of a key. Creates the key if it doesn't exist.",
                StringCommands::append);
        table.keyCommand("strlen", 2, "readonly fast", "string", "Returns the length of a string value.",
                (entry, args) -> {
                    byte[] value = entry.string();
                    return Reply.integer(value == null ? 0 : value.length);
                });
        table.keyCommand("getrange", 4, "readonly", "string",
                "Returns a substring of the string stored at a key.", StringCommands::getrange);
        table.keyCommand("setrange", 4, "write denyoom", "string",
                "Overwrites a part of a string value with another by an offset. Creates the key if it doesn't "
                        + "exist.",
                StringCommands::setrange);
    }

    /**
     * GET as a plain grid read: no processor travels, and the type is checked here. The hottest command, so it skips
     * what only writes need.
     */
    private static CompletableFuture<Reply> getFast(CommandCall call) {
        return call.database().getAsync(call.arg(1)).thenApply(stored -> {
            if (stored == null) {
                return Reply.NULL;
            }
            return StoredValue.type(stored) == StoredValue.STRING ? Reply.bulk(StoredValue.decodeString(stored))
                    : Reply.WRONGTYPE;
        });
    }

    /** A plain {@code SET key value} as a grid write (no processor, no old value back); options go to the primary. */
    private static CompletableFuture<Reply> setFast(CommandCall call) {
        if (call.argCount() != 3 || KeyspaceEvents.enabled(call.server().keyspaceEventFlags())) {
            return call.onKey(1);
        }
        return call.database().setAsync(call.arg(1), StoredValue.encodeString(call.arg(2)), java.time.Duration.ZERO)
                .thenApply(ignored -> Reply.OK);
    }

    /** SET key value [NX | XX] [GET] [EX s | PX ms | EXAT s | PXAT ms | KEEPTTL]. */
    private static Reply set(KeyEntry entry, byte[][] args) {
        boolean nx = false;
        boolean xx = false;
        boolean get = false;
        boolean keepTtl = false;
        Instant expiresAt = null;
        boolean expirySet = false;
        for (int i = 3; i < args.length; i++) {
            String option = new String(args[i], StandardCharsets.US_ASCII).toUpperCase(Locale.ROOT);
            boolean hasNext = i + 1 < args.length;
            switch (option) {
                case "NX" -> {
                    if (xx) {
                        throw RedisException.syntax();
                    }
                    nx = true;
                }
                case "XX" -> {
                    if (nx) {
                        throw RedisException.syntax();
                    }
                    xx = true;
                }
                case "GET" -> get = true;
                case "KEEPTTL" -> {
                    if (expirySet) {
                        throw RedisException.syntax();
                    }
                    keepTtl = true;
                }
                case "EX", "PX", "EXAT", "PXAT" -> {
                    if (keepTtl || expirySet || !hasNext) {
                        throw RedisException.syntax();
                    }
                    expiresAt = Expiry.parse(option, args[++i], "set");
                    expirySet = true;
                }
                default -> throw RedisException.syntax();
            }
        }
        byte[] old = get ? entry.string() : null; // WRONGTYPE before anything changes
        boolean exists = entry.exists();
        if ((nx && exists) || (xx && !exists)) {
            return get ? Reply.bulk(old) : Reply.NULL;
        }
        if (keepTtl) {
            entry.setString(args[2]);
        } else {
            entry.setString(args[2], expiresAt);
        }
        return get ? Reply.bulk(old) : Reply.OK;
    }

    /** SETNX key value: 1 if set, 0 if the key existed (whatever its type). */
    private static Reply setnx(KeyEntry entry, byte[][] args) {
        if (entry.exists()) {
            return Reply.ZERO;
        }
        entry.setString(args[2], null);
        return Reply.ONE;
    }

    /** SETEX key seconds value, PSETEX key milliseconds value. */
    private static Reply setWithExpiry(KeyEntry entry, byte[][] args, String unit, String command) {
        Instant expiresAt = Expiry.parse(unit, args[2], command);
        entry.setString(args[3], expiresAt);
        return Reply.OK;
    }

    /** GETSET key value: the old value (WRONGTYPE for another type); the key loses its time to live. */
    private static Reply getset(KeyEntry entry, byte[][] args) {
        byte[] old = entry.string();
        entry.setString(args[2], null);
        return Reply.bulk(old);
    }

    private static Reply getdel(KeyEntry entry, byte[][] args) {
        byte[] old = entry.string();
        if (old != null) {
            entry.remove();
        }
        return Reply.bulk(old);
    }

    /** GETEX key [EX s | PX ms | EXAT s | PXAT ms | PERSIST]. */
    private static Reply getex(KeyEntry entry, byte[][] args) {
        Instant expiresAt = null;
        boolean persist = false;
        boolean optionSeen = false;
        for (int i = 2; i < args.length; i++) {
            String option = new String(args[i], StandardCharsets.US_ASCII).toUpperCase(Locale.ROOT);
            switch (option) {
                case "PERSIST" -> {
                    if (optionSeen) {
                        throw RedisException.syntax();
                    }
                    persist = true;
                }
                case "EX", "PX", "EXAT", "PXAT" -> {
                    if (optionSeen || i + 1 >= args.length) {
                        throw RedisException.syntax();
                    }
                    expiresAt = Expiry.parse(option, args[++i], "getex");
                }
                default -> throw RedisException.syntax();
            }
            optionSeen = true;
        }
        byte[] value = entry.string();
        if (value == null) {
            return Reply.NULL;
        }
        if (expiresAt != null) {
            entry.setExpiresAt(expiresAt); // a past instant deletes the key
        } else if (persist) {
            entry.setExpiresAt(null);
        }
        return Reply.bulk(value);
    }

    /** MGET key [key ...]: one step when the keys share a slot, else one GET per key. */
    private static CompletableFuture<Reply> mget(CommandCall call) {
        List<byte[]> keys = CommandCall.distinct(call.keys(1, 1));
        if (call.argCount() > 2 && CommandCall.sameSlot(keys)) {
            return call.onSlot(keys, "mget", call.args());
        }
        List<CompletableFuture<Reply>> replies = new ArrayList<>(call.argCount() - 1);
        for (int i = 1; i < call.argCount(); i++) {
            replies.add(call.onKey(call.arg(i), "get", new byte[][] {call.arg(0), call.arg(i)}));
        }
        return Multi.all(replies).thenApply(values -> {
            List<Reply> items = new ArrayList<>(values.size());
            for (Reply value : values) {
                if (value instanceof Reply.Error error && !error.equals(Reply.WRONGTYPE)) {
                    return error;
                }
                items.add(value instanceof Reply.Bulk ? value : Reply.NULL);
            }
            return Reply.array(items);
        });
    }

    /** MGET on keys of one slot: a key of another type reads as nil, as in Redis. */
    private static Reply mgetInSlot(List<KeyEntry> entries, byte[][] args) {
        Map<Bytes, KeyEntry> byKey = Multi.byKey(entries);
        List<Reply> items = new ArrayList<>(args.length - 1);
        for (int i = 1; i < args.length; i++) {
            KeyEntry entry = Multi.entry(byKey, args[i]);
            items.add(entry.type() == StoredValue.STRING ? Reply.bulk(entry.string()) : Reply.NULL);
        }
        return Reply.array(items);
    }

    /** MSET key value [key value ...]: one step when the keys share a slot, else one SET per key. */
    private static CompletableFuture<Reply> mset(CommandCall call) {
        if (call.argCount() % 2 == 0) {
            return CommandCall.done(Reply.error("ERR wrong number of arguments for 'mset' command"));
        }
        List<byte[]> keys = CommandCall.distinct(call.keys(1, 2));
        if (call.argCount() > 3 && CommandCall.sameSlot(keys)) {
            return call.onSlot(keys, "mset", call.args());
        }
        List<CompletableFuture<Reply>> replies = new ArrayList<>();
        byte[] set = "set".getBytes(StandardCharsets.US_ASCII);
        for (int i = 1; i < call.argCount(); i += 2) {
            replies.add(call.onKey(call.arg(i), "set", new byte[][] {set, call.arg(i), call.arg(i + 1)}));
        }
        return Multi.all(replies).thenApply(values -> Multi.firstError(values, Reply.OK));
    }

    /** MSET on keys of one slot: each key becomes a string without a time to live; a repeated key keeps its last. */
    private static Reply msetInSlot(List<KeyEntry> entries, byte[][] args) {
        setPairs(Multi.byKey(entries), args);
        return Reply.OK;
    }

    private static void setPairs(Map<Bytes, KeyEntry> byKey, byte[][] args) {
        for (int i = 1; i + 1 < args.length; i += 2) {
            Multi.entry(byKey, args[i]).setString(args[i + 1], null);
        }
    }

    /** MSETNX key value [key value ...]: the keys must share a slot; then one step. */
    private static CompletableFuture<Reply> msetnx(CommandCall call) {
        if (call.argCount() % 2 == 0) {
            return CommandCall.done(Reply.error("ERR wrong number of arguments for 'msetnx' command"));
        }
        List<byte[]> keys = CommandCall.distinct(call.keys(1, 2));
        if (!CommandCall.sameSlot(keys)) {
            return CommandCall.done(Multi.CROSSSLOT);
        }
        return call.onSlot(keys, "msetnx", call.args());
    }

    /** MSETNX on keys of one slot: 0 if any key exists (whatever its type), else sets them all and answers 1. */
    private static Reply msetnxInSlot(List<KeyEntry> entries, byte[][] args) {
        for (KeyEntry entry : entries) {
            if (entry.exists()) {
                return Reply.ZERO;
            }
        }
        setPairs(Multi.byKey(entries), args);
        return Reply.ONE;
    }

    private static Reply decrby(KeyEntry entry, byte[][] args) {
        long decrement = Arguments.parseLong(args[2]);
        if (decrement == Long.MIN_VALUE) {
            throw new RedisException("ERR decrement would overflow");
        }
        return incrBy(entry, -decrement);
    }

    /** INCR, DECR, INCRBY, DECRBY: the key keeps its time to live. */
    private static Reply incrBy(KeyEntry entry, long increment) {
        byte[] value = entry.string();
        long current = 0;
        if (value != null) {
            Long parsed = Arguments.tryParseLong(value);
            if (parsed == null) {
                throw RedisException.notInteger();
            }
            current = parsed;
        }
        long result;
        try {
            result = Math.addExact(current, increment);
        } catch (ArithmeticException e) {
            throw new RedisException("ERR increment or decrement would overflow");
        }
        entry.setString(Long.toString(result).getBytes(StandardCharsets.US_ASCII));
        return Reply.integer(result);
    }

    /**
     * INCRBYFLOAT key increment: the result is stored and answered as a bulk string (in RESP3 too, as Redis does),
     * formatted without exponent and without trailing zeros. Tessera computes in {@code double} where Redis uses
     * {@code long double}; results agree wherever a {@code double} holds the value.
     */
    private static Reply incrbyfloat(KeyEntry entry, byte[][] args) {
        byte[] value = entry.string();
        double current = value == null ? 0 : Arguments.parseDouble(value);
        double increment = Arguments.parseDouble(args[2]);
        double result = current + increment;
        if (Double.isNaN(result) || Double.isInfinite(result)) {
            throw new RedisException("ERR increment would produce NaN or Infinity");
        }
        byte[] text = formatDouble(result).getBytes(StandardCharsets.US_ASCII);
        entry.setString(text);
        return Reply.bulk(text);
    }

    /** A finite double the way Redis's human-friendly long double format writes it: plain digits, no exponent. */
    static String formatDouble(double value) {
        if (value == 0) {
            return "0";
        }
        return new BigDecimal(Double.toString(value)).stripTrailingZeros().toPlainString();
    }

    private static Reply append(KeyEntry entry, byte[][] args) {
        byte[] value = entry.string();
        byte[] suffix = args[2];
        if (value == null) {
            entry.setString(suffix, null);
            return Reply.integer(suffix.length);
        }
        checkStringLength((long) value.length + suffix.length);
        byte[] joined = Arrays.copyOf(value, value.length + suffix.length);
        System.arraycopy(suffix, 0, joined, value.length, suffix.length);
        entry.setString(joined);
        return Reply.integer(joined.length);
    }

    private static void checkStringLength(long total) {
        if (total > MAX_STRING_LENGTH) {
            throw new RedisException("ERR string exceeds maximum allowed size (proto-max-bulk-len)");
        }
    }

    /** GETRANGE key start end: Redis's clamping of negative and out-of-range offsets; "" for a missing key. */
    private static Reply getrange(KeyEntry entry, byte[][] args) {
        long start = Arguments.parseLong(args[2]);
        long end = Arguments.parseLong(args[3]);
        byte[] value = entry.string();
        if (value == null) {
            return Reply.bulk(new byte[0]);
        }
        long length = value.length;
        if (start < 0 && end < 0 && start > end) {
            return Reply.bulk(new byte[0]);
        }
        if (start < 0) {
            start = length + start;
        }
        if (end < 0) {
            end = length + end;
        }
        start = Math.max(0, start);
        end = Math.max(0, end);
        if (end >= length) {
            end = length - 1;
        }
        if (start > end || length == 0) {
            return Reply.bulk(new byte[0]);
        }
        return Reply.bulk(Arrays.copyOfRange(value, (int) start, (int) end + 1));
    }

    /** SETRANGE key offset value: pads with zero bytes; an empty value changes nothing and creates nothing. */
    private static Reply setrange(KeyEntry entry, byte[][] args) {
        long offset = Arguments.parseLong(args[2]);
        if (offset < 0) {
            throw new RedisException("ERR offset is out of range");
        }
        byte[] patch = args[3];
        byte[] value = entry.string();
        if (patch.length == 0) {
            return Reply.integer(value == null ? 0 : value.length);
        }
        checkStringLength(offset + patch.length);
        int end = (int) offset + patch.length;
        byte[] current = value == null ? new byte[0] : value;
        byte[] result = Arrays.copyOf(current, Math.max(current.length, end));
        System.arraycopy(patch, 0, result, (int) offset, patch.length);
        if (value == null) {
            entry.setString(result, null);
        } else {
            entry.setString(result);
        }
        return Reply.integer(result.length);
    }
}
