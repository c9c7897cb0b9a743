package io.tessera.redis.internal.command;

import io.tessera.grid.internal.store.LiveOperation;
import io.tessera.redis.internal.store.Bytes;
import io.tessera.redis.internal.store.LiveHash;
import java.nio.charset.StandardCharsets;

/**
 * The live operations of hashes (see {@link LiveHash}): what HSET, HDEL and HINCRBY ship to the backups instead of
 * the hash. Fields are primitives and packed byte arrays, so Kryo needs no registration beyond these classes.
 * Commands validate before they apply one (a live operation is committed even if the command fails afterwards), and
 * apply one only when it changes the hash, so a no-op ships nothing and notifies nothing.
 */
public final class HashOperations {
    private HashOperations() {
    }

    /** What every hash operation shares: how a stored hash becomes live, and an empty one. */
    private abstract static class HashOperation<R> implements LiveOperation<LiveHash, R> {
        @Override
        public final LiveHash decode(byte[] stored) {
            return LiveHash.decode(stored);
        }

        @Override
        public final LiveHash create() {
            return new LiveHash();
        }
    }

    /**
     * Sets fields to values, in order (a field named twice ends with its last value); answers how many fields are
     * new. HINCRBYFLOAT ships one too, with the text the primary formatted, so no replica formats a double itself.
     */
    public static final class Put extends HashOperation<Integer> {
        private byte[] packedPairs;

        @SuppressWarnings("unused") // Kryo
        private Put() {
        }

        /** {@code args[from..]} as field, value, field, value, ... */
        Put(byte[][] args, int from) {
            byte[][] pairs = new byte[args.length - from][];
            System.arraycopy(args, from, pairs, 0, pairs.length);
            this.packedPairs = PackedArgs.pack(pairs);
        }

        @Override
        public Integer apply(LiveHash hash) {
            byte[][] pairs = PackedArgs.unpack(packedPairs);
            int created = 0;
            for (int i = 0; i + 1 < pairs.length; i += 2) {
                if (hash.put(Bytes.of(pairs[i]), pairs[i + 1])) {
                    created++;
                }
            }
            return created;
        }
    }

    /** Deletes fields; answers how many were there. */
    public static final class Delete extends HashOperation<Integer> {
        private byte[] packedFields;

        @SuppressWarnings("unused") // Kryo
        private Delete() {
        }

        Delete(byte[][] fields) {
            this.packedFields = PackedArgs.pack(fields);
        }

        @Override
        public Integer apply(LiveHash hash) {
            int deleted = 0;
            for (byte[] field : PackedArgs.unpack(packedFields)) {
                if (hash.remove(Bytes.of(field))) {
                    deleted++;
                }
            }
            return deleted;
        }
    }

    /**
     * Adds to a field's integer (a missing field counts as 0); answers the new value, or {@code null}, changing
     * nothing, when the value is not an integer or the sum would overflow (HINCRBY checks both before applying).
     */
    public static final class IncrBy extends HashOperation<Long> {
        private byte[] field;
        private long increment;

        @SuppressWarnings("unused") // Kryo
        private IncrBy() {
        }

        IncrBy(byte[] field, long increment) {
            this.field = field;
            this.increment = increment;
        }

        /** {@code current} (null: 0) plus {@code increment}, or {@code null} for a non-integer or an overflow. */
        static Long sum(byte[] current, long increment) {
            long value = 0;
            if (current != null) {
                Long parsed = Arguments.tryParseLong(current);
                if (parsed == null) {
                    return null;
                }
                value = parsed;
            }
            long result = value + increment;
            return ((value ^ result) & (increment ^ result)) < 0 ? null : result;
        }

        @Override
        public Long apply(LiveHash hash) {
            Bytes key = Bytes.of(field);
            Long result = sum(hash.get(key), increment);
            if (result != null) {
                hash.put(key, Long.toString(result).getBytes(StandardCharsets.US_ASCII));
            }
            return result;
        }
    }
}
