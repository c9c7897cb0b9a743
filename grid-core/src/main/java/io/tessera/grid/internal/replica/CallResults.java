package io.tessera.grid.internal.replica;

import io.tessera.grid.internal.wire.WireReader;
import io.tessera.grid.internal.wire.WireWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

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

    /**
     * One invoker's recorded calls, sorted by call number in a circular buffer. Calls reach a partition almost in
     * order, so recording is an append, the watermark pops from the front, and a lookup is a binary search over
     * primitive call numbers: no boxed key and no tree node per call.
     */
    private static final class InvokerCalls {
        final long invoker;
        long[] sequences = new long[8];
        Entry[] entries = new Entry[8];
        int head;
        int count;

        InvokerCalls(long invoker) {
            this.invoker = invoker;
        }

        private int slot(int position) {
            return (head + position) & (sequences.length - 1);
        }

        /** The position of {@code sequence}, or {@code -(insertion position) - 1}. */
        private int find(long sequence) {
            int low = 0;
            int high = count - 1;
            while (low <= high) {
                int middle = (low + high) >>> 1;
                long at = sequences[slot(middle)];
                if (at < sequence) {
                    low = middle + 1;
                } else if (at > sequence) {
                    high = middle - 1;
                } else {
                    return middle;
                }
            }
            return -(low + 1);
        }

        Entry get(long sequence) {
            int position = find(sequence);
            return position >= 0 ? entries[slot(position)] : null;
        }

        /** Stores {@code entry}; returns the entry it replaced, or {@code null}. */
        Entry put(long sequence, Entry entry) {
            int position = count == 0 || sequences[slot(count - 1)] < sequence ? -(count + 1) : find(sequence);
            if (position >= 0) {
                int at = slot(position);
                Entry replaced = entries[at];
                entries[at] = entry;
                return replaced;
            }
            if (count == sequences.length) {
                grow();
            }
            int insert = -position - 1;
            for (int k = count; k > insert; k--) {
                sequences[slot(k)] = sequences[slot(k - 1)];
                entries[slot(k)] = entries[slot(k - 1)];
            }
            sequences[slot(insert)] = sequence;
            entries[slot(insert)] = entry;
            count++;
            return null;
        }

        private void grow() {
            long[] newSequences = new long[sequences.length * 2];
            Entry[] newEntries = new Entry[entries.length * 2];
            for (int k = 0; k < count; k++) {
                newSequences[k] = sequences[slot(k)];
                newEntries[k] = entries[slot(k)];
            }
            sequences = newSequences;
            entries = newEntries;
            head = 0;
        }

        /** Drops the calls below {@code watermark}; returns how many. */
        int dropBelow(long watermark) {
            int dropped = 0;
            while (count > 0 && sequences[head] < watermark) {
                entries[head] = null;
                head = (head + 1) & (sequences.length - 1);
                count--;
                dropped++;
            }
            return dropped;
        }

        /** Drops the settled calls whose retention passed at {@code nowNanos}; returns how many. */
        int expire(long nowNanos) {
            int kept = 0;
            for (int k = 0; k < count; k++) {
                Entry e = entries[slot(k)];
                if (e.retainUntilNanos - nowNanos <= 0 && e.state != State.PENDING) {
                    continue;
                }
                sequences[slot(kept)] = sequences[slot(k)];
                entries[slot(kept)] = e;
                kept++;
            }
            for (int k = kept; k < count; k++) {
                entries[slot(k)] = null;
            }
            int dropped = count - kept;
            count = kept;
            return dropped;
        }
    }

    /** The invokers with recorded calls: as many as members that wrote here lately, so a scan finds one. */
    private InvokerCalls[] invokers = new InvokerCalls[4];
    private int invokerCount;
    private int size;

    private InvokerCalls calls(long invoker) {
        for (int i = 0; i < invokerCount; i++) {
            if (invokers[i].invoker == invoker) {
                return invokers[i];
            }
        }
        return null;
    }

    private void removeInvoker(int index) {
        invokers[index] = invokers[--invokerCount];
        invokers[invokerCount] = null;
    }

    /** The recorded result of {@code call}, or {@code null}. */
    public Entry get(CallId call) {
        InvokerCalls calls = calls(call.invoker());
        return calls == null ? null : calls.get(call.sequence());
    }

    /** Records the result of {@code call} and returns its entry. */
    public Entry record(CallId call, byte[] result, State state, long retainUntilNanos) {
        Entry entry = new Entry(result, state, retainUntilNanos);
        InvokerCalls calls = calls(call.invoker());
        if (calls == null) {
            if (invokerCount == invokers.length) {
                invokers = Arrays.copyOf(invokers, invokerCount * 2);
            }
            calls = new InvokerCalls(call.invoker());
            invokers[invokerCount++] = calls;
        }
        if (calls.put(call.sequence(), entry) == null) {
            size++;
        }
        return entry;
    }

    /** Drops the results of {@code invoker}'s calls below {@code watermark}: it waits for none of them any more. */
    public void acknowledge(long invoker, long watermark) {
        for (int i = 0; i < invokerCount; i++) {
            InvokerCalls calls = invokers[i];
            if (calls.invoker == invoker) {
                size -= calls.dropBelow(watermark);
                if (calls.count == 0) {
                    removeInvoker(i);
                }
                return;
            }
        }
    }

    /** Drops results whose retention passed at {@code nowNanos}. */
    public void expire(long nowNanos) {
        for (int i = invokerCount - 1; i >= 0; i--) {
            size -= invokers[i].expire(nowNanos);
            if (invokers[i].count == 0) {
                removeInvoker(i);
            }
        }
    }

    /** The number of recorded calls. */
    public int size() {
        return size;
    }

    /** Drops every result (the replica is dropped). */
    public void clear() {
        invokers = new InvokerCalls[4];
        invokerCount = 0;
        size = 0;
    }

    /** Writes every result with its remaining retention, for a snapshot. */
    public void writeTo(WireWriter out, long nowNanos) {
        out.writeVarInt(size);
        for (int i = 0; i < invokerCount; i++) {
            InvokerCalls calls = invokers[i];
            for (int k = 0; k < calls.count; k++) {
                Entry entry = calls.entries[calls.slot(k)];
                out.writeLong(calls.invoker).writeVarLong(calls.sequences[calls.slot(k)]).writeBytes(entry.result)
                        .writeVarLong(Math.max(0, entry.retainUntilNanos - nowNanos) / 1_000_000);
            }
        }
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
