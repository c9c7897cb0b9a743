package io.tessera.redis.internal.command;

import java.nio.charset.StandardCharsets;

/** Parsing of numeric arguments with Redis's rules and error texts. */
public final class Arguments {
    private Arguments() {
    }

    /** {@code text} in UTF-8: command names and internal operation names as arguments. */
    public static byte[] utf8(String text) {
        return text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /**
     * A signed 64-bit decimal integer as Redis's {@code string2ll} accepts it: no spaces, no plus sign, no leading
     * zeros; otherwise {@code ERR value is not an integer or out of range}.
     */
    public static long parseLong(byte[] bytes) {
        Long value = tryParseLong(bytes);
        if (value == null) {
            throw RedisException.notInteger();
        }
        return value;
    }

    /** As {@link #parseLong}, or {@code null} if {@code bytes} is not such an integer. */
    public static Long tryParseLong(byte[] bytes) {
        int n = bytes.length;
        if (n == 0 || n > 20) {
            return null;
        }
        if (n == 1 && bytes[0] == '0') {
            return 0L;
        }
        int i = 0;
        boolean negative = false;
        if (bytes[0] == '-') {
            negative = true;
            i = 1;
            if (n == 1) {
                return null;
            }
        }
        if (bytes[i] < '1' || bytes[i] > '9') {
            return null;
        }
        long value = 0;
        for (; i < n; i++) {
            int d = bytes[i] - '0';
            if (d < 0 || d > 9) {
                return null;
            }
            // accumulate negatively so that Long.MIN_VALUE parses
            if (value < (Long.MIN_VALUE + d) / 10) {
                return null;
            }
            value = value * 10 - d;
        }
        if (!negative) {
            if (value == Long.MIN_VALUE) {
                return null;
            }
            value = -value;
        }
        return value;
    }

    /**
     * A double as Redis's {@code string2ld}/{@code strtold} accepts it (including {@code inf}, {@code -inf}), or
     * {@code ERR value is not a valid float}; NaN is refused.
     */
    public static double parseDouble(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.US_ASCII);
        if (text.isEmpty() || Character.isWhitespace(text.charAt(0))
                || Character.isWhitespace(text.charAt(text.length() - 1))) {
            throw RedisException.notFloat();
        }
        double value;
        switch (text.toLowerCase(java.util.Locale.ROOT)) {
            case "inf", "+inf", "infinity", "+infinity" -> value = Double.POSITIVE_INFINITY;
            case "-inf", "-infinity" -> value = Double.NEGATIVE_INFINITY;
            default -> {
                try {
                    value = Double.parseDouble(text);
                } catch (NumberFormatException e) {
                    throw RedisException.notFloat();
                }
                // Java accepts suffixes like 1.5d or 1.5f and hex floats that strtold does not
                char last = text.charAt(text.length() - 1);
                if (Character.isLetter(last) || text.contains("x") || text.contains("X")) {
                    throw RedisException.notFloat();
                }
            }
        }
        if (Double.isNaN(value)) {
            throw RedisException.notFloat();
        }
        return value;
    }
}
