package io.tessera.grid.internal.replication;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Where a primary sends the changes it applied: to the members that listen to the map or near-cache it.
 */
public interface EventPublisher {
    /**
     * Publishes changes of one partition, called on that partition's thread in the order they were applied. The
     * returned future completes once every near cache that must drop these keys before the write is acknowledged
     * has done so (a member that left the view meanwhile counts as done: it drops its near caches before it serves
     * again), and exceptionally when one did not confirm within {@code timeoutMillis}; listener delivery is not
     * awaited.
     */
    CompletableFuture<Void> publish(List<EntryChange> changes, long timeoutMillis);

    /**
     * Sends the invalidations of {@code changes} again, to near caches only (listeners heard them already), for a
     * retried call whose first invalidation was not confirmed; completes as {@link #publish} does.
     */
    CompletableFuture<Void> invalidate(List<EntryChange> changes, long timeoutMillis);
}
