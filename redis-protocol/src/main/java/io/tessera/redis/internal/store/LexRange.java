package io.tessera.redis.internal.store;

import java.util.Arrays;

/**
 * A range of members as ZRANGEBYLEX and its kin take it, each end written {@code [member} (inclusive),
 * {@code (member} (exclusive), {@code -} (before every member) or {@code +} (after every member). Members compare as
 * unsigned bytes. The order is only meaningful when every member has the same score, as Redis documents; for members
 * of different scores, Tessera answers as Redis does for a small set (a walk from the lowest score for the first
 * member at or past the lower end), whatever the set's size.
 *
 * @param min the lower end's member ({@code null} for {@code -} or {@code +})
 * @param minKind how the lower end is written: {@code '['}, {@code '('}, {@code '-'} or {@code '+'}
 * @param max the upper end's member ({@code null} for {@code -} or {@code +})
 * @param maxKind how the upper end is written
 */
public record LexRange(byte[] min, byte minKind, byte[] max, byte maxKind) {
    /** Whether {@code member} is at or past the lower end. */
    public boolean aboveMin(byte[] member) {
        int c = compare(member, min, minKind);
        return minKind == '(' || minKind == '-' || minKind == '+' ? c > 0 : c >= 0;
    }

    /** Whether {@code member} is at or before the upper end. */
    public boolean belowMax(byte[] member) {
        int c = compare(member, max, maxKind);
        return maxKind == '(' || maxKind == '-' || maxKind == '+' ? c < 0 : c <= 0;
    }

    /** Whether no member can be in the range (Redis's test before it looks at the set). */
    public boolean empty() {
        int c;
        if (minKind == maxKind && (minKind == '-' || minKind == '+')) {
            c = 0;
        } else if (minKind == '-' || maxKind == '+') {
            c = -1;
        } else if (minKind == '+' || maxKind == '-') {
            c = 1;
        } else {
            c = Arrays.compareUnsigned(min, max);
        }
        return c > 0 || c == 0 && (minKind != '[' || maxKind != '[');
    }

    /** Compares a member with a bound: {@code -} is below every member and {@code +} above, as Redis's sdscmplex. */
    private static int compare(byte[] member, byte[] bound, byte kind) {
        if (kind == '-') {
            return 1;
        }
        if (kind == '+') {
            return -1;
        }
        return Arrays.compareUnsigned(member, bound);
    }
}
