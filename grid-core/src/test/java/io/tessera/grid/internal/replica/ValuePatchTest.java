package io.tessera.grid.internal.replica;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A patch rebuilds exactly the value it was made for, is refused by any other base, and is small when little changed:
 * the replication stream relies on all three to ship changes instead of values.
 */
class ValuePatchTest {

    private static byte[] random(SplittableRandom random, int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) random.nextInt(256);
        }
        return bytes;
    }

    /** A few inserts, deletions and overwrites of random sizes at random places. */
    private static byte[] edit(SplittableRandom random, byte[] base) {
        byte[] value = base.clone();
        int edits = 1 + random.nextInt(4);
        for (int e = 0; e < edits; e++) {
            int at = random.nextInt(value.length + 1);
            int size = 1 + random.nextInt(random.nextBoolean() ? 8 : 300);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(value, 0, at);
            switch (random.nextInt(3)) {
                case 0 -> { // insert
                    out.writeBytes(random(random, size));
                    out.write(value, at, value.length - at);
                }
                case 1 -> { // delete
                    int end = Math.min(value.length, at + size);
                    out.write(value, end, value.length - end);
                }
                default -> { // overwrite
                    int end = Math.min(value.length, at + size);
                    out.writeBytes(random(random, end - at));
                    out.write(value, end, value.length - end);
                }
            }
            value = out.toByteArray();
        }
        return value;
    }

    @Test
    void everyPatch_rebuildsItsTargetExactly_overRandomEdits() {
        SplittableRandom random = new SplittableRandom(20261207L);
        int patched = 0;
        for (int round = 0; round < 3_000; round++) {
            byte[] base = random(random, 64 + random.nextInt(random.nextBoolean() ? 200 : 20_000));
            byte[] target = random.nextInt(10) == 0 ? random(random, 64 + random.nextInt(2_000)) : edit(random, base);
            byte[] patch = ValuePatch.diff(base, target);
            if (target.length < ValuePatch.MIN_VALUE_BYTES) {
                assertThat(patch).isNull();
                continue;
            }
            if (patch != null) {
                patched++;
                assertThat(patch.length).isLessThanOrEqualTo(target.length - target.length / 4);
                assertThat(ValuePatch.apply(base, patch)).as("round %d", round).isEqualTo(target);
            }
        }
        assertThat(patched).as("edited values that went as patches").isGreaterThan(2_000);
    }

    @Test
    void oneChangedAttributeAmongTen_shipsAboutThatAttribute() {
        SplittableRandom random = new SplittableRandom(7);
        byte[][] attributes = new byte[10][];
        for (int i = 0; i < 10; i++) {
            attributes[i] = random(random, 500);
        }
        byte[] base = concat(attributes, 1L);
        attributes[6] = random(random, 520); // a new value, a little longer
        byte[] target = concat(attributes, 2L); // and the version, at the end, moves on

        byte[] patch = ValuePatch.diff(base, target);

        assertThat(patch).isNotNull();
        assertThat(patch.length).isBetween(520, 620);
        assertThat(ValuePatch.apply(base, patch)).isEqualTo(target);
    }

    @Test
    void aPushOntoALargeValue_shipsThePushedBytes() {
        SplittableRandom random = new SplittableRandom(11);
        byte[] list = random(random, 1_000_000);
        byte[] pushed = new byte[list.length + 100];
        System.arraycopy(random(random, 100), 0, pushed, 0, 100);
        System.arraycopy(list, 0, pushed, 100, list.length);

        byte[] patch = ValuePatch.diff(list, pushed);

        assertThat(patch).isNotNull();
        assertThat(patch.length).isLessThan(130);
        assertThat(ValuePatch.apply(list, patch)).isEqualTo(pushed);
    }

    @Test
    void aPatch_isRefusedByAnyOtherBase_andWhenTruncated() {
        SplittableRandom random = new SplittableRandom(3);
        byte[] base = random(random, 4_000);
        byte[] target = base.clone();
        target[2_000] ^= 1;
        byte[] patch = ValuePatch.diff(base, target);
        assertThat(patch).isNotNull();

        byte[] otherBase = base.clone();
        otherBase[10] ^= 1; // a diverged copy: the rebuilt value fails the checksum
        assertThat(ValuePatch.apply(otherBase, patch)).isNull();
        assertThat(ValuePatch.apply(Arrays.copyOf(base, 3_000), patch)).isNull(); // copies from beyond its end
        assertThat(ValuePatch.apply(base, Arrays.copyOf(patch, patch.length - 1))).isNull();
        assertThat(ValuePatch.apply(base, new byte[] {(byte) 0x80})).isNull();
    }

    @Test
    void smallValues_andUnrelatedValues_goWhole() {
        SplittableRandom random = new SplittableRandom(5);
        assertThat(ValuePatch.diff(random(random, 40), random(random, 40))).isNull();
        assertThat(ValuePatch.diff(random(random, 5_000), random(random, 5_000))).isNull();
    }

    private static byte[] concat(byte[][] parts, long version) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.write(part.length);
            out.writeBytes(part);
        }
        for (int shift = 56; shift >= 0; shift -= 8) {
            out.write((int) (version >>> shift));
        }
        return out.toByteArray();
    }
}
