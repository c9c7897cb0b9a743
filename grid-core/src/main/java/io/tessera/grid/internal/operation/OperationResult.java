package io.tessera.grid.internal.operation;

import io.tessera.grid.internal.wire.MalformedMessageException;
import io.tessera.grid.internal.wire.WireReader;
import io.tessera.grid.internal.wire.WireWriter;

/**
 * The answer of a primary: a value (bytes or null) and a number (booleans as 0/1, TTLs in milliseconds), a retry
 * with the primary's table version ({@value #WAITS_FOR_EARLIER_CALL} when it is the primary but has not applied the
 * caller's earlier write yet), or an error with a kind and a message.
 */
public record OperationResult(Status status, byte[] value, long number, ErrorKind errorKind, String message) {
    /** The number of a retry from a primary that waits for the caller's earlier write on the partition. */
    public static final long WAITS_FOR_EARLIER_CALL = -1;

    /** The three outcomes, with stable wire ids. */
    public enum Status {
        OK(0), RETRY(1), ERROR(2);

        private final int id;

        Status(int id) {
            this.id = id;
        }

        static Status of(int id) {
            for (Status s : values()) {
                if (s.id == id) {
                    return s;
                }
            }
            throw new MalformedMessageException("unknown result status " + id);
        }
    }

    /** Kinds of error, each mapped to one user-facing exception by the invoker, with stable wire ids. */
    public enum ErrorKind {
        /** Applied on the primary, but not confirmed on every backup: a retry with the same call id is safe. */
        INDETERMINATE(1),
        SERIALIZATION(2),
        PROCESSOR_FAILED(3),
        ILLEGAL_ARGUMENT(4),
        INTERNAL(5),
        /** The primary sees fewer members than the map requires; nothing was applied. */
        QUORUM(6),
        /** The write would take a bounded map that evicts nothing beyond its primary's bound; nothing was applied. */
        MAP_FULL(7);

        private final int id;

        ErrorKind(int id) {
            this.id = id;
        }

        static ErrorKind of(int id) {
            for (ErrorKind k : values()) {
                if (k.id == id) {
                    return k;
                }
            }
            throw new MalformedMessageException("unknown error kind " + id);
        }
    }

    /** A successful result. */
    public static OperationResult ok(byte[] value, long number) {
        return new OperationResult(Status.OK, value, number, null, null);
    }

    /** A retry: the receiver does not serve this partition as its primary now (table {@code version}). */
    public static OperationResult retry(long version) {
        return new OperationResult(Status.RETRY, null, version, null, null);
    }

    /** A retry: the receiver is the primary but has not applied the write this call must follow. */
    public static OperationResult retryAfterEarlierCall() {
        return new OperationResult(Status.RETRY, null, WAITS_FOR_EARLIER_CALL, null, null);
    }

    /** An error. */
    public static OperationResult error(ErrorKind kind, String message) {
        return new OperationResult(Status.ERROR, null, 0, kind, message);
    }

    /** Whether this is the error {@code kind}. */
    public boolean isError(ErrorKind kind) {
        return status == Status.ERROR && errorKind == kind;
    }

    /** Encodes the result as reply bytes. */
    public byte[] encode() {
        WireWriter out = new WireWriter(16 + (value == null ? 0 : value.length));
        out.writeByte(status.id);
        switch (status) {
            case OK -> out.writeBytes(value).writeVarLong(number);
            case RETRY -> out.writeVarLong(number);
            case ERROR -> out.writeByte(errorKind.id).writeString(message);
            default -> throw new IllegalStateException();
        }
        return out.toByteArray();
    }

    /** Decodes reply bytes. */
    public static OperationResult decode(byte[] bytes) {
        WireReader in = new WireReader(bytes);
        Status status = Status.of(in.readByte());
        return switch (status) {
            case OK -> ok(in.readBytes(), in.readVarLong());
            case RETRY -> retry(in.readVarLong());
            case ERROR -> error(ErrorKind.of(in.readByte()), in.readString());
        };
    }
}
