package io.tessera.redis.internal.command;

import io.tessera.redis.internal.protocol.Reply;
import io.tessera.redis.internal.protocol.RespReplyWriter;
import io.tessera.redis.internal.store.LexRange;
import io.tessera.redis.internal.store.ScoreRange;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The arguments of the sorted-set commands, parsed as Redis 7.0 parses them, with its error texts: scores as
 * {@code getDoubleFromObject} reads them (C's {@code strtod}: hex floats and {@code inf} accepted, NaN, overflow,
 * underflow to zero and surrounding spaces refused), score ranges as {@code zslParseRange} reads them ({@code (} for
 * an exclusive end, and a laxer {@code strtod}: leading spaces, overflow and the empty string pass) and lex ranges as
 * {@code zslParseLexRange}. Also the text of a score in a ZSCAN reply.
 */
final class SortedSetArguments {
    static final String NOT_A_FLOAT_RANGE = "ERR min or max is not a float";
    static final String NOT_A_LEX_RANGE = "ERR min or max not valid string range item";

    private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");
    private static final Pattern HEX =
            Pattern.compile("[+-]?0[xX]([0-9a-fA-F]+\\.?[0-9a-fA-F]*|\\.[0-9a-fA-F]+)([pP][+-]?\\d+)?");
    private static final Pattern INFINITY = Pattern.compile("[+-]?(?i:inf|infinity)");

    /** Redis's listpack keeps an integral score in this range as an integer (util.c {@code double2ll}). */
    private static final double LISTPACK_INTEGER_LIMIT = (double) (Long.MAX_VALUE / 2);

    private SortedSetArguments() {
    }

    /** An option word in upper case. */
    static String word(byte[] arg) {
        return new String(arg, StandardCharsets.ISO_8859_1).toUpperCase(Locale.ROOT);
    }

    /** A score or increment ({@code ERR value is not a valid float} otherwise). */
    static double score(byte[] arg) {
        return number(arg, (Reply.Error) Reply.NOT_FLOAT);
    }

    /** A double as {@code getDoubleFromObjectOrReply} reads it, with {@code error} for anything else. */
    static double number(byte[] arg, Reply.Error error) {
        double value = strtod(new String(arg, StandardCharsets.ISO_8859_1), true);
        if (Double.isNaN(value)) {
            throw new RedisException(error);
        }
        return value;
    }

    /** A score range from its two ends, e.g. {@code (1} and {@code +inf}. */
    static ScoreRange scoreRange(byte[] min, byte[] max) {
        boolean minExclusive = min.length > 0 && min[0] == '(';
        boolean maxExclusive = max.length > 0 && max[0] == '(';
        double low = rangeEnd(min, minExclusive);
        double high = rangeEnd(max, maxExclusive);
        if (Double.isNaN(low) || Double.isNaN(high)) {
            throw new RedisException(NOT_A_FLOAT_RANGE);
        }
        return new ScoreRange(low, minExclusive, high, maxExclusive);
    }

    /** A lex range from its two ends, each {@code [member}, {@code (member}, {@code -} or {@code +}. */
    static LexRange lexRange(byte[] min, byte[] max) {
        byte minKind = lexKind(min);
        byte maxKind = lexKind(max);
        return new LexRange(lexValue(min, minKind), minKind, lexValue(max, maxKind), maxKind);
    }

    /** A LIMIT offset or count, or the not-an-integer error. */
    static long integer(byte[] arg) {
        return Arguments.parseLong(arg);
    }

    /**
     * A score as ZSCAN shows it: from the compact encoding of a small set, an integral score within ±2^62 as an
     * integer and any other as {@code %.17g}; from a large set always {@code %.17g}.
     */
    static String scanText(double score, boolean compact) {
        if (compact && score == Math.rint(score) && Math.abs(score) <= LISTPACK_INTEGER_LIMIT) {
            return Long.toString((long) score);
        }
        return RespReplyWriter.formatScore(score);
    }

    private static double rangeEnd(byte[] arg, boolean exclusive) {
        String text = new String(arg, StandardCharsets.ISO_8859_1);
        if (exclusive) {
            text = text.substring(1);
        }
        int nul = text.indexOf('\0');
        if (nul >= 0) {
            text = text.substring(0, nul); // C stops reading at the NUL byte
        }
        if (text.isEmpty()) {
            return 0; // strtod converts nothing and stops at the end: Redis takes it as 0
        }
        int start = 0;
        while (start < text.length() && isCSpace(text.charAt(start))) {
            start++;
        }
        return strtod(text.substring(start), false);
    }

    private static boolean isCSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r';
    }

    /**
     * The value of {@code text} if C's {@code strtod} reads all of it as a number, else NaN. With {@code strict} (a
     * score), a finite number that overflows to infinity or underflows to zero is refused, as Redis refuses ERANGE.
     */
    private static double strtod(String text, boolean strict) {
        if (plainDecimal(text)) {
            return Double.parseDouble(text); // the common form, without the patterns' cost
        }
        if (INFINITY.matcher(text).matches()) {
            return text.charAt(0) == '-' ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        boolean hex = HEX.matcher(text).matches();
        if (!hex && !DECIMAL.matcher(text).matches()) {
            return Double.NaN;
        }
        String mantissa = text;
        if (hex) {
            int p = Math.max(text.indexOf('p'), text.indexOf('P'));
            if (p < 0) {
                text = text + "p0"; // Java insists on the binary exponent that C leaves optional
            } else {
                mantissa = text.substring(0, p);
            }
            mantissa = mantissa.substring(Math.max(mantissa.indexOf('x'), mantissa.indexOf('X')) + 1);
        } else {
            int e = Math.max(text.indexOf('e'), text.indexOf('E'));
            if (e >= 0) {
                mantissa = text.substring(0, e);
            }
        }
        double value = Double.parseDouble(text);
        if (strict && (Double.isInfinite(value) || (value == 0 && hasNonZeroDigit(mantissa)))) {
            return Double.NaN;
        }
        return value;
    }

    /** Digits with at most one point and an optional sign, short enough that no exponent can overflow: 12, -0.5. */
    private static boolean plainDecimal(String text) {
        int n = text.length();
        if (n == 0 || n > 18) {
            return false;
        }
        int i = text.charAt(0) == '-' || text.charAt(0) == '+' ? 1 : 0;
        boolean digit = false;
        boolean point = false;
        for (; i < n; i++) {
            char c = text.charAt(i);
            if (c >= '0' && c <= '9') {
                digit = true;
            } else if (c == '.' && !point) {
                point = true;
            } else {
                return false;
            }
        }
        return digit;
    }

    private static boolean hasNonZeroDigit(String digits) {
        for (int i = 0; i < digits.length(); i++) {
            char c = digits.charAt(i);
            if (Character.digit(c, 16) > 0) {
                return true;
            }
        }
        return false;
    }

    private static byte lexKind(byte[] arg) {
        if (arg.length == 0) {
            throw new RedisException(NOT_A_LEX_RANGE);
        }
        byte kind = arg[0];
        if ((kind == '+' || kind == '-') && arg.length == 1 || kind == '(' || kind == '[') {
            return kind;
        }
        throw new RedisException(NOT_A_LEX_RANGE);
    }

    private static byte[] lexValue(byte[] arg, byte kind) {
        return kind == '(' || kind == '[' ? java.util.Arrays.copyOfRange(arg, 1, arg.length) : null;
    }
}
