package io.tessera.grid;

/** Thrown when a map or grid is used after {@link Grid#close()}. */
public class GridClosedException extends GridException {
    /**
     * Creates the exception.
     *
     * @param message what was used after close
     */
    public GridClosedException(String message) {
        super(message);
    }
}
