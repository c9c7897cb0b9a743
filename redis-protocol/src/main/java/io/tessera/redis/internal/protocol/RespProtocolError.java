package io.tessera.redis.internal.protocol;

import java.util.Objects;

/**
 * A malformed request, decoded in place of a command. {@link #message()} is the complete RESP error
 * text as Redis sends it (without the leading {@code -} and trailing CRLF), for example {@code ERR
 * Protocol error: invalid bulk length}. After emitting one, the decoder discards all further input:
 * the server replies with the message and closes the connection, as Redis does.
 *
 * @param message the error reply text, starting with its error prefix ({@code ERR})
 */
public record RespProtocolError(String message) {

    public RespProtocolError {
        Objects.requireNonNull(message, "message");
    }
}
