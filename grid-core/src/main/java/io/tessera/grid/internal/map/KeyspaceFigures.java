package io.tessera.grid.internal.map;

/**
 * A map's keys, the keys among them that expire, and their average remaining time to live, cluster-wide: what
 * {@link DefaultGridMap#keyspaceFigures()} counts and Redis's {@code INFO keyspace} reports per database.
 *
 * @param keys the live entries
 * @param expires the live entries with a time to live or a max-idle span
 * @param averageTtlMillis the average remaining time to live of those, in milliseconds (0 when none expires)
 */
public record KeyspaceFigures(long keys, long expires, long averageTtlMillis) {
}
