/**
 * JMH benchmarks of Tessera's hot paths ({@link io.tessera.benchmarks.HotPathBenchmark}: RESP decoding and replies,
 * key to slot, Kryo, a local {@code GridMap} get and set, backup messages, value patches) and of a {@code GridMap}
 * on a cluster ({@link io.tessera.benchmarks.GridMapBenchmark}). The side-by-side comparisons with Redis and
 * Hazelcast are in {@code compare}, {@code sessions} and {@code benchmarks/scripts}; {@code docs/benchmarks.md}
 * says how to run each and shows the latest figures.
 */
package io.tessera.benchmarks;
