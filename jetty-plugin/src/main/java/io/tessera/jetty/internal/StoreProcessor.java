package io.tessera.jetty.internal;

import io.tessera.grid.EntryProcessor;
import io.tessera.grid.MutableEntry;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a session on its primary: its metadata, and of its attributes either all of them ({@code replace}: a new
 * session, or one whose stored attributes the writing node does not know) or only what changed since the writing
 * node last stored or loaded it (attributes written, attributes removed; the others stay as stored). A request that
 * only touched the session ships no attribute bytes, one that changed one attribute of ten ships that one.
 *
 * <p>With {@code mustExist} (a session that was saved before) nothing is written when the entry is gone: another node
 * invalidated or expired it meanwhile, and writing it back would resurrect it. A change that is not a full write is
 * not written to a missing entry either, having nothing to apply to. Returns whether it wrote.
 */
public final class StoreProcessor implements EntryProcessor<String, SessionRecord, Boolean> {
    private final SessionRecord record;
    private final Map<String, byte[]> written;
    private final List<String> removed;
    private final boolean replace;
    private final boolean mustExist;

    /**
     * A processor that writes {@code record}'s metadata with {@code written} and without {@code removed} (the stored
     * attributes stay otherwise), or with exactly {@code written} when {@code replace}; see the class comment for
     * {@code mustExist}.
     */
    public StoreProcessor(SessionRecord record, Map<String, byte[]> written, List<String> removed, boolean replace,
                          boolean mustExist) {
        this.record = record;
        this.written = written;
        this.removed = removed;
        this.replace = replace;
        this.mustExist = mustExist;
    }

    @Override
    public Boolean process(MutableEntry<String, SessionRecord> entry) {
        SessionRecord current = entry.getValue();
        if (current == null && (mustExist || !replace)) {
            return Boolean.FALSE;
        }
        Map<String, byte[]> attributes;
        if (replace) {
            attributes = written;
        } else {
            attributes = new LinkedHashMap<>(current.attributes());
            removed.forEach(attributes::remove);
            attributes.putAll(written);
        }
        entry.setValue(record.withAttributes(attributes), null);
        return Boolean.TRUE;
    }
}
