package io.tessera.redis.internal.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tessera.grid.internal.serialization.GridSerializer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link LiveHash} and {@link LiveSet} behave as the linked hash map and set the decoded forms were, order included,
 * and store exactly what {@link StoredValue} would; a random pick is uniform over the members.
 */
@Timeout(30)
class LiveHashAndSetTest {
    private static Bytes key(int i) {
        return Bytes.of("k" + i);
    }

    private static byte[] framed(byte[] storedValue) {
        byte[] framed = new byte[storedValue.length + 1];
        framed[0] = GridSerializer.VALUE_BYTES;
        System.arraycopy(storedValue, 0, framed, 1, storedValue.length);
        return framed;
    }

    @Test
    void randomPutsAndRemoves_keepTheOrderAndContentOfALinkedHashMap() {
        SplittableRandom random = new SplittableRandom(42);
        LiveHash hash = new LiveHash();
        LinkedHashMap<Bytes, byte[]> model = new LinkedHashMap<>();
        for (int step = 0; step < 200_000; step++) {
            // phases that grow, churn and shrink, so the table grows, compacts and shrinks many times
            int phase = (step / 20_000) % 3;
            int range = phase == 2 ? 500 : 5_000;
            Bytes k = key(random.nextInt(range));
            boolean put = phase == 0 ? random.nextInt(4) != 0 : phase == 1 ? random.nextBoolean()
                    : random.nextInt(4) == 0;
            if (put) {
                byte[] value = Integer.toString(step).getBytes();
                assertThat(hash.put(k, value)).isEqualTo(model.put(k, value) == null);
            } else {
                assertThat(hash.remove(k)).isEqualTo(model.remove(k) != null);
            }
            Bytes probe = key(random.nextInt(range));
            assertThat(hash.get(probe)).isEqualTo(model.get(probe));
            assertThat(hash.size()).isEqualTo(model.size());
            if (step % 10_000 == 0) {
                assertThat(hash.view().keySet()).containsExactlyElementsOf(model.keySet());
            }
        }
        assertThat(new ArrayList<>(hash.view().keySet())).containsExactlyElementsOf(model.keySet());
        assertThat(hash.view().values()).containsExactlyElementsOf(model.values());
        assertThat(hash.toBytes()).isEqualTo(framed(StoredValue.encodeHash(model)));
        assertThat(LiveHash.decode(hash.toBytes()).toBytes()).isEqualTo(hash.toBytes());
        long modelBytes = model.entrySet().stream().mapToLong(e -> e.getKey().bytes().length + e.getValue().length)
                .sum();
        // the running count of bytes holds through every put, replace and remove: the estimate of this table and of
        // a fresh copy differ only by their arrays' capacities
        assertThat(hash.estimatedBytes()).isGreaterThan(modelBytes + 64L * model.size())
                .isCloseTo(LiveHash.decode(hash.toBytes()).estimatedBytes(), org.assertj.core.data.Offset.offset(
                        16L * 4 * Math.max(8, model.size())));
    }

    @Test
    void aSet_keepsInsertionOrderAcrossRemovals_andStoresWhatStoredValueWould() {
        LiveSet set = new LiveSet();
        LinkedHashSet<Bytes> model = new LinkedHashSet<>();
        SplittableRandom random = new SplittableRandom(7);
        for (int step = 0; step < 100_000; step++) {
            Bytes m = key(random.nextInt(3_000));
            if (random.nextInt(3) == 0) {
                assertThat(set.remove(m)).isEqualTo(model.remove(m));
            } else {
                assertThat(set.add(m)).isEqualTo(model.add(m));
            }
            assertThat(set.contains(m)).isEqualTo(model.contains(m));
        }
        assertThat(set.view()).containsExactlyElementsOf(model);
        assertThat(set.toBytes()).isEqualTo(framed(StoredValue.encodeSet(model)));
        LiveSet copy = LiveSet.decode(set.toBytes());
        assertThat(copy.view()).containsExactlyElementsOf(model);
        assertThat(copy.toBytes()).isEqualTo(set.toBytes());
    }

    @Test
    void emptiedAggregates_storeNoElements_andRefuseToPickOne() {
        LiveSet set = new LiveSet();
        for (int i = 0; i < 1_000; i++) {
            set.add(key(i));
        }
        for (int i = 0; i < 1_000; i++) {
            set.remove(key(i));
        }
        assertThat(set.size()).isZero();
        assertThat(set.view()).isEmpty();
        assertThat(set.toBytes()).isEqualTo(framed(StoredValue.encodeSet(List.of())));
        assertThatThrownBy(() -> set.view().random(new java.util.Random(1)))
                .isInstanceOf(IllegalStateException.class);
        assertThat(set.add(key(5))).isTrue();
        assertThat(set.view()).containsExactly(key(5));
    }

    @Test
    void randomPicks_areUniform_evenWithManyHoles() {
        LiveSet set = new LiveSet();
        for (int i = 0; i < 1_000; i++) {
            set.add(key(i));
        }
        for (int i = 0; i < 1_000; i += 3) {
            set.remove(key(i)); // holes in the middle, not enough to compact
        }
        java.util.Random random = new java.util.Random(3);
        Map<Bytes, Integer> seen = new HashMap<>();
        int draws = 200 * set.size();
        for (int i = 0; i < draws; i++) {
            Bytes pick = set.view().random(random);
            assertThat(set.contains(pick)).isTrue();
            seen.merge(pick, 1, Integer::sum);
        }
        assertThat(seen).hasSize(set.size());
        // 200 expected each; a fair draw stays within 5 standard deviations (about 14) almost surely
        assertThat(seen.values()).allSatisfy(n -> assertThat(n).isBetween(130, 270));
    }

    @Test
    void decode_refusesAnotherType() {
        byte[] list = framed(StoredValue.encodeList(List.of(new byte[] {1})));
        assertThatThrownBy(() -> LiveHash.decode(list)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> LiveSet.decode(list)).isInstanceOf(IllegalStateException.class);
        assertThat(new LiveHash().type()).isEqualTo(StoredValue.HASH);
        assertThat(new LiveSet().type()).isEqualTo(StoredValue.SET);
    }
}
