package io.tessera.redis.internal.command;

import io.tessera.redis.internal.store.Bytes;
import io.tessera.redis.internal.store.ElementView;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/** The count argument and the sampling of HRANDFIELD and SRANDMEMBER, with Redis's rules. */
final class RandomSupport {
    private RandomSupport() {
    }

    /** A count in -LONG_MAX..LONG_MAX, with Redis's errors for a non-integer or {@code LONG_MIN}. */
    static long parseCount(byte[] arg) {
        long count = Arguments.parseLong(arg);
        if (count == Long.MIN_VALUE) {
            throw new RedisException("ERR value is out of range, value must between " + -Long.MAX_VALUE + " and "
                    + Long.MAX_VALUE);
        }
        return count;
    }

    /**
     * {@code count} elements of {@code elements} (not empty): for a positive count distinct elements (all of them, in
     * stored order, when the count reaches the size), for a negative count {@code -count} independent picks that may
     * repeat. Costs O(|count|) expected, not a copy of the aggregate, unless the count is a third of it or more.
     */
    static List<Bytes> sample(ElementView elements, long count) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int size = elements.size();
        if (count >= size) {
            return new ArrayList<>(elements);
        }
        if (count > 0) {
            int n = (int) count;
            if (n * 3L > size) {
                // drawing would repeat itself often: a partial shuffle of a copy costs O(size), which is O(count)
                List<Bytes> all = new ArrayList<>(elements);
                for (int i = 0; i < n; i++) {
                    Collections.swap(all, i, i + random.nextInt(size - i));
                }
                return all.subList(0, n);
            }
            LinkedHashSet<Bytes> drawn = new LinkedHashSet<>(n * 2);
            while (drawn.size() < n) {
                drawn.add(elements.random(random));
            }
            return new ArrayList<>(drawn);
        }
        long picks = -count;
        if (picks > Integer.MAX_VALUE - 8) {
            throw new RedisException("ERR value is out of range");
        }
        List<Bytes> picked = new ArrayList<>((int) Math.min(picks, 1 << 16));
        for (long i = 0; i < picks; i++) {
            picked.add(elements.random(random));
        }
        return picked;
    }
}
