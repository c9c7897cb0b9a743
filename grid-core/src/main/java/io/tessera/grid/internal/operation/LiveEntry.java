package io.tessera.grid.internal.operation;

import io.tessera.grid.internal.store.LiveOperation;
import io.tessera.grid.internal.store.LiveValue;
import java.util.Map;

/**
 * The entry a processor runs on, seen as a live value that operations change in place (see {@link LiveValue}): what
 * a module built on the grid (the RESP server's lists and hashes) uses instead of reading and rewriting the whole
 * value. Every entry a processor sees on its primary implements it.
 */
public interface LiveEntry {
    /** The live value the entry holds now, or {@code null} if it holds bytes (or nothing). */
    LiveValue liveValue();

    /**
     * Applies {@code operation} to the value now (turning stored bytes into a live value, or creating one for an
     * absent entry, first) and answers its result; the backups will apply the same operation. Fails, changing
     * nothing, if the operation's class cannot be serialized.
     */
    <V extends LiveValue, R> R apply(LiveOperation<V, R> operation);

    /**
     * The primary's scratch state of the entry's map-partition (see {@code RecordStore.scratch}): kept between calls
     * on this primary only, lost when another member becomes primary.
     */
    Map<Object, Object> partitionScratch();
}
