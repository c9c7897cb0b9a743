package io.tessera.grid.internal.wire;

import java.nio.charset.StandardCharsets;

/**
 * Reads what a {@link WireWriter} wrote, checking bounds so a truncated or forged message fails with
 * {@link MalformedMessageException} instead of an index error deep in the grid.
 *
 * <p>Not thread-safe: a reader belongs to the thread that decodes the message.
 */
public final class WireReader {
    private final byte[] buffer;
    private final int limit;
    private int position;

    /** Creates a reader over {@code length} bytes of {@code buffer} starting at {@code offset}. */
    public WireReader(byte[] buffer, int offset, int length) {
        if (offset < 0 || length < 0 || offset + length > buffer.length) {
            throw new MalformedMessageException("bad bounds " + offset + "+" + length + " of " + buffer.length);
        }
        this.buffer = buffer;
        this.position = offset;
        this.limit = offset + length;
    }

    /** Creates a reader over a whole array. */
    public WireReader(byte[] buffer) {
        this(buffer, 0, buffer.length);
    }

    private void require(int count) {
        if (count < 0 || position + count > limit) {
            throw new MalformedMessageException("message truncated: need " + count + " bytes at " + position
                    + ", have " + (limit - position));
        }
    }

    /** Reads one byte. */
    public byte readByte() {
        require(1);
        return buffer[position++];
    }

    /** Reads a boolean. */
    public boolean readBoolean() {
        return readByte() != 0;
    }

    /** Reads an unsigned varint. */
    public int readVarInt() {
        int result = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            byte b = readByte();
            result |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return result;
            }
        }
        throw new MalformedMessageException("varint longer than 5 bytes");
    }

    /** Reads a zig-zag varlong. */
    public long readVarLong() {
        long zigzag = 0;
        for (int shift = 0; shift < 70; shift += 7) {
            byte b = readByte();
            zigzag |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return (zigzag >>> 1) ^ -(zigzag & 1);
            }
        }
        throw new MalformedMessageException("varlong longer than 10 bytes");
    }

    /** Reads a fixed eight-byte long. */
    public long readLong() {
        require(8);
        long value = 0;
        for (int i = 0; i < 8; i++) {
            value = (value << 8) | (buffer[position++] & 0xFF);
        }
        return value;
    }

    /** Reads a fixed four-byte int. */
    public int readInt() {
        require(4);
        int value = 0;
        for (int i = 0; i < 4; i++) {
            value = (value << 8) | (buffer[position++] & 0xFF);
        }
        return value;
    }

    /** Reads {@code length} raw bytes into {@code target} at {@code offset}. */
    public void readRaw(byte[] target, int offset, int length) {
        require(length);
        System.arraycopy(buffer, position, target, offset, length);
        position += length;
    }

    /** Reads a length-prefixed byte array, or {@code null}. */
    public byte[] readBytes() {
        int lengthPlusOne = readVarInt();
        if (lengthPlusOne == 0) {
            return null;
        }
        int length = lengthPlusOne - 1;
        require(length);
        byte[] value = new byte[length];
        System.arraycopy(buffer, position, value, 0, length);
        position += length;
        return value;
    }

    /** Reads a length-prefixed UTF-8 string, or {@code null}. */
    public String readString() {
        byte[] bytes = readBytes();
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    /** Whether unread bytes remain. */
    public boolean hasRemaining() {
        return position < limit;
    }
}
