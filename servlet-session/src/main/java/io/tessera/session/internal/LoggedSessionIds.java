package io.tessera.session.internal;

/**
 * Session ids as they may appear in a log: the first {@value #SHOWN} characters and an ellipsis. A whole id is a
 * bearer credential (whoever presents it is that user), and logs are read by more people than the sessions' owners;
 * six characters still tell a reader which lines concern one session.
 */
public final class LoggedSessionIds {
    /** How many characters of an id a log shows. */
    static final int SHOWN = 6;

    private LoggedSessionIds() {
    }

    /** {@code id} shortened for a log line; {@code null} stays {@code "null"}. */
    public static String of(String id) {
        if (id == null) {
            return "null";
        }
        return id.length() <= SHOWN ? id : id.substring(0, SHOWN) + "…";
    }
}
