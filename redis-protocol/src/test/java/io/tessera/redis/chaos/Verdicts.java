package io.tessera.redis.chaos;

import io.tessera.redis.chaos.History.KeyHistory;
import io.tessera.redis.chaos.History.Op;
import io.tessera.redis.chaos.History.Outcome;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What a key's final value says about its recorded history: the judgement of {@link ChaosCheck}, as pure functions so
 * that {@code VerdictsTest} can pin it down.
 *
 * <p>A value that is not the last acknowledged one is accepted only when a write whose outcome is unknown explains
 * it: one after the last acknowledged write, or one before it that could still have been applied after it (it ended
 * less than {@value #LATE_WINDOW_MILLIS} ms before the acknowledged write was sent: a request can sit in a frozen
 * member or a cut-off retransmission queue for up to a fault's length, 15 s, plus the operation timeout). A value
 * that only a write reported as certainly not applied explains is a phantom write.
 */
final class Verdicts {
    static final int LATE_WINDOW_MILLIS = 30_000;

    /** What a key's final value says. */
    enum Verdict { OK, OK_UNKNOWN, OK_LATE, LOST, RESURRECTED, PHANTOM, UNREADABLE }

    /** A verdict, the value expected (null: absent), and why. */
    record Judgement(Verdict verdict, String expected, String why) {
    }

    private Verdicts() {
    }

    /**
     * A unique key, SET once to {@code value} and perhaps DELeted once after the SET was acknowledged.
     *
     * @param goneBeforeDelete whether an acknowledged RESP DEL answered 0 at its first attempt (it ran once on the
     *     primary, so the key was gone); false for Java deletes, which the grid may retry after a first attempt that
     *     applied
     * @param actual the value read, null if absent
     */
    static Judgement unique(Outcome set, Outcome delete, boolean goneBeforeDelete, String value, String actual) {
        if (actual != null && !actual.equals(value)) {
            return new Judgement(Verdict.LOST, value, "a value it was never set to");
        }
        boolean present = actual != null;
        return switch (set) {
            case ACKED -> switch (delete) {
                case NONE -> new Judgement(present ? Verdict.OK : Verdict.LOST, value, "SET ACKED");
                case ACKED -> present ? new Judgement(Verdict.RESURRECTED, null, "SET ACKED, DEL ACKED")
                        : goneBeforeDelete ? new Judgement(Verdict.LOST, null,
                                "SET ACKED, DEL ACKED which answered 0: the key was already gone")
                        : new Judgement(Verdict.OK, null, "SET ACKED, DEL ACKED");
                case UNKNOWN -> new Judgement(Verdict.OK_UNKNOWN, present ? value : null, "SET ACKED, DEL UNKNOWN");
                case FAILED -> new Judgement(present ? Verdict.OK : Verdict.PHANTOM, value, "SET ACKED, DEL FAILED"
                        + (present ? "" : ", and gone: the DEL reported as not applied took effect, or the SET was"
                        + " lost"));
            };
            case UNKNOWN -> new Judgement(Verdict.OK_UNKNOWN, actual, "SET UNKNOWN");
            case FAILED -> new Judgement(present ? Verdict.PHANTOM : Verdict.OK, null, "SET FAILED");
            case NONE -> throw new IllegalArgumentException("a key that was never written");
        };
    }

    private static String state(KeyHistory key, Op op) {
        return op.isDelete() ? null : key.value(op.version());
    }

    static String describe(Op op) {
        return (op.isDelete() ? "DEL" : "SET #" + op.version()) + " " + op.outcome() + " at "
                + Timeline.seconds(op.doneAt());
    }

    /** The index of the last acknowledged write of {@code key}, or -1. */
    static int lastAcked(KeyHistory key) {
        for (int i = key.ops.size() - 1; i >= 0; i--) {
            if (key.ops.get(i).outcome() == Outcome.ACKED) {
                return i;
            }
        }
        return -1;
    }

    /** An overwritten (and sometimes deleted) key whose final value is {@code actual} (null: absent). */
    static Judgement overwritten(KeyHistory key, String actual) {
        List<Op> ops = key.ops;
        int last = lastAcked(key);
        Op lastAcked = last < 0 ? null : ops.get(last);
        String expected = last < 0 ? null : state(key, lastAcked);
        String why = last < 0 ? "no acknowledged write" : "last acknowledged: " + describe(lastAcked);
        if (Objects.equals(actual, expected)) {
            return new Judgement(Verdict.OK, expected, why);
        }
        for (int i = last + 1; i < ops.size(); i++) {
            if (ops.get(i).outcome() == Outcome.UNKNOWN && Objects.equals(state(key, ops.get(i)), actual)) {
                return new Judgement(Verdict.OK_UNKNOWN, expected, why + "; explained by " + describe(ops.get(i)));
            }
        }
        for (int i = 0; i < last; i++) {
            Op op = ops.get(i);
            if (op.outcome() == Outcome.UNKNOWN && Objects.equals(state(key, op), actual)
                    && op.doneAt() + LATE_WINDOW_MILLIS > lastAcked.sentAt()) {
                return new Judgement(Verdict.OK_LATE, expected, why + "; explained by " + describe(op)
                        + ", applied late");
            }
        }
        for (Op op : ops) {
            if (op.outcome() == Outcome.FAILED && Objects.equals(state(key, op), actual)) {
                return new Judgement(Verdict.PHANTOM, expected, why + "; the value of " + describe(op));
            }
        }
        if (expected == null && actual != null) {
            for (int i = 0; i < last; i++) {
                if (ops.get(i).outcome() == Outcome.ACKED && actual.equals(state(key, ops.get(i)))) {
                    return new Judgement(Verdict.RESURRECTED, null, why + "; the value of " + describe(ops.get(i)));
                }
            }
        }
        for (int i = 0; i < last; i++) {
            if (ops.get(i).outcome() == Outcome.ACKED && Objects.equals(actual, state(key, ops.get(i)))) {
                return new Judgement(Verdict.LOST, expected, why + "; holds the older " + describe(ops.get(i)));
            }
        }
        return new Judgement(Verdict.LOST, expected, why);
    }

    /**
     * The acknowledged SETs of a RESP key that a later acknowledged DEL, at its first attempt, answered 0 for
     * although no delete with an unknown or failed outcome (one before within the late window included) could have
     * removed the key: the SET was lost, or acknowledged by a side of a split the DEL's primary had not heard from.
     * One {@code {set, delete}} pair each.
     */
    static List<Op[]> unseenByDelete(KeyHistory key) {
        List<Op[]> unseen = new ArrayList<>();
        List<Op> ops = key.ops;
        int lastAckedSet = -1;
        for (int i = 0; i < ops.size(); i++) {
            Op op = ops.get(i);
            if (op.isDelete() && op.outcome() == Outcome.ACKED && op.foundNothing() && lastAckedSet >= 0) {
                boolean explained = false;
                for (int j = 0; j < i && !explained; j++) {
                    Op other = ops.get(j);
                    explained = other.isDelete() && other.outcome() != Outcome.ACKED
                            && (j > lastAckedSet || other.doneAt() + LATE_WINDOW_MILLIS > op.sentAt());
                }
                if (!explained) {
                    unseen.add(new Op[] {ops.get(lastAckedSet), op});
                }
            }
            if (op.outcome() == Outcome.ACKED) {
                lastAckedSet = op.isDelete() ? -1 : i;
            }
        }
        return unseen;
    }
}
