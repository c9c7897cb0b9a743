package io.tessera.redis.internal.command;

import io.tessera.grid.MutableEntry;
import io.tessera.grid.internal.operation.EntryMetadata;
import io.tessera.grid.internal.operation.LiveEntry;
import io.tessera.grid.internal.store.LiveOperation;
import io.tessera.grid.internal.store.LiveValue;
import io.tessera.redis.internal.store.Bytes;
import io.tessera.redis.internal.store.ElementView;
import io.tessera.redis.internal.store.GridValues;
import io.tessera.redis.internal.store.HashView;
import io.tessera.redis.internal.store.LiveHash;
import io.tessera.redis.internal.store.LiveList;
import io.tessera.redis.internal.store.LiveSet;
import io.tessera.redis.internal.store.LiveSortedSet;
import io.tessera.redis.internal.store.RedisLiveValue;
import io.tessera.redis.internal.store.SortedSetView;
import io.tessera.redis.internal.store.StoredValue;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One key as a {@link KeyOperation} sees it on the key's primary: typed reads that answer {@code WRONGTYPE} for a
 * value of another type, and writes that keep the key's time to live unless told otherwise. An aggregate written
 * empty deletes the key, as Redis never keeps empty lists, sets or hashes.
 */
public final class KeyEntry {
    // What a missing key reads as: views of values nothing ever changes, so every thread may share them.
    private static final HashView NO_HASH = new LiveHash().view();
    private static final ElementView NO_SET = new LiveSet().view();

    private final MutableEntry<byte[], byte[]> entry;
    // What the current command did, for keyspace notifications (see KeyspaceEvents.describe).
    private boolean existed;
    private boolean written;
    private boolean removed;
    private boolean expiryChanged;
    private Instant expirySet;
    // Whether a whole value was set or the key removed in this processor (a transaction's commands included): the
    // grid's live value is then stale, and live operations cannot follow (see apply).
    private boolean replaced;
    private boolean hidden; // see hide()

    public KeyEntry(MutableEntry<byte[], byte[]> entry) {
        this.entry = entry;
        this.existed = entry.exists();
    }

    /** Starts recording what the next command does (a transaction runs several on one entry). */
    void startCommand() {
        existed = entry.exists();
        written = false;
        removed = false;
        expiryChanged = false;
        expirySet = null;
    }

    /** Whether the command wrote a value. */
    boolean written() {
        return written && entry.exists();
    }

    /** Whether the command deleted a key that existed before it (an emptied aggregate included). */
    boolean removedByCommand() {
        return existed && !entry.exists() && (removed || written || expiryChanged);
    }

    /** Whether the command set or cleared the expiry explicitly. */
    boolean expiryChanged() {
        return expiryChanged;
    }

    /** The expiry the command set last ({@code null}: cleared, or none set). */
    Instant expirySet() {
        return expirySet;
    }

    private void expiry(Instant expiresAt) {
        expiryChanged = true;
        expirySet = expiresAt;
    }

    /** The key. */
    public byte[] key() {
        return entry.getKey();
    }

    /**
     * The version of the key's last write (0 if it does not exist): WATCH compares it at EXEC. Every entry the grid
     * hands a processor carries one.
     */
    public long version() {
        return entry instanceof EntryMetadata metadata ? metadata.version() : 0;
    }

    /** The key's last access as its primary records it (0 if it does not exist): OBJECT IDLETIME. */
    public long lastAccessMillis() {
        return entry instanceof EntryMetadata metadata ? metadata.lastAccessMillis() : 0;
    }

    /** The key's access frequency as its primary counts it for LFU eviction, 0..255: OBJECT FREQ. */
    public int accessFrequency() {
        return entry instanceof EntryMetadata metadata ? metadata.accessFrequency() : 0;
    }

    /** Whether the key exists (expired keys do not). */
    public boolean exists() {
        return !hidden && entry.exists();
    }

    /**
     * Makes the key look absent to the command about to run (a blocked client whose turn on this key has not come:
     * see {@link BlockingOrder}); writes are not affected.
     */
    void hide() {
        hidden = true;
    }

    /** Whether the key exists, hidden or not. */
    boolean existsUnhidden() {
        return entry.exists();
    }

    /** The primary's scratch state of the key's partition ({@link LiveEntry#partitionScratch}), or null. */
    Map<Object, Object> partitionScratch() {
        return entry instanceof LiveEntry live ? live.partitionScratch() : null;
    }

    /** The stored value's type byte ({@link StoredValue}), or 0 if the key does not exist. */
    public byte type() {
        if (hidden) {
            return 0;
        }
        if (liveValue() instanceof RedisLiveValue live) {
            return live.type();
        }
        byte[] stored = entry.getValue();
        return stored == null ? 0 : StoredValue.type(stored);
    }

    /** The live value the key holds on its primary, or {@code null} if it holds bytes (see {@link LiveEntry}). */
    private LiveValue liveValue() {
        return !replaced && !hidden && entry instanceof LiveEntry live ? live.liveValue() : null;
    }

    /**
     * Applies {@code operation} to the key's live value (made from its stored value, or created, first) and answers
     * its result: the change costs what the operation costs, and the backups receive the operation. Callers check the
     * type first ({@link #requireType}).
     *
     * <p>After a whole value was set or the key removed in the same processor (DEL then LPUSH in one transaction), the
     * grid takes no live operation: the operation then runs on a copy made from the bytes and the copy is written
     * whole, which costs the copy but gives the same result.
     */
    public <V extends LiveValue, R> R apply(LiveOperation<V, R> operation) {
        if (!(entry instanceof LiveEntry live)) {
            throw new IllegalStateException("live operations need the grid's processor entry");
        }
        R result;
        if (replaced) {
            byte[] stored = entry.getValue();
            V value = stored == null ? operation.create() : operation.decode(GridValues.withFormat(stored));
            result = operation.apply(value);
            entry.setValue(GridValues.withoutFormat(value.toBytes()));
        } else {
            result = live.apply(operation);
        }
        written = true;
        return result;
    }

    /**
     * The list to read: a view of a live list (no copy, so LRANGE and LINDEX cost what they return), or the decoded
     * list; empty if the key does not exist, {@code WRONGTYPE} for another type. Callers must not change it.
     */
    public List<byte[]> listView() {
        if (liveValue() instanceof LiveList live) {
            return live.view();
        }
        return present(StoredValue.LIST) ? StoredValue.decodeList(entry.getValue()) : List.of();
    }

    /**
     * The number of elements a blocking pop could take from the key: a list's length or a sorted set's size, 0 if
     * the key does not exist, and {@link Integer#MAX_VALUE} for another type (the pop answers {@code WRONGTYPE}).
     */
    int elementCount() {
        return switch (type()) {
            case 0 -> 0;
            case StoredValue.LIST -> listSize();
            case StoredValue.ZSET -> sortedSet().size();
            default -> Integer.MAX_VALUE;
        };
    }

    /** The number of elements of the list (0 if the key does not exist); {@code WRONGTYPE} for another type. */
    public int listSize() {
        if (liveValue() instanceof LiveList list) {
            return list.size();
        }
        return listView().size();
    }

    /**
     * The hash to read: a view of the live hash (no copy, so HGET and HLEN cost O(1)), or of one decoded from the
     * stored bytes; empty if the key does not exist, {@code WRONGTYPE} for another type.
     */
    public HashView hashView() {
        if (liveValue() instanceof LiveHash live) {
            return live.view();
        }
        return present(StoredValue.HASH) ? LiveHash.of(entry.getValue()).view() : NO_HASH;
    }

    /** The number of fields of the hash (0 if the key does not exist); {@code WRONGTYPE} for another type. */
    public int hashSize() {
        return hashView().size();
    }

    /**
     * The set to read: a view of the live set (no copy, so SISMEMBER and SCARD cost O(1)), or of one decoded from the
     * stored bytes; empty if the key does not exist, {@code WRONGTYPE} for another type.
     */
    public ElementView setView() {
        if (liveValue() instanceof LiveSet live) {
            return live.view();
        }
        return present(StoredValue.SET) ? LiveSet.of(entry.getValue()).view() : NO_SET;
    }

    /** The number of members of the set (0 if the key does not exist); {@code WRONGTYPE} for another type. */
    public int setSize() {
        return setView().size();
    }

    /**
     * The sorted set to read: the live set on the primary (no copy, so ZSCORE and ZRANGE cost what Redis's do), or
     * one decoded from the stored bytes; empty if the key does not exist, {@code WRONGTYPE} for another type. Callers
     * must not keep it past the command.
     */
    public SortedSetView sortedSet() {
        if (liveValue() instanceof LiveSortedSet live) {
            return live;
        }
        return present(StoredValue.ZSET) ? LiveSortedSet.fromStored(entry.getValue()) : new LiveSortedSet();
    }

    /** Replaces the value with a sorted set (any type before, no time to live), or deletes the key if it is empty. */
    public void replaceWithSortedSet(SortedSetView set) {
        if (set.size() == 0) {
            remove();
        } else {
            setStored(StoredValue.encodeSortedSet(set), null);
        }
    }

    /** The raw stored value, or {@code null}. */
    public byte[] stored() {
        return entry.getValue();
    }

    /** The string value, or {@code null} if the key does not exist; {@code WRONGTYPE} for another type. */
    public byte[] string() {
        return present(StoredValue.STRING) ? StoredValue.decodeString(entry.getValue()) : null;
    }

    /** Fails with {@code WRONGTYPE} if the key exists with another type than {@code type}. */
    public void requireType(byte type) {
        present(type);
    }

    /** Sets a string, keeping the key's time to live. */
    public void setString(byte[] value) {
        entry.setValue(StoredValue.encodeString(value));
        written = true;
        replaced = true;
    }

    /** Sets a string with an absolute expiry ({@code null}: none). */
    public void setString(byte[] value, Instant expiresAt) {
        entry.setValue(StoredValue.encodeString(value), null);
        written = true;
        replaced = true;
        if (expiresAt != null) {
            entry.setExpiresAt(expiresAt);
            expiry(expiresAt);
        }
    }

    /** Stores a set (deleting the key when empty), keeping the time to live. */
    public void setSet(Set<Bytes> members) {
        if (members.isEmpty()) {
            entry.remove();
        } else {
            entry.setValue(StoredValue.encodeSet(members));
        }
        written = true;
        replaced = true;
    }

    /** Stores a hash (deleting the key when empty), keeping the time to live. */
    public void setHash(Map<Bytes, byte[]> fields) {
        if (fields.isEmpty()) {
            entry.remove();
        } else {
            entry.setValue(StoredValue.encodeHash(fields));
        }
        written = true;
        replaced = true;
    }

    /** Replaces the value with raw stored bytes (COPY, RENAME), with an absolute expiry ({@code null}: none). */
    public void setStored(byte[] stored, Instant expiresAt) {
        entry.setValue(stored, null);
        written = true;
        replaced = true;
        if (expiresAt != null) {
            entry.setExpiresAt(expiresAt);
        }
    }

    /** Deletes the key. */
    public void remove() {
        entry.remove();
        removed = true;
        replaced = true;
    }

    /** When the key expires, or {@code null} if it has no expiry or does not exist. */
    public Instant expiresAt() {
        return entry.getExpiresAt().orElse(null);
    }

    /** Sets the key's expiry ({@code null}: none; a past instant deletes the key). */
    public void setExpiresAt(Instant expiresAt) {
        entry.setExpiresAt(expiresAt);
        expiry(expiresAt);
    }

    private boolean present(byte type) {
        if (hidden) {
            return false;
        }
        if (liveValue() instanceof RedisLiveValue live) {
            if (live.type() != type) {
                throw RedisException.wrongType();
            }
            return true;
        }
        byte[] stored = entry.getValue();
        if (stored == null) {
            return false;
        }
        if (StoredValue.type(stored) != type) {
            throw RedisException.wrongType();
        }
        return true;
    }
}
