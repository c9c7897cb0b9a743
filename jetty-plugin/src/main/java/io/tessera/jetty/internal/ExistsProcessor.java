package io.tessera.jetty.internal;

import io.tessera.grid.EntryProcessor;
import io.tessera.grid.MutableEntry;

/**
 * Answers on the primary whether a session exists and has not expired at {@code now} (the caller's clock), without
 * sending the attributes back.
 */
public final class ExistsProcessor implements EntryProcessor<String, SessionRecord, Boolean> {
    private final long now;

    /** A processor that checks existence at {@code now}, epoch millis. */
    public ExistsProcessor(long now) {
        this.now = now;
    }

    @Override
    public Boolean process(MutableEntry<String, SessionRecord> entry) {
        SessionRecord current = entry.getValue();
        return current != null && !current.expiredAt(now);
    }
}
