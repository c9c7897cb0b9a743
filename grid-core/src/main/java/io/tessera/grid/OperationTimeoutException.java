package io.tessera.grid;

/**
 * Thrown when an operation did not complete within its deadline ({@link GridBuilder#operationTimeout}); for a read,
 * nothing happened; for a write, see {@link IndeterminateOutcomeException}, which is thrown instead when the write
 * may have been applied.
 */
public class OperationTimeoutException extends GridException {
    /** Creates the exception. */
    public OperationTimeoutException(String message) {
        super(message);
    }

    /** Creates the exception with a cause. */
    public OperationTimeoutException(String message, Throwable cause) {
        super(message, cause);
    }
}
