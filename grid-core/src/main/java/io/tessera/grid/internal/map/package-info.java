/**
 * The {@link io.tessera.grid.GridMap} implementation: serialization of keys and values at the caller, routing of
 * single-key operations through the invoker, and partition-by-partition queries for size, clear and iteration.
 *
 * <p>Threads: map instances are stateless (but for the thread-safe near cache) and used from any caller thread.
 */
package io.tessera.grid.internal.map;
