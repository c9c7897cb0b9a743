package io.tessera.grid.internal.operation;

/**
 * What one replica holds of a map in a partition, cheap to compare with another replica's: equal digests and
 * counts at equal sequence mean equal contents.
 *
 * @param partition the partition
 * @param primary whether the replica is the partition's primary
 * @param sequence the last applied map-partition sequence
 * @param count the number of records
 * @param digest the order-independent digest of (key, version)
 */
public record ReplicaDigest(int partition, boolean primary, long sequence, int count, long digest) {
}
