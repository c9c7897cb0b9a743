package io.tessera.grid.internal.operation;

import io.tessera.grid.MutableEntry;
import io.tessera.grid.internal.store.LiveOperation;
import io.tessera.grid.internal.store.LiveValue;
import io.tessera.grid.internal.store.Record;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * The entry an entry processor sees: its key, its value, its expiry, and what the processor did to them, which the
 * primary turns into mutations only after the processor returned and everything it produced could be serialized.
 *
 * <p>The value is decoded only when the processor asks for it. A processor may instead change the value in place
 * with {@link #apply live operations} ({@link LiveEntry}): the first one turns the stored bytes into a
 * {@link LiveValue} (or takes the one the record already holds), and the operations are what the backups receive.
 * Live operations change the value at once; they are committed even if the processor fails afterwards, so a
 * processor validates before it applies them.
 */
final class ProcessedEntry implements MutableEntry<Object, Object>, EntryMetadata, LiveEntry {
    private final Object key;
    private final Record current;
    private final Function<byte[], Object> decoder;
    private final Function<Object, byte[]> operationEncoder;
    private Object value;
    private boolean decoded;
    private boolean changed;
    private boolean removed;
    private final long now;
    private long expireAt; // absolute on the primary's clock, 0 = never
    private LiveValue live;
    private List<byte[]> operations;
    private final Map<Object, Object> scratch;

    ProcessedEntry(Object key, Record current, Function<byte[], Object> decoder,
                   Function<Object, byte[]> operationEncoder, long now, Map<Object, Object> scratch) {
        this.scratch = scratch;
        this.key = key;
        this.current = current;
        this.decoder = decoder;
        this.operationEncoder = operationEncoder;
        this.expireAt = current == null ? 0 : current.expireAt();
        this.now = now;
    }

    @Override
    public Map<Object, Object> partitionScratch() {
        return scratch;
    }

    boolean changed() {
        return changed;
    }

    boolean removed() {
        return removed;
    }

    long expireAt() {
        return expireAt;
    }

    /** The encoded live operations the processor applied, or {@code null} if it applied none. */
    List<byte[]> operations() {
        return operations;
    }

    /** The live value the operations changed. */
    LiveValue live() {
        return live;
    }

    @Override
    public long version() {
        return current == null ? 0 : current.version();
    }

    @Override
    public long lastAccessMillis() {
        return current == null ? 0 : current.lastAccess();
    }

    @Override
    public int accessFrequency() {
        return current == null ? 0 : current.frequency();
    }

    @Override
    public Object getKey() {
        return key;
    }

    @Override
    public Object getValue() {
        if (!decoded) {
            byte[] bytes = live != null ? live.toBytes() : current == null ? null : current.value();
            value = bytes == null ? null : decoder.apply(bytes);
            decoded = true;
        }
        return value;
    }

    @Override
    public boolean exists() {
        return decoded ? value != null : live != null || current != null;
    }

    @Override
    public void setValue(Object newValue) {
        Objects.requireNonNull(newValue, "value (use remove() to delete the entry)");
        value = newValue;
        decoded = true;
        changed = true;
        removed = false;
    }

    @Override
    public void setValue(Object newValue, Duration ttl) {
        setValue(newValue);
        expireAt = ttl == null || ttl.isZero() || ttl.isNegative() ? 0L : now + ttl.toMillis();
    }

    @Override
    public void remove() {
        value = null;
        decoded = true;
        removed = true;
        changed = false;
        expireAt = 0;
    }

    @Override
    public Optional<Instant> getExpiresAt() {
        if (!exists()) {
            return Optional.empty();
        }
        return expireAt == 0 ? Optional.empty() : Optional.of(Instant.ofEpochMilli(expireAt));
    }

    @Override
    public void setExpiresAt(Instant expiresAt) {
        if (!exists()) {
            return;
        }
        // an instant at or before the epoch's first millisecond still means "already expired", never "forever"
        expireAt = expiresAt == null ? 0 : Math.max(1, expiresAt.toEpochMilli());
    }

    @Override
    public LiveValue liveValue() {
        return live != null ? live : current == null || decoded ? null : current.live();
    }

    @Override
    public <V extends LiveValue, R> R apply(LiveOperation<V, R> operation) {
        if (changed || removed) {
            throw new IllegalStateException("live operations cannot follow setValue or remove in one processor");
        }
        byte[] encoded = operationEncoder.apply(operation); // an unregistered class fails here, before any change
        if (live == null) {
            LiveValue held = current == null ? null : current.live();
            live = held != null ? held : current != null ? operation.decode(current.value()) : operation.create();
        }
        if (operations == null) {
            operations = new ArrayList<>(2);
        }
        operations.add(encoded);
        decoded = false;
        @SuppressWarnings("unchecked")
        V typed = (V) live;
        return operation.apply(typed);
    }
}
