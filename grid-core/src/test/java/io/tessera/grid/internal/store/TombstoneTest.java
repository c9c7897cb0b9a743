package io.tessera.grid.internal.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Deletions leave tombstones that a merge compares with the other side's entries; they are forgotten after the
 * retention, and what was forgotten is remembered as a horizon ({@link RecordStore#purgedStamp()}) below which a merged
 * entry the store has no trace of is not brought back.
 */
class TombstoneTest {
    private static BytesKey key(String k) {
        return new BytesKey(k.getBytes(StandardCharsets.UTF_8));
    }

    private static Record record(String k, long stamp) {
        return Record.of(key(k), (byte) 0, new byte[] {1}, 1, stamp, 0, 0, 0, 0);
    }

    @Test
    void remove_leavesATombstone_andAWriteReplacesIt() {
        RecordStore store = new RecordStore("m", 0, 1);
        store.put(record("a", 10));
        assertThat(store.remove(key("a"), (byte) 0, 20)).isNotNull();
        assertThat(store.get(key("a"))).isNull();
        assertThat(store.tombstone(key("a"))).isEqualTo(new Tombstone(key("a"), (byte) 0, 20));
        store.put(record("a", 30));
        assertThat(store.tombstone(key("a"))).isNull();
        assertThat(store.tombstoneCount()).isZero();
    }

    @Test
    void purge_forgetsTombstonesUpToTheHorizon_andRemembersTheNewestForgotten() {
        RecordStore store = new RecordStore("m", 0, 1);
        store.remove(key("a"), (byte) 0, 10);
        store.remove(key("b"), (byte) 0, 30);
        store.remove(key("c"), (byte) 0, 50);
        store.purgeTombstones(40);
        assertThat(store.tombstone(key("a"))).isNull();
        assertThat(store.tombstone(key("b"))).isNull();
        assertThat(store.tombstone(key("c"))).isNotNull();
        assertThat(store.purgedStamp()).isEqualTo(30);
        store.putTombstone(new Tombstone(key("d"), (byte) 0, 25));
        assertThat(store.tombstone(key("d"))).as("older than what is forgotten already").isNull();
    }

    @Test
    void aDeletedKeyDeletedAgain_isPurgedByItsNewestDeletion() {
        RecordStore store = new RecordStore("m", 0, 1);
        store.remove(key("a"), (byte) 0, 10);
        store.put(record("a", 20));
        store.remove(key("a"), (byte) 0, 60);
        store.purgeTombstones(40);
        assertThat(store.tombstone(key("a"))).isNotNull();
        assertThat(store.purgedStamp()).isZero();
    }

    @Test
    void clear_forgetsEverything_andEverythingBeforeItCountsAsDeleted() {
        RecordStore store = new RecordStore("m", 0, 1);
        store.put(record("a", 10));
        store.remove(key("b"), (byte) 0, 15);
        store.clear(100);
        assertThat(store.size()).isZero();
        assertThat(store.tombstoneCount()).isZero();
        assertThat(store.purgedStamp()).isEqualTo(100);
    }
}
