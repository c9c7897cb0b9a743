package io.tessera.grid.internal.store;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The record store of one map-partition: the count-and-digest summary replicas compare, and the expiry queue the
 * primary's active expiry polls.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RecordStoreTest {

    private static BytesKey key(String k) {
        return new BytesKey(k.getBytes(UTF_8));
    }

    private static Record record(String k, long version) {
        return record(k, version, 0, 0, 0);
    }

    private static Record record(String k, long version, long expireAt, long maxIdle, long lastAccess) {
        return Record.of(key(k), (byte) 0, ("v" + version).getBytes(UTF_8), version, version << 16, expireAt,
                maxIdle, 0, lastAccess);
    }

    private static RecordStore store() {
        return new RecordStore("m", 7, 1);
    }

    private static List<String> keys(List<Record> records) {
        return records.stream().map(r -> new String(r.key().bytes(), UTF_8)).toList();
    }

    // ------------------------------------------------------------------------------------------------ digest

    @Test
    void digest_isIndependentOfInsertionOrder() {
        List<Record> records = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            records.add(record("key-" + i, i + 1));
        }
        RecordStore inOrder = store();
        records.forEach(inOrder::put);
        List<Record> shuffled = new ArrayList<>(records);
        Collections.shuffle(shuffled, new Random(42));
        RecordStore outOfOrder = store();
        shuffled.forEach(outOfOrder::put);

        assertThat(outOfOrder.size()).isEqualTo(inOrder.size()).isEqualTo(2_000);
        assertThat(outOfOrder.digest()).isEqualTo(inOrder.digest()).isNotZero();
    }

    @Test
    void digest_dependsOnlyOnContent_notOnHistory() {
        RecordStore direct = store();
        direct.put(record("a", 3));
        direct.put(record("b", 4));

        RecordStore viaDetours = store();
        viaDetours.put(record("b", 1));
        viaDetours.put(record("c", 2));
        viaDetours.put(record("a", 3));
        viaDetours.remove(key("c"), (byte) 0, 1L);
        viaDetours.put(record("b", 4));

        assertThat(viaDetours.size()).isEqualTo(direct.size());
        assertThat(viaDetours.digest()).isEqualTo(direct.digest());
    }

    @Test
    void digest_changesOnEveryWrite() {
        RecordStore store = store();
        Set<Long> seen = new HashSet<>();
        seen.add(store.digest());
        for (int i = 1; i <= 500; i++) {
            store.put(record("k" + (i % 50), i)); // adds, then overwrites with a new version
            assertThat(seen.add(store.digest())).as("digest after write %d is new", i).isTrue();
        }
        for (int i = 0; i < 50; i++) {
            store.remove(key("k" + i), (byte) 0, 1L);
            assertThat(seen.add(store.digest()) || store.size() == 0).as("digest after removal %d is new", i)
                    .isTrue();
        }
        assertThat(store.size()).isZero();
        assertThat(store.digest()).as("an emptied store digests like a new one").isEqualTo(store().digest());
    }

    @Test
    void digest_tellsApartReplicasThatMissedAnOverwrite() {
        RecordStore primary = store();
        RecordStore backup = store();
        for (int i = 0; i < 100; i++) {
            primary.put(record("k" + i, i + 1));
            backup.put(record("k" + i, i + 1));
        }
        assertThat(backup.digest()).isEqualTo(primary.digest());

        primary.put(record("k17", 101)); // the backup missed this overwrite: same count, other version
        assertThat(backup.size()).isEqualTo(primary.size());
        assertThat(backup.digest()).isNotEqualTo(primary.digest());

        backup.put(record("k17", 101));
        assertThat(backup.digest()).isEqualTo(primary.digest());
    }

    @Test
    void removeOfAbsentKey_leavesDigestAlone() {
        RecordStore store = store();
        store.put(record("a", 1));
        long digest = store.digest();
        assertThat(store.remove(key("nope"), (byte) 0, 1L)).isNull();
        assertThat(store.digest()).isEqualTo(digest);
        assertThat(store.size()).isEqualTo(1);
    }

    @Test
    void clear_emptiesRecordsAndDigest_butKeepsTheSequence() {
        RecordStore store = store();
        for (int i = 0; i < 10; i++) {
            store.put(record("k" + i, store.nextSequence(), 1_000, 0, 0));
        }
        store.clear(1L);
        assertThat(store.size()).isZero();
        assertThat(store.digest()).isEqualTo(store().digest());
        assertThat(store.sequence()).isEqualTo(10);
        assertThat(store.nextSequence()).isEqualTo(11);
        assertThat(store.pollExpired(Long.MAX_VALUE - 1, 100)).isEmpty();
    }

    // ------------------------------------------------------------------------------------------- expiry queue

    @Test
    void pollExpired_returnsDueRecordsInDeadlineOrder_andLeavesTheRest() {
        RecordStore store = store();
        store.put(record("t300", 1, 300, 0, 0));
        store.put(record("t100", 2, 100, 0, 0));
        store.put(record("forever", 3, 0, 0, 0));
        store.put(record("t200", 4, 200, 0, 0));
        store.put(record("idle150", 5, 0, 100, 50)); // max-idle deadline 50 + 100

        assertThat(store.pollExpired(99, 10)).isEmpty();
        assertThat(keys(store.pollExpired(250, 10))).containsExactly("t100", "idle150", "t200");
        assertThat(store.pollExpired(299, 10)).isEmpty();
        assertThat(keys(store.pollExpired(1_000, 10))).containsExactly("t300");
        assertThat(store.pollExpired(Long.MAX_VALUE - 1, 10)).as("no deadline, never due").isEmpty();
        assertThat(store.size()).as("polling does not remove; the caller does").isEqualTo(5);
    }

    @Test
    void pollExpired_respectsTheBatchLimit_andResumesWhereItStopped() {
        RecordStore store = store();
        for (int i = 0; i < 25; i++) {
            store.put(record(String.format("k%02d", i), i + 1, 100 + i, 0, 0));
        }
        List<String> first = keys(store.pollExpired(1_000, 10));
        List<String> second = keys(store.pollExpired(1_000, 10));
        List<String> third = keys(store.pollExpired(1_000, 10));
        assertThat(first).hasSize(10).startsWith("k00").endsWith("k09");
        assertThat(second).hasSize(10).startsWith("k10").endsWith("k19");
        assertThat(third).hasSize(5).startsWith("k20").endsWith("k24");
    }

    @Test
    void pollExpired_afterTouch_reschedulesInsteadOfExpiring() {
        RecordStore store = store();
        Record session = record("session", 1, 0, 100, 0); // idle deadline 100
        store.put(session);

        session.touch(80); // read at 80: deadline moves to 180
        assertThat(session.deadline()).isEqualTo(180);
        assertThat(store.pollExpired(150, 10)).as("the old deadline passed but the record was read since")
                .isEmpty();
        assertThat(store.pollExpired(179, 10)).isEmpty();
        assertThat(keys(store.pollExpired(180, 10))).containsExactly("session");
    }

    @Test
    void pollExpired_repeatedTouches_keepRescheduling() {
        RecordStore store = store();
        Record session = record("session", 1, 0, 100, 0);
        store.put(session);
        for (long now = 90; now < 1_000; now += 90) {
            session.touch(now);
            assertThat(store.pollExpired(now + 5, 10)).as("polled at %d", now + 5).isEmpty();
        }
        assertThat(keys(store.pollExpired(session.lastAccess() + 100, 10))).containsExactly("session");
    }

    @Test
    void pollExpired_afterOverwriteWithLaterDeadline_usesTheNewDeadline() {
        RecordStore store = store();
        store.put(record("k", 1, 100, 0, 0));
        store.put(record("k", 2, 500, 0, 0));
        assertThat(store.pollExpired(200, 10)).isEmpty();
        List<Record> due = store.pollExpired(500, 10);
        assertThat(due).hasSize(1);
        assertThat(due.get(0).version()).isEqualTo(2);
    }

    @Test
    void pollExpired_afterOverwriteWithEarlierDeadline_usesTheNewDeadline() {
        RecordStore store = store();
        store.put(record("k", 1, 500, 0, 0));
        store.put(record("k", 2, 100, 0, 0));
        List<Record> due = store.pollExpired(100, 10);
        assertThat(due).hasSize(1);
        assertThat(due.get(0).version()).isEqualTo(2);
        assertThat(store.pollExpired(600, 10)).as("one key is reported once").isEmpty();
    }

    @Test
    void pollExpired_afterPersistingOverwrite_neverReportsTheKey() {
        RecordStore store = store();
        store.put(record("k", 1, 100, 0, 0));
        store.put(record("k", 2, 0, 0, 0)); // persisted
        assertThat(store.pollExpired(Long.MAX_VALUE - 1, 10)).isEmpty();
    }

    @Test
    void pollExpired_ofRemovedKey_reportsNothing() {
        RecordStore store = store();
        store.put(record("k", 1, 100, 0, 0));
        store.remove(key("k"), (byte) 0, 1L);
        assertThat(store.pollExpired(1_000, 10)).isEmpty();
    }

    @Test
    void pollExpired_removedThenRewrittenLater_expiresAtTheNewDeadline() {
        RecordStore store = store();
        store.put(record("k", 1, 100, 0, 0));
        store.remove(key("k"), (byte) 0, 1L);
        store.put(record("k", 3, 400, 0, 0));
        assertThat(store.pollExpired(399, 10)).isEmpty();
        assertThat(store.pollExpired(400, 10)).hasSize(1);
    }

    /**
     * A backup applies the primary's removals but never polls its expiry queue (only primaries run active expiry),
     * so whatever a removal leaves in the queue stays until the member happens to become primary. With a TTL or
     * max-idle on every entry (sessions), that is one retained key per entry ever written.
     */
    @Test
    void remove_releasesTheKeysExpiryBookkeeping() throws ReflectiveOperationException {
        RecordStore backup = store();
        long version = 0;
        for (int round = 0; round < 10; round++) {
            for (int i = 0; i < 1_000; i++) {
                backup.put(record("session-" + round + "-" + i, ++version, 0, 30_000, 0));
            }
            for (int i = 0; i < 1_000; i++) {
                backup.remove(key("session-" + round + "-" + i), (byte) 0, 1L); // the primary's replicated expiry
            }
        }
        assertThat(backup.size()).isZero();
        assertThat(scheduledKeys(backup)).as("expiry bookkeeping still held for keys removed long ago "
                + "(10,000 removed, 0 live); it must not grow with the history").isLessThan(1_000);
    }

    private static int scheduledKeys(RecordStore store) throws ReflectiveOperationException {
        Field scheduled = RecordStore.class.getDeclaredField("scheduled");
        scheduled.setAccessible(true);
        Field queue = RecordStore.class.getDeclaredField("expiryQueue");
        queue.setAccessible(true);
        return Math.max(((Map<?, ?>) scheduled.get(store)).size(), ((java.util.Collection<?>) queue.get(store)).size());
    }

    @Test
    void sequence_countsFromZero_andReplicasSetIt() {
        RecordStore primary = store();
        assertThat(primary.sequence()).isZero();
        assertThat(primary.nextSequence()).isEqualTo(1);
        assertThat(primary.nextSequence()).isEqualTo(2);
        RecordStore backup = store();
        backup.sequence(2);
        assertThat(backup.sequence()).isEqualTo(primary.sequence());
    }
}
