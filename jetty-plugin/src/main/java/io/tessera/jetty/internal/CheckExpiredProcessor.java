package io.tessera.jetty.internal;

import io.tessera.grid.EntryProcessor;
import io.tessera.grid.MutableEntry;

/**
 * Decides on the primary whether a candidate of {@code doCheckExpired} has expired, reading only metadata: a missing
 * session has; a session this node manages ({@code lastNode} is {@code workerName}) has once its expiry passed;
 * a session another node manages only once its expiry is a grace period old, so its own node goes first.
 */
public final class CheckExpiredProcessor implements EntryProcessor<String, SessionRecord, Boolean> {
    private final String workerName;
    private final long now;
    private final long gracePeriodMs;

    /** A processor for the node {@code workerName} checking at {@code now} with the given grace period. */
    public CheckExpiredProcessor(String workerName, long now, long gracePeriodMs) {
        this.workerName = workerName;
        this.now = now;
        this.gracePeriodMs = gracePeriodMs;
    }

    @Override
    public Boolean process(MutableEntry<String, SessionRecord> entry) {
        SessionRecord current = entry.getValue();
        if (current == null) {
            return Boolean.TRUE;
        }
        if (workerName.equals(current.lastNode())) {
            return current.expiredAt(now);
        }
        return current.expiredAt(now - gracePeriodMs);
    }
}
