package io.tessera.grid;

/**
 * Receives the messages of a {@link GridTopic} on the member that subscribed it, one at a time and in each
 * publisher's order, on a grid listener thread: keep it short and never block in it.
 *
 * @param <M> the message type
 */
@FunctionalInterface
public interface TopicListener<M> {
    /**
     * Handles {@code message}; returns how many receivers it handed it to: 1 for a listener that simply consumes it,
     * more for a listener that fans out to its own subscribers (a Redis server's clients), 0 if none wanted it.
     * {@link GridTopic#publish} sums these over the cluster.
     *
     * @param message the published message
     * @return the number of receivers the message reached through this listener
     */
    int onMessage(M message);
}
