package io.tessera.grid.internal.operation;

import io.tessera.grid.MutableEntry;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The entry an entry processor sees: its key, its value, its expiry, and what the processor did to them, which the
 * primary turns into mutations only after the processor returned and everything it produced could be serialized.
 */
final class ProcessedEntry implements MutableEntry<Object, Object>, EntryMetadata {
    private final Object key;
    private Object value;
    private boolean changed;
    private boolean removed;
    private final long now;
    private long expireAt; // absolute on the primary's clock, 0 = never
    private final long version;
    private final long lastAccess;

    ProcessedEntry(Object key, Object value, long expireAt, long version, long lastAccess, long now) {
        this.key = key;
        this.value = value;
        this.expireAt = expireAt;
        this.version = version;
        this.lastAccess = lastAccess;
        this.now = now;
    }

    @Override
    public long version() {
        return version;
    }

    @Override
    public long lastAccessMillis() {
        return lastAccess;
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

    @Override
    public Object getKey() {
        return key;
    }

    @Override
    public Object getValue() {
        return value;
    }

    @Override
    public boolean exists() {
        return value != null;
    }

    @Override
    public void setValue(Object newValue) {
        Objects.requireNonNull(newValue, "value (use remove() to delete the entry)");
        value = newValue;
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
        removed = true;
        changed = false;
        expireAt = 0;
    }

    @Override
    public Optional<Instant> getExpiresAt() {
        if (value == null) {
            return Optional.empty();
        }
        return expireAt == 0 ? Optional.empty() : Optional.of(Instant.ofEpochMilli(expireAt));
    }

    @Override
    public void setExpiresAt(Instant expiresAt) {
        if (value == null) {
            return;
        }
        // an instant at or before the epoch's first millisecond still means "already expired", never "forever"
        expireAt = expiresAt == null ? 0 : Math.max(1, expiresAt.toEpochMilli());
    }
}
