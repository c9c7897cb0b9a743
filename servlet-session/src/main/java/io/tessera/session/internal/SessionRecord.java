package io.tessera.session.internal;

import java.util.HashMap;
import java.util.Map;

/**
 * What the grid holds under a session's keys: the session itself (state {@link #LIVE}), the forwarding record that
 * replaces it when its id changed ({@link #MOVED}, pointing at the new id), or its access timer ({@link #TIMER}). An
 * invalidated or expired session is deleted; the grid's tombstone keeps it from coming back in a merge.
 *
 * <p>Every session has two keys in one partition, thanks to a Redis-style hash tag: {@code {id}} holds the session
 * (attributes as bytes, creation time, max inactive interval, version) and is only rewritten when attributes or the
 * interval change; {@code {id}:t} holds the last access time and carries the grid time to live, the session's max
 * inactive interval, so an access writes a few bytes and not the whole session. When the timer expires, the grid
 * fires an EXPIRED event on every member; one of them wins {@link SessionProcessors.Expire} and notifies the
 * listeners. Instances are mutable only inside entry processors, on the partition thread that owns the entry; once
 * handed to a request they are treated as immutable.
 */
public final class SessionRecord {
    public static final byte LIVE = 0;
    /** Written by earlier versions, which kept a tombstone of their own; read as "gone". */
    public static final byte INVALIDATED = 1;
    public static final byte MOVED = 2;
    public static final byte TIMER = 3;

    byte state;
    String id;
    long created;
    long lastAccessed;
    int maxInactive;
    long version;
    HashMap<String, byte[]> attributes;
    String movedTo;
    /** Node-local, never shipped: a member announced a change since this copy was cached (sticky mode). */
    transient boolean unverified;

    SessionRecord() {
    }

    static SessionRecord live(String id, long created, int maxInactive) {
        SessionRecord r = new SessionRecord();
        r.state = LIVE;
        r.id = id;
        r.created = created;
        r.lastAccessed = created;
        r.maxInactive = maxInactive;
        r.version = 1;
        r.attributes = new HashMap<>();
        return r;
    }

    static SessionRecord timer(long lastAccessed) {
        SessionRecord r = new SessionRecord();
        r.state = TIMER;
        r.lastAccessed = lastAccessed;
        return r;
    }

    static SessionRecord forward(SessionRecord of, String movedTo) {
        SessionRecord r = new SessionRecord();
        r.state = MOVED;
        r.id = of.id;
        r.created = of.created;
        r.movedTo = movedTo;
        return r;
    }

    /** A copy whose attribute map may be changed without touching this one. */
    SessionRecord copy() {
        SessionRecord r = new SessionRecord();
        r.state = state;
        r.id = id;
        r.created = created;
        r.lastAccessed = lastAccessed;
        r.maxInactive = maxInactive;
        r.version = version;
        r.attributes = attributes == null ? null : new HashMap<>(attributes);
        r.movedTo = movedTo;
        return r;
    }

    /** A copy (sharing the attribute map, which nobody mutates outside processors) with another access time. */
    /** The same record, marked as possibly out of date: the next request checks its version. */
    SessionRecord copyUnverified() {
        SessionRecord r = copyWithAccess(lastAccessed);
        r.unverified = true;
        return r;
    }

    SessionRecord copyWithAccess(long accessed) {
        SessionRecord r = new SessionRecord();
        r.state = state;
        r.id = id;
        r.created = created;
        r.lastAccessed = accessed;
        r.maxInactive = maxInactive;
        r.version = version;
        r.attributes = attributes;
        r.movedTo = movedTo;
        return r;
    }

    public byte state() {
        return state;
    }

    public String id() {
        return id;
    }

    public long created() {
        return created;
    }

    public long lastAccessed() {
        return lastAccessed;
    }

    public int maxInactive() {
        return maxInactive;
    }

    public long version() {
        return version;
    }

    public Map<String, byte[]> attributes() {
        return attributes;
    }

    public String movedTo() {
        return movedTo;
    }

    /** The size a session is measured by against the limit: attribute names (as chars) plus value bytes. */
    static long sizeOf(Map<String, byte[]> attributes) {
        long size = 0;
        for (Map.Entry<String, byte[]> e : attributes.entrySet()) {
            size += e.getKey().length() + e.getValue().length;
        }
        return size;
    }

    static String sessionKey(String id) {
        return "{" + id + "}";
    }

    static String timerKey(String id) {
        return "{" + id + "}:t";
    }

    /** The session id of a session key, or {@code null} if {@code key} is not one. */
    static String idOfSessionKey(String key) {
        return key.startsWith("{") && key.endsWith("}") ? key.substring(1, key.length() - 1) : null;
    }

    /** The session id of a timer key, or {@code null} if {@code key} is not one. */
    static String idOfTimerKey(String key) {
        return key.startsWith("{") && key.endsWith("}:t") ? key.substring(1, key.length() - 3) : null;
    }
}
