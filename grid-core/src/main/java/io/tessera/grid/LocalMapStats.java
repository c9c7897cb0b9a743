package io.tessera.grid;

/**
 * What one member holds of a map right now, the copies it keeps as a backup included, by the grid's own accounting:
 * what its bounds ({@link MapConfig#maxSize()}, {@link MapConfig#maxMemory()}) are compared with.
 *
 * @param entries the entries this member holds (as primary or backup), expired ones not yet removed included
 * @param memoryBytes the estimated heap those entries take: key and value bytes plus a per-entry overhead, see
 *     {@link MapConfig#maxMemory()}
 * @param evictions how many entries this member's primaries evicted since it started
 */
public record LocalMapStats(long entries, long memoryBytes, long evictions) {
}
