package io.tessera.redis.internal.command;

import io.tessera.redis.internal.protocol.Reply;
import io.tessera.redis.internal.store.Bytes;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Strings as bit arrays, as Redis 7.0 has them: SETBIT, GETBIT, BITCOUNT and BITPOS (ranges in bytes or, with
 * {@code BIT}, in bits; negative indexes from the end), and BITOP. Bit 0 is the most significant bit of the first
 * byte. A missing key is an endless run of zero bits.
 *
 * <p>BITOP with its keys in one slot is one atomic step on their primary, as in Redis Cluster; across slots, which
 * Redis Cluster refuses, it reads each source on its primary and then writes the result, so a concurrent writer of a
 * source may or may not be seen (the README's rule for multi-key commands across slots).
 */
final class BitmapCommands {
    /** Redis's limit: a bit offset addresses at most 512 MB ({@code proto-max-bulk-len}). */
    private static final long MAX_BIT_OFFSET = StringCommands.MAX_STRING_LENGTH * 8 - 1;
    private static final Reply BAD_OFFSET = Reply.error("ERR bit offset is not an integer or out of range");

    private BitmapCommands() {
    }

    static void register(CommandTable.Builder table) {
        table.keyCommand("setbit", 4, "write denyoom", "bitmap",
                "Sets or clears the bit at offset of the string value. Creates the key if it doesn't exist.",
                BitmapCommands::setbit);
        table.keyCommand("getbit", 3, "readonly fast", "bitmap", "Returns a bit value by offset.",
                BitmapCommands::getbit);
        table.keyCommand("bitcount", -2, "readonly", "bitmap", "Counts the number of set bits (population counting) "
                + "in a string.", BitmapCommands::bitcount);
        table.keyCommand("bitpos", -3, "readonly", "bitmap", "Finds the first set (1) or clear (0) bit in a string.",
                BitmapCommands::bitpos);
        table.command("bitop", -4, "write denyoom", 2, -1, 1, "bitmap",
                "Performs bitwise operations on multiple strings, and stores the result.", BitmapCommands::bitop);
        table.slotOperation("bitop", BitmapCommands::bitopInSlot);
        table.keyCommand("bitfield", -2, "write denyoom", "bitmap",
                "Performs arbitrary bitfield integer operations on strings.", (entry, args) -> bitfield(entry, args,
                        false));
        table.keyCommand("bitfield_ro", -2, "readonly fast", "bitmap",
                "Performs arbitrary read-only bitfield integer operations on strings.",
                (entry, args) -> bitfield(entry, args, true));
    }

    private static long offset(byte[] arg) {
        Long offset = Arguments.tryParseLong(arg);
        if (offset == null || offset < 0 || offset > MAX_BIT_OFFSET) {
            throw new RedisException((Reply.Error) BAD_OFFSET);
        }
        return offset;
    }

    /** SETBIT key offset 0|1: the bit's previous value; grows the string with zero bytes. */
    private static Reply setbit(KeyEntry entry, byte[][] args) {
        long offset = offset(args[2]);
        String bit = new String(args[3], StandardCharsets.US_ASCII);
        if (!bit.equals("0") && !bit.equals("1")) {
            throw new RedisException("ERR bit is not an integer or out of range");
        }
        byte[] value = entry.string();
        int index = (int) (offset >>> 3);
        int mask = 0x80 >>> (int) (offset & 7);
        byte[] result = value == null ? new byte[index + 1]
                : value.length > index ? value.clone() : Arrays.copyOf(value, index + 1);
        int previous = (result[index] & mask) != 0 ? 1 : 0;
        result[index] = (byte) (bit.equals("1") ? result[index] | mask : result[index] & ~mask);
        if (value == null) {
            entry.setString(result, null);
        } else if (previous != (bit.equals("1") ? 1 : 0) || result.length != value.length) {
            entry.setString(result);
        }
        return Reply.integer(previous);
    }

    /** GETBIT key offset: 0 beyond the end and for a missing key. */
    private static Reply getbit(KeyEntry entry, byte[][] args) {
        long offset = offset(args[2]);
        byte[] value = entry.string();
        long index = offset >>> 3;
        if (value == null || index >= value.length) {
            return Reply.ZERO;
        }
        return (value[(int) index] & (0x80 >>> (int) (offset & 7))) != 0 ? Reply.ONE : Reply.ZERO;
    }

    /**
     * The bit range [first, last] (inclusive; empty when first > last) that {@code start} and {@code end} select in a
     * string of {@code length} bytes, counted in bytes or, with {@code bits}, in bits, Redis's way: negative from the
     * end, then clamped to the string.
     */
    private static long[] bitRange(long length, long start, long end, boolean bits) {
        long total = bits ? length * 8 : length;
        if (start < 0) {
            start = Math.max(0, total + start);
        }
        if (end < 0) {
            end = Math.max(0, total + end);
        }
        end = Math.min(end, total - 1);
        if (start > end) {
            return new long[] {1, 0};
        }
        return bits ? new long[] {start, end} : new long[] {start * 8, end * 8 + 7};
    }

    /** BITCOUNT key [start end [BYTE|BIT]]. */
    private static Reply bitcount(KeyEntry entry, byte[][] args) {
        byte[] value = entry.string();
        if (value == null) {
            return Reply.ZERO;
        }
        long[] range;
        if (args.length == 2) {
            range = new long[] {0, value.length * 8L - 1};
        } else if (args.length == 4 || args.length == 5) {
            long start = Arguments.parseLong(args[2]);
            long end = Arguments.parseLong(args[3]);
            boolean bits = args.length == 5 && unit(args[4]);
            if (start < 0 && end < 0 && start > end) {
                return Reply.ZERO;
            }
            range = bitRange(value.length, start, end, bits);
        } else {
            throw new RedisException((Reply.Error) Reply.SYNTAX_ERROR);
        }
        long count = 0;
        for (long bit = range[0]; bit <= range[1]; ) {
            if ((bit & 7) == 0 && bit + 7 <= range[1]) {
                count += Integer.bitCount(value[(int) (bit >>> 3)] & 0xFF);
                bit += 8;
            } else {
                count += (value[(int) (bit >>> 3)] >>> (7 - (int) (bit & 7))) & 1;
                bit++;
            }
        }
        return Reply.integer(count);
    }

    /** BITPOS key 0|1 [start [end [BYTE|BIT]]]. */
    private static Reply bitpos(KeyEntry entry, byte[][] args) {
        long bit = Arguments.parseLong(args[2]);
        if (bit != 0 && bit != 1) {
            throw new RedisException("ERR The bit argument must be 1 or 0.");
        }
        byte[] value = entry.string();
        if (value == null) {
            return Reply.integer(bit == 1 ? -1 : 0);
        }
        long[] range;
        boolean endGiven = false;
        if (args.length == 3) {
            range = bitRange(value.length, 0, -1, false);
        } else if (args.length <= 6) {
            long start = Arguments.parseLong(args[3]);
            boolean bits = args.length == 6 && unit(args[5]);
            long end = -1;
            if (args.length >= 5) {
                end = Arguments.parseLong(args[4]);
                endGiven = true;
            }
            range = bitRange(value.length, start, end, bits);
        } else {
            throw new RedisException((Reply.Error) Reply.SYNTAX_ERROR);
        }
        if (range[0] > range[1]) {
            return Reply.integer(-1);
        }
        int wanted = (int) bit;
        for (long b = range[0]; b <= range[1]; b++) {
            if ((b & 7) == 0 && b + 7 <= range[1]) {
                int whole = value[(int) (b >>> 3)] & 0xFF;
                if (whole == (wanted == 1 ? 0 : 0xFF)) {
                    b += 7; // nothing to find in this byte
                    continue;
                }
            }
            if (((value[(int) (b >>> 3)] >>> (7 - (int) (b & 7))) & 1) == wanted) {
                return Reply.integer(b);
            }
        }
        // Not found: no 1 anywhere; a 0 right after the range when no end was given (the string is zero-padded).
        return Reply.integer(wanted == 1 || endGiven ? -1 : range[1] + 1);
    }

    /** BYTE (false) or BIT (true), case-insensitive; anything else is a syntax error. */
    private static boolean unit(byte[] arg) {
        return switch (new String(arg, StandardCharsets.UTF_8).toUpperCase(Locale.ROOT)) {
            case "BIT" -> true;
            case "BYTE" -> false;
            default -> throw new RedisException((Reply.Error) Reply.SYNTAX_ERROR);
        };
    }

    // ---- BITFIELD ----

    private enum Overflow { WRAP, SAT, FAIL }

    /** One BITFIELD operation: GET (no value), SET or INCRBY, with its type, offset and overflow behaviour. */
    private record FieldOp(String op, boolean signed, int bits, long offset, long value, Overflow overflow) {
    }

    private static final String BAD_TYPE =
            "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.";

    /**
     * BITFIELD key [GET type offset] [SET type offset value] [INCRBY type offset increment] [OVERFLOW WRAP|SAT|FAIL]
     * ... as Redis 7.0: every argument is checked before anything changes; a write grows the string to its farthest
     * bit first; FAIL answers nil for an operation that would overflow and leaves its bits alone.
     */
    private static Reply bitfield(KeyEntry entry, byte[][] args, boolean readOnlyCommand) {
        List<FieldOp> ops = new ArrayList<>();
        Overflow overflow = Overflow.WRAP;
        long highestWrite = -1;
        for (int j = 2; j < args.length; j++) {
            int remaining = args.length - j - 1;
            String sub = new String(args[j], StandardCharsets.UTF_8).toLowerCase(Locale.ROOT);
            if (sub.equals("overflow") && remaining >= 1) {
                String type = new String(args[++j], StandardCharsets.UTF_8).toUpperCase(Locale.ROOT);
                try {
                    overflow = Overflow.valueOf(type);
                } catch (IllegalArgumentException e) {
                    throw new RedisException("ERR Invalid OVERFLOW type specified");
                }
                continue;
            }
            boolean get = sub.equals("get") && remaining >= 2;
            if (!get && !((sub.equals("set") || sub.equals("incrby")) && remaining >= 3)) {
                throw new RedisException((Reply.Error) Reply.SYNTAX_ERROR);
            }
            String type = new String(args[j + 1], StandardCharsets.UTF_8);
            boolean signed = type.startsWith("i");
            Long bits = type.length() > 1 && (signed || type.startsWith("u"))
                    ? Arguments.tryParseLong(type.substring(1).getBytes(StandardCharsets.UTF_8)) : null;
            if (bits == null || bits < 1 || bits > (signed ? 64 : 63)) {
                throw new RedisException(BAD_TYPE);
            }
            byte[] offsetArg = args[j + 2];
            boolean hash = offsetArg.length > 0 && offsetArg[0] == '#';
            Long offset = Arguments.tryParseLong(hash ? Arrays.copyOfRange(offsetArg, 1, offsetArg.length)
                    : offsetArg);
            if (offset != null && hash) {
                offset *= bits;
            }
            if (offset == null || offset < 0 || (offset >>> 3) >= StringCommands.MAX_STRING_LENGTH) {
                throw new RedisException((Reply.Error) BAD_OFFSET);
            }
            long value = 0;
            if (!get) {
                highestWrite = Math.max(highestWrite, offset + bits - 1);
                value = Arguments.parseLong(args[j + 3]);
            }
            ops.add(new FieldOp(sub, signed, bits.intValue(), offset, value, overflow));
            j += get ? 2 : 3;
        }
        if (highestWrite >= 0 && readOnlyCommand) {
            throw new RedisException("ERR BITFIELD_RO only supports the GET subcommand");
        }
        byte[] value = entry.string();
        byte[] bytes = value == null ? new byte[0] : value;
        if (highestWrite >= 0) {
            int needed = (int) (highestWrite >>> 3) + 1;
            if (bytes.length < needed) {
                bytes = Arrays.copyOf(bytes, needed);
            } else {
                bytes = bytes.clone();
            }
        }
        List<Reply> replies = new ArrayList<>(ops.size());
        for (FieldOp op : ops) {
            long old = read(bytes, op.offset(), op.bits(), op.signed());
            if (op.op().equals("get")) {
                replies.add(Reply.integer(old));
                continue;
            }
            long[] result = op.op().equals("incrby")
                    ? add(old, op.value(), op.bits(), op.signed(), op.overflow())
                    : add(op.value(), 0, op.bits(), op.signed(), op.overflow());
            boolean overflowed = result[1] != 0;
            if (overflowed && op.overflow() == Overflow.FAIL) {
                replies.add(Reply.NULL);
                continue;
            }
            write(bytes, op.offset(), op.bits(), result[0]);
            replies.add(Reply.integer(op.op().equals("incrby") ? result[0] : old));
        }
        if (highestWrite >= 0) {
            if (value == null) {
                entry.setString(bytes, null);
            } else {
                entry.setString(bytes);
            }
        }
        return Reply.array(replies);
    }

    /** The field of {@code bits} bits at bit {@code offset} (beyond the end: zeros), two's complement if signed. */
    private static long read(byte[] bytes, long offset, int bits, boolean signed) {
        long value = 0;
        for (int i = 0; i < bits; i++) {
            long bit = offset + i;
            int b = bit >>> 3 < bytes.length ? (bytes[(int) (bit >>> 3)] >>> (7 - (int) (bit & 7))) & 1 : 0;
            value = (value << 1) | b;
        }
        if (signed && bits < 64 && (value & (1L << (bits - 1))) != 0) {
            value |= -1L << bits;
        }
        return value;
    }

    private static void write(byte[] bytes, long offset, int bits, long value) {
        for (int i = 0; i < bits; i++) {
            long bit = offset + i;
            int mask = 0x80 >>> (int) (bit & 7);
            boolean one = ((value >>> (bits - 1 - i)) & 1) != 0;
            int index = (int) (bit >>> 3);
            bytes[index] = (byte) (one ? bytes[index] | mask : bytes[index] & ~mask);
        }
    }

    /**
     * {@code value + increment} in a field of {@code bits} bits, with Redis's overflow rules (checkSignedBitfield-
     * and checkUnsignedBitfieldOverflow): {result, 0} or, on overflow, {the wrapped or saturated result, 1}.
     */
    private static long[] add(long value, long increment, int bits, boolean signed, Overflow overflow) {
        if (signed) {
            long max = bits == 64 ? Long.MAX_VALUE : (1L << (bits - 1)) - 1;
            long min = -max - 1;
            long maxIncrement = max - value;
            long minIncrement = min - value;
            boolean up = value > max || (bits != 64 && increment > maxIncrement)
                    || (value >= 0 && increment > 0 && increment > maxIncrement);
            boolean down = !up && (value < min || (bits != 64 && increment < minIncrement)
                    || (value < 0 && increment < 0 && increment < minIncrement));
            if (!up && !down) {
                return new long[] {value + increment, 0};
            }
            if (overflow == Overflow.SAT) {
                return new long[] {up ? max : min, 1};
            }
            long sum = value + increment;
            if (bits < 64) {
                long mask = -1L << bits;
                sum = (sum & (1L << (bits - 1))) != 0 ? sum | mask : sum & ~mask;
            }
            return new long[] {sum, 1};
        }
        long max = (1L << bits) - 1; // bits <= 63
        long maxIncrement = max - value;
        long minIncrement = -value;
        boolean up = Long.compareUnsigned(value, max) > 0 || increment > maxIncrement
                || (value >= 0 && increment > 0 && increment > maxIncrement);
        boolean down = !up && increment < 0 && increment < minIncrement;
        if (!up && !down) {
            return new long[] {value + increment, 0};
        }
        if (overflow == Overflow.SAT) {
            return new long[] {up ? max : 0, 1};
        }
        return new long[] {(value + increment) & max, 1};
    }

    // ---- BITOP ----

    private enum Op { AND, OR, XOR, NOT }

    /** The operation of BITOP's first argument, checked with the source count before any key is read. */
    private static Op op(byte[][] args) {
        Op op;
        try {
            op = Op.valueOf(new String(args[1], StandardCharsets.UTF_8).toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new RedisException((Reply.Error) Reply.SYNTAX_ERROR);
        }
        if (op == Op.NOT && args.length != 4) {
            throw new RedisException("ERR BITOP NOT must be called with a single source key.");
        }
        return op;
    }

    private static CompletableFuture<Reply> bitop(CommandCall call) {
        Op op;
        try {
            op = op(call.args());
        } catch (RedisException e) {
            return CommandCall.done(e.reply());
        }
        List<byte[]> keys = CommandCall.distinct(call.keys(2, 1));
        if (CommandCall.sameSlot(keys)) {
            return call.onSlot(keys, "bitop", call.args());
        }
        List<CompletableFuture<Reply>> sources = new ArrayList<>();
        for (int i = 3; i < call.argCount(); i++) {
            sources.add(call.onKey(call.arg(i), "get", new byte[][] {Arguments.utf8("get"), call.arg(i)}));
        }
        return Multi.all(sources).thenCompose(values -> {
            List<byte[]> strings = new ArrayList<>(values.size());
            for (Reply value : values) {
                if (value instanceof Reply.Error) {
                    return CommandCall.done(value);
                }
                strings.add(value instanceof Reply.Bulk b ? b.bytes() : new byte[0]);
            }
            byte[] result = combine(op, strings);
            if (result.length == 0) {
                return call.onKey(call.arg(2), "del", new byte[][] {Arguments.utf8("del"), call.arg(2)})
                        .thenApply(reply -> reply instanceof Reply.Error ? reply : Reply.ZERO);
            }
            return call.onKey(call.arg(2), "set", new byte[][] {Arguments.utf8("set"), call.arg(2), result})
                    .thenApply(reply -> reply instanceof Reply.Error ? reply : Reply.integer(result.length));
        });
    }

    /** BITOP on keys of one slot: reads every source, then writes (or deletes) the destination, in one step. */
    private static Reply bitopInSlot(List<KeyEntry> entries, byte[][] args) {
        Op op = op(args);
        Map<Bytes, KeyEntry> byKey = Multi.byKey(entries);
        List<byte[]> strings = new ArrayList<>(args.length - 3);
        for (int i = 3; i < args.length; i++) {
            byte[] value = Multi.entry(byKey, args[i]).string();
            strings.add(value == null ? new byte[0] : value);
        }
        byte[] result = combine(op, strings);
        KeyEntry destination = Multi.entry(byKey, args[2]);
        if (result.length == 0) {
            if (destination.exists()) {
                destination.remove();
            }
            return Reply.ZERO;
        }
        destination.setString(result, null);
        return Reply.integer(result.length);
    }

    /** The operation over the strings, each zero-padded to the longest. */
    private static byte[] combine(Op op, List<byte[]> strings) {
        int length = 0;
        for (byte[] s : strings) {
            length = Math.max(length, s.length);
        }
        byte[] result = new byte[length];
        for (int i = 0; i < length; i++) {
            int acc = byteAt(strings.get(0), i);
            for (int k = 1; k < strings.size(); k++) {
                int b = byteAt(strings.get(k), i);
                acc = switch (op) {
                    case AND -> acc & b;
                    case OR -> acc | b;
                    case XOR -> acc ^ b;
                    case NOT -> acc;
                };
            }
            result[i] = (byte) (op == Op.NOT ? ~acc : acc);
        }
        return result;
    }

    private static int byteAt(byte[] s, int i) {
        return i < s.length ? s[i] & 0xFF : 0;
    }

}
