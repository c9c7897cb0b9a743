package io.tessera.redis.internal.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The ring of {@link LiveList} against an {@link ArrayList} over random pushes, pops and the in-place edits of LSET,
 * LINSERT, LREM and LTRIM, across the ring's wrap-around and growth; its stored form and byte count follow.
 */
class LiveListModelTest {

    @Test
    void randomEdits_keepTheOrderOfAnArrayList_acrossWrapAndGrowth() {
        SplittableRandom random = new SplittableRandom(7);
        LiveList list = new LiveList();
        List<byte[]> model = new ArrayList<>();
        for (int step = 0; step < 100_000; step++) {
            byte[] element = Integer.toString(random.nextInt(50)).getBytes();
            int size = model.size();
            switch (random.nextInt(size < 5 ? 2 : 8)) {
                case 0 -> {
                    list.addFirst(element);
                    model.add(0, element);
                }
                case 1 -> {
                    list.addLast(element);
                    model.add(element);
                }
                case 2 -> assertThat(list.removeFirst()).isEqualTo(model.remove(0));
                case 3 -> assertThat(list.removeLast()).isEqualTo(model.remove(size - 1));
                case 4 -> {
                    int index = random.nextInt(size);
                    list.set(index, element);
                    model.set(index, element);
                }
                case 5 -> {
                    int index = random.nextInt(size + 1);
                    list.insert(index, element);
                    model.add(index, element);
                }
                case 6 -> {
                    int[] indexes = random.ints(random.nextInt(1, 4), 0, size).distinct().sorted().toArray();
                    list.removeAt(indexes);
                    for (int i = indexes.length - 1; i >= 0; i--) {
                        model.remove(indexes[i]);
                    }
                }
                default -> {
                    if (random.nextInt(20) == 0) {
                        int start = random.nextInt(size);
                        int count = random.nextInt(1, size - start + 1);
                        list.trim(start, count);
                        model.subList(start + count, size).clear();
                        model.subList(0, start).clear();
                    }
                }
            }
            assertThat(list.size()).isEqualTo(model.size());
            if (step % 1_000 == 0) {
                assertThat(list.toList()).containsExactlyElementsOf(model);
            }
        }
        assertThat(list.toList()).containsExactlyElementsOf(model);
        LiveList copy = LiveList.decode(list.toBytes());
        assertThat(Arrays.equals(copy.toBytes(), list.toBytes())).isTrue();
        long modelBytes = model.stream().mapToLong(e -> e.length).sum();
        assertThat(list.estimatedBytes() - copy.estimatedBytes()).as("only the ring's capacity may differ")
                .isEqualTo(4L * (list.capacity() - copy.capacity()));
        assertThat(list.estimatedBytes()).isGreaterThan(modelBytes);
    }
}
