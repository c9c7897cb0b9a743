package io.tessera.grid;

/**
 * Thrown when a write would take a map beyond the bound of its primary's member ({@link MapConfig#maxSize()},
 * {@link MapConfig#maxMemory()}) and the map evicts nothing ({@link EvictionPolicy#NONE}): the write was not applied.
 * Removals, and writes that do not grow the map, still succeed; so does the write once entries were removed.
 */
public class MapFullException extends GridException {
    /**
     * Creates the exception.
     *
     * @param message which map, which member, what it holds and what its bound is
     */
    public MapFullException(String message) {
        super(message);
    }
}
