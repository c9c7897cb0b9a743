/**
 * Tessera against Hazelcast in the same run: {@link io.tessera.benchmarks.compare.EmbeddedCompare} (three members
 * with one synchronous backup, in one JVM or in three, put/set/get throughput and latency) and
 * {@link io.tessera.benchmarks.compare.MemoryCompare} (heap and RSS per entry), each product behind
 * {@code Product} so both run the same load.
 */
package io.tessera.benchmarks.compare;
