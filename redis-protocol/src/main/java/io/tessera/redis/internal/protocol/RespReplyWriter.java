package io.tessera.redis.internal.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Writes {@link Reply}s as RESP2 or RESP3 into a Netty buffer. Integers and lengths are written as ASCII digits
 * straight into the buffer, without an intermediate {@code String}.
 */
public final class RespReplyWriter {
    private static final byte[] CRLF = {'\r', '\n'};

    private RespReplyWriter() {
    }

    /** Writes {@code reply} for a connection speaking {@code protocol} (2 or 3). */
    public static void write(Reply reply, int protocol, ByteBuf out) {
        boolean resp3 = protocol >= 3;
        if (reply instanceof Reply.Bulk b) {
            bulk(out, b.bytes());
        } else if (reply instanceof Reply.Int i) {
            number(out, ':', i.value());
        } else if (reply instanceof Reply.Simple s) {
            line(out, '+', s.text());
        } else if (reply instanceof Reply.Error e) {
            line(out, '-', e.text());
        } else if (reply instanceof Reply.Array a) {
            aggregate(out, '*', a.items(), protocol);
        } else if (reply instanceof Reply.Null) {
            out.writeBytes(resp3 ? NULL3 : NULL_BULK);
        } else if (reply instanceof Reply.NullArray) {
            out.writeBytes(resp3 ? NULL3 : NULL_ARRAY);
        } else if (reply instanceof Reply.Double d) {
            String text = formatScore(d.value());
            if (resp3) {
                line(out, ',', text);
            } else {
                bulk(out, text.getBytes(StandardCharsets.US_ASCII));
            }
        } else if (reply instanceof Reply.Bool b) {
            if (resp3) {
                out.writeBytes(b.value() ? TRUE3 : FALSE3);
            } else {
                number(out, ':', b.value() ? 1 : 0);
            }
        } else if (reply instanceof Reply.MapReply m) {
            if (resp3) {
                number(out, '%', m.keysAndValues().size() / 2);
                for (Reply item : m.keysAndValues()) {
                    write(item, protocol, out);
                }
            } else {
                aggregate(out, '*', m.keysAndValues(), protocol);
            }
        } else if (reply instanceof Reply.Pairs p) {
            if (resp3) {
                List<Reply> flat = p.flat();
                number(out, '*', flat.size() / 2);
                for (int i = 0; i + 1 < flat.size(); i += 2) {
                    number(out, '*', 2);
                    write(flat.get(i), protocol, out);
                    write(flat.get(i + 1), protocol, out);
                }
            } else {
                aggregate(out, '*', p.flat(), protocol);
            }
        } else if (reply instanceof Reply.SetReply s) {
            aggregate(out, resp3 ? '~' : '*', s.items(), protocol);
        } else if (reply instanceof Reply.Push p) {
            aggregate(out, resp3 ? '>' : '*', p.items(), protocol);
        } else if (reply instanceof Reply.Verbatim v) {
            byte[] text = v.text().getBytes(StandardCharsets.UTF_8);
            if (resp3) {
                number(out, '=', text.length + 4);
                out.writeBytes(TXT);
                out.writeBytes(text);
                out.writeBytes(CRLF);
            } else {
                bulk(out, text);
            }
        } else if (reply instanceof Reply.Sequence sequence) {
            for (Reply item : sequence.replies()) {
                write(item, protocol, out);
            }
        } else {
            throw new IllegalArgumentException("unknown reply " + reply);
        }
    }

    /** Redis's formatting of a double reply: {@code inf}, {@code -inf}, {@code nan}, or the shortest exact form. */
    public static String formatDouble(double value) {
        if (java.lang.Double.isInfinite(value)) {
            return value > 0 ? "inf" : "-inf";
        }
        if (java.lang.Double.isNaN(value)) {
            return "nan";
        }
        if (value == Math.rint(value) && Math.abs(value) < 1e17) {
            return Long.toString((long) value);
        }
        return new java.math.BigDecimal(java.lang.Double.toString(value)).stripTrailingZeros().toPlainString();
    }

    /**
     * Redis 7.0's text of a double reply ({@code addReplyDouble}): {@code inf}, {@code -inf}, or C's {@code %.17g}
     * (17 significant digits, trailing zeros dropped, an exponent of at least two digits outside 1e-4..1e17), so
     * 1.1 is {@code 1.1000000000000001} and 1e20 {@code 1e+20}.
     */
    public static String formatScore(double value) {
        if (java.lang.Double.isInfinite(value)) {
            return value > 0 ? "inf" : "-inf";
        }
        if (java.lang.Double.isNaN(value)) {
            return "nan";
        }
        if (value == 0) {
            return 1 / value < 0 ? "-0" : "0";
        }
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            return Long.toString((long) value); // exact, and %.17g prints such integers in full
        }
        BigDecimal rounded = new BigDecimal(value).round(SEVENTEEN_DIGITS);
        int exponent = rounded.precision() - rounded.scale() - 1;
        if (exponent >= -4 && exponent < 17) {
            return rounded.stripTrailingZeros().toPlainString();
        }
        String digits = rounded.unscaledValue().abs().toString();
        int end = digits.length();
        while (end > 1 && digits.charAt(end - 1) == '0') {
            end--;
        }
        StringBuilder text = new StringBuilder(24);
        if (value < 0) {
            text.append('-');
        }
        text.append(digits.charAt(0));
        if (end > 1) {
            text.append('.').append(digits, 1, end);
        }
        int magnitude = Math.abs(exponent);
        text.append('e').append(exponent < 0 ? '-' : '+').append(magnitude < 10 ? "0" : "").append(magnitude);
        return text.toString();
    }

    private static final MathContext SEVENTEEN_DIGITS = new MathContext(17, RoundingMode.HALF_EVEN);

    private static void aggregate(ByteBuf out, char type, List<Reply> items, int protocol) {
        number(out, type, items.size());
        for (Reply item : items) {
            write(item, protocol, out);
        }
    }

    private static void bulk(ByteBuf out, byte[] bytes) {
        number(out, '$', bytes.length);
        out.writeBytes(bytes);
        out.writeBytes(CRLF);
    }

    private static void line(ByteBuf out, char type, String text) {
        out.writeByte(type);
        ByteBufUtil.writeUtf8(out, text);
        out.writeBytes(CRLF);
    }

    private static void number(ByteBuf out, char type, long value) {
        out.writeByte(type);
        if (value >= 0 && value < 10) {
            out.writeByte('0' + (int) value);
        } else {
            ByteBufUtil.writeAscii(out, Long.toString(value));
        }
        out.writeBytes(CRLF);
    }

    private static final byte[] NULL_BULK = "$-1\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NULL_ARRAY = "*-1\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NULL3 = "_\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TRUE3 = "#t\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] FALSE3 = "#f\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TXT = "txt:".getBytes(StandardCharsets.US_ASCII);
}
