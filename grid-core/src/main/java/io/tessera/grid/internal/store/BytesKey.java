package io.tessera.grid.internal.store;

import java.util.Arrays;

/**
 * A serialized key as a hash-map key: equality by content, hash computed once. The array must not change after the
 * key is made.
 */
public final class BytesKey {
    private final byte[] bytes;
    private final int hash;

    /** Wraps {@code bytes} without copying. */
    public BytesKey(byte[] bytes) {
        this.bytes = bytes;
        this.hash = Arrays.hashCode(bytes);
    }

    /** Wraps {@code bytes} whose {@link Arrays#hashCode(byte[])} is known to be {@code hash}. */
    BytesKey(byte[] bytes, int hash) {
        this.bytes = bytes;
        this.hash = hash;
    }

    /** The key's bytes; callers must not change them. */
    public byte[] bytes() {
        return bytes;
    }

    /** A well-mixed 64-bit hash of the key, for digests. */
    public long hash64() {
        return hash64(bytes);
    }

    /** {@link #hash64()} of a key given as its bytes. */
    static long hash64(byte[] bytes) {
        long h = 0x9E3779B97F4A7C15L;
        for (byte b : bytes) {
            h = (h ^ b) * 0x100000001B3L;
        }
        return mix(h);
    }

    static long mix(long z) {
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ceb93fe53a6cd7L;
        return z ^ (z >>> 33);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BytesKey k && k.hash == hash && Arrays.equals(k.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return hash;
    }
}
