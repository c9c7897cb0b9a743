package io.tessera.redis.internal.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * One decoded client request: the command name followed by its arguments, as raw bytes.
 *
 * <p>The decoder creates the arrays and hands them over; nobody writes to them afterwards, so the
 * record is effectively immutable without a defensive copy on the hot path. Callers must not modify
 * {@link #args()} or its elements.
 *
 * @param args the arguments, at least one; {@code args[0]} is the command name
 */
public record RespCommand(byte[][] args) {

    public RespCommand {
        Objects.requireNonNull(args, "args");
        if (args.length == 0) {
            throw new IllegalArgumentException("args: expected at least one argument, got 0");
        }
    }

    /** Returns the number of arguments, the command name included. */
    public int argCount() {
        return args.length;
    }

    /** Returns argument {@code index} (0 is the command name); the array must not be modified. */
    public byte[] arg(int index) {
        return args[index];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RespCommand other && Arrays.deepEquals(args, other.args);
    }

    @Override
    public int hashCode() {
        return Arrays.deepHashCode(args);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("RespCommand[");
        for (int i = 0; i < args.length; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append('"').append(new String(args[i], StandardCharsets.ISO_8859_1)).append('"');
        }
        return sb.append(']').toString();
    }
}
