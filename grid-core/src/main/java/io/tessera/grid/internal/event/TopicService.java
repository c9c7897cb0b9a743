package io.tessera.grid.internal.event;

import io.tessera.grid.GridException;
import io.tessera.grid.GridTopic;
import io.tessera.grid.TopicListener;
import io.tessera.grid.internal.cluster.ClusterService;
import io.tessera.grid.internal.serialization.GridSerializer;
import io.tessera.grid.internal.wire.MessageType;
import io.tessera.grid.internal.wire.WireReader;
import io.tessera.grid.internal.wire.WireWriter;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.jgroups.Address;
import org.jgroups.blocks.Response;
import org.jgroups.util.Rsp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cluster-wide topics. {@code publish} sends the message to every member of the view (itself included) as one
 * request each and completes when all answered with how many receivers their listeners reached. A member hands a
 * topic's messages to its listeners on one delivery thread chosen by the topic's name, in arrival order; since each
 * member receives one sender's requests in the order they were sent, a publisher's messages keep their order.
 *
 * <p>A member that leaves the view while a publish is under way is simply not counted.
 */
public final class TopicService {
    private static final Logger log = LoggerFactory.getLogger(TopicService.class);
    private static final int DELIVERY_THREADS = 2;

    private final ClusterService cluster;
    private final GridSerializer serializer;
    private final long timeoutMillis;
    private final Map<String, Map<UUID, TopicListener<Object>>> listeners = new ConcurrentHashMap<>();
    private final ExecutorService[] deliveryThreads = new ExecutorService[DELIVERY_THREADS];

    public TopicService(ClusterService cluster, GridSerializer serializer, long timeoutMillis, String memberName) {
        this.cluster = cluster;
        this.serializer = serializer;
        this.timeoutMillis = timeoutMillis;
        for (int i = 0; i < DELIVERY_THREADS; i++) {
            int index = i;
            deliveryThreads[i] = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "tessera-topic-" + memberName + "-" + index);
                t.setDaemon(true);
                return t;
            });
        }
    }

    /** The handle of topic {@code name}. */
    public <M> GridTopic<M> topic(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("name: \"\" (expected a non-empty topic name)");
        }
        return new Topic<>(name);
    }

    private CompletableFuture<Long> publish(String topic, Object message) {
        byte[] body = serializer.encodeValue(Objects.requireNonNull(message, "message"));
        WireWriter out = WireWriter.forType(MessageType.TOPIC, body.length + topic.length() + 16);
        out.writeString(topic);
        out.writeBytes(body);
        return cluster.requestAll(cluster.view().getMembers(), out.array(), out.size(), timeoutMillis)
                .thenApply(replies -> {
                    if (replies == null) {
                        throw new GridException("publish to topic '" + topic + "': not every member answered within "
                                + timeoutMillis + " ms; some may have received the message");
                    }
                    long receivers = 0;
                    for (Rsp<byte[]> rsp : replies.values()) {
                        if (rsp.wasReceived() && !rsp.hasException() && rsp.getValue() != null) {
                            receivers += new WireReader(rsp.getValue()).readVarLong();
                        }
                    }
                    return receivers;
                });
    }

    /** Handles {@link MessageType#TOPIC}: delivers to the local listeners, answers how many receivers they reached. */
    public void onMessage(WireReader in, Response response) {
        String topic = in.readString();
        byte[] body = in.readBytes();
        Map<UUID, TopicListener<Object>> subscribed = listeners.get(topic);
        if (subscribed == null || subscribed.isEmpty()) {
            answer(response, 0);
            return;
        }
        try {
            deliveryThreads[Math.floorMod(topic.hashCode(), DELIVERY_THREADS)].execute(() -> {
                long receivers = 0;
                Object message;
                try {
                    message = serializer.decodeValue(body);
                } catch (RuntimeException e) {
                    log.warn("dropping a message of topic '{}' this member cannot read: {}", topic, e.toString());
                    answer(response, 0);
                    return;
                }
                for (TopicListener<Object> listener : subscribed.values()) {
                    try {
                        receivers += listener.onMessage(message);
                    } catch (RuntimeException | Error e) {
                        log.error("listener of topic '{}' failed", topic, e);
                    }
                }
                answer(response, receivers);
            });
        } catch (RejectedExecutionException e) {
            answer(response, 0);
        }
    }

    private static void answer(Response response, long receivers) {
        if (response != null) {
            WireWriter out = new WireWriter(10);
            out.writeVarLong(receivers);
            response.send(out.toByteArray(), false);
        }
    }

    /** Stops delivering. */
    public void shutdown() {
        for (ExecutorService thread : deliveryThreads) {
            thread.shutdownNow();
        }
    }

    private final class Topic<M> implements GridTopic<M> {
        private final String name;

        Topic(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public CompletableFuture<Long> publish(M message) {
            return TopicService.this.publish(name, message);
        }

        @Override
        @SuppressWarnings("unchecked")
        public UUID subscribe(TopicListener<M> listener) {
            Objects.requireNonNull(listener, "listener");
            UUID id = UUID.randomUUID();
            listeners.computeIfAbsent(name, n -> new ConcurrentHashMap<>()).put(id, (TopicListener<Object>) listener);
            return id;
        }

        @Override
        public boolean unsubscribe(UUID id) {
            Map<UUID, TopicListener<Object>> subscribed = listeners.get(name);
            return subscribed != null && subscribed.remove(id) != null;
        }

        @Override
        public String toString() {
            return "GridTopic[" + name + "]";
        }
    }
}
