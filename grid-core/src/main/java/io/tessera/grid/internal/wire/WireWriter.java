package io.tessera.grid.internal.wire;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A growable big-endian byte buffer for building one message; varints keep small numbers small.
 *
 * <p>Not thread-safe: a writer belongs to the thread that builds the message.
 */
public final class WireWriter {
    private byte[] buffer;
    private int position;

    /** Creates a writer with room for {@code initialCapacity} bytes before it grows. */
    public WireWriter(int initialCapacity) {
        this.buffer = new byte[Math.max(16, initialCapacity)];
    }

    /** Creates a writer whose first byte is the message type. */
    public static WireWriter forType(MessageType type, int sizeHint) {
        WireWriter writer = new WireWriter(sizeHint + 1);
        writer.writeByte(type.id());
        return writer;
    }

    private void ensure(int extra) {
        int needed = position + extra;
        if (needed > buffer.length) {
            buffer = Arrays.copyOf(buffer, Math.max(needed, buffer.length * 2));
        }
    }

    /** Appends one byte. */
    public WireWriter writeByte(int value) {
        ensure(1);
        buffer[position++] = (byte) value;
        return this;
    }

    /** Appends a boolean as one byte. */
    public WireWriter writeBoolean(boolean value) {
        return writeByte(value ? 1 : 0);
    }

    /** Appends a non-negative int as an unsigned LEB128 varint; negative values take five bytes. */
    public WireWriter writeVarInt(int value) {
        ensure(5);
        while ((value & ~0x7F) != 0) {
            buffer[position++] = (byte) ((value & 0x7F) | 0x80);
            value >>>= 7;
        }
        buffer[position++] = (byte) value;
        return this;
    }

    /** Appends a long as a zig-zag varint, so small negative numbers stay small too. */
    public WireWriter writeVarLong(long value) {
        long zigzag = (value << 1) ^ (value >> 63);
        ensure(10);
        while ((zigzag & ~0x7FL) != 0) {
            buffer[position++] = (byte) ((zigzag & 0x7F) | 0x80);
            zigzag >>>= 7;
        }
        buffer[position++] = (byte) zigzag;
        return this;
    }

    /** Appends a fixed eight-byte long. */
    public WireWriter writeLong(long value) {
        ensure(8);
        for (int shift = 56; shift >= 0; shift -= 8) {
            buffer[position++] = (byte) (value >>> shift);
        }
        return this;
    }

    /** Appends a length-prefixed byte array; {@code null} is written as length -1. */
    public WireWriter writeBytes(byte[] value) {
        if (value == null) {
            return writeVarInt(0);
        }
        writeVarInt(value.length + 1);
        ensure(value.length);
        System.arraycopy(value, 0, buffer, position, value.length);
        position += value.length;
        return this;
    }

    /** Appends raw bytes without a length prefix. */
    public WireWriter writeRaw(byte[] value) {
        ensure(value.length);
        System.arraycopy(value, 0, buffer, position, value.length);
        position += value.length;
        return this;
    }

    /** Appends {@code length} raw bytes of {@code value} from {@code offset}, without a length prefix. */
    public WireWriter writeRaw(byte[] value, int offset, int length) {
        ensure(length);
        System.arraycopy(value, offset, buffer, position, length);
        position += length;
        return this;
    }

    /** Appends a fixed four-byte int. */
    public WireWriter writeInt(int value) {
        ensure(4);
        for (int shift = 24; shift >= 0; shift -= 8) {
            buffer[position++] = (byte) (value >>> shift);
        }
        return this;
    }

    /** Appends a length-prefixed UTF-8 string; {@code null} is allowed. */
    public WireWriter writeString(String value) {
        return writeBytes(value == null ? null : value.getBytes(StandardCharsets.UTF_8));
    }

    /** The number of bytes written so far. */
    public int size() {
        return position;
    }

    /** The backing array, valid up to {@link #size()}; the writer must not be used afterwards. */
    public byte[] array() {
        return buffer;
    }

    /** A copy trimmed to the written length. */
    public byte[] toByteArray() {
        return Arrays.copyOf(buffer, position);
    }
}
