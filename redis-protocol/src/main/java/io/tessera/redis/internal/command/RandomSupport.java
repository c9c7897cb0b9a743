package io.tessera.redis.internal.command;

import java.util.ArrayList;
import java.util.Collections;
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
     * repeat.
     */
    static <T> List<T> sample(List<T> elements, long count) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        if (count >= elements.size()) {
            return elements;
        }
        if (count > 0) {
            List<T> shuffled = new ArrayList<>(elements);
            Collections.shuffle(shuffled, random);
            return shuffled.subList(0, (int) count);
        }
        long picks = -count;
        if (picks > Integer.MAX_VALUE - 8) {
            throw new RedisException("ERR value is out of range");
        }
        List<T> picked = new ArrayList<>((int) Math.min(picks, 1 << 16));
        for (long i = 0; i < picks; i++) {
            picked.add(elements.get(random.nextInt(elements.size())));
        }
        return picked;
    }
}
