package io.tessera.grid;

/**
 * Thrown when an operation did not complete within its deadline ({@link GridBuilder#operationTimeout}); for a read,
 * nothing happened; for a write, see {@link IndeterminateOutcomeException}, which is thrown instead when the write
 * may have been applied.
 */
public class OperationTimeoutException extends GridException {
    /**
     * Creates the exception with a message that names the operation.
     *
     * @param message what timed out, for the user
     */
    public OperationTimeoutException(String message) {
        super(message);
    }

    /**
     * Creates the exception with a message that names the operation, and the failure that led to it.
     *
     * @param message what timed out, for the user
     * @param cause the failure that led to it
     */
    public OperationTimeoutException(String message, Throwable cause) {
        super(message, cause);
    }
}
