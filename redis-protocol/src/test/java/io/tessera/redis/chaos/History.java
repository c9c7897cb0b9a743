package io.tessera.redis.chaos;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the workload did and what it was told, per operation, in the three outcome classes the checks rely on.
 * Every structure has one writing thread (the worker that owns the keys) until the workload has stopped and been
 * joined; counters are shared and use adders.
 */
final class History {
    private History() {
    }

    /**
     * What a client learned about one logical write (after its own fail-over, which never re-sends after an
     * unknown outcome).
     */
    enum Outcome {
        /** Never attempted. */
        NONE,
        /** Acknowledged: it must be visible at the end unless a later write replaced it. */
        ACKED,
        /**
         * Certainly not applied: refused before it was sent (connection refused, a member known to be dead), or
         * refused by the server with an error that says so ({@code TRYAGAIN}, {@code CLUSTERDOWN},
         * {@code QuorumException}) without admitting the outcome is unknown.
         */
        FAILED,
        /**
         * Maybe applied, maybe not, maybe later: sent but unanswered (timeout, reset), any other error reply to a
         * write, an error text that admits an unknown outcome, {@code IndeterminateOutcomeException}.
         */
        UNKNOWN;

        static Outcome of(byte code) {
            return values()[code];
        }

        byte code() {
            return (byte) ordinal();
        }
    }

    /** Where a write went: a member's RESP port (its slot index) or the harness's Java API. */
    static final byte VIA_JAVA = -1;

    /**
     * The unique keys one worker writes, {@code prefix + seq} = {@code "v:" + key}, each SET once, some later
     * deleted once (and never written again, so a value seen after an acknowledged delete is a resurrection).
     */
    static final class Series {
        final String prefix;
        final boolean resp;
        final Bytes outcome = new Bytes();
        final Ints doneAt = new Ints();
        final Bytes via = new Bytes();
        final Bytes deleteOutcome = new Bytes();
        final Ints deleteAt = new Ints();
        /** 1 where an acknowledged DEL answered that there was no such key. */
        final Bytes deleteFoundNothing = new Bytes();

        Series(String prefix, boolean resp) {
            this.prefix = prefix;
            this.resp = resp;
        }

        int size() {
            return outcome.size();
        }

        String key(int seq) {
            return prefix + seq;
        }

        static String value(String key) {
            return "v:" + key;
        }
    }

    /**
     * One write to an overwritten key: a SET of {@code key#version}, or a DEL (version -1); {@code foundNothing} for
     * an acknowledged DEL that answered there was no such key.
     */
    record Op(int version, Outcome outcome, int sentAt, int doneAt, byte via, boolean foundNothing) {
        boolean isDelete() {
            return version < 0;
        }
    }

    /** A key one worker overwrites and sometimes deletes; its writes are sequential, so "last" is well defined. */
    static final class KeyHistory {
        final String key;
        final boolean resp;
        final List<Op> ops = new ArrayList<>();
        int nextVersion;

        KeyHistory(String key, boolean resp) {
            this.key = key;
            this.resp = resp;
        }

        String value(int version) {
            return key + "#" + version;
        }

        /** Whether the newest acknowledged write set the key (so a DEL now deletes an acknowledged key). */
        boolean lastAckedIsSet() {
            for (int i = ops.size() - 1; i >= 0; i--) {
                if (ops.get(i).outcome() == Outcome.ACKED) {
                    return !ops.get(i).isDelete();
                }
            }
            return false;
        }
    }

    /** A counter incremented by many workers: RESP INCR, or a Java entry processor. */
    static final class Counter {
        final String key;
        final boolean resp;
        final LongAdder acked = new LongAdder();
        final LongAdder unknown = new LongAdder();
        final LongAdder failed = new LongAdder();

        Counter(String key, boolean resp) {
            this.key = key;
            this.resp = resp;
        }
    }

    /** A growable byte array. */
    static final class Bytes {
        private byte[] data = new byte[1024];
        private int size;

        void add(byte b) {
            if (size == data.length) {
                data = Arrays.copyOf(data, size * 2);
            }
            data[size++] = b;
        }

        byte get(int i) {
            return i < size ? data[i] : 0;
        }

        void set(int i, byte b) {
            while (size <= i) {
                add((byte) 0);
            }
            data[i] = b;
        }

        int size() {
            return size;
        }
    }

    /** A growable int array. */
    static final class Ints {
        private int[] data = new int[1024];
        private int size;

        void add(int v) {
            if (size == data.length) {
                data = Arrays.copyOf(data, size * 2);
            }
            data[size++] = v;
        }

        int get(int i) {
            return i < size ? data[i] : 0;
        }

        void set(int i, int v) {
            while (size <= i) {
                add(0);
            }
            data[i] = v;
        }

        int size() {
            return size;
        }
    }
}
