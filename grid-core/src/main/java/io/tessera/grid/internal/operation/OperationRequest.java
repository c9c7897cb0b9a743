package io.tessera.grid.internal.operation;

import io.tessera.grid.internal.wire.MessageType;
import io.tessera.grid.internal.wire.WireReader;
import io.tessera.grid.internal.wire.WireWriter;

/**
 * A single-key operation as it travels to the key's primary, with the map settings the primary needs to apply it
 * (the config travels with the operation, so members need no map registry).
 *
 * @param partition the key's partition
 * @param tableVersion the table version the caller routed with (fencing and retry)
 * @param mapName the map
 * @param backups the map's backup count
 * @param asyncBackups whether the map answers before backups acknowledge
 * @param maxIdleMillis the map's max-idle span, 0 for none
 * @param code what to do
 * @param key the key bytes
 * @param keyFormat how the key bytes decode
 * @param value the new value bytes, or null
 * @param expected the expected current value bytes for conditional ops, or null
 * @param ttlMillis the time to live for writes: 0 none, &gt; 0 milliseconds, -1 keep the current one
 * @param processor the serialized entry processor for {@link OpCode#EXECUTE}, or null
 */
public record OperationRequest(int partition, long tableVersion, String mapName, int backups, boolean asyncBackups,
                               long maxIdleMillis, OpCode code, byte[] key, byte keyFormat, byte[] value,
                               byte[] expected, long ttlMillis, byte[] processor) {

    /** A copy routed with another table version. */
    public OperationRequest withTableVersion(long version) {
        return new OperationRequest(partition, version, mapName, backups, asyncBackups, maxIdleMillis, code, key,
                keyFormat, value, expected, ttlMillis, processor);
    }

    /** Encodes the request as an {@link MessageType#OPERATION} message. */
    public WireWriter encode() {
        int size = 32 + mapName.length() + key.length + (value == null ? 0 : value.length)
                + (expected == null ? 0 : expected.length) + (processor == null ? 0 : processor.length);
        WireWriter out = WireWriter.forType(MessageType.OPERATION, size);
        out.writeVarInt(partition);
        out.writeVarLong(tableVersion);
        out.writeString(mapName);
        out.writeByte(backups);
        out.writeBoolean(asyncBackups);
        out.writeVarLong(maxIdleMillis);
        out.writeByte(code.id());
        out.writeBytes(key);
        out.writeByte(keyFormat);
        out.writeBytes(value);
        out.writeBytes(expected);
        out.writeVarLong(ttlMillis);
        out.writeBytes(processor);
        return out;
    }

    /** Decodes a request whose type byte was already read. */
    public static OperationRequest decode(WireReader in) {
        return new OperationRequest(in.readVarInt(), in.readVarLong(), in.readString(), in.readByte(),
                in.readBoolean(), in.readVarLong(), OpCode.of(in.readByte()), in.readBytes(), in.readByte(),
                in.readBytes(), in.readBytes(), in.readVarLong(), in.readBytes());
    }
}
