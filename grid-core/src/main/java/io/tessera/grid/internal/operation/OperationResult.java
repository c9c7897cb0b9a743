package io.tessera.grid.internal.operation;

import io.tessera.grid.internal.wire.WireReader;
import io.tessera.grid.internal.wire.WireWriter;

/**
 * The answer of a primary: a value (bytes or null) and a number (booleans as 0/1, TTLs in milliseconds), a retry
 * with the primary's table version, or an error with a kind and a message.
 */
public record OperationResult(Status status, byte[] value, long number, ErrorKind errorKind, String message) {

    /** The three outcomes. */
    public enum Status { OK, RETRY, ERROR }

    /** Kinds of error, each mapped to one user-facing exception by the invoker. */
    public enum ErrorKind { INDETERMINATE, SERIALIZATION, PROCESSOR_FAILED, ILLEGAL_ARGUMENT, INTERNAL }

    /** A successful result. */
    public static OperationResult ok(byte[] value, long number) {
        return new OperationResult(Status.OK, value, number, null, null);
    }

    /** A retry: the receiver does not serve this partition under table {@code version}. */
    public static OperationResult retry(long version) {
        return new OperationResult(Status.RETRY, null, version, null, null);
    }

    /** An error. */
    public static OperationResult error(ErrorKind kind, String message) {
        return new OperationResult(Status.ERROR, null, 0, kind, message);
    }

    /** Encodes the result as reply bytes. */
    public byte[] encode() {
        WireWriter out = new WireWriter(16 + (value == null ? 0 : value.length));
        out.writeByte(status.ordinal());
        switch (status) {
            case OK -> out.writeBytes(value).writeVarLong(number);
            case RETRY -> out.writeVarLong(number);
            case ERROR -> out.writeByte(errorKind.ordinal()).writeString(message);
            default -> throw new IllegalStateException();
        }
        return out.toByteArray();
    }

    /** Decodes reply bytes. */
    public static OperationResult decode(byte[] bytes) {
        WireReader in = new WireReader(bytes);
        Status status = Status.values()[in.readByte()];
        return switch (status) {
            case OK -> ok(in.readBytes(), in.readVarLong());
            case RETRY -> retry(in.readVarLong());
            case ERROR -> error(ErrorKind.values()[in.readByte()], in.readString());
        };
    }
}
