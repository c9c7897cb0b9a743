package io.tessera.grid.internal.wire;

import io.tessera.grid.GridException;

/** Thrown when a message from another member cannot be decoded: truncated, forged, or from an incompatible version. */
public final class MalformedMessageException extends GridException {
    /** Creates the exception with a message that says what was wrong. */
    public MalformedMessageException(String message) {
        super(message);
    }
}
