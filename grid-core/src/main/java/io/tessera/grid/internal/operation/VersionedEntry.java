package io.tessera.grid.internal.operation;

/**
 * The write version of the entry a processor runs on, for modules built on the grid that must tell whether a key was
 * written between two steps (the RESP server's {@code WATCH}). Every entry a processor sees on its primary implements
 * it.
 */
public interface VersionedEntry {
    /**
     * The replication sequence of the entry's last write, which every write of its map-partition raises and
     * migration and fail-over keep; 0 for an entry that does not exist.
     */
    long version();
}
