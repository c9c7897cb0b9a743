package io.tessera.redis.internal.command;

import io.tessera.redis.internal.protocol.Reply;
import io.tessera.redis.internal.store.Bytes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;

/**
 * What HSCAN and SSCAN share: Redis's glob matching for {@code MATCH}, the parsing of the cursor and the options,
 * and the cursor itself.
 *
 * <p>A hash or set is one grid entry, so the scan of one runs wholly on the key's primary. Like Redis with its
 * compact encodings, an aggregate of at most {@link #SMALL} elements is returned at once with cursor 0. A larger one
 * is walked in the order of a fixed 63-bit hash of each element, and the cursor is the hash of the next element to
 * return: an element that is present for the whole scan is returned at least once whatever else is added or removed
 * meanwhile (Redis's guarantee), and elements whose hashes collide are always returned together.
 */
final class ScanSupport {
    /** The size up to which a scan returns everything at once (Redis's default {@code *-max-listpack-entries}). */
    static final int SMALL = 128;

    private static final Reply.Error INVALID_CURSOR = new Reply.Error("ERR invalid cursor");

    private ScanSupport() {
    }

    /** The options of a scan: {@code MATCH pattern}, {@code COUNT n}, {@code NOVALUES}. */
    record Options(byte[] pattern, long count, boolean noValues) {
        boolean matches(byte[] element) {
            return pattern == null || GlobPattern.matches(pattern, element);
        }
    }

    /** The cursor argument: an unsigned 64-bit decimal, else Redis's {@code ERR invalid cursor}. */
    static long parseCursor(byte[] arg) {
        for (byte b : arg) {
            if (b < '0' || b > '9') {
                throw new RedisException(INVALID_CURSOR);
            }
        }
        try {
            return Long.parseUnsignedLong(new String(arg, java.nio.charset.StandardCharsets.US_ASCII));
        } catch (NumberFormatException e) {
            throw new RedisException(INVALID_CURSOR);
        }
    }

    /** The options from {@code args[from]} on; {@code NOVALUES} only where {@code allowNoValues} (HSCAN). */
    static Options parseOptions(byte[][] args, int from, boolean allowNoValues) {
        byte[] pattern = null;
        long count = 10;
        boolean noValues = false;
        int i = from;
        while (i < args.length) {
            String option = new String(args[i], java.nio.charset.StandardCharsets.US_ASCII)
                    .toUpperCase(java.util.Locale.ROOT);
            boolean hasValue = i + 1 < args.length;
            if (option.equals("COUNT") && hasValue) {
                count = Arguments.parseLong(args[i + 1]);
                if (count < 1) {
                    throw RedisException.syntax();
                }
                i += 2;
            } else if (option.equals("MATCH") && hasValue) {
                byte[] p = args[i + 1];
                pattern = p.length == 1 && p[0] == '*' ? null : p;
                i += 2;
            } else if (option.equals("NOVALUES")) {
                if (!allowNoValues) {
                    throw new RedisException("ERR NOVALUES option can only be used in HSCAN");
                }
                noValues = true;
                i++;
            } else {
                throw RedisException.syntax();
            }
        }
        return new Options(pattern, count, noValues);
    }

    /** The reply to a scan of a missing key: cursor 0, no elements. */
    static Reply emptyScan() {
        return Reply.array(List.of(Reply.bulk("0"), Reply.EMPTY_ARRAY));
    }

    /**
     * One step of a scan over {@code elements} (hash fields or set members, in stored order) from {@code cursor}:
     * the reply {@code [next cursor, [element, value?, ...]]}. {@code valueOf} gives a field's value, or is
     * {@code null} for a set.
     */
    static Reply scan(List<Bytes> elements, Function<Bytes, byte[]> valueOf, long cursor, Options options) {
        List<Bytes> batch;
        long next = 0;
        if (elements.size() <= SMALL) {
            batch = elements;
        } else {
            List<Bytes> ordered = new ArrayList<>(elements.size());
            for (Bytes element : elements) {
                if (Long.compareUnsigned(position(element), cursor) >= 0) {
                    ordered.add(element);
                }
            }
            ordered.sort(Comparator.comparingLong(ScanSupport::position));
            int end = (int) Math.min(ordered.size(), options.count());
            while (end > 0 && end < ordered.size()
                    && position(ordered.get(end)) == position(ordered.get(end - 1))) {
                end++; // a collision group is never split, so the cursor stays exact
            }
            batch = ordered.subList(0, end);
            next = end < ordered.size() ? position(ordered.get(end)) : 0;
        }
        List<Reply> items = new ArrayList<>();
        for (Bytes element : batch) {
            if (options.matches(element.bytes())) {
                items.add(Reply.bulk(element.bytes()));
                if (valueOf != null && !options.noValues()) {
                    items.add(Reply.bulk(valueOf.apply(element)));
                }
            }
        }
        return Reply.array(List.of(Reply.bulk(Long.toUnsignedString(next)), Reply.array(items)));
    }

    /** A fixed position in 1..2^63-1 for an element (FNV-1a, then a finalizer that spreads the bits). */
    static long position(Bytes element) {
        long h = 0xcbf29ce484222325L;
        for (byte b : element.bytes()) {
            h = (h ^ (b & 0xff)) * 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        h &= Long.MAX_VALUE;
        return h == 0 ? 1 : h;
    }

}
