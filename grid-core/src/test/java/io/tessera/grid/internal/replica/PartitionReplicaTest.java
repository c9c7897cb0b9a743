package io.tessera.grid.internal.replica;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.grid.internal.partition.PartitionTable;
import io.tessera.grid.internal.replica.PartitionReplica.ApplyOutcome;
import io.tessera.grid.internal.store.BytesKey;
import io.tessera.grid.internal.store.Record;
import io.tessera.grid.internal.store.RecordStore;
import io.tessera.grid.internal.wire.WireReader;
import io.tessera.grid.internal.wire.WireWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.jgroups.Address;
import org.jgroups.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Replication positions are (epoch, sequence): a backup follows one primary term in sequence, follows a new term only
 * if it began exactly where the backup stands, and asks for a resync on anything else, so two histories that share a
 * sequence number (a zombie primary's and its successor's) are never mixed.
 */
class PartitionReplicaTest {
    private static final Address PRIMARY = UUID.randomUUID();
    private static final Address BACKUP = UUID.randomUUID();
    private static final Address OTHER = UUID.randomUUID();

    private static PartitionReplica backupReplica() {
        PartitionReplica replica = new PartitionReplica(0, PartitionTable.empty(1));
        replica.applyTable(PartitionTable.of(1, List.of(List.of(PRIMARY, BACKUP))), BACKUP);
        return replica;
    }

    private static Mutation put(long epoch, long base, long sequence, String value) {
        Record record = Record.of(new BytesKey("k".getBytes(StandardCharsets.UTF_8)), (byte) 0,
                value.getBytes(StandardCharsets.UTF_8), sequence, sequence, 0, 0, 0, 0);
        return new Mutation("m", 1, (byte) 0, epoch, base, sequence, Mutation.Kind.PUT, record, null, (byte) 0, 0);
    }

    @Test
    void store_answersTheStoreTheReplicaHoldsNow_afterItWasDropped_replacedByASnapshot_orLeftBehindAsAFarBackup() {
        PartitionReplica replica = new PartitionReplica(0, PartitionTable.empty(1));
        replica.applyTable(PartitionTable.of(1, List.of(List.of(PRIMARY, BACKUP))), PRIMARY);
        RecordStore first = replica.store("m", 1);
        assertThat(replica.store("m", 1)).isSameAs(first);

        // Dropped: this member is no owner any more.
        replica.applyTable(PartitionTable.of(1, List.of(List.of(BACKUP, OTHER))), PRIMARY);
        RecordStore afterDrop = replica.store("m", 1);
        assertThat(afterDrop).isNotSameAs(first).isSameAs(replica.existingStore("m"));

        // Replaced by a snapshot's stores.
        RecordStore staged = new RecordStore("m", 0, 1);
        replica.beginStaging().put("m", staged);
        replica.commitStaging();
        assertThat(replica.store("m", 1)).isSameAs(staged);

        // A second backup keeps only maps with two backups or more: the one-backup store goes.
        replica.applyTable(PartitionTable.of(1, List.of(List.of(BACKUP, OTHER, PRIMARY))), PRIMARY);
        assertThat(replica.existingStore("m")).isNull();
        assertThat(replica.store("m", 1)).isNotSameAs(staged).isSameAs(replica.existingStore("m"));
    }

    @Test
    void mutationsOfOneEpoch_applyInSequence_duplicatesAreIgnored_andAGapIsReported() {
        PartitionReplica replica = backupReplica();
        assertThat(replica.applyInSequence(put(1, 0, 1, "a"))).isEqualTo(ApplyOutcome.APPLIED);
        assertThat(replica.applyInSequence(put(1, 0, 2, "b"))).isEqualTo(ApplyOutcome.APPLIED);
        assertThat(replica.applyInSequence(put(1, 0, 2, "b"))).isEqualTo(ApplyOutcome.ALREADY_APPLIED);
        assertThat(replica.applyInSequence(put(1, 0, 4, "d"))).isEqualTo(ApplyOutcome.OUT_OF_SEQUENCE);
        assertThat(replica.existingStore("m").sequence()).isEqualTo(2);
    }

    @Test
    void aNewEpoch_isFollowedOnlyFromExactlyWhereItBegan() {
        PartitionReplica replica = backupReplica();
        replica.applyInSequence(put(1, 0, 1, "a"));
        replica.applyInSequence(put(1, 0, 2, "b"));
        // The successor's term began at sequence 2, where this backup stands.
        assertThat(replica.applyInSequence(put(5, 2, 3, "c"))).isEqualTo(ApplyOutcome.APPLIED);
        RecordStore store = replica.existingStore("m");
        assertThat(store.epoch()).isEqualTo(5);
        assertThat(store.epochBase()).isEqualTo(2);
        assertThat(replica.applyInSequence(put(5, 2, 4, "d"))).isEqualTo(ApplyOutcome.APPLIED);
        // A late mutation of the old term is part of the replaced history, never applied over the new one.
        assertThat(replica.applyInSequence(put(1, 0, 5, "zombie"))).isEqualTo(ApplyOutcome.ALREADY_APPLIED);
        assertThat(new String(store.get(new BytesKey("k".getBytes(StandardCharsets.UTF_8))).value(),
                StandardCharsets.UTF_8)).isEqualTo("d");
    }

    @Test
    void aZombieWriteWithTheSuccessorsNumber_makesTheBackupResync_insteadOfSkippingTheSuccessorsWrite() {
        PartitionReplica replica = backupReplica();
        replica.applyInSequence(put(1, 0, 1, "a"));
        // The old primary, cut off, got sequence 2 through to this backup only.
        assertThat(replica.applyInSequence(put(1, 0, 2, "zombie"))).isEqualTo(ApplyOutcome.APPLIED);
        // Its successor was promoted at sequence 1 and numbers its first write 2 as well.
        assertThat(replica.applyInSequence(put(7, 1, 2, "successor"))).isEqualTo(ApplyOutcome.OUT_OF_SEQUENCE);
    }

    @Test
    void becomingPrimary_entersTheTablesEpochAtTheSequenceItHolds() {
        PartitionReplica replica = backupReplica();
        replica.applyInSequence(put(1, 0, 1, "a"));
        replica.applyInSequence(put(1, 0, 2, "b"));
        PartitionTable promoted = PartitionTable.next(replica.table(), 9, List.of(List.of(BACKUP, OTHER)));
        replica.applyTable(promoted, BACKUP);
        assertThat(promoted.epoch(0)).isEqualTo(9);
        RecordStore store = replica.existingStore("m");
        assertThat(store.epoch()).isEqualTo(9);
        assertThat(store.epochBase()).isEqualTo(2);
        assertThat(replica.store("new-map", 1).epoch()).as("a map created by the primary").isEqualTo(9);
        PartitionTable sameTerm = PartitionTable.next(promoted, 10, List.of(List.of(BACKUP, PRIMARY)));
        assertThat(sameTerm.epoch(0)).as("the primary stays, so does its epoch").isEqualTo(9);
    }

    /** {@code m} as a backup decodes it from the wire. */
    private static Mutation overTheWire(Mutation m) {
        WireWriter out = new WireWriter(64);
        m.writeTo(out);
        return Mutation.readFrom(new WireReader(out.toByteArray()));
    }

    private static Mutation putReplacing(long sequence, String value, String replaced) {
        Record record = Record.of(new BytesKey("k".getBytes(StandardCharsets.UTF_8)), (byte) 0,
                value.getBytes(StandardCharsets.UTF_8), sequence, sequence, 0, 0, 0, 0);
        return new Mutation("m", 1, (byte) 0, 1, 0, sequence, Mutation.Kind.PUT, record, null, (byte) 0, 0,
                replaced.getBytes(StandardCharsets.UTF_8), null);
    }

    @Test
    void aWriteThatChangesLittleOfALargeValue_travelsAsAPatch_thatOnlyTheReplacedCopyAccepts() {
        String large = "0123456789abcdef".repeat(64);
        String changed = large.substring(0, 500) + "CHANGED" + large.substring(507);
        PartitionReplica replica = backupReplica();
        replica.applyInSequence(put(1, 0, 1, large));

        Mutation patch = overTheWire(putReplacing(2, changed, large));
        assertThat(patch.kind()).isEqualTo(Mutation.Kind.PATCH);
        assertThat(patch.record().value().length).isLessThan(40);
        assertThat(replica.applyInSequence(patch)).isEqualTo(ApplyOutcome.APPLIED);
        RecordStore store = replica.existingStore("m");
        assertThat(new String(store.get(new BytesKey("k".getBytes(StandardCharsets.UTF_8))).value(),
                StandardCharsets.UTF_8)).isEqualTo(changed);

        // The same change made against a value this replica does not hold: refused, nothing applied.
        String other = "X" + large.substring(1);
        Mutation misfit = overTheWire(putReplacing(3, other.substring(0, 900) + "Y" + other.substring(901), other));
        assertThat(misfit.kind()).isEqualTo(Mutation.Kind.PATCH);
        assertThat(replica.applyInSequence(misfit)).isEqualTo(ApplyOutcome.PATCH_MISMATCH);
        assertThat(store.sequence()).isEqualTo(2);
        assertThat(new String(store.get(new BytesKey("k".getBytes(StandardCharsets.UTF_8))).value(),
                StandardCharsets.UTF_8)).isEqualTo(changed);

        // A small value goes whole.
        assertThat(overTheWire(putReplacing(3, "short", "shorter")).kind()).isEqualTo(Mutation.Kind.PUT);
    }
}
