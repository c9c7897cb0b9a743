package io.tessera.redis.internal.command;


/**
 * Redis's HyperLogLog, register for register: 16,384 six-bit registers addressed by the low 14 bits of MurmurHash64A
 * (seed {@code 0xadc83b19}) of the element, each keeping the longest run of zero bits plus one seen in the other 50,
 * and Redis's estimator (Ertl's "new cardinality estimation algorithms", as Redis 5 onwards computes it). So PFADD and
 * PFCOUNT answer what a Redis server answers for the same elements.
 *
 * <p>Stored as Redis's dense string ({@code "HYLL"}, encoding 0, three unused bytes, the eight-byte cached
 * cardinality marked invalid, then the registers packed six bits each, least significant bit first): a value GET
 * from Tessera is a valid HyperLogLog for Redis and the other way round; Redis's sparse strings are read too.
 */
final class HyperLogLog {
    static final int REGISTERS = 1 << 14;
    private static final int P = 14;
    private static final int Q = 64 - P;
    private static final int HEADER = 16;
    static final int DENSE_SIZE = HEADER + (REGISTERS * 6 + 7) / 8;
    private static final double ALPHA_INF = 0.721347520444481703680;

    private HyperLogLog() {
    }

    /** Empty registers. */
    static byte[] empty() {
        return new byte[REGISTERS];
    }

    /** Adds {@code element}; whether its register grew. */
    static boolean add(byte[] registers, byte[] element) {
        long hash = murmurHash64A(element, 0xadc83b19L);
        int index = (int) (hash & (REGISTERS - 1));
        long rest = (hash >>> P) | (1L << Q);
        int count = Long.numberOfTrailingZeros(rest) + 1;
        if (count > registers[index]) {
            registers[index] = (byte) count;
            return true;
        }
        return false;
    }

    /** Merges {@code other} into {@code into}, register by register (the union). */
    static void merge(byte[] into, byte[] other) {
        for (int i = 0; i < REGISTERS; i++) {
            if (other[i] > into[i]) {
                into[i] = other[i];
            }
        }
    }

    /** Redis's estimate of the number of distinct elements added to {@code registers}. */
    static long count(byte[] registers) {
        int[] histogram = new int[Q + 2];
        for (byte r : registers) {
            histogram[r]++;
        }
        double m = REGISTERS;
        double z = m * tau((m - histogram[Q + 1]) / m);
        for (int j = Q; j >= 1; --j) {
            z += histogram[j];
            z *= 0.5;
        }
        z += m * sigma(histogram[0] / m);
        return Math.round(ALPHA_INF * m * m / z);
    }

    private static double sigma(double x) {
        if (x == 1.0) {
            return Double.POSITIVE_INFINITY;
        }
        double zPrime;
        double y = 1;
        double z = x;
        do {
            x *= x;
            zPrime = z;
            z += x * y;
            y += y;
        } while (zPrime != z);
        return z;
    }

    private static double tau(double x) {
        if (x == 0.0 || x == 1.0) {
            return 0.0;
        }
        double zPrime;
        double y = 1.0;
        double z = 1 - x;
        do {
            x = Math.sqrt(x);
            zPrime = z;
            y *= 0.5;
            z -= Math.pow(1 - x, 2) * y;
        } while (zPrime != z);
        return z / 3;
    }

    /** The registers of a stored HyperLogLog string, or {@code null} if {@code stored} is not one. */
    static byte[] decode(byte[] stored) {
        if (stored.length < HEADER || stored[0] != 'H' || stored[1] != 'Y' || stored[2] != 'L' || stored[3] != 'L') {
            return null;
        }
        byte[] registers = new byte[REGISTERS];
        if (stored[4] == 0) {
            if (stored.length != DENSE_SIZE) {
                return null;
            }
            for (int i = 0; i < REGISTERS; i++) {
                int bit = i * 6;
                int b0 = stored[HEADER + (bit >>> 3)] & 0xFF;
                int b1 = HEADER + (bit >>> 3) + 1 < stored.length ? stored[HEADER + (bit >>> 3) + 1] & 0xFF : 0;
                int shift = bit & 7;
                registers[i] = (byte) (((b0 >>> shift) | (b1 << (8 - shift))) & 63);
            }
            return registers;
        }
        if (stored[4] != 1) {
            return null;
        }
        // Sparse: ZERO 00xxxxxx (1-64 zero registers), XZERO 01xxxxxx yyyyyyyy (1-16384), VAL 1vvvvvxx (value 1-32,
        // 1-4 registers).
        int index = 0;
        for (int at = HEADER; at < stored.length; at++) {
            int op = stored[at] & 0xFF;
            if ((op & 0xC0) == 0) {
                index += (op & 0x3F) + 1;
            } else if ((op & 0xC0) == 0x40) {
                if (at + 1 >= stored.length) {
                    return null;
                }
                index += (((op & 0x3F) << 8) | (stored[++at] & 0xFF)) + 1;
            } else {
                int value = ((op >>> 2) & 0x1F) + 1;
                int run = (op & 0x3) + 1;
                if (index + run > REGISTERS) {
                    return null;
                }
                for (int k = 0; k < run; k++) {
                    registers[index++] = (byte) value;
                }
            }
            if (index > REGISTERS) {
                return null;
            }
        }
        return index == REGISTERS ? registers : null;
    }

    /** The dense string of {@code registers}, its cached cardinality marked invalid. */
    static byte[] encode(byte[] registers) {
        byte[] stored = new byte[DENSE_SIZE];
        stored[0] = 'H';
        stored[1] = 'Y';
        stored[2] = 'L';
        stored[3] = 'L';
        stored[15] = (byte) 0x80; // the cached cardinality is invalid: every reader computes it
        for (int i = 0; i < REGISTERS; i++) {
            int bit = i * 6;
            int at = HEADER + (bit >>> 3);
            int shift = bit & 7;
            int value = registers[i] & 63;
            stored[at] |= (byte) (value << shift);
            if (shift > 2) {
                stored[at + 1] |= (byte) (value >>> (8 - shift));
            }
        }
        return stored;
    }

    /** MurmurHash64A as Redis has it (little-endian words, the tail folded in byte by byte). */
    static long murmurHash64A(byte[] key, long seed) {
        final long m = 0xc6a4a7935bd1e995L;
        final int r = 47;
        int length = key.length;
        long h = seed ^ (length * m);
        int end = length - (length & 7);
        for (int i = 0; i < end; i += 8) {
            long k = (key[i] & 0xFFL) | (key[i + 1] & 0xFFL) << 8 | (key[i + 2] & 0xFFL) << 16
                    | (key[i + 3] & 0xFFL) << 24 | (key[i + 4] & 0xFFL) << 32 | (key[i + 5] & 0xFFL) << 40
                    | (key[i + 6] & 0xFFL) << 48 | (key[i + 7] & 0xFFL) << 56;
            k *= m;
            k ^= k >>> r;
            k *= m;
            h ^= k;
            h *= m;
        }
        int tail = length & 7;
        if (tail > 0) {
            for (int i = tail - 1; i >= 0; i--) {
                h ^= (key[end + i] & 0xFFL) << (8 * i);
            }
            h *= m;
        }
        h ^= h >>> r;
        h *= m;
        h ^= h >>> r;
        return h;
    }

}
