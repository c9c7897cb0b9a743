package io.tessera.grid.internal.store;

import io.tessera.grid.EvictionPolicy;
import io.tessera.grid.MapConfig;
import io.tessera.grid.internal.wire.MalformedMessageException;
import io.tessera.grid.internal.wire.WireReader;
import io.tessera.grid.internal.wire.WireWriter;

/**
 * The bound of a map on a member and what it evicts beyond it, as {@link MapConfig} sets it; travels with every
 * operation in the map's settings.
 *
 * @param policy what is evicted
 * @param onlyExpiring whether only entries with a deadline are candidates
 * @param maxEntries the most entries a member holds, 0 for no bound
 * @param maxBytes the most estimated bytes a member holds, 0 for no bound
 */
public record Capacity(EvictionPolicy policy, boolean onlyExpiring, long maxEntries, long maxBytes) {
    /** No bound, nothing evicted: the default, and one shared instance so decoding it allocates nothing. */
    public static final Capacity UNBOUNDED = new Capacity(EvictionPolicy.NONE, false, 0, 0);

    /** The capacity {@code config} sets. */
    public static Capacity of(MapConfig config) {
        return of(config.evictionPolicy(), config.evictOnlyExpiring(), config.maxSize(), config.maxMemory());
    }

    private static Capacity of(EvictionPolicy policy, boolean onlyExpiring, long maxEntries, long maxBytes) {
        return policy == EvictionPolicy.NONE && !onlyExpiring && maxEntries == 0 && maxBytes == 0 ? UNBOUNDED
                : new Capacity(policy, onlyExpiring, maxEntries, maxBytes);
    }

    /** Whether there is a bound. */
    public boolean bounded() {
        return maxEntries > 0 || maxBytes > 0;
    }

    /** Whether a member beyond the bound evicts (rather than refusing writes). */
    public boolean evicts() {
        return policy != EvictionPolicy.NONE && bounded();
    }

    /** Whether {@code entries} and {@code bytes} are beyond the bound. */
    public boolean exceededBy(long entries, long bytes) {
        return (maxEntries > 0 && entries > maxEntries) || (maxBytes > 0 && bytes > maxBytes);
    }

    /** Writes the capacity. */
    public void writeTo(WireWriter out) {
        out.writeByte(wireId(policy)).writeBoolean(onlyExpiring).writeVarLong(maxEntries).writeVarLong(maxBytes);
    }

    /** Reads a capacity written by {@link #writeTo}. */
    public static Capacity readFrom(WireReader in) {
        return of(policyOf(in.readByte()), in.readBoolean(), in.readVarLong(), in.readVarLong());
    }

    /** The stable wire id of a policy (never its ordinal). */
    private static int wireId(EvictionPolicy policy) {
        return switch (policy) {
            case NONE -> 0;
            case LRU -> 1;
            case LFU -> 2;
            case TTL -> 3;
            case RANDOM -> 4;
        };
    }

    private static EvictionPolicy policyOf(int id) {
        return switch (id) {
            case 0 -> EvictionPolicy.NONE;
            case 1 -> EvictionPolicy.LRU;
            case 2 -> EvictionPolicy.LFU;
            case 3 -> EvictionPolicy.TTL;
            case 4 -> EvictionPolicy.RANDOM;
            default -> throw new MalformedMessageException("unknown eviction policy " + id);
        };
    }
}
