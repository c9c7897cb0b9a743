package io.tessera.redis.internal.command;

/**
 * Redis's glob matching ({@code stringmatchlen}) on bytes: {@code *} any run, {@code ?} one byte, {@code [abc]},
 * {@code [^a]}, {@code [a-z]} classes, and {@code \} escaping the next byte. Used by KEYS, SCAN MATCH, PSUBSCRIBE
 * and PUBSUB CHANNELS.
 */
public final class GlobPattern {
    private GlobPattern() {
    }

    /**
     * Whether {@code text} matches {@code pattern}. Every token but {@code *} matches exactly one byte, so one
     * backtracking point (the last star) suffices: linear in practice, never exponential, whatever the pattern.
     */
    public static boolean matches(byte[] pattern, byte[] text) {
        if (text.length == 0) {
            return pattern.length == 0; // Redis's matching loop never runs for an empty string: "*" misses ""
        }
        int pi = 0;
        int si = 0;
        int starPattern = -1;
        int starText = -1;
        while (si < text.length) {
            if (pi < pattern.length && pattern[pi] == '*') {
                starPattern = pi++;
                starText = si;
                continue;
            }
            int next = pi < pattern.length ? matchOne(pattern, pi, text[si]) : -1;
            if (next >= 0) {
                pi = next;
                si++;
            } else if (starPattern >= 0) {
                pi = starPattern + 1;
                si = ++starText;
            } else {
                return false;
            }
        }
        while (pi < pattern.length && pattern[pi] == '*') {
            pi++;
        }
        return pi == pattern.length;
    }

    /** If the token at {@code pi} matches byte {@code b}, the index after the token; otherwise -1. */
    private static int matchOne(byte[] p, int pi, byte b) {
        byte c = p[pi];
        if (c == '?') {
            return pi + 1;
        }
        if (c == '[') {
            int end = pi + 1;
            boolean negate = end < p.length && p[end] == '^';
            if (negate) {
                end++;
            }
            boolean found = false;
            while (true) {
                if (end >= p.length) {
                    end--; // unterminated: as Redis, the class runs to the pattern's end
                    break;
                }
                if (p[end] == '\\' && end + 1 < p.length) {
                    end++;
                    found |= p[end] == b;
                } else if (p[end] == ']') {
                    break;
                } else if (end + 2 < p.length && p[end + 1] == '-') {
                    int from = p[end] & 0xFF;
                    int to = p[end + 2] & 0xFF;
                    int ch = b & 0xFF;
                    found |= ch >= Math.min(from, to) && ch <= Math.max(from, to);
                    end += 2;
                } else {
                    found |= p[end] == b;
                }
                end++;
            }
            return found != negate ? end + 1 : -1;
        }
        if (c == '\\' && pi + 1 < p.length) {
            return p[pi + 1] == b ? pi + 2 : -1;
        }
        return c == b ? pi + 1 : -1;
    }
}
