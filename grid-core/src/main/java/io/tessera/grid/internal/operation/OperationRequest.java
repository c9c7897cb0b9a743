package io.tessera.grid.internal.operation;

import io.tessera.grid.internal.replica.CallId;
import io.tessera.grid.internal.replica.MapSettings;
import io.tessera.grid.internal.wire.MessageType;
import io.tessera.grid.internal.wire.WireReader;
import io.tessera.grid.internal.wire.WireWriter;

/**
 * A single-key operation as it travels to the key's primary, with the map settings the primary needs to apply it.
 *
 * @param partition the key's partition
 * @param tableVersion the table version the caller routed with
 * @param map the map and its settings
 * @param code what to do
 * @param key the key bytes
 * @param keyFormat how the key bytes decode
 * @param value the new value bytes, or null
 * @param expected the expected current value bytes for conditional ops, or null
 * @param ttlMillis the time to live for writes: 0 none, &gt; 0 milliseconds, -1 keep the current one
 * @param processor the serialized entry processor for {@link OpCode#EXECUTE}, or null
 * @param call the call's id, the same in every attempt ({@link CallId#NONE} for reads)
 * @param watermark the lowest call number the caller's invoker still waits for
 * @param after the write that the calling thread made on the same partition before this call and that this call
 *     must follow ({@link CallId#NONE} when none is unfinished): the primary answers a retry until it has applied
 *     that write, so a call that overtook an earlier one (which was rejected by a member that stopped being the
 *     primary, or lost on the way) never takes effect before it
 * @param timeoutMillis the caller's deadline for the whole call, which bounds how long its result is kept
 * @param localProcessor the processor object that {@code processor} encodes, when the call began on this member, or
 *     null; never sent: a primary on the caller's member runs it without decoding {@code processor} (which was
 *     encoded all the same, so an unregistered class fails wherever the primary is)
 */
public record OperationRequest(int partition, long tableVersion, MapSettings map, OpCode code, byte[] key,
                               byte keyFormat, byte[] value, byte[] expected, long ttlMillis, byte[] processor,
                               CallId call, long watermark, CallId after, long timeoutMillis,
                               Object localProcessor) {

    /** A copy for one attempt: routed with {@code version}, carrying {@code call}, {@code watermark} and
     *  {@code after}. */
    public OperationRequest forAttempt(long version, CallId callId, long newWatermark, CallId newAfter) {
        return new OperationRequest(partition, version, map, code, key, keyFormat, value, expected, ttlMillis,
                processor, callId, newWatermark, newAfter, timeoutMillis, localProcessor);
    }

    /** Encodes the request as an {@link MessageType#OPERATION} message. */
    public WireWriter encode() {
        int size = 58 + map.name().length() + key.length + (value == null ? 0 : value.length)
                + (expected == null ? 0 : expected.length) + (processor == null ? 0 : processor.length);
        WireWriter out = WireWriter.forType(MessageType.OPERATION, size);
        out.writeVarInt(partition);
        out.writeVarLong(tableVersion);
        map.writeTo(out);
        out.writeByte(code.id());
        out.writeBytes(key);
        out.writeByte(keyFormat);
        out.writeBytes(value);
        out.writeBytes(expected);
        out.writeVarLong(ttlMillis);
        out.writeBytes(processor);
        call.writeTo(out);
        out.writeVarLong(watermark);
        // Usually none: one byte.
        out.writeVarLong(after.sequence());
        if (after.isSet()) {
            out.writeLong(after.invoker());
        }
        out.writeVarLong(timeoutMillis);
        return out;
    }

    /** Decodes a request whose type byte was read. */
    public static OperationRequest decode(WireReader in) {
        int partition = in.readVarInt();
        long tableVersion = in.readVarLong();
        MapSettings map = MapSettings.readFrom(in);
        OpCode code = OpCode.of(in.readByte());
        byte[] key = in.readBytes();
        byte keyFormat = in.readByte();
        byte[] value = in.readBytes();
        byte[] expected = in.readBytes();
        long ttlMillis = in.readVarLong();
        byte[] processor = in.readBytes();
        CallId call = CallId.readFrom(in);
        long watermark = in.readVarLong();
        long afterSequence = in.readVarLong();
        CallId after = afterSequence == 0 ? CallId.NONE : new CallId(in.readLong(), afterSequence);
        return new OperationRequest(partition, tableVersion, map, code, key, keyFormat, value, expected, ttlMillis,
                processor, call, watermark, after, in.readVarLong(), null);
    }
}
