/**
 * The binary encoding of every message members exchange: a growable {@link io.tessera.grid.internal.wire.WireWriter},
 * a bounds-checked {@link io.tessera.grid.internal.wire.WireReader}, and {@link io.tessera.grid.internal.wire.MessageType},
 * the one registry of stable message type ids.
 *
 * <p>Writers and readers are single-use and confined to the thread that made them. Keys and values travel as the
 * byte arrays the caller serialized once; nothing here knows about Kryo.
 */
package io.tessera.grid.internal.wire;
