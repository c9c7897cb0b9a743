package io.tessera.jetty.internal;

import io.tessera.grid.EntryProcessor;
import io.tessera.grid.MutableEntry;

/**
 * Removes a session on its primary only if it still expired at or before {@code before}: an orphan sweep never
 * deletes a session that a node renewed between the scan and the delete. Returns whether it removed.
 */
public final class DeleteIfExpiredProcessor implements EntryProcessor<String, SessionRecord, Boolean> {
    private final long before;

    /** A processor that removes the entry if its expiry is positive and at most {@code before}. */
    public DeleteIfExpiredProcessor(long before) {
        this.before = before;
    }

    @Override
    public Boolean process(MutableEntry<String, SessionRecord> entry) {
        SessionRecord current = entry.getValue();
        if (current == null || !current.expiredAt(before)) {
            return Boolean.FALSE;
        }
        entry.remove();
        return Boolean.TRUE;
    }
}
