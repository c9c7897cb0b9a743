package io.tessera.redis.internal.command;

/**
 * Redis Cluster's key-to-slot mapping: CRC16 (XMODEM: polynomial 0x1021, initial value 0) of the key modulo 16384,
 * where a key containing a non-empty {@code {hash tag}} hashes only the tag. The grid places keys by the same rule;
 * this copy exists because the grid keeps its own private. {@code CLUSTER KEYSLOT} answers with it.
 */
public final class HashSlots {
    /** How many hash slots a Redis cluster has. */
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

    /** The hash slot of {@code key}, 0..16383. */
    public static int slot(byte[] key) {
        int open = -1;
        for (int i = 0; i < key.length; i++) {
            if (key[i] == '{') {
                open = i;
                break;
            }
        }
        if (open >= 0) {
            for (int i = open + 1; i < key.length; i++) {
                if (key[i] == '}') {
                    if (i > open + 1) {
                        return crc16(key, open + 1, i - open - 1) & (SLOT_COUNT - 1);
                    }
                    break; // "{}" : the whole key is hashed
                }
            }
        }
        return crc16(key, 0, key.length) & (SLOT_COUNT - 1);
    }

    /** CRC16-XMODEM of {@code length} bytes of {@code bytes} from {@code offset}. */
    public static int crc16(byte[] bytes, int offset, int length) {
        int crc = 0;
        for (int i = offset; i < offset + length; i++) {
            crc = ((crc << 8) ^ TABLE[((crc >>> 8) ^ bytes[i]) & 0xFF]) & 0xFFFF;
        }
        return crc;
    }
}
