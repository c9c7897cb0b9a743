package io.tessera.redis.internal.command;

import io.tessera.grid.internal.store.LiveOperation;
import io.tessera.redis.internal.store.Bytes;
import io.tessera.redis.internal.store.LiveSet;

/**
 * The live operations of sets (see {@link LiveSet}): what SADD, SREM, SPOP and SMOVE ship to the backups instead of
 * the set. SPOP's primary chooses the members and ships their removal, so no replica draws a random number. Fields
 * are packed byte arrays, so Kryo needs no registration beyond these classes.
 */
public final class SetOperations {
    private SetOperations() {
    }

    /** What every set operation shares: how a stored set becomes live, and an empty one. */
    private abstract static class SetOperation implements LiveOperation<LiveSet, Integer> {
        private byte[] packedMembers;

        SetOperation() {
        }

        SetOperation(byte[][] members) {
            this.packedMembers = PackedArgs.pack(members);
        }

        @Override
        public final LiveSet decode(byte[] stored) {
            return LiveSet.decode(stored);
        }

        @Override
        public final LiveSet create() {
            return new LiveSet();
        }

        final byte[][] members() {
            return PackedArgs.unpack(packedMembers);
        }
    }

    /** Adds members; answers how many were new. */
    public static final class Add extends SetOperation {
        @SuppressWarnings("unused") // Kryo
        private Add() {
        }

        Add(byte[][] members) {
            super(members);
        }

        @Override
        public Integer apply(LiveSet set) {
            int added = 0;
            for (byte[] member : members()) {
                if (set.add(Bytes.of(member))) {
                    added++;
                }
            }
            return added;
        }
    }

    /** Removes members; answers how many were there. */
    public static final class Remove extends SetOperation {
        @SuppressWarnings("unused") // Kryo
        private Remove() {
        }

        Remove(byte[][] members) {
            super(members);
        }

        @Override
        public Integer apply(LiveSet set) {
            int removed = 0;
            for (byte[] member : members()) {
                if (set.remove(Bytes.of(member))) {
                    removed++;
                }
            }
            return removed;
        }
    }
}
