/**
 * Tessera's internals; nothing here is API. {@link io.tessera.grid.internal.GridNode} is one member and wires the
 * concerns of the sub-packages together, lowest first: {@code wire} (message encoding), {@code serialization}
 * (Kryo), {@code store} (records), {@code partition} (table and assignment), {@code cluster} (the JChannel),
 * {@code nearcache}, {@code operation} (partition threads, replication), {@code event}, {@code membership}
 * (rebalancing rounds) and {@code map}. A package references only its own layer or lower ones; the
 * {@code ArchitectureTest} checks it.
 */
package io.tessera.grid.internal;
