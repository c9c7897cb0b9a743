package io.tessera.redis.internal.command;

import java.nio.charset.StandardCharsets;

/**
 * A Redis glob pattern, matched exactly as Redis's {@code stringmatchlen} does for {@code KEYS}, {@code SCAN MATCH}
 * and {@code PSUBSCRIBE}: {@code *} any run of bytes, {@code ?} one byte, {@code [abc]} one of a set,
 * {@code [^abc]} none of a set, {@code [a-z]} a range (reversed ranges such as {@code [z-a]} work too), and a
 * backslash makes the next byte literal, inside brackets as well. Bytes compare as signed values, as Redis's
 * {@code char} does on the platforms it runs on, which matters only for ranges over bytes above 0x7F. An unclosed
 * {@code [} takes the rest of the pattern as its set. Immutable and thread-safe.
 */
public final class GlobPattern {
    /** Redis gives up (no match) beyond this depth of nested {@code *}, which bounds the recursion. */
    private static final int MAX_NESTING = 1000;

    private final byte[] pattern;
    private final boolean nocase;
    private final boolean matchesAll;

    private GlobPattern(byte[] pattern, boolean nocase) {
        this.pattern = pattern.clone();
        this.nocase = nocase;
        boolean all = pattern.length > 0;
        for (byte b : pattern) {
            all &= b == '*';
        }
        this.matchesAll = all;
    }

    /** The pattern {@code pattern}, case-sensitive. */
    public static GlobPattern compile(byte[] pattern) {
        return new GlobPattern(pattern, false);
    }

    /** The pattern {@code pattern} (UTF-8), case-sensitive. */
    public static GlobPattern compile(String pattern) {
        return compile(pattern.getBytes(StandardCharsets.UTF_8));
    }

    /** The pattern {@code pattern}, ignoring ASCII case ({@code CONFIG GET}'s way). */
    public static GlobPattern compileIgnoringCase(byte[] pattern) {
        return new GlobPattern(pattern, true);
    }

    /** Whether the pattern matches every string (it is made only of {@code *}). */
    public boolean matchesAll() {
        return matchesAll;
    }

    /**
     * Whether {@code string} matches the whole pattern, exactly as {@code stringmatchlen}: even {@code *} misses the
     * empty string. KEYS and SCAN skip matching when {@link #matchesAll()}, as Redis does, so they list it.
     */
    public boolean matches(byte[] string) {
        return match(0, 0, string, new boolean[1], 0);
    }

    /** Whether {@code string} matches {@code pattern}, case-sensitive. */
    public static boolean matches(byte[] pattern, byte[] string) {
        return compile(pattern).matches(string);
    }

    private byte at(int i) {
        return i < pattern.length ? pattern[i] : 0; // Redis reads the terminating NUL of its sds strings
    }

    private int fold(int c) {
        return nocase && c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
    }

    /**
     * Matches {@code pattern[p..]} against {@code string[s..]}. {@code skipLonger} is set once a {@code *} has
     * tried every suffix and failed: then no longer prefix for an outer {@code *} can succeed either, which keeps
     * patterns like {@code a*a*a*a*b} linear instead of exponential.
     */
    private boolean match(int p, int s, byte[] string, boolean[] skipLonger, int nesting) {
        if (nesting > MAX_NESTING) {
            return false;
        }
        int patternLen = pattern.length - p;
        int stringLen = string.length - s;
        while (patternLen > 0 && stringLen > 0) {
            switch (pattern[p]) {
                case '*' -> {
                    while (patternLen > 1 && pattern[p + 1] == '*') {
                        p++;
                        patternLen--;
                    }
                    if (patternLen == 1) {
                        return true;
                    }
                    while (stringLen > 0) {
                        if (match(p + 1, s, string, skipLonger, nesting + 1)) {
                            return true;
                        }
                        if (skipLonger[0]) {
                            return false;
                        }
                        s++;
                        stringLen--;
                    }
                    skipLonger[0] = true;
                    return false;
                }
                case '?' -> {
                    s++;
                    stringLen--;
                }
                case '[' -> {
                    p++;
                    patternLen--;
                    boolean not = at(p) == '^';
                    if (not) {
                        p++;
                        patternLen--;
                    }
                    boolean match = false;
                    int c = string[s];
                    while (true) {
                        if (at(p) == '\\' && patternLen >= 2) {
                            p++;
                            patternLen--;
                            if (pattern[p] == c) { // Redis compares escaped bytes exactly, even ignoring case
                                match = true;
                            }
                        } else if (at(p) == ']') {
                            break;
                        } else if (patternLen <= 0) {
                            // unclosed bracket: step back so that the common advance below ends the pattern
                            p--;
                            patternLen++;
                            break;
                        } else if (patternLen >= 3 && pattern[p + 1] == '-') {
                            int start = pattern[p];
                            int end = pattern[p + 2];
                            if (start > end) {
                                int t = start;
                                start = end;
                                end = t;
                            }
                            start = fold(start); // after the swap, as Redis does
                            end = fold(end);
                            p += 2;
                            patternLen -= 2;
                            int folded = fold(c);
                            if (folded >= start && folded <= end) {
                                match = true;
                            }
                        } else if (fold(pattern[p]) == fold(c)) {
                            match = true;
                        }
                        p++;
                        patternLen--;
                    }
                    if (not) {
                        match = !match;
                    }
                    if (!match) {
                        return false;
                    }
                    s++;
                    stringLen--;
                }
                default -> {
                    if (pattern[p] == '\\' && patternLen >= 2) {
                        p++;
                        patternLen--;
                    }
                    if (fold(pattern[p]) != fold(string[s])) {
                        return false;
                    }
                    s++;
                    stringLen--;
                }
            }
            p++;
            patternLen--;
            if (stringLen == 0) {
                while (patternLen > 0 && pattern[p] == '*') {
                    p++;
                    patternLen--;
                }
                break;
            }
        }
        return patternLen == 0 && stringLen == 0;
    }

    @Override
    public String toString() {
        return new String(pattern, StandardCharsets.UTF_8);
    }
}
