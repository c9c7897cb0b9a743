package io.tessera.grid.internal.store;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.ConcurrentModificationException;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The open-addressing table of a record store against a {@link HashMap} as the model: random puts, overwrites and
 * removes (removes shift later records back into the gap, the part that is easy to get wrong) over keys that collide
 * on purpose, checking after every step that the two agree on size, lookups and iteration.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RecordTableTest {

    private static Record record(String key, long version) {
        return Record.of(new BytesKey(key.getBytes(UTF_8)), (byte) 0, ("v" + version).getBytes(UTF_8), version, 0, 0,
                0, 0, 0);
    }

    @Test
    void randomPutsOverwritesAndRemoves_agreeWithAHashMapAfterEveryStep() {
        for (int keySpace : new int[] {7, 60, 700}) {
            Random random = new Random(keySpace);
            RecordTable table = new RecordTable();
            Map<String, Record> model = new HashMap<>();
            for (int step = 0; step < 20_000; step++) {
                String key = "k" + random.nextInt(keySpace);
                BytesKey bytes = new BytesKey(key.getBytes(UTF_8));
                if (random.nextInt(3) == 0) {
                    assertThat(table.remove(bytes.bytes(), bytes.hashCode())).isSameAs(model.remove(key));
                } else {
                    Record r = record(key, step);
                    assertThat(table.put(r)).isSameAs(model.put(key, r));
                }
                assertThat(table.size()).isEqualTo(model.size());
                if (step % 97 == 0) {
                    for (int k = 0; k < keySpace; k++) {
                        BytesKey probe = new BytesKey(("k" + k).getBytes(UTF_8));
                        assertThat(table.get(probe.bytes(), probe.hashCode())).as("k%d at step %d", k, step)
                                .isSameAs(model.get("k" + k));
                    }
                    assertThat(new ArrayList<>(table.values())).containsExactlyInAnyOrderElementsOf(model.values());
                    assertThat(table.toArray()).containsExactlyInAnyOrderElementsOf(model.values());
                }
            }
        }
    }

    @Test
    void keysWithEqualHashes_areTellApartByTheirBytes() {
        // "Aa" and "BB" have the same Arrays.hashCode, as do all their concatenations: one long probe run.
        List<String> colliding = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            StringBuilder k = new StringBuilder();
            for (int bit = 0; bit < 6; bit++) {
                k.append((i >> bit & 1) == 0 ? "Aa" : "BB");
            }
            colliding.add(k.toString());
        }
        RecordTable table = new RecordTable();
        colliding.forEach(k -> table.put(record(k, 1)));
        assertThat(table.size()).isEqualTo(64);
        for (int i = 0; i < 64; i += 2) {
            BytesKey k = new BytesKey(colliding.get(i).getBytes(UTF_8));
            assertThat(table.remove(k.bytes(), k.hashCode())).isNotNull();
        }
        for (int i = 0; i < 64; i++) {
            BytesKey k = new BytesKey(colliding.get(i).getBytes(UTF_8));
            Record found = table.get(k.bytes(), k.hashCode());
            if (i % 2 == 0) {
                assertThat(found).as(colliding.get(i)).isNull();
            } else {
                assertThat(found).as(colliding.get(i)).isNotNull();
                assertThat(new String(found.keyBytes(), UTF_8)).isEqualTo(colliding.get(i));
            }
        }
    }

    @Test
    void clear_emptiesTheTable_andAnIteratorNoticesAChangeUnderIt() {
        RecordTable table = new RecordTable();
        for (int i = 0; i < 100; i++) {
            table.put(record("k" + i, i));
        }
        Iterator<Record> it = table.values().iterator();
        it.next();
        table.put(record("another", 1));
        assertThatThrownBy(it::next).isInstanceOf(ConcurrentModificationException.class);

        table.clear();
        assertThat(table.size()).isZero();
        assertThat(table.values()).isEmpty();
        BytesKey k = new BytesKey("k1".getBytes(UTF_8));
        assertThat(table.get(k.bytes(), k.hashCode())).isNull();
    }
}
