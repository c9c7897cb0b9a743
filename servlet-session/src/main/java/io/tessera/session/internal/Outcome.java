package io.tessera.session.internal;

/**
 * What a session processor answers: a status and, depending on it, the session's version, the previous access
 * time, the full record (only when the caller's copy is stale), the new id of a moved session, or the size that
 * was refused.
 */
public final class Outcome {
    public static final byte OK = 0;
    public static final byte GONE = 1;
    public static final byte MOVED = 2;
    public static final byte TOO_LARGE = 3;

    byte status;
    long version;
    long previousAccess;
    SessionRecord record;
    String movedTo;
    long size;

    Outcome() {
    }

    static Outcome of(byte status) {
        Outcome o = new Outcome();
        o.status = status;
        return o;
    }

    static Outcome moved(String to) {
        Outcome o = of(MOVED);
        o.movedTo = to;
        return o;
    }

    static Outcome ok(long version, long previousAccess, SessionRecord record) {
        Outcome o = of(OK);
        o.version = version;
        o.previousAccess = previousAccess;
        o.record = record;
        return o;
    }
}
