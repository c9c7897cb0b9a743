package io.tessera.session.internal;

import io.tessera.session.SaveMode;
import jakarta.servlet.ServletContext;
import jakarta.servlet.http.HttpSession;
import jakarta.servlet.http.HttpSessionActivationListener;
import jakarta.servlet.http.HttpSessionBindingEvent;
import jakarta.servlet.http.HttpSessionBindingListener;
import jakarta.servlet.http.HttpSessionEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One request's view of a session: the attributes as the grid had them when the request loaded the session, the
 * objects the request deserialized or set, and the changes it has not committed yet.
 *
 * <p>Each request gets its own instance (concurrent requests on one node do not share attribute objects, just as
 * requests on two nodes do not), so an attribute object changed in place is not seen by other requests until it is
 * set again, or read in {@link SaveMode#ON_GET_ATTRIBUTE} mode. Methods are synchronized: a request may hand its
 * session to other threads (async servlets).
 */
final class GridSession implements HttpSession {
    private static final Logger log = LoggerFactory.getLogger(GridSession.class);
    static final int ADDED = 0;
    static final int REPLACED = 1;
    static final int REMOVED = 2;

    private final SessionManager manager;
    private final RequestSessions owner;
    private String id;
    private final long created;
    private final long previousAccess;
    private final long accessTime;
    private int maxInactive;
    private long version;
    private final boolean isNew;
    private Map<String, byte[]> base;
    private final Map<String, byte[]> pendingSets = new LinkedHashMap<>();
    private final Set<String> pendingRemoves = new LinkedHashSet<>();
    private boolean maxInactiveChanged;
    private final Map<String, Object> objects = new HashMap<>();
    private final Set<String> readNames = new LinkedHashSet<>();
    private boolean accessWritten;
    private volatile boolean valid = true;
    private boolean ending;

    GridSession(SessionManager manager, RequestSessions owner, SessionRecord record, long previousAccess,
                long accessTime, boolean accessWritten, boolean isNew) {
        this.manager = manager;
        this.owner = owner;
        this.id = record.id;
        this.created = record.created;
        this.previousAccess = previousAccess;
        this.accessTime = accessTime;
        this.maxInactive = record.maxInactive;
        this.version = record.version;
        this.base = record.attributes;
        this.accessWritten = accessWritten;
        this.isNew = isNew;
    }

    private void checkValid(String method) {
        if (!valid) {
            throw new IllegalStateException(method + ": session " + id + " has been invalidated");
        }
    }

    boolean isValid() {
        return valid;
    }

    @Override
    public synchronized String getId() {
        return id;
    }

    @Override
    public synchronized long getCreationTime() {
        checkValid("getCreationTime");
        return created;
    }

    @Override
    public synchronized long getLastAccessedTime() {
        checkValid("getLastAccessedTime");
        return previousAccess;
    }

    @Override
    public ServletContext getServletContext() {
        return manager.context();
    }

    @Override
    public synchronized void setMaxInactiveInterval(int interval) {
        maxInactive = interval;
        maxInactiveChanged = true;
    }

    @Override
    public synchronized int getMaxInactiveInterval() {
        return maxInactive;
    }

    @Override
    public synchronized boolean isNew() {
        checkValid("isNew");
        return isNew;
    }

    @Override
    public synchronized Object getAttribute(String name) {
        checkValid("getAttribute");
        Object value = read(name);
        if (value != null && manager.config().saveMode() == SaveMode.ON_GET_ATTRIBUTE) {
            readNames.add(name);
        }
        return value;
    }

    private Object read(String name) {
        if (name == null || pendingRemoves.contains(name)) {
            return null;
        }
        Object value = objects.get(name);
        if (value != null) {
            return value;
        }
        byte[] bytes = pendingSets.containsKey(name) ? pendingSets.get(name) : base.get(name);
        if (bytes == null) {
            return null;
        }
        value = manager.codec().decode(name, bytes);
        objects.put(name, value);
        if (value instanceof HttpSessionActivationListener a) {
            a.sessionDidActivate(new HttpSessionEvent(this));
        }
        return value;
    }

    private Set<String> names() {
        Set<String> names = new LinkedHashSet<>(base.keySet());
        names.addAll(pendingSets.keySet());
        names.removeAll(pendingRemoves);
        return names;
    }

    @Override
    public synchronized Enumeration<String> getAttributeNames() {
        checkValid("getAttributeNames");
        return Collections.enumeration(new ArrayList<>(names()));
    }

    byte[] encode(String name, Object value) {
        if (value instanceof HttpSessionActivationListener a) {
            a.sessionWillPassivate(new HttpSessionEvent(this));
        }
        return manager.codec().encode(name, value);
    }

    private long sizeWith(String name, byte[] bytes) {
        Map<String, byte[]> all = new HashMap<>(base);
        pendingRemoves.forEach(all::remove);
        all.putAll(pendingSets);
        if (bytes == null) {
            all.remove(name);
        } else {
            all.put(name, bytes);
        }
        return SessionRecord.sizeOf(all);
    }

    @Override
    public void setAttribute(String name, Object value) {
        if (name == null) {
            throw new IllegalArgumentException("name: null (expected an attribute name)");
        }
        if (value == null) {
            removeAttribute(name);
            return;
        }
        Object old;
        synchronized (this) {
            checkValid("setAttribute");
            byte[] bytes = encode(name, value); // refuses values that cannot be replicated, before anything changes
            long size = sizeWith(name, bytes);
            long limit = manager.config().maxSessionSize();
            if (size > limit) {
                throw new IllegalArgumentException("attribute '" + name + "': session " + id + " would hold " + size
                        + " bytes (expected at most maxSessionSize=" + limit + "); the value was not stored");
            }
            old = safeRead(name);
            if (value != old && value instanceof HttpSessionBindingListener b) {
                b.valueBound(new HttpSessionBindingEvent(this, name, value)); // before the value is visible
            }
            objects.put(name, value);
            pendingSets.put(name, bytes);
            pendingRemoves.remove(name);
            readNames.remove(name);
        }
        if (old != null && old != value && old instanceof HttpSessionBindingListener b) {
            b.valueUnbound(new HttpSessionBindingEvent(this, name, old));
        }
        manager.fireAttribute(this, name, old == null ? value : old, old == null ? ADDED : REPLACED);
    }

    private Object safeRead(String name) {
        try {
            return read(name);
        } catch (RuntimeException e) {
            log.warn("session {}: the old value of attribute '{}' cannot be read: {}", LoggedSessionIds.of(id), name, e.toString());
            return null;
        }
    }

    @Override
    public void removeAttribute(String name) {
        Object old;
        synchronized (this) {
            checkValid("removeAttribute");
            if (name == null || !names().contains(name)) {
                return;
            }
            old = safeRead(name);
            objects.remove(name);
            pendingSets.remove(name);
            readNames.remove(name);
            pendingRemoves.add(name);
        }
        unbound(name, old);
    }

    private void unbound(String name, Object old) {
        if (old instanceof HttpSessionBindingListener b) {
            b.valueUnbound(new HttpSessionBindingEvent(this, name, old));
        }
        if (old != null) {
            manager.fireAttribute(this, name, old, REMOVED);
        }
    }

    @Override
    public void invalidate() {
        synchronized (this) {
            checkValid("invalidate");
            if (ending) {
                throw new IllegalStateException("invalidate: session " + id + " is already being invalidated");
            }
            ending = true;
        }
        SessionRecord ended = manager.end(id, false, null);
        if (ended == null) {
            // Someone else (another request, or expiry) ended it first and notified the listeners.
            valid = false;
            if (owner != null) {
                owner.invalidated(this);
            }
            return;
        }
        manager.meters().invalidated();
        synchronized (this) {
            // What the listeners see: the grid's latest attributes with this request's changes on top.
            base = ended.attributes;
            objects.keySet().retainAll(pendingSets.keySet());
        }
        destroy();
        if (owner != null) {
            owner.invalidated(this);
        }
    }

    /**
     * Notifies the end of a session this node won through {@code End}: {@code sessionDestroyed} while the session is
     * still valid, then every attribute unbound ({@code valueUnbound}, {@code attributeRemoved}), then invalid.
     */
    void destroy() {
        ending = true;
        manager.fireDestroyed(this);
        List<String> names;
        synchronized (this) {
            names = new ArrayList<>(new java.util.TreeSet<>(names())); // a stable order for the listeners
        }
        for (String name : names) {
            Object old;
            synchronized (this) {
                old = safeRead(name);
                objects.remove(name);
                pendingSets.remove(name);
                pendingRemoves.add(name);
            }
            unbound(name, old);
        }
        valid = false;
    }

    /** Changes the id in the grid (see {@link RequestSessions#changeSessionId}); returns the new id. */
    String changeId() {
        String oldId;
        String newId;
        synchronized (this) {
            checkValid("changeSessionId");
            commit();
            oldId = id;
            newId = manager.newId();
            SessionRecord ended = manager.end(oldId, false, newId);
            if (ended == null) {
                valid = false;
                throw new IllegalStateException("changeSessionId: session " + oldId + " was invalidated meanwhile");
            }
            SessionRecord moved = ended.copy();
            moved.id = newId;
            moved.version = ended.version + 1;
            moved.lastAccessed = Math.max(accessTime, ended.lastAccessed);
            if (!manager.createExact(moved)) {
                throw new IllegalStateException("changeSessionId: new id collided (cannot happen with 128 random bits)");
            }
            id = newId;
            base = moved.attributes;
            version = moved.version;
            accessWritten = true;
        }
        manager.fireIdChanged(this, oldId);
        return newId;
    }

    /** Writes this request's changes (and, in sticky mode, its access) to the grid; a no-op if there are none. */
    synchronized void commit() {
        if (!valid || ending) {
            return;
        }
        Map<String, byte[]> sets = new LinkedHashMap<>(pendingSets);
        for (String name : readNames) {
            Object value = objects.get(name);
            if (value == null || sets.containsKey(name)) {
                continue;
            }
            try {
                byte[] bytes = encode(name, value);
                if (!Arrays.equals(bytes, base.get(name))) {
                    sets.put(name, bytes);
                }
            } catch (RuntimeException e) {
                log.warn("session {}: attribute '{}' read in ON_GET_ATTRIBUTE mode cannot be written back: {}",
                        LoggedSessionIds.of(id), name, e.getMessage());
            }
        }
        List<String> removes = new ArrayList<>(pendingRemoves);
        int interval = maxInactiveChanged ? maxInactive : SessionProcessors.Delta.UNCHANGED;
        long now = accessWritten ? 0 : accessTime;
        if (sets.isEmpty() && removes.isEmpty() && interval == SessionProcessors.Delta.UNCHANGED && now == 0) {
            return;
        }
        SessionProcessors.Delta delta = new SessionProcessors.Delta(sets, removes, now, interval, version,
                manager.config().maxSessionSize());
        String[] target = {id};
        Outcome o = manager.commit(target, delta);
        switch (o.status) {
            case Outcome.OK -> {
                long written = 0;
                for (byte[] bytes : sets.values()) {
                    written += bytes.length;
                }
                manager.meters().attributesWritten(written);
                accessWritten = true;
                pendingSets.clear();
                pendingRemoves.clear();
                maxInactiveChanged = false;
                if (!target[0].equals(id)) {
                    id = target[0]; // another request changed the id meanwhile; its response carries the new cookie
                }
                base = o.record != null ? o.record.attributes : SessionManager.merged(base, sets, removes);
                version = o.version;
                SessionRecord cached = SessionRecord.live(id, created, maxInactive);
                cached.version = version;
                cached.attributes = new HashMap<>(base);
                cached.lastAccessed = accessTime;
                if (o.record != null) {
                    cached.maxInactive = o.record.maxInactive;
                }
                manager.cache(cached);
            }
            case Outcome.TOO_LARGE -> log.error("session {}: the changes of this request were dropped: the session "
                    + "would hold {} bytes (maxSessionSize {})", LoggedSessionIds.of(id), o.size, manager.config().maxSessionSize());
            default -> {
                log.debug("session {} ended elsewhere; the changes of this request were dropped",
                        LoggedSessionIds.of(id));
                valid = false;
            }
        }
    }

    @Override
    public Accessor getAccessor() {
        String accessedId = getId();
        return work -> manager.access(accessedId, work);
    }

    @Override
    public String toString() {
        return "GridSession{" + id + (valid ? "" : ", invalid") + "}";
    }
}
