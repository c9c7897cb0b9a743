package io.tessera.redis.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.redis.chaos.History.KeyHistory;
import io.tessera.redis.chaos.History.Op;
import io.tessera.redis.chaos.History.Outcome;
import io.tessera.redis.chaos.Verdicts.Verdict;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The chaos run's judgement, pinned down: it must never call a loss what its history explains, and never let pass
 * what it does not.
 */
@Timeout(10)
class VerdictsTest {
    private static final String V = "v:r0:1";

    private static KeyHistory key(Op... ops) {
        KeyHistory key = new KeyHistory("r0o1", true);
        key.ops.addAll(java.util.List.of(ops));
        return key;
    }

    private static Op set(int version, Outcome outcome, int sentAt, int doneAt) {
        return new Op(version, outcome, sentAt, doneAt, (byte) 0, false);
    }

    private static Op del(Outcome outcome, int sentAt, int doneAt, boolean foundNothing) {
        return new Op(-1, outcome, sentAt, doneAt, (byte) 0, foundNothing);
    }

    @Test
    void unique_acknowledgedSetPresent_ok_absent_lost() {
        assertThat(Verdicts.unique(Outcome.ACKED, Outcome.NONE, false, V, V).verdict()).isEqualTo(Verdict.OK);
        assertThat(Verdicts.unique(Outcome.ACKED, Outcome.NONE, false, V, null).verdict()).isEqualTo(Verdict.LOST);
        assertThat(Verdicts.unique(Outcome.ACKED, Outcome.NONE, false, V, "v:other").verdict())
                .isEqualTo(Verdict.LOST);
    }

    @Test
    void unique_unknownSet_acceptsEitherState() {
        assertThat(Verdicts.unique(Outcome.UNKNOWN, Outcome.NONE, false, V, V).verdict())
                .isEqualTo(Verdict.OK_UNKNOWN);
        assertThat(Verdicts.unique(Outcome.UNKNOWN, Outcome.NONE, false, V, null).verdict())
                .isEqualTo(Verdict.OK_UNKNOWN);
    }

    @Test
    void unique_failedSetPresent_isPhantom() {
        assertThat(Verdicts.unique(Outcome.FAILED, Outcome.NONE, false, V, V).verdict()).isEqualTo(Verdict.PHANTOM);
        assertThat(Verdicts.unique(Outcome.FAILED, Outcome.NONE, false, V, null).verdict()).isEqualTo(Verdict.OK);
    }

    @Test
    void unique_acknowledgedDeleteUndone_isResurrected() {
        assertThat(Verdicts.unique(Outcome.ACKED, Outcome.ACKED, false, V, V).verdict())
                .isEqualTo(Verdict.RESURRECTED);
        assertThat(Verdicts.unique(Outcome.ACKED, Outcome.ACKED, false, V, null).verdict()).isEqualTo(Verdict.OK);
        assertThat(Verdicts.unique(Outcome.ACKED, Outcome.UNKNOWN, false, V, V).verdict())
                .isEqualTo(Verdict.OK_UNKNOWN);
    }

    @Test
    void unique_respDeleteThatFoundNothing_meansTheSetWasLost() {
        assertThat(Verdicts.unique(Outcome.ACKED, Outcome.ACKED, true, V, null).verdict()).isEqualTo(Verdict.LOST);
    }

    @Test
    void overwritten_lastAcknowledgedValue_ok() {
        KeyHistory k = key(set(0, Outcome.ACKED, 0, 10), set(1, Outcome.ACKED, 20, 30));
        assertThat(Verdicts.overwritten(k, "r0o1#1").verdict()).isEqualTo(Verdict.OK);
    }

    @Test
    void overwritten_olderAcknowledgedValue_isLost() {
        KeyHistory k = key(set(0, Outcome.ACKED, 0, 10), set(1, Outcome.ACKED, 20, 30));
        Verdicts.Judgement j = Verdicts.overwritten(k, "r0o1#0");
        assertThat(j.verdict()).isEqualTo(Verdict.LOST);
        assertThat(j.why()).contains("older SET #0");
        assertThat(Verdicts.overwritten(k, null).verdict()).isEqualTo(Verdict.LOST);
    }

    @Test
    void overwritten_unknownWriteAfterLastAck_mayHaveWon() {
        KeyHistory k = key(set(0, Outcome.ACKED, 0, 10), set(1, Outcome.UNKNOWN, 20, 30),
                del(Outcome.UNKNOWN, 40, 50, false));
        assertThat(Verdicts.overwritten(k, "r0o1#0").verdict()).isEqualTo(Verdict.OK);
        assertThat(Verdicts.overwritten(k, "r0o1#1").verdict()).isEqualTo(Verdict.OK_UNKNOWN);
        assertThat(Verdicts.overwritten(k, null).verdict()).isEqualTo(Verdict.OK_UNKNOWN);
    }

    @Test
    void overwritten_unknownWriteBeforeLastAck_explainsOnlyWithinTheLateWindow() {
        int late = Verdicts.LATE_WINDOW_MILLIS;
        KeyHistory recent = key(set(0, Outcome.UNKNOWN, 0, 1_000), set(1, Outcome.ACKED, 2_000, 2_010));
        assertThat(Verdicts.overwritten(recent, "r0o1#0").verdict()).isEqualTo(Verdict.OK_LATE);
        KeyHistory old = key(set(0, Outcome.UNKNOWN, 0, 1_000), set(1, Outcome.ACKED, 1_000 + late, 1_010 + late));
        assertThat(Verdicts.overwritten(old, "r0o1#0").verdict()).isEqualTo(Verdict.LOST);
    }

    @Test
    void overwritten_valueOfAFailedWrite_isPhantom() {
        KeyHistory k = key(set(0, Outcome.ACKED, 0, 10), set(1, Outcome.FAILED, 20, 30));
        assertThat(Verdicts.overwritten(k, "r0o1#1").verdict()).isEqualTo(Verdict.PHANTOM);
    }

    @Test
    void overwritten_valueBackAfterAcknowledgedDelete_isResurrected() {
        KeyHistory k = key(set(0, Outcome.ACKED, 0, 10), del(Outcome.ACKED, 20, 30, false));
        assertThat(Verdicts.overwritten(k, null).verdict()).isEqualTo(Verdict.OK);
        assertThat(Verdicts.overwritten(k, "r0o1#0").verdict()).isEqualTo(Verdict.RESURRECTED);
    }

    @Test
    void overwritten_neverAcknowledged_absentIsFine_unknownValueToo() {
        KeyHistory k = key(set(0, Outcome.UNKNOWN, 0, 10), set(1, Outcome.FAILED, 20, 30));
        assertThat(Verdicts.overwritten(k, null).verdict()).isEqualTo(Verdict.OK);
        assertThat(Verdicts.overwritten(k, "r0o1#0").verdict()).isEqualTo(Verdict.OK_UNKNOWN);
        assertThat(Verdicts.overwritten(k, "r0o1#1").verdict()).isEqualTo(Verdict.PHANTOM);
    }

    @Test
    void unseenByDelete_countsOnlyWhatNoUncertainDeleteExplains() {
        KeyHistory plain = key(set(0, Outcome.ACKED, 0, 10), del(Outcome.ACKED, 20, 30, true));
        assertThat(Verdicts.unseenByDelete(plain)).hasSize(1);
        KeyHistory unknownBetween = key(set(0, Outcome.ACKED, 0, 10), del(Outcome.UNKNOWN, 12, 15, false),
                set(1, Outcome.UNKNOWN, 16, 17), del(Outcome.ACKED, 20, 30, true));
        assertThat(Verdicts.unseenByDelete(unknownBetween)).isEmpty();
        KeyHistory lateBefore = key(del(Outcome.UNKNOWN, 0, 5, false), set(0, Outcome.ACKED, 6, 10),
                del(Outcome.ACKED, 20, 30, true));
        assertThat(Verdicts.unseenByDelete(lateBefore)).isEmpty();
        KeyHistory afterDelete = key(set(0, Outcome.ACKED, 0, 10), del(Outcome.ACKED, 20, 30, false),
                del(Outcome.ACKED, 40, 50, true));
        assertThat(Verdicts.unseenByDelete(afterDelete)).isEmpty();
    }

    @Test
    void errorReplies_failedOnlyWhenRefusedWithoutDoubt() {
        assertThat(Workload.classifyErrorReply("TRYAGAIN partition 3 is moving")).isEqualTo(Outcome.FAILED);
        assertThat(Workload.classifyErrorReply("CLUSTERDOWN The cluster is down")).isEqualTo(Outcome.FAILED);
        assertThat(Workload.classifyErrorReply("TRYAGAIN SET on map 'redis-db-0' (partition 201) did not complete"
                + " within 5000 ms; the write may or may not have been applied")).isEqualTo(Outcome.UNKNOWN);
        assertThat(Workload.classifyErrorReply("TRYAGAIN the write may have been applied")).isEqualTo(Outcome.UNKNOWN);
        assertThat(Workload.classifyErrorReply("ERR internal error in 'set'")).isEqualTo(Outcome.UNKNOWN);
        assertThat(Workload.classifyErrorReply(null)).isEqualTo(Outcome.UNKNOWN);
    }
}
