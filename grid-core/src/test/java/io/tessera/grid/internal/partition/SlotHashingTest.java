package io.tessera.grid.internal.partition;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = SECONDS)
class SlotHashingTest {

    private static byte[] bytes(String s) {
        return s.getBytes(UTF_8);
    }

    private static int crc16(String s) {
        byte[] b = bytes(s);
        return SlotHashing.crc16(b, 0, b.length);
    }

    private static int slot(String key) {
        return SlotHashing.slot(bytes(key));
    }

    /** The textbook bit-at-a-time CRC16-CCITT (XMODEM), to check the table-driven one against. */
    private static int bitwiseCrc16(byte[] bytes, int offset, int length) {
        int crc = 0;
        for (int i = offset; i < offset + length; i++) {
            crc ^= (bytes[i] & 0xFF) << 8;
            for (int bit = 0; bit < 8; bit++) {
                crc = (crc & 0x8000) != 0 ? ((crc << 1) ^ 0x1021) & 0xFFFF : (crc << 1) & 0xFFFF;
            }
        }
        return crc;
    }

    @Test
    void crc16_of123456789_is0x31C3() {
        assertThat(crc16("123456789")).isEqualTo(0x31C3);
    }

    @Test
    void crc16_ofNothing_isZero() {
        assertThat(crc16("")).isZero();
    }

    @Test
    void crc16_hashesOnlyTheGivenRange() {
        byte[] padded = bytes("xx123456789yy");

        assertThat(SlotHashing.crc16(padded, 2, 9)).isEqualTo(0x31C3);
    }

    @Test
    void crc16_matchesBitwiseReferenceOnRandomInput() {
        Random random = new Random(16);
        for (int i = 0; i < 2_000; i++) {
            byte[] b = new byte[random.nextInt(64)];
            random.nextBytes(b);
            int offset = b.length == 0 ? 0 : random.nextInt(b.length);
            int length = random.nextInt(b.length - offset + 1);

            assertThat(SlotHashing.crc16(b, offset, length)).isEqualTo(bitwiseCrc16(b, offset, length));
        }
    }

    @Test
    void crc16_outsideTheArray_throws() {
        assertThatThrownBy(() -> SlotHashing.crc16(new byte[4], 2, 3)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> SlotHashing.crc16(new byte[4], -1, 1)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void slot_matchesRedisClusterKeyslot() {
        assertThat(slot("foo")).isEqualTo(12182);
        assertThat(slot("bar")).isEqualTo(5061);
        assertThat(slot("somekey")).isEqualTo(11058); // CLUSTER KEYSLOT somekey
    }

    @Test
    void slot_withSameHashTag_isShared() {
        assertThat(slot("{user1000}.following")).isEqualTo(slot("{user1000}.followers")).isEqualTo(slot("user1000"));
    }

    @Test
    void slot_withEmptyHashTag_hashesTheWholeKey() {
        assertThat(slot("foo{}{bar}")).isEqualTo(crc16("foo{}{bar}") & 16383).isNotEqualTo(slot("bar"));
    }

    @Test
    void slot_withNestedOpenBrace_hashesFromTheFirstOpenToTheFirstClose() {
        assertThat(slot("foo{{bar}}zap")).isEqualTo(crc16("{bar") & 16383);
    }

    @Test
    void slot_withTwoHashTags_usesTheFirst() {
        assertThat(slot("foo{bar}{zap}")).isEqualTo(slot("bar"));
    }

    @Test
    void slot_withoutClosingBrace_hashesTheWholeKey() {
        assertThat(slot("foo{bar")).isEqualTo(crc16("foo{bar") & 16383);
        assertThat(slot("}foo{")).isEqualTo(crc16("}foo{") & 16383);
    }

    @Test
    void slot_ofEmptyKey_isZero() {
        assertThat(slot("")).isZero();
    }

    @Test
    void slot_inPlace_equalsSlotOfTheCopiedKey() {
        byte[] frame = bytes("*2\r\n$3\r\nGET\r\n$20\r\n{user1000}.following\r\n");
        int offset = new String(frame, UTF_8).indexOf('{');

        assertThat(SlotHashing.slot(frame, offset, 20)).isEqualTo(slot("{user1000}.following"));
    }

    @Test
    void slot_isAlwaysASlot() {
        Random random = new Random(7);
        for (int i = 0; i < 10_000; i++) {
            byte[] key = new byte[random.nextInt(32)];
            random.nextBytes(key);

            assertThat(SlotHashing.slot(key)).isBetween(0, SlotHashing.SLOT_COUNT - 1);
        }
    }

    @Test
    void checkPartitionCount_acceptsEveryPowerOfTwoUpTo16384() {
        for (int count = 1; count <= 16384; count <<= 1) {
            SlotHashing.checkPartitionCount(count);
        }
    }

    @Test
    void checkPartitionCount_rejectsOthersNamingTheValue() {
        for (int count : new int[] {0, -1, 3, 271, 300, 32768, Integer.MIN_VALUE}) {
            assertThatThrownBy(() -> SlotHashing.checkPartitionCount(count))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("partitionCount: " + count + " (expected a power of two between 1 and 16384)");
        }
    }

    @Test
    void partitionOfSlot_splitsSlotsIntoEqualContiguousRanges() {
        for (int count = 1; count <= 16384; count <<= 1) {
            int width = 16384 / count;
            for (int slot = 0; slot < 16384; slot++) {
                int partition = SlotHashing.partitionOfSlot(slot, count);

                assertThat(partition).isEqualTo(slot / width);
                assertThat(slot).isBetween(SlotHashing.firstSlot(partition, count),
                        SlotHashing.lastSlot(partition, count));
            }
        }
    }

    @Test
    void firstAndLastSlot_of256Partitions_cover64SlotsEach() {
        assertThat(SlotHashing.firstSlot(0, 256)).isZero();
        assertThat(SlotHashing.lastSlot(0, 256)).isEqualTo(63);
        assertThat(SlotHashing.firstSlot(1, 256)).isEqualTo(64);
        assertThat(SlotHashing.lastSlot(255, 256)).isEqualTo(16383);
        assertThat(SlotHashing.firstSlot(0, 1)).isZero();
        assertThat(SlotHashing.lastSlot(0, 1)).isEqualTo(16383);
        assertThat(SlotHashing.firstSlot(16383, 16384)).isEqualTo(SlotHashing.lastSlot(16383, 16384));
    }

    @Test
    void partition_ofKey_isThePartitionOfItsSlot() {
        assertThat(SlotHashing.partition(bytes("foo"), 256)).isEqualTo(12182 / 64);
        assertThat(SlotHashing.partition(bytes("{user1000}.following"), 256))
                .isEqualTo(SlotHashing.partition(bytes("{user1000}.followers"), 256));
        assertThat(SlotHashing.partition(bytes("anything"), 1)).isZero();
        assertThat(SlotHashing.partition(bytes("bar"), 16384)).isEqualTo(5061);
    }

    @Test
    void slotAndPartitionArguments_outOfRange_throwNamingTheValue() {
        assertThatThrownBy(() -> SlotHashing.partitionOfSlot(16384, 256))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("slot: 16384 (expected 0..16383)");
        assertThatThrownBy(() -> SlotHashing.partitionOfSlot(-1, 256))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("slot: -1 (expected 0..16383)");
        assertThatThrownBy(() -> SlotHashing.firstSlot(256, 256))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("partition: 256 (expected 0..255)");
        assertThatThrownBy(() -> SlotHashing.lastSlot(-1, 256))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("partition: -1 (expected 0..255)");
        assertThatThrownBy(() -> SlotHashing.partition(bytes("foo"), 300))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("partitionCount: 300");
    }
}
