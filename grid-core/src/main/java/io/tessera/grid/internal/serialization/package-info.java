/**
 * Serialization of keys, values and entry processors: {@link io.tessera.grid.internal.serialization.GridSerializer},
 * Kryo configured the same way on every member, and {@link io.tessera.grid.internal.serialization.BuiltInTypes}, the
 * one table of built-in class ids.
 *
 * <p>Kryo requires registration here. Built-in types use the ids of {@code BuiltInTypes} (10 to 99, after Kryo's own 0
 * to 9); application classes come from {@link io.tessera.grid.SerializationConfig} with ids from
 * {@link io.tessera.grid.SerializationConfig#FIRST_USER_TYPE_ID}. A class nobody registered is refused when written,
 * and bytes naming an unknown class id, or a class by name, are refused before anything is loaded or instantiated.
 * References are off: shared objects are written once per use, and a cyclic graph is refused.
 *
 * <p>No thread is owned here. {@code GridSerializer} is thread-safe through pooling: every call borrows a Kryo and its
 * buffers from a pool and returns them, so partition threads, JGroups delivery threads and user threads may all call it
 * at once; none ever waits for another to finish with a Kryo. The classes other than {@code GridSerializer} and {@code BuiltInTypes} are
 * package-private details of that design.
 */
package io.tessera.grid.internal.serialization;
