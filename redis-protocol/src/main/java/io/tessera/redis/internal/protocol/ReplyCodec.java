package io.tessera.redis.internal.protocol;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The binary form of a {@link Reply} that an entry processor returns from a key's primary to the member serving
 * the client: a type byte, then a payload. Independent of the connection's protocol, which only the serving
 * member knows.
 */
public final class ReplyCodec {
    private static final byte SIMPLE = 1;
    private static final byte ERROR = 2;
    private static final byte INT = 3;
    private static final byte BULK = 4;
    private static final byte DOUBLE = 5;
    private static final byte NULL = 6;
    private static final byte NULL_ARRAY = 7;
    private static final byte BOOL = 8;
    private static final byte ARRAY = 9;
    private static final byte MAP = 10;
    private static final byte SET = 11;
    private static final byte PUSH = 12;
    private static final byte VERBATIM = 13;
    private static final byte PAIRS = 14;

    private ReplyCodec() {
    }

    /** Encodes {@code reply}. */
    public static byte[] encode(Reply reply) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(32);
        write(reply, out);
        return out.toByteArray();
    }

    /** Decodes what {@link #encode} wrote. */
    public static Reply decode(byte[] bytes) {
        return read(ByteBuffer.wrap(bytes));
    }

    private static void write(Reply reply, ByteArrayOutputStream out) {
        if (reply instanceof Reply.Bulk b) {
            out.write(BULK);
            bytes(out, b.bytes());
        } else if (reply instanceof Reply.Int i) {
            out.write(INT);
            longValue(out, i.value());
        } else if (reply instanceof Reply.Simple s) {
            out.write(SIMPLE);
            bytes(out, s.text().getBytes(StandardCharsets.UTF_8));
        } else if (reply instanceof Reply.Error e) {
            out.write(ERROR);
            bytes(out, e.text().getBytes(StandardCharsets.UTF_8));
        } else if (reply instanceof Reply.Double d) {
            out.write(DOUBLE);
            longValue(out, java.lang.Double.doubleToRawLongBits(d.value()));
        } else if (reply instanceof Reply.Null) {
            out.write(NULL);
        } else if (reply instanceof Reply.NullArray) {
            out.write(NULL_ARRAY);
        } else if (reply instanceof Reply.Bool b) {
            out.write(BOOL);
            out.write(b.value() ? 1 : 0);
        } else if (reply instanceof Reply.Array a) {
            items(out, ARRAY, a.items());
        } else if (reply instanceof Reply.MapReply m) {
            items(out, MAP, m.keysAndValues());
        } else if (reply instanceof Reply.SetReply s) {
            items(out, SET, s.items());
        } else if (reply instanceof Reply.Pairs p) {
            items(out, PAIRS, p.flat());
        } else if (reply instanceof Reply.Push p) {
            items(out, PUSH, p.items());
        } else if (reply instanceof Reply.Verbatim v) {
            out.write(VERBATIM);
            bytes(out, v.text().getBytes(StandardCharsets.UTF_8));
        } else {
            throw new IllegalArgumentException("unknown reply " + reply);
        }
    }

    private static void items(ByteArrayOutputStream out, byte type, List<Reply> items) {
        out.write(type);
        intValue(out, items.size());
        for (Reply item : items) {
            write(item, out);
        }
    }

    private static void bytes(ByteArrayOutputStream out, byte[] bytes) {
        intValue(out, bytes.length);
        out.write(bytes, 0, bytes.length);
    }

    private static void intValue(ByteArrayOutputStream out, int value) {
        out.write(value >>> 24);
        out.write(value >>> 16);
        out.write(value >>> 8);
        out.write(value);
    }

    private static void longValue(ByteArrayOutputStream out, long value) {
        intValue(out, (int) (value >>> 32));
        intValue(out, (int) value);
    }

    private static Reply read(ByteBuffer in) {
        byte type = in.get();
        switch (type) {
            case BULK:
                return new Reply.Bulk(bytes(in));
            case INT:
                return new Reply.Int(in.getLong());
            case SIMPLE:
                return new Reply.Simple(new String(bytes(in), StandardCharsets.UTF_8));
            case ERROR:
                return new Reply.Error(new String(bytes(in), StandardCharsets.UTF_8));
            case DOUBLE:
                return new Reply.Double(java.lang.Double.longBitsToDouble(in.getLong()));
            case NULL:
                return Reply.NULL;
            case NULL_ARRAY:
                return Reply.NULL_ARRAY;
            case BOOL:
                return new Reply.Bool(in.get() != 0);
            case ARRAY:
                return new Reply.Array(items(in));
            case MAP:
                return new Reply.MapReply(items(in));
            case SET:
                return new Reply.SetReply(items(in));
            case PAIRS:
                return new Reply.Pairs(items(in));
            case PUSH:
                return new Reply.Push(items(in));
            case VERBATIM:
                return new Reply.Verbatim(new String(bytes(in), StandardCharsets.UTF_8));
            default:
                throw new IllegalArgumentException("unknown reply type " + type);
        }
    }

    private static List<Reply> items(ByteBuffer in) {
        int n = in.getInt();
        List<Reply> items = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            items.add(read(in));
        }
        return List.copyOf(items);
    }

    private static byte[] bytes(ByteBuffer in) {
        byte[] bytes = new byte[in.getInt()];
        in.get(bytes);
        return bytes;
    }
}
