package io.tessera.redis.internal.command;

import io.tessera.grid.Grid;
import io.tessera.grid.GridTopic;
import io.tessera.redis.internal.protocol.Reply;
import io.tessera.redis.internal.store.Bytes;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * This member's pub/sub subscribers, and its side of the cluster-wide grid topic that carries every PUBLISH: a
 * message published through any member reaches the subscribers of every member, and PUBLISH answers how many
 * clients received it cluster-wide. {@code PUBSUB NUMSUB} and {@code NUMPAT} count cluster-wide the same way (a
 * counting query travels the topic instead of a message); {@code PUBSUB CHANNELS} lists this member's channels, as
 * a Redis Cluster node lists its own.
 *
 * <p>Threads: the topic delivers on one grid thread; subscriptions change on event loops; the maps are concurrent.
 * Each client's messages are written by its own event loop, in delivery order.
 */
public final class PubSubHub {
    /** The grid topic shared by every member's RESP server. */
    public static final String TOPIC = "tessera.redis.pubsub";
    private static final byte MESSAGE = 1;
    private static final byte COUNT_CHANNEL = 2;
    private static final byte COUNT_PATTERNS = 3;
    private static final Reply MESSAGE_KIND = Reply.bulk("message");
    private static final Reply PMESSAGE_KIND = Reply.bulk("pmessage");

    private final GridTopic<byte[]> topic;
    private final UUID subscription;
    private final Map<Bytes, Set<ClientSession>> channels = new ConcurrentHashMap<>();
    private final Map<Bytes, Set<ClientSession>> patterns = new ConcurrentHashMap<>();

    public PubSubHub(Grid grid) {
        this.topic = grid.topic(TOPIC);
        this.subscription = topic.subscribe(this::deliver);
    }

    /** Stops receiving (the server closes). */
    public void close() {
        topic.unsubscribe(subscription);
    }

    /** Publishes to every member; completes with the number of clients that received the message. */
    public CompletableFuture<Long> publish(byte[] channel, byte[] message) {
        return topic.publish(pack(MESSAGE, channel, message));
    }

    /** The number of clients subscribed to {@code channel} on every member. */
    public CompletableFuture<Long> countSubscribers(byte[] channel) {
        return topic.publish(pack(COUNT_CHANNEL, channel, new byte[0]));
    }

    /** The number of pattern subscriptions on every member. */
    public CompletableFuture<Long> countPatterns() {
        return topic.publish(pack(COUNT_PATTERNS, new byte[0], new byte[0]));
    }

    /** Adds {@code client} to {@code channel}'s subscribers; the caller updates the client's own set. */
    public void subscribe(ClientSession client, Bytes channel) {
        channels.computeIfAbsent(channel, c -> ConcurrentHashMap.newKeySet()).add(client);
    }

    /** Removes {@code client} from {@code channel}'s subscribers. */
    public void unsubscribe(ClientSession client, Bytes channel) {
        channels.computeIfPresent(channel, (c, clients) -> {
            clients.remove(client);
            return clients.isEmpty() ? null : clients;
        });
    }

    public void psubscribe(ClientSession client, Bytes pattern) {
        patterns.computeIfAbsent(pattern, c -> ConcurrentHashMap.newKeySet()).add(client);
    }

    public void punsubscribe(ClientSession client, Bytes pattern) {
        patterns.computeIfPresent(pattern, (c, clients) -> {
            clients.remove(client);
            return clients.isEmpty() ? null : clients;
        });
    }

    /** Drops every subscription of {@code client} (connection closed, or RESET). Event loop of the client. */
    public void unsubscribeAll(ClientSession client) {
        for (Bytes channel : client.channels()) {
            unsubscribe(client, channel);
        }
        for (Bytes pattern : client.patterns()) {
            punsubscribe(client, pattern);
        }
        client.channels().clear();
        client.patterns().clear();
        client.subscriptionsChanged();
    }

    /** The channels with at least one subscriber on this member, optionally filtered by a glob pattern. */
    public List<Bytes> localChannels(byte[] pattern) {
        List<Bytes> result = new ArrayList<>();
        for (Bytes channel : channels.keySet()) {
            if (pattern == null || GlobPattern.matches(pattern, channel.bytes())) {
                result.add(channel);
            }
        }
        return result;
    }

    private int deliver(byte[] packed) {
        ByteBuffer in = ByteBuffer.wrap(packed);
        byte kind = in.get();
        byte[] channel = new byte[in.getInt()];
        in.get(channel);
        byte[] message = new byte[in.remaining()];
        in.get(message);
        Bytes channelKey = Bytes.of(channel);
        switch (kind) {
            case COUNT_CHANNEL -> {
                Set<ClientSession> subscribers = channels.get(channelKey);
                return subscribers == null ? 0 : subscribers.size();
            }
            case COUNT_PATTERNS -> {
                int count = 0;
                for (Set<ClientSession> clients : patterns.values()) {
                    count += clients.size();
                }
                return count;
            }
            case MESSAGE -> {
                int receivers = 0;
                Set<ClientSession> subscribers = channels.get(channelKey);
                if (subscribers != null) {
                    Reply push = new Reply.Push(List.of(MESSAGE_KIND, new Reply.Bulk(channel), new Reply.Bulk(message)));
                    for (ClientSession client : subscribers) {
                        client.push(push);
                        receivers++;
                    }
                }
                for (Map.Entry<Bytes, Set<ClientSession>> entry : patterns.entrySet()) {
                    if (GlobPattern.matches(entry.getKey().bytes(), channel)) {
                        Reply push = new Reply.Push(List.of(PMESSAGE_KIND, new Reply.Bulk(entry.getKey().bytes()),
                                new Reply.Bulk(channel), new Reply.Bulk(message)));
                        for (ClientSession client : entry.getValue()) {
                            client.push(push);
                            receivers++;
                        }
                    }
                }
                return receivers;
            }
            default -> {
                return 0; // a kind from a newer member: nothing to deliver here
            }
        }
    }

    private static byte[] pack(byte kind, byte[] channel, byte[] message) {
        return ByteBuffer.allocate(1 + 4 + channel.length + message.length).put(kind).putInt(channel.length)
                .put(channel).put(message).array();
    }
}
