package io.tessera.redis.internal.command;

import io.tessera.redis.internal.protocol.Reply;
import io.tessera.redis.internal.store.Bytes;
import java.util.ArrayList;
import java.util.Collection;
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
     * {@code null} for a set. A step of a large aggregate finds the {@code COUNT} smallest positions from the
     * cursor with a bounded heap, so it copies only what it returns.
     */
    static Reply scan(Collection<Bytes> elements, Function<Bytes, byte[]> valueOf, long cursor, Options options) {
        List<Bytes> batch;
        long next = 0;
        if (elements.size() <= SMALL) {
            batch = new ArrayList<>(elements);
        } else {
            long last = countthSmallestFrom(elements, cursor, (int) Math.min(options.count(), elements.size()));
            batch = new ArrayList<>();
            for (Bytes element : elements) {
                long p = position(element);
                if (Long.compareUnsigned(p, cursor) >= 0) {
                    if (p <= last) {
                        batch.add(element); // a whole collision group at the bound, so the cursor stays exact
                    } else if (next == 0 || p < next) {
                        next = p;
                    }
                }
            }
            batch.sort(Comparator.comparingLong(ScanSupport::position));
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

    /**
     * The {@code count}-th smallest position at or after {@code cursor} among the elements (the largest if there are
     * fewer), or 0 if none is: a max-heap of the smallest {@code count} seen so far.
     */
    private static long countthSmallestFrom(Collection<Bytes> elements, long cursor, int count) {
        long[] heap = new long[count];
        int n = 0;
        for (Bytes element : elements) {
            long p = position(element);
            if (Long.compareUnsigned(p, cursor) < 0) {
                continue;
            }
            if (n < count) {
                int i = n++;
                while (i > 0 && heap[(i - 1) / 2] < p) {
                    heap[i] = heap[(i - 1) / 2];
                    i = (i - 1) / 2;
                }
                heap[i] = p;
            } else if (p < heap[0]) {
                int i = 0;
                while (true) {
                    int child = 2 * i + 1;
                    if (child >= n) {
                        break;
                    }
                    if (child + 1 < n && heap[child + 1] > heap[child]) {
                        child++;
                    }
                    if (heap[child] <= p) {
                        break;
                    }
                    heap[i] = heap[child];
                    i = child;
                }
                heap[i] = p;
            }
        }
        return n == 0 ? 0 : heap[0];
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
