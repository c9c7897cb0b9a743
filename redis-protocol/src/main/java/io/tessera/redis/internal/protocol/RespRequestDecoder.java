package io.tessera.redis.internal.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes client requests into {@link RespCommand}s, the way Redis's {@code processInputBuffer}
 * does: a request starting with {@code *} is a RESP multibulk ({@code *N\r\n$len\r\n...\r\n}),
 * anything else is an inline command split like {@code sdssplitargs} (blank-separated, with double
 * and single quotes). Requests with no arguments ({@code *0}, {@code *-1}, empty inline lines) are
 * skipped, as in Redis.
 *
 * <p>An explicit state machine: each call consumes what it can and returns as soon as input runs
 * short, remembering where it stopped, so a request arriving in fragments is never re-parsed from
 * its start. Header lines are consumed as soon as they are complete; a bulk argument is copied once,
 * when all of its bytes (and the trailing CRLF) have arrived. Limits are checked before anything is
 * allocated: a declared bulk length above the limit is refused without reserving memory for it, and
 * the argument array grows with the arguments actually received rather than with the declared count.
 *
 * <p>On malformed input the decoder emits one {@link RespProtocolError} with Redis's exact reply
 * text, then discards all further input: the server replies with the error and closes the
 * connection. The texts and checks follow {@code processInlineBuffer} and {@code
 * processMultibulkBuffer} in redis/redis {@code src/networking.c}.
 *
 * <p>Deviation, for determinism: Redis refuses a line without terminator only once more than
 * {@code PROTO_INLINE_MAX_SIZE} bytes are buffered, so whether a longer line passes depends on how
 * the bytes were split into reads. This decoder looks for the terminator only within the first
 * {@code PROTO_INLINE_MAX_SIZE + 1} bytes, so a longer line is always refused.
 *
 * <p>Not sharable: one instance per channel, owned by that channel's event loop.
 */
public final class RespRequestDecoder extends ByteToMessageDecoder {
    private static final Logger log = LoggerFactory.getLogger(RespRequestDecoder.class);

    /** Redis's default {@code proto-max-bulk-len}: 512 MB. */
    public static final int DEFAULT_MAX_BULK_LENGTH = 512 * 1024 * 1024;

    /** Redis's default {@code client-query-buffer-limit}: 1 GB. */
    public static final long DEFAULT_QUERY_BUFFER_LIMIT = 1024L * 1024 * 1024;

    /** {@code PROTO_INLINE_MAX_SIZE} in redis/redis {@code src/server.h}: 64 KB. */
    static final int PROTO_INLINE_MAX_SIZE = 64 * 1024;

    /** Largest multibulk count accepted ({@code ll > 1024*1024} in {@code processMultibulkBuffer}). */
    static final long MAX_MULTIBULK_LENGTH = 1024 * 1024;

    /** Largest byte array the JVM reliably allocates. */
    private static final int MAX_ARRAY_LENGTH = Integer.MAX_VALUE - 8;

    // Reply texts from redis/redis src/networking.c. Redis's addReplyError prefixes "ERR ".
    /** {@code processInlineBuffer}: no newline within {@code PROTO_INLINE_MAX_SIZE} bytes. */
    static final String ERR_TOO_BIG_INLINE = "ERR Protocol error: too big inline request";

    /** {@code processInlineBuffer}: {@code sdssplitargs} returned {@code NULL}. */
    static final String ERR_UNBALANCED_QUOTES = "ERR Protocol error: unbalanced quotes in request";

    /** {@code processMultibulkBuffer}: no {@code \r} after {@code *} within the inline limit. */
    static final String ERR_TOO_BIG_MBULK_COUNT = "ERR Protocol error: too big mbulk count string";

    /** {@code processMultibulkBuffer}: count not a number, or above {@code 1024*1024}. */
    static final String ERR_INVALID_MULTIBULK_LENGTH = "ERR Protocol error: invalid multibulk length";

    /** {@code processMultibulkBuffer}: no {@code \r} after {@code $} within the inline limit. */
    static final String ERR_TOO_BIG_BULK_COUNT = "ERR Protocol error: too big bulk count string";

    /** {@code processMultibulkBuffer}: length not a number, negative, or above the bulk limit. */
    static final String ERR_INVALID_BULK_LENGTH = "ERR Protocol error: invalid bulk length";

    /**
     * {@code processMultibulkBuffer}: {@code "Protocol error: expected '$', got '%c'"}, with CR and LF
     * turned into spaces as {@code addReplyErrorFormat} does.
     */
    static String expectedDollar(byte got) {
        char c = (got == '\r' || got == '\n') ? ' ' : (char) (got & 0xFF);
        return "ERR Protocol error: expected '$', got '" + c + "'";
    }

    private enum State {
        /** Between requests: the first byte picks multibulk or inline. */
        START,
        /** Reading an inline line up to {@code \n}. */
        INLINE,
        /** Reading the {@code *N\r\n} line. */
        MULTIBULK_COUNT,
        /** Reading a {@code $len\r\n} line. */
        BULK_LENGTH,
        /** Waiting for {@code len} bytes plus CRLF. */
        BULK_DATA,
        /** After a protocol error: everything is dropped. */
        DISCARD
    }

    private final int maxBulkLength;
    private final long queryBufferLimit;
    /** Bytes of the current multibulk's arguments already copied out of the buffer. */
    private long requestBytes;

    private State state = State.START;
    /** Bytes after the reader index already searched for the current line's terminator. */
    private int scanned;
    /** Arguments of the multibulk being read; grows as they arrive. */
    private byte[][] args;
    private int argCount;
    /** Arguments still expected in the current multibulk. */
    private int remaining;
    /** Declared length of the bulk being read. */
    private int bulkLength;
    /** Set by {@link #parseLong}: whether the last parse succeeded. */
    private boolean parsed;

    /** Creates a decoder with Redis's default {@code proto-max-bulk-len} of 512 MB. */
    public RespRequestDecoder() {
        this(DEFAULT_MAX_BULK_LENGTH, DEFAULT_QUERY_BUFFER_LIMIT);
    }

    /**
     * Creates a decoder with the given {@code proto-max-bulk-len}.
     *
     * @param maxBulkLength the largest bulk argument accepted, in bytes
     */
    public RespRequestDecoder(long maxBulkLength) {
        this(maxBulkLength, DEFAULT_QUERY_BUFFER_LIMIT);
    }

    /**
     * Creates a decoder with the given {@code proto-max-bulk-len} and {@code client-query-buffer-limit}: a client
     * whose unfinished request (arguments read so far plus unparsed input) grows beyond the latter is disconnected
     * without a reply, as Redis does.
     */
    public RespRequestDecoder(long maxBulkLength, long queryBufferLimit) {
        if (maxBulkLength < 1 || maxBulkLength > MAX_ARRAY_LENGTH - 2) {
            throw new IllegalArgumentException(
                    "maxBulkLength: expected 1.." + (MAX_ARRAY_LENGTH - 2) + ", got " + maxBulkLength);
        }
        if (queryBufferLimit < 1) {
            throw new IllegalArgumentException("queryBufferLimit: expected at least 1, got " + queryBufferLimit);
        }
        this.maxBulkLength = (int) maxBulkLength;
        this.queryBufferLimit = queryBufferLimit;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (state != State.DISCARD && requestBytes + in.readableBytes() > queryBufferLimit) {
            // Redis closes such a client without a reply ("Closing client that reached max query buffer length").
            log.warn("closing client {} that reached max query buffer length ({} bytes; client-query-buffer-limit"
                    + " is {})", ctx.channel().remoteAddress(), requestBytes + in.readableBytes(), queryBufferLimit);
            state = State.DISCARD;
            args = null;
            requestBytes = 0;
            in.skipBytes(in.readableBytes());
            ctx.close();
            return;
        }
        boolean progress = true;
        while (progress) {
            switch (state) {
                case START -> {
                    if (!in.isReadable()) {
                        return;
                    }
                    // processInputBuffer: "if (c->querybuf[c->qb_pos] == '*') PROTO_REQ_MULTIBULK".
                    state = in.getByte(in.readerIndex()) == '*' ? State.MULTIBULK_COUNT : State.INLINE;
                    scanned = 0;
                }
                case INLINE -> progress = decodeInline(in, out);
                case MULTIBULK_COUNT -> progress = decodeMultibulkCount(in, out);
                case BULK_LENGTH -> progress = decodeBulkLength(in, out);
                case BULK_DATA -> progress = decodeBulkData(in, out);
                case DISCARD -> {
                    in.skipBytes(in.readableBytes());
                    return;
                }
            }
        }
    }

    private boolean decodeInline(ByteBuf in, List<Object> out) {
        int start = in.readerIndex();
        int newline = findInLine(in, (byte) '\n');
        if (newline < 0) {
            return waitOrFail(in, out, ERR_TOO_BIG_INLINE);
        }
        int end = newline;
        if (end > start && in.getByte(end - 1) == '\r') {
            end--;
        }
        byte[][] argv = splitArgs(in, start, end);
        if (argv == null) {
            return fail(in, out, ERR_UNBALANCED_QUOTES);
        }
        in.readerIndex(newline + 1);
        state = State.START;
        if (argv.length > 0) {
            out.add(new RespCommand(argv));
        }
        return true;
    }

    private boolean decodeMultibulkCount(ByteBuf in, List<Object> out) {
        int cr = findInLine(in, (byte) '\r');
        if (cr < 0) {
            return waitOrFail(in, out, ERR_TOO_BIG_MBULK_COUNT);
        }
        if (!lineComplete(in, cr)) {
            return false;
        }
        long count = parseLong(in, in.readerIndex() + 1, cr);
        if (!parsed || count > MAX_MULTIBULK_LENGTH) {
            return fail(in, out, ERR_INVALID_MULTIBULK_LENGTH);
        }
        in.readerIndex(cr + 2);
        scanned = 0;
        if (count <= 0) {
            state = State.START; // Redis runs nothing for *0 or *-1.
            return true;
        }
        remaining = (int) count;
        argCount = 0;
        args = new byte[Math.min(remaining, 16)][];
        state = State.BULK_LENGTH;
        return true;
    }

    private boolean decodeBulkLength(ByteBuf in, List<Object> out) {
        int cr = findInLine(in, (byte) '\r');
        if (cr < 0) {
            return waitOrFail(in, out, ERR_TOO_BIG_BULK_COUNT);
        }
        if (!lineComplete(in, cr)) {
            return false;
        }
        int start = in.readerIndex();
        byte first = in.getByte(start);
        if (first != '$') {
            return fail(in, out, expectedDollar(first));
        }
        long length = parseLong(in, start + 1, cr);
        if (!parsed || length < 0 || length > maxBulkLength) {
            return fail(in, out, ERR_INVALID_BULK_LENGTH);
        }
        in.readerIndex(cr + 2);
        scanned = 0;
        bulkLength = (int) length;
        state = State.BULK_DATA;
        return true;
    }

    private boolean decodeBulkData(ByteBuf in, List<Object> out) {
        if (in.readableBytes() < bulkLength + 2) {
            return false;
        }
        byte[] arg = new byte[bulkLength];
        in.readBytes(arg);
        // Like Redis, the two bytes after the payload are skipped unchecked ("+2 == trailing \r\n").
        in.skipBytes(2);
        if (argCount == args.length) {
            args = Arrays.copyOf(args, Math.min(args.length * 2, argCount + remaining));
        }
        args[argCount++] = arg;
        requestBytes += bulkLength;
        if (--remaining > 0) {
            state = State.BULK_LENGTH;
            return true;
        }
        out.add(new RespCommand(args));
        args = null;
        argCount = 0;
        requestBytes = 0;
        state = State.START;
        return true;
    }

    /**
     * Finds {@code value} in the current line, searching at most {@code PROTO_INLINE_MAX_SIZE + 1}
     * bytes from the reader index and never the same byte twice across calls.
     */
    private int findInLine(ByteBuf in, byte value) {
        int start = in.readerIndex();
        int end = (int) Math.min(in.writerIndex(), (long) start + PROTO_INLINE_MAX_SIZE + 1);
        int from = start + scanned;
        int found = from < end ? in.indexOf(from, end, value) : -1;
        scanned = (found < 0 ? end : found) - start;
        return found;
    }

    /** Redis wants the byte after {@code \r} buffered too before it reads a header line. */
    private static boolean lineComplete(ByteBuf in, int cr) {
        return cr + 1 < in.writerIndex();
    }

    private boolean waitOrFail(ByteBuf in, List<Object> out, String error) {
        if (in.readableBytes() > PROTO_INLINE_MAX_SIZE) {
            return fail(in, out, error);
        }
        return false;
    }

    private boolean fail(ByteBuf in, List<Object> out, String error) {
        out.add(new RespProtocolError(error));
        args = null;
        state = State.DISCARD;
        in.skipBytes(in.readableBytes());
        return false;
    }

    /**
     * Parses {@code [from, to)} like Redis's {@code string2ll}: an optional {@code -}, then digits
     * without leading zeros ({@code "0"} alone is fine, {@code "-0"}, {@code "+1"} and {@code "01"} are
     * not), within {@code long} range. Sets {@link #parsed}.
     */
    private long parseLong(ByteBuf in, int from, int to) {
        parsed = false;
        int len = to - from;
        if (len <= 0 || len > 20) {
            return 0;
        }
        if (len == 1 && in.getByte(from) == '0') {
            parsed = true;
            return 0;
        }
        int p = from;
        boolean negative = in.getByte(p) == '-';
        if (negative && ++p == to) {
            return 0;
        }
        byte d = in.getByte(p);
        if (d < '1' || d > '9') {
            return 0;
        }
        // Accumulate negatively so that Long.MIN_VALUE fits.
        long value = -(d - '0');
        for (p++; p < to; p++) {
            d = in.getByte(p);
            if (d < '0' || d > '9') {
                return 0;
            }
            if (value < Long.MIN_VALUE / 10) {
                return 0;
            }
            value *= 10;
            int digit = d - '0';
            if (value < Long.MIN_VALUE + digit) {
                return 0;
            }
            value -= digit;
        }
        if (!negative) {
            if (value == Long.MIN_VALUE) {
                return 0;
            }
            value = -value;
        }
        parsed = true;
        return value;
    }

    /**
     * Splits {@code [from, to)} into arguments exactly as Redis's {@code sdssplitargs} (src/sds.c):
     * blanks separate arguments; {@code "..."} understands {@code \xHH}, {@code \n}, {@code \r},
     * {@code \t}, {@code \b}, {@code \a} and {@code \}<i>c</i>; {@code '...'} understands {@code \'};
     * a closing quote must be followed by a blank or the end; a NUL byte ends the line, as it ends the
     * C string. Returns {@code null} for unbalanced quotes.
     */
    static byte[][] splitArgs(ByteBuf in, int from, int to) {
        List<byte[]> result = new ArrayList<>(4);
        byte[] current = new byte[to - from];
        int p = from;
        while (true) {
            while (at(in, p, to) != 0 && isSpace(at(in, p, to))) {
                p++;
            }
            if (at(in, p, to) == 0) {
                return result.toArray(new byte[0][]);
            }
            boolean inDouble = false;
            boolean inSingle = false;
            boolean done = false;
            int n = 0;
            while (!done) {
                int c = at(in, p, to);
                if (inDouble) {
                    if (c == '\\' && at(in, p + 1, to) == 'x'
                            && isHexDigit(at(in, p + 2, to)) && isHexDigit(at(in, p + 3, to))) {
                        current[n++] = (byte) (hexValue(at(in, p + 2, to)) * 16 + hexValue(at(in, p + 3, to)));
                        p += 3;
                    } else if (c == '\\' && at(in, p + 1, to) != 0) {
                        p++;
                        current[n++] = switch (at(in, p, to)) {
                            case 'n' -> (byte) '\n';
                            case 'r' -> (byte) '\r';
                            case 't' -> (byte) '\t';
                            case 'b' -> (byte) '\b';
                            case 'a' -> (byte) 7;
                            default -> (byte) at(in, p, to);
                        };
                    } else if (c == '"') {
                        int next = at(in, p + 1, to);
                        if (next != 0 && !isSpace(next)) {
                            return null; // closing quote must be followed by a space or nothing at all
                        }
                        done = true;
                    } else if (c == 0) {
                        return null; // unterminated quotes
                    } else {
                        current[n++] = (byte) c;
                    }
                } else if (inSingle) {
                    if (c == '\\' && at(in, p + 1, to) == '\'') {
                        p++;
                        current[n++] = '\'';
                    } else if (c == '\'') {
                        int next = at(in, p + 1, to);
                        if (next != 0 && !isSpace(next)) {
                            return null;
                        }
                        done = true;
                    } else if (c == 0) {
                        return null;
                    } else {
                        current[n++] = (byte) c;
                    }
                } else {
                    switch (c) {
                        case ' ', '\n', '\r', '\t', 0 -> done = true;
                        case '"' -> inDouble = true;
                        case '\'' -> inSingle = true;
                        default -> current[n++] = (byte) c;
                    }
                }
                if (at(in, p, to) != 0) {
                    p++;
                }
            }
            result.add(Arrays.copyOf(current, n));
        }
    }

    /** The unsigned byte at {@code i}, or 0 past the end, mirroring a C string's terminator. */
    private static int at(ByteBuf in, int i, int to) {
        return i < to ? in.getByte(i) & 0xFF : 0;
    }

    /** C's {@code isspace} in the "C" locale. */
    private static boolean isSpace(int c) {
        return c == ' ' || c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r';
    }

    private static boolean isHexDigit(int c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    private static int hexValue(int c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        return (c | 0x20) - 'a' + 10;
    }
}
