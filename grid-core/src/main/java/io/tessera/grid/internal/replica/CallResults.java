package io.tessera.grid.internal.replica;

import io.tessera.grid.internal.wire.WireReader;
import io.tessera.grid.internal.wire.WireWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The results of recent write calls on one partition, by {@link CallId}, so that an attempt that repeats a call (after
 * a timeout, a lost reply or a failover) gets the first attempt's result instead of applying the write twice.
 *
 * <p>Every replica keeps them: the primary records a result when it applies a call and streams it to the backups with
 * the call's mutations, and snapshots carry them to new replicas, so a backup promoted after a crash still knows the
 * calls its predecessor applied. A result is kept until the caller cannot retry any more: every request carries the
 * invoker's <em>watermark</em>, the lowest call number it still waits for, and results below it are dropped; and no
 * result outlives its retention (the caller's deadline, twice over), for callers that went away.
 *
 * <p>A result on the primary is {@link State#PENDING} while its mutations are being replicated, {@link State#DONE}
 * once every backup applied them, and {@link State#UNCERTAIN} when replication could not be confirmed: a retry of an
 * uncertain call must first make sure the backups hold the write. Owned by the partition's thread.
 */
public final class CallResults {

    /** Where a recorded call stands on this replica. */
    public enum State {
        /** Applied here, replication to the backups under way. */
        PENDING,
        /** Applied here and on every backup (or received from the primary as such). */
        DONE,
        /** Applied here, but the backups' acknowledgement did not come. */
        UNCERTAIN
    }

    /** One recorded call. */
    public static final class Entry {
        private final byte[] result;
        private final long retainUntilNanos;
        private State state;
        private List<Runnable> waiters;
        private List<?> redo = List.of();

        Entry(byte[] result, State state, long retainUntilNanos) {
            this.result = result;
            this.state = state;
            this.retainUntilNanos = retainUntilNanos;
        }

        /** The encoded result the first attempt answered with. */
        public byte[] result() {
            return result;
        }

        /** Where the call stands. */
        public State state() {
            return state;
        }

        /**
         * What a retry of an uncertain call must publish again (the call's entry changes, whose near-cache
         * invalidations may not have been confirmed); kept only until the call is done.
         */
        public List<?> redo() {
            return redo;
        }

        /** Keeps what a retry must publish again, while the call is not done. */
        public void redo(List<?> changes) {
            this.redo = changes;
        }

        /** Settles a pending call and wakes the retries that waited for it. */
        public void settle(State newState) {
            state = newState;
            if (newState == State.DONE) {
                redo = List.of();
            }
            List<Runnable> woken = waiters;
            waiters = null;
            if (woken != null) {
                woken.forEach(Runnable::run);
            }
        }

        /** Runs {@code waiter} (on the partition thread) once a pending call settles. */
        public void whenSettled(Runnable waiter) {
            if (state != State.PENDING) {
                waiter.run();
                return;
            }
            if (waiters == null) {
                waiters = new ArrayList<>(1);
            }
            waiters.add(waiter);
        }
    }

    private final Map<Long, TreeMap<Long, Entry>> byInvoker = new HashMap<>();
    private int size;

    /** The recorded result of {@code call}, or {@code null}. */
    public Entry get(CallId call) {
        TreeMap<Long, Entry> calls = byInvoker.get(call.invoker());
        return calls == null ? null : calls.get(call.sequence());
    }

    /** Records the result of {@code call} and returns its entry. */
    public Entry record(CallId call, byte[] result, State state, long retainUntilNanos) {
        Entry entry = new Entry(result, state, retainUntilNanos);
        Entry previous = byInvoker.computeIfAbsent(call.invoker(), i -> new TreeMap<>()).put(call.sequence(), entry);
        if (previous == null) {
            size++;
        }
        return entry;
    }

    /** Drops the results of {@code invoker}'s calls below {@code watermark}: it waits for none of them any more. */
    public void acknowledge(long invoker, long watermark) {
        TreeMap<Long, Entry> calls = byInvoker.get(invoker);
        if (calls == null) {
            return;
        }
        while (!calls.isEmpty() && calls.firstKey() < watermark) {
            calls.pollFirstEntry();
            size--;
        }
        if (calls.isEmpty()) {
            byInvoker.remove(invoker);
        }
    }

    /** Drops results whose retention passed at {@code nowNanos}. */
    public void expire(long nowNanos) {
        Iterator<TreeMap<Long, Entry>> invokers = byInvoker.values().iterator();
        while (invokers.hasNext()) {
            TreeMap<Long, Entry> calls = invokers.next();
            Iterator<Entry> entries = calls.values().iterator();
            while (entries.hasNext()) {
                Entry e = entries.next();
                if (e.retainUntilNanos - nowNanos <= 0 && e.state != State.PENDING) {
                    entries.remove();
                    size--;
                }
            }
            if (calls.isEmpty()) {
                invokers.remove();
            }
        }
    }

    /** The number of recorded calls. */
    public int size() {
        return size;
    }

    /** Drops every result (the replica is dropped). */
    public void clear() {
        byInvoker.clear();
        size = 0;
    }

    /** Writes every result with its remaining retention, for a snapshot. */
    public void writeTo(WireWriter out, long nowNanos) {
        out.writeVarInt(size);
        byInvoker.forEach((invoker, calls) -> calls.forEach((sequence, entry) -> {
            out.writeLong(invoker).writeVarLong(sequence).writeBytes(entry.result)
                    .writeVarLong(Math.max(0, entry.retainUntilNanos - nowNanos) / 1_000_000);
        }));
    }

    /** Reads results written by {@link #writeTo} into this cache, as settled calls. */
    public void readFrom(WireReader in, long nowNanos) {
        int count = in.readVarInt();
        for (int i = 0; i < count; i++) {
            CallId call = new CallId(in.readLong(), in.readVarLong());
            byte[] result = in.readBytes();
            long retainMillis = in.readVarLong();
            if (get(call) == null) {
                record(call, result, State.DONE, nowNanos + retainMillis * 1_000_000);
            }
        }
    }
}
