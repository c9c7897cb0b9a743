package io.tessera.jetty.internal;

import io.tessera.grid.EntryProcessor;
import io.tessera.grid.MutableEntry;

/**
 * Writes a session on its primary. A record without attributes changes only the metadata and keeps the stored
 * blob, so a request that only touched the session ships no attribute bytes. With {@code mustExist} (a session that
 * was saved before) nothing is written when the entry is gone: another node invalidated or expired it meanwhile,
 * and writing it back would resurrect it. Returns whether it wrote.
 */
public final class StoreProcessor implements EntryProcessor<String, SessionRecord, Boolean> {
    private final SessionRecord record;
    private final boolean mustExist;

    /** A processor that writes {@code record}; see the class comment for {@code mustExist}. */
    public StoreProcessor(SessionRecord record, boolean mustExist) {
        this.record = record;
        this.mustExist = mustExist;
    }

    @Override
    public Boolean process(MutableEntry<String, SessionRecord> entry) {
        SessionRecord current = entry.getValue();
        if (current == null && (mustExist || record.attributes() == null)) {
            return Boolean.FALSE;
        }
        entry.setValue(record.attributes() != null ? record : record.withAttributes(current.attributes()), null);
        return Boolean.TRUE;
    }
}
