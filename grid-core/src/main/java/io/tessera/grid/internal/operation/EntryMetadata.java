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
     * The entry's last access on its primary's clock, in epoch milliseconds: its last write, or its last read on a
     * map with a max-idle time (other maps do not record reads); 0 for an entry that does not exist.
     */
    long lastAccessMillis();
}
