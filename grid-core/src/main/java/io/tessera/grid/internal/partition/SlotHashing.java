package io.tessera.grid.internal.partition;

import java.util.Objects;

/**
 * The mapping of key bytes to hash slots and of hash slots to partitions, identical to Redis Cluster's.
 *
 * <p>A key's slot is the CRC16 (CCITT, XMODEM variant: polynomial {@code 0x1021}, initial value 0, no
 * reflection, no final xor) of its bytes modulo {@value #SLOT_COUNT}, honouring hash tags: if the key
 * contains a {@code '{'} and, after it, a {@code '}'} with at least one byte between the two, only the bytes
 * between the first {@code '{'} and the first {@code '}'} after it are hashed. So {@code {user1000}.following}
 * and {@code {user1000}.followers} share a slot, and a key maps to the same slot here as in
 * {@code CLUSTER KEYSLOT}.
 *
 * <p>A partition is a contiguous range of {@code SLOT_COUNT / partitionCount} slots; the partition count is
 * a power of two between 1 and {@value #SLOT_COUNT}, so every partition has the same number of slots and the
 * RESP face can describe the table as slot ranges.
 *
 * <p>All methods are pure, allocation-free and safe to call from any thread.
 */
public final class SlotHashing {

    /** The number of hash slots, as in Redis Cluster. */
    public static final int SLOT_COUNT = 16384;

    private static final int SLOT_MASK = SLOT_COUNT - 1;

    /** CRC16-CCITT (XMODEM) lookup table, indexed by the high byte of the running CRC xor the input byte. */
    private static final char[] CRC16_TABLE = new char[256];

    static {
        for (int i = 0; i < 256; i++) {
            int crc = i << 8;
            for (int bit = 0; bit < 8; bit++) {
                crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
            }
            CRC16_TABLE[i] = (char) crc;
        }
    }

    private SlotHashing() {
    }

    /**
     * Returns the CRC16-CCITT (XMODEM) checksum of {@code length} bytes of {@code bytes} starting at
     * {@code offset}, as Redis Cluster computes it; {@code crc16("123456789")} is {@code 0x31C3}.
     *
     * @param bytes  the input
     * @param offset index of the first byte to hash
     * @param length number of bytes to hash
     * @return the checksum, between 0 and 0xFFFF
     * @throws IndexOutOfBoundsException if the range lies outside {@code bytes}
     */
    public static int crc16(byte[] bytes, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, bytes.length);
        int crc = 0;
        for (int i = offset, end = offset + length; i < end; i++) {
            crc = ((crc << 8) ^ CRC16_TABLE[((crc >>> 8) ^ bytes[i]) & 0xFF]) & 0xFFFF;
        }
        return crc;
    }

    /**
     * Returns the hash slot of a key, between 0 and {@code SLOT_COUNT - 1}, honouring {@code {hash tags}}
     * exactly as Redis Cluster's {@code keyHashSlot}.
     *
     * @param key the canonical key bytes
     * @return the key's slot
     */
    public static int slot(byte[] key) {
        return slot(key, 0, key.length);
    }

    /**
     * Returns the hash slot of the key stored in {@code length} bytes of {@code bytes} from {@code offset},
     * so a decoder can hash a key in place without copying it.
     *
     * @param bytes  holds the key
     * @param offset index of the key's first byte
     * @param length the key's length in bytes
     * @return the key's slot, between 0 and {@code SLOT_COUNT - 1}
     * @throws IndexOutOfBoundsException if the range lies outside {@code bytes}
     */
    public static int slot(byte[] bytes, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, bytes.length);
        int end = offset + length;
        int open = offset;
        while (open < end && bytes[open] != '{') {
            open++;
        }
        if (open < end) {
            int close = open + 1;
            while (close < end && bytes[close] != '}') {
                close++;
            }
            // "{}" (nothing between) or no closing brace: Redis hashes the whole key.
            if (close < end && close > open + 1) {
                return crc16(bytes, open + 1, close - open - 1) & SLOT_MASK;
            }
        }
        return crc16(bytes, offset, length) & SLOT_MASK;
    }

    /**
     * Checks that a partition count is a power of two between 1 and {@value #SLOT_COUNT}, so that it divides
     * the slot space into equal contiguous ranges.
     *
     * @param partitionCount the count to check
     * @throws IllegalArgumentException naming the value, e.g.
     *     {@code partitionCount: 300 (expected a power of two between 1 and 16384)}
     */
    public static void checkPartitionCount(int partitionCount) {
        if (partitionCount < 1 || partitionCount > SLOT_COUNT || (partitionCount & (partitionCount - 1)) != 0) {
            throw new IllegalArgumentException(
                    "partitionCount: " + partitionCount + " (expected a power of two between 1 and " + SLOT_COUNT + ")");
        }
    }

    /**
     * Returns the partition that owns a slot: {@code slot / (SLOT_COUNT / partitionCount)}.
     *
     * @param slot           a slot between 0 and {@code SLOT_COUNT - 1}
     * @param partitionCount a valid partition count (see {@link #checkPartitionCount(int)})
     * @return the partition, between 0 and {@code partitionCount - 1}
     * @throws IllegalArgumentException if the slot or the partition count is out of range
     */
    public static int partitionOfSlot(int slot, int partitionCount) {
        checkPartitionCount(partitionCount);
        checkSlot(slot);
        return slot / (SLOT_COUNT / partitionCount);
    }

    /**
     * Returns the first (lowest) slot of a partition's contiguous slot range.
     *
     * @param partition      a partition between 0 and {@code partitionCount - 1}
     * @param partitionCount a valid partition count (see {@link #checkPartitionCount(int)})
     * @return the first slot of the partition
     * @throws IllegalArgumentException if the partition or the partition count is out of range
     */
    public static int firstSlot(int partition, int partitionCount) {
        checkPartitionCount(partitionCount);
        checkPartition(partition, partitionCount);
        return partition * (SLOT_COUNT / partitionCount);
    }

    /**
     * Returns the last (highest, inclusive) slot of a partition's contiguous slot range.
     *
     * @param partition      a partition between 0 and {@code partitionCount - 1}
     * @param partitionCount a valid partition count (see {@link #checkPartitionCount(int)})
     * @return the last slot of the partition
     * @throws IllegalArgumentException if the partition or the partition count is out of range
     */
    public static int lastSlot(int partition, int partitionCount) {
        checkPartitionCount(partitionCount);
        checkPartition(partition, partitionCount);
        return (partition + 1) * (SLOT_COUNT / partitionCount) - 1;
    }

    /**
     * Returns the partition that owns a key: the partition of the key's {@linkplain #slot(byte[]) slot}.
     *
     * @param key            the canonical key bytes
     * @param partitionCount a valid partition count (see {@link #checkPartitionCount(int)})
     * @return the partition, between 0 and {@code partitionCount - 1}
     * @throws IllegalArgumentException if the partition count is not valid
     */
    public static int partition(byte[] key, int partitionCount) {
        checkPartitionCount(partitionCount);
        return slot(key) / (SLOT_COUNT / partitionCount);
    }

    private static void checkSlot(int slot) {
        if (slot < 0 || slot >= SLOT_COUNT) {
            throw new IllegalArgumentException("slot: " + slot + " (expected 0.." + SLOT_MASK + ")");
        }
    }

    private static void checkPartition(int partition, int partitionCount) {
        if (partition < 0 || partition >= partitionCount) {
            throw new IllegalArgumentException(
                    "partition: " + partition + " (expected 0.." + (partitionCount - 1) + ")");
        }
    }
}
