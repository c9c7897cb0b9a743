package io.tessera.grid.internal.operation;

/**
 * What the grid knows of the entry a processor runs on beyond its value, for modules built on the grid (the RESP
 * server's {@code WATCH} and {@code OBJECT IDLETIME}). Every entry a processor sees on its primary implements it.
 */
public interface EntryMetadata {
    /**
     * The replication sequence of the entry's last write, which every write of its map-partition raises and
     * migration and fail-over keep; 0 for an entry that does not exist.
     */
    long version();

    /**
     * The entry's last access on its primary's clock, in epoch milliseconds: its last read or write on the primary
     * before this one (a primary that took over from a backup knows the last write only); 0 for an entry that does not
     * exist.
     */
    long lastAccessMillis();

    /**
     * The entry's access frequency on its primary, 0..255: reads and writes counted since the last aging, which halves
     * it (see {@code EvictionPolicy.LFU}); 0 for an entry that does not exist.
     */
    int accessFrequency();
}
