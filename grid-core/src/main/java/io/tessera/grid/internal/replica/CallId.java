package io.tessera.grid.internal.replica;

import io.tessera.grid.internal.wire.WireReader;
import io.tessera.grid.internal.wire.WireWriter;

/**
 * The identity of one call of a write, the same in every attempt: the member's invoker (a random id picked at start)
 * and the call's number there. A primary that sees a known id answers with the first attempt's result instead of
 * applying the write again (exactly-once retries).
 *
 * @param invoker the invoker's random id; 0 means "no id" (reads)
 * @param sequence the call's number at that invoker, from 1
 */
public record CallId(long invoker, long sequence) {
    /** The id of calls that carry none (reads). */
    public static final CallId NONE = new CallId(0, 0);

    /** Whether this is a real id. */
    public boolean isSet() {
        return invoker != 0;
    }

    /** Writes the id. */
    public void writeTo(WireWriter out) {
        out.writeLong(invoker);
        if (invoker != 0) {
            out.writeVarLong(sequence);
        }
    }

    /** Reads an id written by {@link #writeTo}. */
    public static CallId readFrom(WireReader in) {
        long invoker = in.readLong();
        return invoker == 0 ? NONE : new CallId(invoker, in.readVarLong());
    }

    @Override
    public String toString() {
        return isSet() ? Long.toHexString(invoker) + ":" + sequence : "none";
    }
}
