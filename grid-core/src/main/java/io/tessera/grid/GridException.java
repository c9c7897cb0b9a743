package io.tessera.grid;

/**
 * The base of every exception Tessera throws to users.
 *
 * <p>It is unchecked: checked exceptions of the libraries Tessera is built on (JGroups, Kryo) are wrapped in a
 * subclass where they enter, with a message that names the key, partition or member concerned.
 */
public class GridException extends RuntimeException {

    /**
     * Creates an exception with a message that says what failed and, where it helps, how to fix it.
     *
     * @param message the description of the failure
     */
    public GridException(String message) {
        super(message);
    }

    /**
     * Creates an exception with a message and the exception that caused it.
     *
     * @param message the description of the failure
     * @param cause the underlying exception
     */
    public GridException(String message, Throwable cause) {
        super(message, cause);
    }
}
