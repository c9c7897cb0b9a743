package io.tessera.grid;

import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * A cluster-wide publish/subscribe channel: a message published on any member reaches the listeners subscribed on
 * every member. Messages are not stored: a listener receives what is published while it is subscribed.
 *
 * <p>Order: the messages one member publishes to a topic reach every listener in publication order (each
 * {@code publish} is delivered before the next one from the same member is). Messages from different members have no
 * common order. A member that crashes while publishing may have delivered the message to some members only.
 *
 * <p>Messages travel with the grid's serializer: {@code String}, {@code byte[]}, boxed primitives and registered
 * classes.
 *
 * @param <M> the message type
 */
public interface GridTopic<M> {
    /**
     * Returns the topic's name.
     *
     * @return the name given to {@link Grid#topic(String)}
     */
    String name();

    /**
     * Delivers {@code message} to every listener of this topic on every member and completes once each member has
     * handed it to its listeners, with the sum of what they returned (the receivers reached).
     *
     * @param message the message; its class must be one the grid can serialize
     * @return a future that completes with the number of receivers reached
     */
    CompletableFuture<Long> publish(M message);

    /**
     * Subscribes {@code listener} on this member, from now until {@link #unsubscribe}.
     *
     * @param listener the listener
     * @return the subscription's id
     */
    UUID subscribe(TopicListener<M> listener);

    /**
     * Removes a listener this member subscribed.
     *
     * @param id the id {@link #subscribe} returned
     * @return whether it was subscribed
     */
    boolean unsubscribe(UUID id);
}
