package io.tessera.grid.internal.replica;

import io.tessera.grid.internal.wire.MalformedMessageException;
import io.tessera.grid.internal.wire.WireReader;
import io.tessera.grid.internal.wire.WireWriter;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * A binary patch that turns the value a write replaced into the value it wrote, so that the replication stream ships
 * what changed instead of the whole value: one attribute of a session, one element pushed onto a list.
 *
 * <p>A backup applies a patch to its own copy of the replaced value. That copy is the primary's byte for byte, since
 * a replica applies the stream strictly in sequence (see {@link PartitionReplica#applyInSequence}); the patch still
 * carries the result's length and CRC32C, and a patch that does not produce them is refused, so a divergent copy is
 * caught and resynced instead of being built upon.
 *
 * <p>Format: varint result length, int CRC32C of the result, then instructions up to the end, each a varint
 * {@code length << 1 | 1} followed by a varint offset (copy {@code length} bytes of the base from that offset) or a
 * varint {@code length << 1} followed by that many literal bytes.
 *
 * <p>The diff finds the common prefix and suffix first (vectorized comparisons, so a push onto a large list costs a
 * scan at memory speed) and matches 16-byte blocks of the base in what lies between, the way git's and xdelta's
 * deltas do, which finds the unchanged attributes between two changed ones.
 */
public final class ValuePatch {
    /** Values shorter than this are shipped whole: a patch could not save enough to pay for itself. */
    public static final int MIN_VALUE_BYTES = 64;
    private static final int BLOCK = 16;
    /** A base region shorter than this is not indexed; what lies between prefix and suffix goes as literal bytes. */
    private static final int MIN_INDEXED = 4 * BLOCK;
    private static final int MULTIPLIER = 0x01000193;
    private static final int MULTIPLIER_POW_BLOCK = power(MULTIPLIER, BLOCK);

    private ValuePatch() {
    }

    /**
     * A patch that turns {@code base} into {@code target}, or {@code null} when either is shorter than
     * {@link #MIN_VALUE_BYTES} or the patch would not be at most three quarters of {@code target}.
     */
    public static byte[] diff(byte[] base, byte[] target) {
        int n = target.length;
        int m = base.length;
        if (n < MIN_VALUE_BYTES || m < MIN_VALUE_BYTES) {
            return null;
        }
        int budget = n - n / 4;
        int common = Math.min(n, m);
        int prefix = Arrays.mismatch(base, 0, common, target, 0, common);
        if (prefix < 0) {
            prefix = common;
        }
        int suffix = commonSuffix(base, target, common - prefix);
        WireWriter out = new WireWriter(Math.min(budget, 64 + (n - prefix - suffix)));
        out.writeVarInt(n).writeInt(checksum(target));
        copy(out, 0, prefix);
        int targetTo = n - suffix;
        int baseTo = m - suffix;
        if (targetTo - prefix >= BLOCK && baseTo - prefix >= MIN_INDEXED) {
            matchBlocks(out, base, prefix, baseTo, target, prefix, targetTo, budget);
        } else {
            literal(out, target, prefix, targetTo);
        }
        copy(out, baseTo, suffix);
        return out.size() <= budget ? out.toByteArray() : null;
    }

    /**
     * The value {@code patch} makes of {@code base}, or {@code null} if it does not fit {@code base} (the result's
     * length or checksum differ, or it copies from outside {@code base}).
     */
    public static byte[] apply(byte[] base, byte[] patch) {
        try {
            WireReader in = new WireReader(patch);
            int length = in.readVarInt();
            int expectedChecksum = in.readInt();
            if (length < 0) {
                return null;
            }
            byte[] result = new byte[length];
            int at = 0;
            while (in.hasRemaining()) {
                int instruction = in.readVarInt();
                int count = instruction >>> 1;
                if (count > length - at) {
                    return null;
                }
                if ((instruction & 1) != 0) {
                    int from = in.readVarInt();
                    if (from < 0 || from > base.length - count) {
                        return null;
                    }
                    System.arraycopy(base, from, result, at, count);
                } else {
                    in.readRaw(result, at, count);
                }
                at += count;
            }
            return at == length && checksum(result) == expectedChecksum ? result : null;
        } catch (MalformedMessageException truncated) {
            return null;
        }
    }

    private static int checksum(byte[] value) {
        CRC32C crc = new CRC32C();
        crc.update(value, 0, value.length);
        return (int) crc.getValue();
    }

    /** The length of the common suffix of {@code a} and {@code b}, at most {@code max}. */
    private static int commonSuffix(byte[] a, byte[] b, int max) {
        int matched = 0;
        // Compare chunks with the vectorized range equality, then find the first difference inside the chunk.
        while (matched < max) {
            int chunk = Math.min(64, max - matched);
            int aTo = a.length - matched;
            int bTo = b.length - matched;
            if (Arrays.equals(a, aTo - chunk, aTo, b, bTo - chunk, bTo)) {
                matched += chunk;
                continue;
            }
            while (a[aTo - 1] == b[bTo - 1]) {
                aTo--;
                bTo--;
                matched++;
            }
            return matched;
        }
        return matched;
    }

    /**
     * Writes {@code target[targetFrom, targetTo)} as copies of 16-byte-aligned blocks of {@code base[baseFrom,
     * baseTo)} (extended both ways while bytes agree) and literals in between; stops early once past the budget.
     */
    private static void matchBlocks(WireWriter out, byte[] base, int baseFrom, int baseTo, byte[] target,
                                    int targetFrom, int targetTo, int budget) {
        int blocks = (baseTo - baseFrom) / BLOCK;
        int slots = Integer.highestOneBit(blocks * 2 - 1) << 1;
        int mask = slots - 1;
        int[] offsets = new int[slots]; // block offset + 1; 0 marks an empty slot
        int[] hashes = new int[slots];
        for (int b = 0; b < blocks; b++) {
            int offset = baseFrom + b * BLOCK;
            int hash = hash(base, offset);
            int slot = slotOf(hash, mask);
            while (offsets[slot] != 0 && hashes[slot] != hash) {
                slot = (slot + 1) & mask;
            }
            if (offsets[slot] == 0) { // the first block with this content keeps the slot
                offsets[slot] = offset + 1;
                hashes[slot] = hash;
            }
        }
        int literalFrom = targetFrom;
        int j = targetFrom;
        int hash = hash(target, j);
        while (j + BLOCK <= targetTo && out.size() <= budget) {
            int from = find(offsets, hashes, mask, hash);
            if (from >= 0 && Arrays.equals(base, from, from + BLOCK, target, j, j + BLOCK)) {
                int back = 0;
                while (j - back > literalFrom && from - back > 0 && base[from - back - 1] == target[j - back - 1]) {
                    back++;
                }
                int forward = Arrays.mismatch(base, from + BLOCK, base.length, target, j + BLOCK, targetTo);
                if (forward < 0) {
                    forward = targetTo - j - BLOCK;
                }
                literal(out, target, literalFrom, j - back);
                copy(out, from - back, back + BLOCK + forward);
                j += BLOCK + forward;
                literalFrom = j;
                if (j + BLOCK <= targetTo) {
                    hash = hash(target, j);
                }
                continue;
            }
            if (j + BLOCK < targetTo) {
                hash = hash * MULTIPLIER + target[j + BLOCK] - target[j] * MULTIPLIER_POW_BLOCK;
            }
            j++;
        }
        literal(out, target, literalFrom, targetTo);
    }

    private static int find(int[] offsets, int[] hashes, int mask, int hash) {
        for (int slot = slotOf(hash, mask); offsets[slot] != 0; slot = (slot + 1) & mask) {
            if (hashes[slot] == hash) {
                return offsets[slot] - 1;
            }
        }
        return -1;
    }

    /** The polynomial hash of {@code BLOCK} bytes from {@code offset}, as the rolling update keeps it. */
    private static int hash(byte[] bytes, int offset) {
        int hash = 0;
        for (int i = 0; i < BLOCK; i++) {
            hash = hash * MULTIPLIER + bytes[offset + i];
        }
        return hash;
    }

    private static int slotOf(int hash, int mask) {
        return (hash * 0x9E3779B9 >>> 16 ^ hash) & mask;
    }

    private static int power(int base, int exponent) {
        int result = 1;
        for (int i = 0; i < exponent; i++) {
            result *= base;
        }
        return result;
    }

    private static void copy(WireWriter out, int from, int count) {
        if (count > 0) {
            out.writeVarInt(count << 1 | 1).writeVarInt(from);
        }
    }

    private static void literal(WireWriter out, byte[] target, int from, int to) {
        if (to > from) {
            out.writeVarInt((to - from) << 1).writeRaw(target, from, to - from);
        }
    }
}
