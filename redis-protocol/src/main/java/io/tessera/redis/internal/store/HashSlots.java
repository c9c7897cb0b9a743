package io.tessera.redis.internal.store;

/**
 * Redis Cluster's hash slot of a key: CRC16 (XMODEM) of the key, or of its hash tag (the bytes between the first
 * {@code {} and the next {@code }}, if not empty), modulo 16384. The grid partitions keys by the same function, so
 * keys with one slot always share a partition.
 */
public final class HashSlots {
    /** The number of hash slots. */
    public static final int SLOT_COUNT = 16384;

    private static final int[] TABLE = new int[256];

    static {
        for (int i = 0; i < 256; i++) {
            int crc = i << 8;
            for (int bit = 0; bit < 8; bit++) {
                crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
            }
            TABLE[i] = crc & 0xFFFF;
        }
    }

    private HashSlots() {
    }

    /** The key's slot, 0 to 16383. */
    public static int slot(byte[] key) {
        int from = 0;
        int to = key.length;
        for (int open = 0; open < key.length; open++) {
            if (key[open] == '{') {
                for (int close = open + 1; close < key.length; close++) {
                    if (key[close] == '}') {
                        if (close > open + 1) {
                            from = open + 1;
                            to = close;
                        }
                        break;
                    }
                }
                break;
            }
        }
        return crc16(key, from, to) & (SLOT_COUNT - 1);
    }

    static int crc16(byte[] bytes, int from, int to) {
        int crc = 0;
        for (int i = from; i < to; i++) {
            crc = ((crc << 8) ^ TABLE[((crc >>> 8) ^ bytes[i]) & 0xFF]) & 0xFFFF;
        }
        return crc;
    }
}
