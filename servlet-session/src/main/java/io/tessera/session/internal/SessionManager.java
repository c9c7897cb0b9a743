package io.tessera.session.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.tessera.grid.EntryEvent;
import io.tessera.grid.EntryListener;
import io.tessera.grid.Grid;
import io.tessera.grid.GridMap;
import io.tessera.grid.IndeterminateOutcomeException;
import io.tessera.grid.MultiKeyProcessor;
import io.tessera.session.SessionConfig;
import io.tessera.session.SessionListeners;
import jakarta.servlet.ServletContext;
import jakarta.servlet.http.HttpSession;
import jakarta.servlet.http.HttpSessionAttributeListener;
import jakarta.servlet.http.HttpSessionBindingEvent;
import jakarta.servlet.http.HttpSessionEvent;
import jakarta.servlet.http.HttpSessionIdListener;
import jakarta.servlet.http.HttpSessionListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EventListener;
import java.util.HashMap;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The sessions of one web application on one node: the grid map, the node's cache, id generation, the listeners,
 * and the expiry path.
 *
 * <p>Threads: request threads call {@link #load}, {@link #create}, {@link #commit} and {@link #end}, each a grid
 * call that blocks the request (the servlet API is blocking). The grid delivers the EXPIRED events of session
 * timers on its listener threads; they are handed to one {@code tessera-session-expiry} thread owned by this
 * manager, which wins or loses the {@link SessionProcessors.End} claim and, if it wins, calls the listeners under
 * the web application's class loader. The Caffeine cache is thread-safe; its values are never mutated.
 *
 * <p>Exactly-once destruction: invalidation, expiry and change of id all go through {@code End}, which atomically
 * turns a live session into a tombstone on its primary and returns the session to exactly one caller. Only that
 * caller calls {@code sessionDestroyed} and unbinds the attributes. Every member that runs a filter for the map
 * receives every timer's EXPIRED event, so a session whose last node is gone still expires on another one.
 */
public final class SessionManager implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SessionManager.class);
    private static final int ID_BYTES = 16;
    private static final int MOVE_FOLLOW_ATTEMPTS = 20;
    private static final int INDETERMINATE_ATTEMPTS = 3;

    private final SessionConfig config;
    private final ServletContext context;
    private final ClassLoader loader;
    private final GridMap<String, SessionRecord> map;
    private final Cache<String, SessionRecord> cache;
    private final AttributeCodec codec;
    private final SecureRandom random = new SecureRandom();
    private final ExecutorService expiry;
    private final UUID listenerId;
    private final SessionMeters meters;

    public SessionManager(Grid grid, SessionConfig config, ServletContext context, ClassLoader loader) {
        this.config = config;
        this.context = context;
        this.loader = loader;
        this.map = grid.map(config.mapNameFor(context.getContextPath()));
        this.cache = Caffeine.newBuilder().maximumSize(config.cacheSize()).build();
        this.codec = new AttributeCodec(config.kryoTypes(), config.serialFilter(), loader);
        this.meters = new SessionMeters(grid, map.name());
        this.expiry = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "tessera-session-expiry " + map.name());
            t.setDaemon(true);
            return t;
        });
        this.listenerId = map.addListener(new EntryListener<>() {
            @Override
            public void entryExpired(EntryEvent<String, SessionRecord> event) {
                String id = SessionRecord.idOfTimerKey(event.key());
                if (id != null) {
                    expiry.execute(() -> expire(id));
                }
                sessionChanged(event);
            }

            @Override
            public void entryAdded(EntryEvent<String, SessionRecord> event) {
                sessionChanged(event);
            }

            @Override
            public void entryUpdated(EntryEvent<String, SessionRecord> event) {
                sessionChanged(event);
            }

            @Override
            public void entryRemoved(EntryEvent<String, SessionRecord> event) {
                sessionChanged(event);
            }
        }, false);
    }

    /**
     * Sticky mode trusts the cached copy only while no member changed the session record: any change (by another
     * node after a failover, an invalidation, or this node's own commit) makes the next request check the version
     * with one grid call, which ships the record only if the cached one is out of date. Timer writes (plain accesses)
     * do not count, so a session that nobody changes is never fetched again. A change that races with this node's
     * own load of the session (between its grid call and its cache update) can go unnoticed until the next change;
     * sticky routing makes that a failover-only window.
     */
    private void sessionChanged(EntryEvent<String, SessionRecord> event) {
        if (!config.sticky()) {
            return;
        }
        String id = SessionRecord.idOfSessionKey(event.key());
        if (id != null) {
            cache.asMap().computeIfPresent(id, (key, cached) -> cached.unverified ? cached : cached.copyUnverified());
        }
    }

    public SessionConfig config() {
        return config;
    }

    public ServletContext context() {
        return context;
    }

    AttributeCodec codec() {
        return codec;
    }

    /** The grid map's name. */
    public String mapName() {
        return map.name();
    }

    long now() {
        return System.currentTimeMillis();
    }

    /** A new id: {@value #ID_BYTES} bytes from SecureRandom, base64url without padding. */
    String newId() {
        byte[] bytes = new byte[ID_BYTES];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** Whether {@code id} could be one of ours (so junk from clients never becomes a grid key). */
    public static boolean wellFormed(String id) {
        if (id == null || id.length() < 16 || id.length() > 64) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (!(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_')) {
                return false;
            }
        }
        return true;
    }

    /**
     * Runs a processor on the session's two keys. When the primary dies before answering, the grid cannot know
     * whether the processor ran; every session processor gives the same result when run again on what its first run
     * left (an access or a delta re-applies the same values, a create recognises its own record), so the call is
     * retried. The one loss: an {@code End} that ran before its primary died answers "already gone" when retried, so
     * that session's listeners are not notified; it takes a crash at that exact moment.
     */
    private <R> R run(String id, MultiKeyProcessor<String, SessionRecord, R> processor) {
        for (int attempt = 1; ; attempt++) {
            try {
                return map.executeOnKeysAsync(List.of(SessionRecord.sessionKey(id), SessionRecord.timerKey(id)),
                        processor).join();
            } catch (CompletionException e) {
                if (e.getCause() instanceof IndeterminateOutcomeException && attempt < INDETERMINATE_ATTEMPTS) {
                    log.debug("session {}: the primary left before answering; running {} again",
                            LoggedSessionIds.of(id), processor.getClass().getSimpleName());
                    continue;
                }
                if (e.getCause() instanceof RuntimeException cause) {
                    throw cause;
                }
                throw e;
            }
        }
    }

    /** Runs a Delta on {@code id}, following a change of id; returns the outcome and the final id. */
    private Outcome runFollowing(String[] id, MultiKeyProcessor<String, SessionRecord, Outcome> processor) {
        Outcome o = run(id[0], processor);
        for (int attempt = 0; attempt < MOVE_FOLLOW_ATTEMPTS && o.status == Outcome.MOVED; attempt++) {
            String target = o.movedTo;
            o = run(target, processor);
            // The new entry is created just after the old one became a forwarding tombstone; wait for it briefly.
            for (int wait = 0; wait < 10 && o.status == Outcome.GONE; wait++) {
                sleep(10);
                o = run(target, processor);
            }
            id[0] = target;
        }
        return o;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Loads the session {@code id} for a request, or returns {@code null} if it does not exist, was invalidated or
     * timed out. Sticky: a cached copy that no member changed since is used as is, and the access is written at
     * commit. Otherwise (non-sticky, or a change was announced): one grid call marks the access and returns the record
     * only if the cached version is not current.
     */
    GridSession load(String requestedId, RequestSessions owner) {
        SessionRecord cached = cache.getIfPresent(requestedId);
        long now = now();
        if (config.sticky() && cached != null && !cached.unverified
                && (cached.maxInactive <= 0 || cached.lastAccessed + cached.maxInactive * 1000L > now)) {
            return new GridSession(this, owner, cached, cached.lastAccessed, now, false, false);
        }
        // A new request never follows a moved session: an old id must stop working once the id changed (that is
        // the point of changeSessionId against fixation); only commits of requests already in flight follow.
        String[] id = {requestedId};
        Outcome o = run(requestedId, new SessionProcessors.Access(cached == null ? -1 : cached.version, now));
        if (o.status != Outcome.OK) {
            cache.invalidate(requestedId);
            return null;
        }
        SessionRecord record = o.record != null ? o.record : cached;
        if (record == null || record.version != o.version) {
            // Only possible if the cache changed between our read and now; ask again without a known version.
            o = run(id[0], new SessionProcessors.Access(-1, now));
            if (o.status != Outcome.OK) {
                return null;
            }
            record = o.record;
        }
        SessionRecord accessed = record.copyWithAccess(now);
        cache.put(id[0], accessed);
        return new GridSession(this, owner, accessed, o.previousAccess, now, true, false);
    }

    /** Creates a session with a fresh id, stored at once so that other nodes see it as soon as the client has it. */
    GridSession create(RequestSessions owner) {
        while (true) {
            long now = now();
            SessionRecord record = SessionRecord.live(newId(), now, config.maxInactiveInterval());
            if (run(record.id, new SessionProcessors.Create(record))) {
                meters.created();
                cache.put(record.id, record);
                return new GridSession(this, owner, record, now, now, true, true);
            }
        }
    }

    /** Stores {@code record} under its id (change of id); false if that id is taken. */
    boolean createExact(SessionRecord record) {
        boolean created = run(record.id, new SessionProcessors.Create(record));
        if (created) {
            cache.put(record.id, record);
        }
        return created;
    }

    /** Applies a delta to session {@code id[0]}, following a change of id (then updating {@code id[0]}). */
    Outcome commit(String[] id, SessionProcessors.Delta delta) {
        String before = id[0];
        Outcome o = runFollowing(id, delta);
        if (o.status != Outcome.OK || !before.equals(id[0])) {
            cache.invalidate(before);
        }
        return o;
    }

    /** The meters of this application on this node. */
    SessionMeters meters() {
        return meters;
    }

    void cache(SessionRecord record) {
        cache.put(record.id, record);
    }

    void uncache(String id) {
        cache.invalidate(id);
    }

    /** Ends the live session {@code id} (see {@link SessionProcessors.End}); the caller that gets it notifies. */
    SessionRecord end(String id, boolean onlyIfTimedOut, String movedTo) {
        SessionRecord ended = run(id, new SessionProcessors.End(onlyIfTimedOut, movedTo));
        cache.invalidate(id);
        return ended;
    }

    private void expire(String id) {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(loader);
        try {
            SessionRecord ended = end(id, true, null);
            if (ended != null) {
                log.debug("session {} of {} timed out", LoggedSessionIds.of(id), map.name());
                meters.expired();
                GridSession session = new GridSession(this, null, ended, ended.lastAccessed, now(), true, false);
                session.destroy();
            }
        } catch (RuntimeException e) {
            log.warn("expiring session {} of {} failed: {}", LoggedSessionIds.of(id), map.name(), e.toString());
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    /** The Servlet 6.1 accessor's work: loads {@code id}, runs {@code work} on it as a request would, commits. */
    void access(String id, Consumer<HttpSession> work) {
        RequestSessions detached = new RequestSessions(this, null, null);
        GridSession session = detached.resolveExactly(id);
        if (session == null) {
            throw new IllegalStateException("session " + id + " is no longer valid (invalidated, expired or its id "
                    + "changed)");
        }
        try {
            work.accept(session);
        } finally {
            detached.commit();
        }
    }

    // ------------------------------------------------------------------------------------------------ listeners

    private List<EventListener> listeners() {
        List<EventListener> all = new ArrayList<>(config.listeners());
        Object registered = context.getAttribute(SessionListeners.CONTEXT_ATTRIBUTE);
        if (registered instanceof SessionListeners l) {
            all.addAll(l.list());
        }
        return all;
    }

    private static void call(EventListener listener, String what, Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            log.warn("session listener {} threw in {}", listener.getClass().getName(), what, e);
        }
    }

    void fireCreated(HttpSession session) {
        HttpSessionEvent event = new HttpSessionEvent(session);
        for (EventListener l : listeners()) {
            if (l instanceof HttpSessionListener h) {
                call(l, "sessionCreated", () -> h.sessionCreated(event));
            }
        }
    }

    void fireDestroyed(HttpSession session) {
        HttpSessionEvent event = new HttpSessionEvent(session);
        List<EventListener> all = listeners();
        for (int i = all.size() - 1; i >= 0; i--) {
            if (all.get(i) instanceof HttpSessionListener h) {
                call(h, "sessionDestroyed", () -> h.sessionDestroyed(event));
            }
        }
    }

    void fireIdChanged(HttpSession session, String oldId) {
        HttpSessionEvent event = new HttpSessionEvent(session);
        for (EventListener l : listeners()) {
            if (l instanceof HttpSessionIdListener h) {
                call(l, "sessionIdChanged", () -> h.sessionIdChanged(event, oldId));
            }
        }
    }

    void fireAttribute(HttpSession session, String name, Object value, int kind) {
        List<EventListener> all = listeners();
        HttpSessionBindingEvent event = null;
        for (EventListener l : all) {
            if (l instanceof HttpSessionAttributeListener h) {
                if (event == null) {
                    event = new HttpSessionBindingEvent(session, name, value);
                }
                HttpSessionBindingEvent e = event;
                switch (kind) {
                    case 0 -> call(l, "attributeAdded", () -> h.attributeAdded(e));
                    case 1 -> call(l, "attributeReplaced", () -> h.attributeReplaced(e));
                    default -> call(l, "attributeRemoved", () -> h.attributeRemoved(e));
                }
            }
        }
    }

    /** Stops listening for expiries; sessions stay in the grid for the other nodes. */
    @Override
    public void close() {
        try {
            map.removeListener(listenerId);
        } catch (RuntimeException e) {
            log.debug("removing the expiry listener of {} failed: {}", map.name(), e.toString());
        }
        meters.close();
        expiry.shutdown();
        try {
            expiry.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        cache.invalidateAll();
    }

    static HashMap<String, byte[]> merged(java.util.Map<String, byte[]> base, java.util.Map<String, byte[]> sets,
                                         List<String> removes) {
        HashMap<String, byte[]> m = new HashMap<>(base);
        removes.forEach(m::remove);
        m.putAll(sets);
        return m;
    }
}
