package io.tessera.grid;

/**
 * Thrown when a write reached its primary but its outcome cannot be known: the primary crashed before it answered,
 * or a backup neither acknowledged nor left the cluster before the deadline. The write may or may not be visible
 * afterwards; it was never acknowledged. Idempotent writes ({@code put}, {@code remove}) are retried by the grid
 * and do not surface this; conditional and processor writes do, since repeating them could apply them twice.
 */
public class IndeterminateOutcomeException extends GridException {
    /**
     * Creates the exception with a message that names the operation.
     *
     * @param message what happened, naming the operation
     */
    public IndeterminateOutcomeException(String message) {
        super(message);
    }

    /**
     * Creates the exception with a message that names the operation, and the failure that led to it.
     *
     * @param message what happened, naming the operation
     * @param cause the failure that led to it
     */
    public IndeterminateOutcomeException(String message, Throwable cause) {
        super(message, cause);
    }
}
