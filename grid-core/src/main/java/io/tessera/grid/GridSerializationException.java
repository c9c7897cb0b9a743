package io.tessera.grid;

/**
 * A {@link GridException} thrown when a key, value or entry processor cannot be turned into bytes or back.
 *
 * <p>Typical causes are a class that was not registered in {@link SerializationConfig}, members that registered
 * different classes or ids, and bytes that were damaged or written by something other than a Tessera member. The
 * message names the class or class id concerned and, when there is one, the cure.
 */
public class GridSerializationException extends GridException {

    /**
     * Creates an exception with a message that names the type concerned and how to fix the problem.
     *
     * @param message the description of the failure
     */
    public GridSerializationException(String message) {
        super(message);
    }

    /**
     * Creates an exception with a message and the serializer's exception that caused it.
     *
     * @param message the description of the failure
     * @param cause the underlying exception
     */
    public GridSerializationException(String message, Throwable cause) {
        super(message, cause);
    }
}
