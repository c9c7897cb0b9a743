package io.tessera.grid.internal.replication;

import io.tessera.grid.EntryEventType;
import io.tessera.grid.internal.replica.Mutation;
import io.tessera.grid.internal.store.BytesKey;
import io.tessera.grid.internal.store.HybridLogicalClock;
import io.tessera.grid.internal.store.LiveValue;
import io.tessera.grid.internal.store.Record;
import io.tessera.grid.internal.store.RecordStore;
import java.util.ArrayList;
import java.util.List;

/**
 * The changes one step on a primary makes to one map-partition: it applies each to the store at once, numbers it with
 * the store's next sequence, and collects the {@link Mutation}s to stream to the backups and the {@link EntryChange}s
 * to publish, in order. Used on the partition's thread only.
 */
public final class ChangeSet {
    private final RecordStore store;
    private final HybridLogicalClock hlc;
    private final List<Mutation> mutations = new ArrayList<>(2);
    private final List<EntryChange> events = new ArrayList<>(2);

    /** Starts an empty change set on {@code store}. */
    public ChangeSet(RecordStore store, HybridLogicalClock hlc) {
        this.store = store;
        this.hlc = hlc;
    }

    /** The store the changes apply to. */
    public RecordStore store() {
        return store;
    }

    /** The mutations, in order. */
    public List<Mutation> mutations() {
        return mutations;
    }

    /** The events, in order. */
    public List<EntryChange> events() {
        return events;
    }

    /** Whether nothing changed. */
    public boolean isEmpty() {
        return mutations.isEmpty();
    }

    /** Writes a new value of {@code key} (replacing {@code current}, which may be null) and returns the new record. */
    public Record write(Record current, BytesKey key, byte keyFormat, byte[] value, long expireAt, long maxIdle,
                        long now) {
        long sequence = store.nextSequence();
        Record record = Record.of(key, keyFormat, value, sequence, hlc.tick(), expireAt, maxIdle,
                current == null ? now : current.creationTime(), now).succeeding(current);
        store.put(record);
        mutations.add(Mutation.put(store, sequence, record, current == null ? null : current.value()));
        events.add(new EntryChange(store.mapName(), current == null ? EntryEventType.ADDED : EntryEventType.UPDATED,
                key.bytes(), keyFormat, current == null ? null : current.value(), value));
        return record;
    }

    /**
     * Records live operations applied to {@code key}'s value (changed in place into {@code live}; {@code current}, which
     * may be null, held it or its bytes): a new record holding {@code live}, and the operations for the backups.
     * Listeners hear an update without values: making them would cost the copy the operations avoid.
     */
    public Record applyLive(Record current, BytesKey key, byte keyFormat, LiveValue live, List<byte[]> operations,
                            long expireAt, long maxIdle, long now) {
        long sequence = store.nextSequence();
        Record record = current != null
                ? current.withLive(live, sequence, hlc.tick(), expireAt, now).succeeding(current)
                : Record.ofLive(key, keyFormat, live, sequence, hlc.tick(), expireAt, maxIdle, now, now)
                        .succeeding(null);
        store.put(record);
        mutations.add(Mutation.live(store, sequence, record, operations));
        events.add(new EntryChange(store.mapName(), current == null ? EntryEventType.ADDED : EntryEventType.UPDATED,
                key.bytes(), keyFormat, null, null));
        return record;
    }

    /**
     * Takes {@code incoming} (an entry a merge brought) as it is, with its stamp, expiry and hits, replacing
     * {@code current} (which may be null).
     */
    public Record writeMerged(Record current, Record incoming) {
        long sequence = store.nextSequence();
        Record record = Record.of(incoming.key(), incoming.keyFormat(), incoming.value(), sequence,
                incoming.timestamp(), incoming.expireAt(), incoming.maxIdleMillis(), incoming.creationTime(),
                incoming.lastAccess()).hits(incoming.hits());
        hlc.observe(incoming.timestamp());
        store.put(record);
        mutations.add(Mutation.put(store, sequence, record, null));
        events.add(new EntryChange(store.mapName(), current == null ? EntryEventType.ADDED : EntryEventType.UPDATED,
                record.key().bytes(), record.keyFormat(), current == null ? null : current.value(), record.value()));
        return record;
    }

    /**
     * Removes {@code current}, leaving a tombstone: stamped now for a removal, at the moment it expired for an expiry
     * (so that a write the other side of a split made after that moment wins the merge).
     */
    public void remove(Record current, EntryEventType why) {
        long stamp = why == EntryEventType.EXPIRED ? expiryStamp(current) : hlc.tick();
        if (why == EntryEventType.EXPIRED) {
            store.countExpiration();
        }
        removeStamped(current.key(), current.keyFormat(), stamp, current.value(), why);
    }

    /** Removes {@code key} with a tombstone stamped {@code stamp} (a merged deletion); {@code oldValue} may be null. */
    public void removeStamped(BytesKey key, byte keyFormat, long stamp, byte[] oldValue, EntryEventType why) {
        hlc.observe(stamp);
        store.remove(key, keyFormat, stamp);
        mutations.add(Mutation.remove(store, store.nextSequence(), key, keyFormat, stamp));
        if (oldValue != null) {
            events.add(new EntryChange(store.mapName(), why, key.bytes(), keyFormat, oldValue, null));
        }
    }

    /**
     * Evicts {@code victim} to keep its map within its member's bound: removed on every replica without a tombstone,
     * with an EVICTED event (without the value for a live one, which would cost a copy of it).
     */
    public void evict(Record victim) {
        BytesKey key = victim.key();
        store.evict(key);
        store.countEviction();
        mutations.add(Mutation.evict(store, store.nextSequence(), key, victim.keyFormat()));
        events.add(new EntryChange(store.mapName(), EntryEventType.EVICTED, key.bytes(), victim.keyFormat(),
                victim.live() != null ? null : victim.value(), null));
    }

    /** Records a read of {@code current} on a max-idle map: its idle time restarts on every replica. */
    public void touch(Record current, long now) {
        current.touch(now);
        store.schedule(current);
        mutations.add(Mutation.touch(store, store.nextSequence(), current.key(), now));
    }

    /** Removes every entry of the map-partition, with a REMOVED event for each. */
    public void clear() {
        for (Record r : store.records()) {
            events.add(new EntryChange(store.mapName(), EntryEventType.REMOVED, r.key().bytes(), r.keyFormat(),
                    r.value(), null));
        }
        long stamp = hlc.tick();
        store.clear(stamp);
        mutations.add(Mutation.clear(store, store.nextSequence(), stamp));
    }

    private static long expiryStamp(Record record) {
        long deadline = record.deadline();
        long atDeadline = deadline == Long.MAX_VALUE ? 0 : HybridLogicalClock.stampAt(deadline);
        return Math.max(record.timestamp() + 1, atDeadline);
    }
}
