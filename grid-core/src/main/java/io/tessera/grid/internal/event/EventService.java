package io.tessera.grid.internal.event;

import io.tessera.grid.EntryEvent;
import io.tessera.grid.EntryListener;
import io.tessera.grid.internal.cluster.ClusterService;
import io.tessera.grid.internal.nearcache.NearCache;
import io.tessera.grid.internal.replication.EntryChange;
import io.tessera.grid.internal.replication.EventPublisher;
import io.tessera.grid.internal.serialization.GridSerializer;
import io.tessera.grid.internal.store.BytesKey;
import io.tessera.grid.internal.wire.MessageType;
import io.tessera.grid.internal.wire.WireReader;
import io.tessera.grid.internal.wire.WireWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.jgroups.Address;
import org.jgroups.View;
import org.jgroups.blocks.Response;
import org.jgroups.util.Rsp;
import org.jgroups.util.RspList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes entry changes from primaries to the members that care: listeners (asynchronously) and near caches
 * (synchronously, before the write is acknowledged).
 *
 * <p>Every member knows, per map, which members registered interest and of what kind ({@link #LISTENER},
 * {@link #LISTENER_VALUES}, {@link #NEAR_CACHE}): a registration is broadcast and awaited, and every member re-sends
 * its own interests to members that join. The registry is copy-on-write, read by partition threads without locks.
 *
 * <p>Listener callbacks run on a few listener threads, striped by key, so the events of one key keep the order in
 * which the primary sent them and a slow listener never holds a partition or JGroups thread.
 */
public final class EventService implements EventPublisher {
    private static final Logger log = LoggerFactory.getLogger(EventService.class);

    /** Interest flag: the member has a listener without values. */
    public static final int LISTENER = 1;
    /** Interest flag: the member has a listener with values. */
    public static final int LISTENER_VALUES = 2;
    /** Interest flag: the member has a near cache, which must be invalidated before a write is acknowledged. */
    public static final int NEAR_CACHE = 4;

    private static final int LISTENER_THREADS = 2;

    private final Address self;
    private final ClusterService cluster;
    private final GridSerializer serializer;
    private final long timeoutMillis;
    private final ConcurrentHashMap<String, Map<Address, Integer>> interests = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, CopyOnWriteArrayList<LocalListener>> listeners = new ConcurrentHashMap<>();
    /** This member's listeners of single keys: map, then key. */
    private final ConcurrentHashMap<String, ConcurrentHashMap<BytesKey, CopyOnWriteArrayList<LocalListener>>>
            keyListeners = new ConcurrentHashMap<>();
    /**
     * Which members listen to which single keys, and how ({@link #LISTENER} or {@link #LISTENER_VALUES}): map, then
     * key, then member. Copy-on-write per map, like {@link #interests}, so partition threads read it without locks.
     */
    private final ConcurrentHashMap<String, Map<BytesKey, Map<Address, Integer>>> keyInterests =
            new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, NearCache> nearCaches = new ConcurrentHashMap<>();
    private final ExecutorService[] listenerThreads = new ExecutorService[LISTENER_THREADS];
    private volatile Set<Address> knownMembers = Set.of();

    private record LocalListener(UUID id, EntryListener<Object, Object> listener, boolean includeValues) {
    }

    /** Creates the service. */
    public EventService(Address self, ClusterService cluster, GridSerializer serializer, long timeoutMillis,
                        String memberName) {
        this.self = self;
        this.cluster = cluster;
        this.serializer = serializer;
        this.timeoutMillis = timeoutMillis;
        for (int i = 0; i < LISTENER_THREADS; i++) {
            String name = "tessera-listener-" + memberName + "-" + i;
            listenerThreads[i] = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, name);
                t.setDaemon(true);
                return t;
            });
        }
    }

    // ---------------------------------------------------------------------------------------------- registry

    /** Registers a local listener on {@code map} and waits until every member knows. */
    @SuppressWarnings("unchecked")
    public UUID addListener(String map, EntryListener<?, ?> listener, boolean includeValues) {
        UUID id = UUID.randomUUID();
        listeners.computeIfAbsent(map, m -> new CopyOnWriteArrayList<>())
                .add(new LocalListener(id, (EntryListener<Object, Object>) listener, includeValues));
        announce(map);
        return id;
    }

    /**
     * Registers a local listener of one key of {@code map} (its encoded bytes) and waits until every member knows:
     * once this returns, every change the key's primary applies reaches the listener, whichever member is primary.
     */
    @SuppressWarnings("unchecked")
    public UUID addKeyListener(String map, byte[] key, EntryListener<?, ?> listener, boolean includeValues) {
        UUID id = UUID.randomUUID();
        BytesKey bytesKey = new BytesKey(key);
        keyListeners.computeIfAbsent(map, m -> new ConcurrentHashMap<>())
                .computeIfAbsent(bytesKey, k -> new CopyOnWriteArrayList<>())
                .add(new LocalListener(id, (EntryListener<Object, Object>) listener, includeValues));
        announceKey(map, bytesKey);
        return id;
    }

    /** Removes a local listener, of the map or of one of its keys; returns whether it existed. */
    public boolean removeListener(String map, UUID id) {
        CopyOnWriteArrayList<LocalListener> list = listeners.get(map);
        if (list != null && list.removeIf(l -> l.id.equals(id))) {
            announce(map);
            return true;
        }
        ConcurrentHashMap<BytesKey, CopyOnWriteArrayList<LocalListener>> byKey = keyListeners.get(map);
        if (byKey == null) {
            return false;
        }
        for (Map.Entry<BytesKey, CopyOnWriteArrayList<LocalListener>> e : byKey.entrySet()) {
            if (e.getValue().removeIf(l -> l.id.equals(id))) {
                byKey.computeIfPresent(e.getKey(), (k, local) -> local.isEmpty() ? null : local);
                announceKey(map, e.getKey());
                return true;
            }
        }
        return false;
    }

    /** Creates (once) the near cache of {@code map} on this member and registers for its invalidations. */
    public NearCache nearCache(String map, io.tessera.grid.NearCacheConfig config) {
        boolean[] created = {false};
        NearCache cache = nearCaches.computeIfAbsent(map, m -> {
            created[0] = true;
            return new NearCache(config);
        });
        if (created[0]) {
            announce(map);
        }
        return cache;
    }

    private int localFlags(String map) {
        int flags = 0;
        for (LocalListener l : listeners.getOrDefault(map, new CopyOnWriteArrayList<>())) {
            flags |= l.includeValues ? LISTENER_VALUES : LISTENER;
        }
        if (nearCaches.containsKey(map)) {
            flags |= NEAR_CACHE;
        }
        return flags;
    }

    private int localKeyFlags(String map, BytesKey key) {
        int flags = 0;
        ConcurrentHashMap<BytesKey, CopyOnWriteArrayList<LocalListener>> byKey = keyListeners.get(map);
        List<LocalListener> local = byKey == null ? null : byKey.get(key);
        if (local != null) {
            for (LocalListener l : local) {
                flags |= l.includeValues ? LISTENER_VALUES : LISTENER;
            }
        }
        return flags;
    }

    /** Sets this member's interest in {@code map} everywhere and waits for every member's acknowledgement. */
    private void announce(String map) {
        int flags = localFlags(map);
        setInterest(map, self, flags);
        broadcast(registration(Map.of(map, flags), List.of()));
    }

    /** Sets this member's interest in one key everywhere and waits for every member's acknowledgement. */
    private void announceKey(String map, BytesKey key) {
        KeyInterest interest = new KeyInterest(map, key, localKeyFlags(map, key));
        setKeyInterest(interest, self);
        broadcast(registration(Map.of(), List.of(interest)));
    }

    private void broadcast(byte[] message) {
        View view = cluster.view();
        if (view == null || view.size() <= 1) {
            return;
        }
        List<Address> others = new ArrayList<>(view.getMembers());
        others.remove(self);
        cluster.requestAll(others, message, message.length, timeoutMillis).join();
    }

    /** One member's interest in one key of a map (flags 0: none any more). */
    private record KeyInterest(String map, BytesKey key, int flags) {
    }

    /** A registration: flags per map (replacing the sender's), then flags per single key (each replacing its own). */
    private static byte[] registration(Map<String, Integer> flagsByMap, List<KeyInterest> keys) {
        WireWriter out = WireWriter.forType(MessageType.LISTENER_REGISTRATION, 64);
        out.writeVarInt(flagsByMap.size());
        flagsByMap.forEach((map, flags) -> out.writeString(map).writeVarInt(flags));
        out.writeVarInt(keys.size());
        for (KeyInterest interest : keys) {
            out.writeString(interest.map()).writeBytes(interest.key().bytes()).writeVarInt(interest.flags());
        }
        return out.toByteArray();
    }

    private void setKeyInterest(KeyInterest interest, Address member) {
        keyInterests.compute(interest.map(), (m, current) -> {
            Map<BytesKey, Map<Address, Integer>> next = current == null ? new HashMap<>() : new HashMap<>(current);
            Map<Address, Integer> members = new HashMap<>(next.getOrDefault(interest.key(), Map.of()));
            if (interest.flags() == 0) {
                members.remove(member);
            } else {
                members.put(member, interest.flags());
            }
            if (members.isEmpty()) {
                next.remove(interest.key());
            } else {
                next.put(interest.key(), Map.copyOf(members));
            }
            return next.isEmpty() ? null : Map.copyOf(next);
        });
    }

    private void setInterest(String map, Address member, int flags) {
        interests.compute(map, (m, current) -> {
            Map<Address, Integer> next = current == null ? new HashMap<>() : new HashMap<>(current);
            if (flags == 0) {
                next.remove(member);
            } else {
                next.put(member, flags);
            }
            return next.isEmpty() ? null : Map.copyOf(next);
        });
    }

    /** Handles {@link MessageType#LISTENER_REGISTRATION}. */
    public void onRegistration(WireReader in, Address sender, Response response) {
        int count = in.readVarInt();
        for (int i = 0; i < count; i++) {
            setInterest(in.readString(), sender, in.readVarInt());
        }
        int keys = in.readVarInt();
        for (int i = 0; i < keys; i++) {
            setKeyInterest(new KeyInterest(in.readString(), new BytesKey(in.readBytes()), in.readVarInt()), sender);
        }
        if (response != null) {
            response.send(new byte[] {0}, false);
        }
    }

    /**
     * Asks every other member for its interests and waits for the answers. A starting member calls this before it
     * serves anything, so it never becomes a primary that does not know whom to notify.
     */
    public void learnInterests(View view) {
        List<Address> others = new ArrayList<>(view.getMembers());
        others.remove(self);
        if (others.isEmpty()) {
            return;
        }
        WireWriter out = WireWriter.forType(MessageType.INTEREST_QUERY, 1);
        RspList<byte[]> replies = cluster.requestAll(others, out.array(), out.size(), timeoutMillis).join();
        if (replies == null) {
            log.warn("not every member told its map interests within {} ms", timeoutMillis);
            return;
        }
        replies.forEach((member, rsp) -> {
            if (rsp.wasReceived() && !rsp.hasException() && rsp.getValue() != null) {
                WireReader in = new WireReader(rsp.getValue());
                in.readByte();
                onRegistration(in, member, null);
            }
        });
    }

    /** The answer to {@link MessageType#INTEREST_QUERY} of a member that has no listeners or near caches. */
    public static byte[] noInterests() {
        return registration(Map.of(), List.of());
    }

    /** Handles {@link MessageType#INTEREST_QUERY}: answers with this member's own interests. */
    public void onInterestQuery(Response response) {
        byte[] answer = registration(localInterests(), localKeyInterests());
        if (response != null) {
            response.send(answer, false);
        }
    }

    private Map<String, Integer> localInterests() {
        Map<String, Integer> mine = new LinkedHashMap<>();
        for (String map : listeners.keySet()) {
            mine.put(map, localFlags(map));
        }
        for (String map : nearCaches.keySet()) {
            mine.put(map, localFlags(map));
        }
        mine.values().removeIf(flags -> flags == 0);
        return mine;
    }

    private List<KeyInterest> localKeyInterests() {
        List<KeyInterest> mine = new ArrayList<>();
        keyListeners.forEach((map, byKey) -> byKey.keySet().forEach(key -> {
            int flags = localKeyFlags(map, key);
            if (flags != 0) {
                mine.add(new KeyInterest(map, key, flags));
            }
        }));
        return mine;
    }

    /**
     * Forgets members that left and tells members that joined what this member is interested in. After a merge it
     * tells everyone: the other side dropped this member's interests when it excluded it, and this member cannot tell
     * from its own views which members did.
     */
    public void viewChanged(View view) {
        Set<Address> members = Set.copyOf(view.getMembers());
        Set<Address> previous = view instanceof org.jgroups.MergeView ? Set.of() : knownMembers;
        knownMembers = members;
        for (String map : interests.keySet()) {
            interests.computeIfPresent(map, (m, current) -> {
                Map<Address, Integer> next = new HashMap<>(current);
                next.keySet().retainAll(members);
                return next.isEmpty() ? null : Map.copyOf(next);
            });
        }
        for (String map : keyInterests.keySet()) {
            keyInterests.computeIfPresent(map, (m, current) -> {
                Map<BytesKey, Map<Address, Integer>> next = new HashMap<>();
                current.forEach((key, byMember) -> {
                    Map<Address, Integer> kept = new HashMap<>(byMember);
                    kept.keySet().retainAll(members);
                    if (!kept.isEmpty()) {
                        next.put(key, Map.copyOf(kept));
                    }
                });
                return next.isEmpty() ? null : Map.copyOf(next);
            });
        }
        Map<String, Integer> mine = localInterests();
        List<KeyInterest> myKeys = localKeyInterests();
        if (mine.isEmpty() && myKeys.isEmpty()) {
            return;
        }
        byte[] message = registration(mine, myKeys);
        for (Address member : members) {
            if (!member.equals(self) && !previous.contains(member)) {
                cluster.send(member, message, message.length);
            }
        }
    }

    /**
     * Drops every near cache's content: this member may have missed invalidations (its lease lapsed, it was paused,
     * or it merged back after being cut off), so nothing cached before can be trusted.
     */
    public void invalidateAllNearCaches() {
        nearCaches.values().forEach(NearCache::invalidateAll);
    }

    // ------------------------------------------------------------------------------------------------ publish

    @Override
    public CompletableFuture<Void> publish(List<EntryChange> changes, long timeoutMillis) {
        return send(changes, timeoutMillis, false);
    }

    @Override
    public CompletableFuture<Void> invalidate(List<EntryChange> changes, long timeoutMillis) {
        return send(changes, timeoutMillis, true);
    }

    private CompletableFuture<Void> send(List<EntryChange> changes, long timeoutMillis, boolean invalidationOnly) {
        if (changes.isEmpty() || (interests.isEmpty() && (invalidationOnly || keyInterests.isEmpty()))) {
            return CompletableFuture.completedFuture(null);
        }
        Map<Address, List<EntryChange>> byMember = new HashMap<>();
        Map<Address, Integer> flagsByMember = new HashMap<>();
        for (EntryChange change : changes) {
            Map<Address, Integer> interested = interests.get(change.mapName());
            Map<BytesKey, Map<Address, Integer>> keyed = invalidationOnly ? null : keyInterests.get(change.mapName());
            Map<Address, Integer> keyInterested = keyed == null ? null : keyed.get(new BytesKey(change.key()));
            if (interested != null) {
                interested.forEach((member, flags) -> {
                    if (invalidationOnly && (flags & NEAR_CACHE) == 0) {
                        return;
                    }
                    byMember.computeIfAbsent(member, m -> new ArrayList<>()).add(change);
                    flagsByMember.merge(member, flags, (a, b) -> a | b);
                });
            }
            if (keyInterested != null) {
                keyInterested.forEach((member, flags) -> {
                    List<EntryChange> toMember = byMember.computeIfAbsent(member, m -> new ArrayList<>());
                    if (toMember.isEmpty() || toMember.get(toMember.size() - 1) != change) {
                        toMember.add(change);
                    }
                    flagsByMember.merge(member, flags, (a, b) -> a | b);
                });
            }
        }
        List<CompletableFuture<?>> pending = new ArrayList<>();
        for (Map.Entry<Address, List<EntryChange>> e : byMember.entrySet()) {
            Address member = e.getKey();
            int flags = flagsByMember.get(member);
            if (member.equals(self)) {
                deliver(e.getValue(), invalidationOnly);
                continue;
            }
            boolean ack = (flags & NEAR_CACHE) != 0;
            byte[] message = eventMessage(e.getValue(), (flags & LISTENER_VALUES) != 0 && !invalidationOnly,
                    invalidationOnly);
            if (ack) {
                pending.add(cluster.requestAll(List.of(member), message, message.length, timeoutMillis)
                        .thenAccept(rsps -> {
                            Rsp<byte[]> rsp = rsps == null ? null : rsps.get(member);
                            if (rsp != null && (rsp.wasSuspected() || rsp.wasUnreachable())) {
                                return; // it left the view; it drops its near caches before it serves again
                            }
                            if (rsp == null || !rsp.wasReceived()) {
                                throw new IllegalStateException("the near cache of " + cluster.nameOf(member)
                                        + " did not confirm the invalidation within " + timeoutMillis + " ms");
                            }
                        }));
            } else {
                cluster.send(member, message, message.length);
            }
        }
        return pending.isEmpty() ? CompletableFuture.completedFuture(null)
                : CompletableFuture.allOf(pending.toArray(new CompletableFuture<?>[0]));
    }

    /** Header bit: the changes carry old and new values. */
    private static final int WITH_VALUES = 1;
    /** Header bit: near caches only (a repeated invalidation); listeners heard these changes already. */
    private static final int INVALIDATION_ONLY = 2;

    private static byte[] eventMessage(List<EntryChange> changes, boolean withValues, boolean invalidationOnly) {
        WireWriter out = WireWriter.forType(MessageType.EVENT, 64);
        out.writeByte((withValues ? WITH_VALUES : 0) | (invalidationOnly ? INVALIDATION_ONLY : 0));
        out.writeVarInt(changes.size());
        for (EntryChange change : changes) {
            change.writeTo(out, withValues);
        }
        return out.toByteArray();
    }

    /** Handles {@link MessageType#EVENT}: invalidates near caches inline, then hands listeners their events. */
    public void onEvent(WireReader in, Address sender, Response response) {
        int header = in.readByte();
        int count = in.readVarInt();
        List<EntryChange> changes = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            changes.add(EntryChange.readFrom(in));
        }
        deliver(changes, (header & INVALIDATION_ONLY) != 0);
        if (response != null) {
            response.send(new byte[] {0}, false);
        }
    }

    private void deliver(List<EntryChange> changes, boolean invalidationOnly) {
        for (EntryChange change : changes) {
            NearCache cache = nearCaches.get(change.mapName());
            if (cache != null) {
                cache.invalidate(new BytesKey(change.key()));
            }
            if (invalidationOnly) {
                continue;
            }
            List<LocalListener> local = listenersOf(change);
            if (local.isEmpty()) {
                continue;
            }
            int stripe = Math.floorMod(Arrays.hashCode(change.key()), LISTENER_THREADS);
            try {
                listenerThreads[stripe].execute(() -> dispatch(change, local));
            } catch (RejectedExecutionException e) {
                return; // shutting down
            }
        }
    }

    /** The local listeners of the change's map and of its key. */
    private List<LocalListener> listenersOf(EntryChange change) {
        List<LocalListener> ofMap = listeners.get(change.mapName());
        ConcurrentHashMap<BytesKey, CopyOnWriteArrayList<LocalListener>> byKey = keyListeners.get(change.mapName());
        List<LocalListener> ofKey = byKey == null ? null : byKey.get(new BytesKey(change.key()));
        if (ofKey == null || ofKey.isEmpty()) {
            return ofMap == null ? List.of() : ofMap;
        }
        if (ofMap == null || ofMap.isEmpty()) {
            return ofKey;
        }
        List<LocalListener> both = new ArrayList<>(ofMap);
        both.addAll(ofKey);
        return both;
    }

    private void dispatch(EntryChange change, List<LocalListener> local) {
        Object key;
        Object oldValue;
        Object newValue;
        try {
            key = serializer.decodeKey(change.key(), change.keyFormat());
            oldValue = change.oldValue() == null ? null : serializer.decodeValue(change.oldValue());
            newValue = change.newValue() == null ? null : serializer.decodeValue(change.newValue());
        } catch (RuntimeException e) {
            log.warn("cannot decode an event of map {}: {}", change.mapName(), e.getMessage());
            return;
        }
        for (LocalListener l : local) {
            EntryEvent<Object, Object> event = new EntryEvent<>(change.type(), change.mapName(), key,
                    l.includeValues ? oldValue : null, l.includeValues ? newValue : null);
            try {
                switch (change.type()) {
                    case ADDED -> l.listener.entryAdded(event);
                    case UPDATED -> l.listener.entryUpdated(event);
                    case REMOVED -> l.listener.entryRemoved(event);
                    case EXPIRED -> l.listener.entryExpired(event);
                    case EVICTED -> l.listener.entryEvicted(event);
                    default -> throw new IllegalStateException();
                }
            } catch (VirtualMachineError e) {
                throw e;
            } catch (Throwable e) {
                // A user's listener must not cost the next listener its event, nor kill the listener thread.
                log.warn("listener {} of map {} threw on {}", l.listener, change.mapName(), event.type(), e);
            }
        }
    }

    /** Stops the listener threads, letting queued events run for up to a second. */
    public void shutdown() {
        for (ExecutorService thread : listenerThreads) {
            thread.shutdown();
        }
        for (ExecutorService thread : listenerThreads) {
            try {
                thread.awaitTermination(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
