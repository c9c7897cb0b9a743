package io.tessera.redis.internal.store;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A byte string with value equality and unsigned lexicographic order, for hash fields and set members. Wraps the
 * array it is given without copying: callers hand over arrays nobody writes to afterwards.
 */
public final class Bytes implements Comparable<Bytes> {
    private final byte[] bytes;
    private int hash;

    private Bytes(byte[] bytes) {
        this.bytes = bytes;
    }

    /** Wraps {@code bytes} (not copied). */
    public static Bytes of(byte[] bytes) {
        return new Bytes(bytes);
    }

    /** The UTF-8 bytes of {@code text}. */
    public static Bytes of(String text) {
        return new Bytes(text.getBytes(StandardCharsets.UTF_8));
    }

    /** The wrapped array; must not be modified. */
    public byte[] bytes() {
        return bytes;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Bytes other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        int h = hash;
        if (h == 0) {
            h = Arrays.hashCode(bytes);
            hash = h;
        }
        return h;
    }

    @Override
    public int compareTo(Bytes other) {
        return Arrays.compareUnsigned(bytes, other.bytes);
    }

    @Override
    public String toString() {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
