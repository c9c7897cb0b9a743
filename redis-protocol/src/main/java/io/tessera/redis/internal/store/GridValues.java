package io.tessera.redis.internal.store;

import io.tessera.grid.internal.serialization.GridSerializer;
import java.util.Arrays;

/** The grid's framing of a {@link StoredValue}: the serializer's format byte for raw bytes, then the value. */
public final class GridValues {
    private GridValues() {
    }

    /** {@code storedValue} as the grid value a byte[] map holds (a new array). */
    public static byte[] withFormat(byte[] storedValue) {
        byte[] framed = new byte[storedValue.length + 1];
        framed[0] = GridSerializer.VALUE_BYTES;
        System.arraycopy(storedValue, 0, framed, 1, storedValue.length);
        return framed;
    }

    /** The {@link StoredValue} inside a grid value of a byte[] map (a new array). */
    public static byte[] withoutFormat(byte[] gridValue) {
        return Arrays.copyOfRange(gridValue, 1, gridValue.length);
    }
}
