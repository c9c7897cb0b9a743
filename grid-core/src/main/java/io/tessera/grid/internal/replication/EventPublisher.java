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
     * has done so; listener delivery is not awaited.
     */
    CompletableFuture<Void> publish(List<EntryChange> changes);
}
