package io.tessera.session.internal;

import io.tessera.grid.MultiKeyProcessor;
import io.tessera.grid.MutableEntry;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The entry processors that change sessions. Each runs atomically on the primary of the session's partition over
 * the two keys {@code [{id}, {id}:t]} (session, timer), so nothing interleaves with it; each refuses to touch a
 * session that does not exist or was moved to another id, which is what keeps an invalidated session from being
 * resurrected by a write that was still in flight.
 *
 * <p>Ending a session deletes its keys. The grid remembers the deletion as a tombstone (for its tombstone retention),
 * so a member that was cut off or paused and merges back later cannot bring the session back with its stale copy;
 * no tombstone of the session module's own is needed for that.
 */
public final class SessionProcessors {
    /**
     * How long the forwarding record of a changed session id stays: requests that were sent with the old id, or
     * began before the change, follow it to the new one. It is a pointer, not a tombstone: deletions are the grid's.
     */
    public static final Duration FORWARD_TTL = Duration.ofMinutes(5);

    private SessionProcessors() {
    }

    static Duration ttl(int maxInactiveSeconds) {
        return maxInactiveSeconds > 0 ? Duration.ofSeconds(maxInactiveSeconds) : null;
    }

    /** The outcome for a session entry that is not live, or {@code null} if it is live and not timed out. */
    static Outcome notLive(SessionRecord s, SessionRecord timer) {
        // INVALIDATED: a session record of a member that ran an earlier version, which kept a tombstone of its own
        if (s == null || s.state == SessionRecord.INVALIDATED) {
            return Outcome.of(Outcome.GONE);
        }
        if (s.state == SessionRecord.MOVED) {
            return Outcome.moved(s.movedTo);
        }
        if (timer == null && s.maxInactive > 0) {
            return Outcome.of(Outcome.GONE); // timed out; the timer's EXPIRED event runs Expire and the listeners
        }
        return null;
    }

    /**
     * Creates a session; answers false if the key is taken (by a session or a forwarding record), true if it holds
     * exactly this record already (the same create, retried). Ids are 128 random bits, so a new session never meets
     * the deleted one of another.
     */
    public static final class Create implements MultiKeyProcessor<String, SessionRecord, Boolean> {
        SessionRecord record;

        Create() {
        }

        public Create(SessionRecord record) {
            this.record = record;
        }

        @Override
        public Boolean process(List<MutableEntry<String, SessionRecord>> entries) {
            SessionRecord existing = entries.get(0).getValue();
            if (existing != null) {
                // this very create, run again after its primary died before answering: it did create the session
                return existing.state == SessionRecord.LIVE && existing.id.equals(record.id)
                        && existing.created == record.created && existing.version == record.version
                        && entries.get(1).exists();
            }
            entries.get(0).setValue(record, null);
            entries.get(1).setValue(SessionRecord.timer(record.lastAccessed), ttl(record.maxInactive));
            return true;
        }
    }

    /**
     * Marks an access: rewrites only the timer (new last access, time to live restarted) and returns the previous
     * access time, plus the record if the caller's version is not the current one.
     */
    public static final class Access implements MultiKeyProcessor<String, SessionRecord, Outcome> {
        long knownVersion;
        long now;

        Access() {
        }

        public Access(long knownVersion, long now) {
            this.knownVersion = knownVersion;
            this.now = now;
        }

        @Override
        public Outcome process(List<MutableEntry<String, SessionRecord>> entries) {
            SessionRecord s = entries.get(0).getValue();
            SessionRecord t = entries.get(1).getValue();
            Outcome refused = notLive(s, t);
            if (refused != null) {
                return refused;
            }
            long previous = t == null ? s.lastAccessed : t.lastAccessed;
            entries.get(1).setValue(SessionRecord.timer(Math.max(now, previous)), ttl(s.maxInactive));
            return Outcome.ok(s.version, previous, s.version == knownVersion ? null : s);
        }
    }

    /**
     * Applies one request's changes: attributes set and removed, the max inactive interval, and the access time.
     * Attributes the request did not touch keep whatever other requests wrote, which is what lets concurrent
     * requests on different members merge per attribute.
     */
    public static final class Delta implements MultiKeyProcessor<String, SessionRecord, Outcome> {
        public static final int UNCHANGED = Integer.MIN_VALUE;

        HashMap<String, byte[]> sets;
        ArrayList<String> removes;
        long now;
        int maxInactive;
        long baseVersion;
        long maxSize;

        Delta() {
        }

        public Delta(Map<String, byte[]> sets, List<String> removes, long now, int maxInactive, long baseVersion,
                     long maxSize) {
            this.sets = new HashMap<>(sets);
            this.removes = new ArrayList<>(removes);
            this.now = now;
            this.maxInactive = maxInactive;
            this.baseVersion = baseVersion;
            this.maxSize = maxSize;
        }

        public boolean changesRecord() {
            return !sets.isEmpty() || !removes.isEmpty() || maxInactive != UNCHANGED;
        }

        @Override
        public Outcome process(List<MutableEntry<String, SessionRecord>> entries) {
            SessionRecord s = entries.get(0).getValue();
            SessionRecord t = entries.get(1).getValue();
            Outcome refused = notLive(s, t);
            if (refused != null) {
                return refused;
            }
            long previous = t == null ? s.lastAccessed : t.lastAccessed;
            boolean changed = changesRecord();
            if (changed) {
                HashMap<String, byte[]> attributes = new HashMap<>(s.attributes);
                removes.forEach(attributes::remove);
                attributes.putAll(sets);
                long size = SessionRecord.sizeOf(attributes);
                if (size > maxSize && !sets.isEmpty()) {
                    Outcome o = Outcome.of(Outcome.TOO_LARGE);
                    o.size = size;
                    return o;
                }
                s.attributes = attributes;
                if (maxInactive != UNCHANGED) {
                    s.maxInactive = maxInactive;
                }
                s.version++;
                entries.get(0).setValue(s, null);
            }
            if (changed || now > 0) {
                long access = Math.max(now, previous);
                s.lastAccessed = access;
                entries.get(1).setValue(SessionRecord.timer(access), ttl(s.maxInactive));
            }
            boolean onlyOurs = s.version == baseVersion + (changed ? 1 : 0);
            return Outcome.ok(s.version, previous, onlyOurs ? null : s);
        }
    }

    /**
     * Ends a live session: deletes it (the grid keeps the deletion's tombstone) and its timer, and returns it; returns
     * {@code null} when it was already gone, so exactly one caller gets to notify the listeners. With
     * {@code onlyIfTimedOut} it ends the session only if its timer has expired (the expiry path); with
     * {@code movedTo} it leaves a forwarding record to the new id instead (the change of id).
     */
    public static final class End implements MultiKeyProcessor<String, SessionRecord, SessionRecord> {
        boolean onlyIfTimedOut;
        String movedTo;

        End() {
        }

        public End(boolean onlyIfTimedOut, String movedTo) {
            this.onlyIfTimedOut = onlyIfTimedOut;
            this.movedTo = movedTo;
        }

        @Override
        public SessionRecord process(List<MutableEntry<String, SessionRecord>> entries) {
            SessionRecord s = entries.get(0).getValue();
            SessionRecord t = entries.get(1).getValue();
            if (s == null || s.state != SessionRecord.LIVE) {
                return null;
            }
            if (onlyIfTimedOut && (t != null || s.maxInactive <= 0)) {
                return null;
            }
            if (t != null) {
                s.lastAccessed = t.lastAccessed;
            }
            if (movedTo == null) {
                entries.get(0).remove();
            } else {
                entries.get(0).setValue(SessionRecord.forward(s, movedTo), FORWARD_TTL);
            }
            if (t != null) {
                entries.get(1).remove();
            }
            return s;
        }
    }
}
