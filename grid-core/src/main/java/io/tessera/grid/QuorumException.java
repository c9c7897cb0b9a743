package io.tessera.grid;

/**
 * Thrown when an operation on a map that requires a minimum cluster size ({@link MapConfig#minClusterSize()}) is
 * attempted while the member that would run it sees fewer members: the operation was not applied. It fails fast, so
 * that the smaller side of a split cluster takes no writes that a later merge would have to discard.
 */
public class QuorumException extends GridException {
    /**
     * Creates the exception.
     *
     * @param message which map, which member, how many members it sees and how many the map requires
     */
    public QuorumException(String message) {
        super(message);
    }
}
