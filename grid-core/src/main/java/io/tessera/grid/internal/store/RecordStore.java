package io.tessera.grid.internal.store;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * The entries of one map in one partition, with the map-partition's replication position, a count-and-digest
 * summary that two replicas compare to tell whether they hold the same entries, an expiry queue, and the tombstones
 * of recent deletions.
 *
 * <p>Owned by the partition thread of its partition: no other thread calls it, so it takes no locks.
 *
 * <p>The replication position is (epoch, sequence): every primary term of the partition has an epoch, and every
 * mutation a sequence number that continues across terms. {@link #epochBase()} is the sequence the current epoch
 * started from, which a backup checks before it follows a new primary (see {@code PartitionReplica}).
 *
 * <p>The digest is a sum over live records of a mix of the key hash and the record version; it is updated on every
 * change in O(1), is independent of insertion order, and differs between replicas that miss a write (with
 * overwhelming probability). Tombstones are not part of it: replicas forget them on their own clocks. The expiry queue
 * holds at most one live entry per key (earlier ones are marked stale in {@code scheduled}), so a hot key does not
 * fill it; the tombstone queue is ordered by stamp, so forgetting old deletions costs only what is forgotten.
 *
 * <p>The store keeps the sum of its records' {@link Record#footprint()}s and counts every change into its member's
 * {@link MemoryAccount} of the map while it is attached to it ({@link #attach}): a store is attached while it is one of
 * its replica's stores, and not while it is being filled from a snapshot.
 */
public final class RecordStore {
    private final String mapName;
    private Map<Object, Object> scratch; // see scratch()
    private final int partition;
    private final int backups;
    private final RecordTable records = new RecordTable();
    private final PriorityQueue<Scheduled> expiryQueue = new PriorityQueue<>();
    private final Map<BytesKey, Long> scheduled = new HashMap<>();
    private final Map<BytesKey, Tombstone> tombstones = new HashMap<>();
    private final PriorityQueue<Tombstone> tombstoneQueue =
            new PriorityQueue<>((a, b) -> Long.compare(a.stamp(), b.stamp()));
    private long sequence;
    private long epoch;
    private long epochBase;
    private long digest;
    private long purgedStamp;
    private byte mergePolicy;
    private long bytes;
    private long expiring;
    private MemoryAccount account;
    private int thread;
    private boolean agesFrequencies;
    private long accessesSinceAging;

    private record Scheduled(long deadline, BytesKey key) implements Comparable<Scheduled> {
        @Override
        public int compareTo(Scheduled o) {
            return Long.compare(deadline, o.deadline);
        }
    }

    /** Creates an empty store for map {@code mapName} in {@code partition}, replicated to {@code backups} backups. */
    public RecordStore(String mapName, int partition, int backups) {
        this.mapName = mapName;
        this.partition = partition;
        this.backups = backups;
    }

    /**
     * Scratch state of this map-partition that its primary's entry processors keep between calls (a Redis server's
     * order of blocked clients, say): owned by the partition thread, never replicated, never migrated, so a new
     * primary starts with none and its users must rebuild what they need.
     */
    public Map<Object, Object> scratch() {
        if (scratch == null) {
            scratch = new HashMap<>();
        }
        return scratch;
    }

    /** The map's name. */
    public String mapName() {
        return mapName;
    }

    /** The partition. */
    public int partition() {
        return partition;
    }

    /** How many backups this map keeps. */
    public int backups() {
        return backups;
    }

    /** The wire id of the map's merge policy, as the last operation on it said. */
    public byte mergePolicy() {
        return mergePolicy;
    }

    /** Records the wire id of the map's merge policy. */
    public void mergePolicy(byte id) {
        this.mergePolicy = id;
    }

    /** The sequence of the last mutation applied to this map-partition. */
    public long sequence() {
        return sequence;
    }

    /** Assigns the next sequence on the primary. */
    public long nextSequence() {
        return ++sequence;
    }

    /** Sets the sequence on a replica that applied a mutation or installed a snapshot. */
    public void sequence(long value) {
        this.sequence = value;
    }

    /** The epoch of the primary term that made the last mutation applied here (0 before any). */
    public long epoch() {
        return epoch;
    }

    /** The sequence this store had when the epoch {@link #epoch()} began. */
    public long epochBase() {
        return epochBase;
    }

    /** Enters epoch {@code newEpoch}, which began at sequence {@code base}. */
    public void epoch(long newEpoch, long base) {
        this.epoch = newEpoch;
        this.epochBase = base;
    }

    /** The number of records, including expired ones not yet removed. */
    public int size() {
        return records.size();
    }

    /** The sum of the records' footprints: the estimated heap this map-partition takes. */
    public long bytes() {
        return bytes;
    }

    /** Counts this store (and from now on its changes) into {@code memory}, as partition thread {@code threadIndex}. */
    public void attach(MemoryAccount memory, int threadIndex) {
        detach();
        this.account = memory;
        this.thread = threadIndex;
        memory.add(threadIndex, partition, bytes, records.size(), expiring);
    }

    /** Takes this store out of its account (it left its replica). */
    public void detach() {
        if (account != null) {
            account.add(thread, partition, -bytes, -records.size(), -expiring);
            account = null;
        }
    }

    /** The account this store counts into, or null when it is detached. */
    public MemoryAccount account() {
        return account;
    }

    /** The order-independent digest of (key, version) over all records. */
    public long digest() {
        return digest;
    }

    /** The record under {@code key}, expired or not, or {@code null}. */
    public Record get(BytesKey key) {
        return records.get(key.bytes(), key.hashCode());
    }

    /** Whether {@code record} is the one this store holds under its key (not replaced or removed since). */
    public boolean holds(Record record) {
        return records.get(record.keyBytes(), record.keyHash()) == record;
    }

    /** The tombstone of a recent deletion of {@code key}, or {@code null}. */
    public Tombstone tombstone(BytesKey key) {
        return tombstones.get(key);
    }

    /** Stores {@code record}, replacing any record or tombstone under its key, and returns the replaced record. */
    public Record put(Record record) {
        Record previous = records.put(record);
        long grown = record.footprint();
        int expiringChange = record.expiring() ? 1 : 0;
        long keyHash = BytesKey.hash64(record.keyBytes()); // the same key: hashed once for both terms
        if (previous != null) {
            digest -= term(keyHash, previous);
            grown -= previous.footprint();
            expiringChange -= previous.expiring() ? 1 : 0;
        }
        bytes += grown;
        expiring += expiringChange;
        if (account != null) {
            account.add(thread, partition, grown, previous == null ? 1 : 0, expiringChange);
        }
        if (!tombstones.isEmpty()) {
            tombstones.remove(record.key());
        }
        digest += term(keyHash, record);
        schedule(record);
        countAccess();
        return previous;
    }

    /**
     * Removes the record under {@code key} without a tombstone (an eviction: a cache entry dropped, not a deletion a
     * merge must honour) and returns it, or null.
     */
    public Record evict(BytesKey key) {
        return removeRecord(key);
    }

    /** Counts an eviction this store's primary made into its account. */
    public void countEviction() {
        if (account != null) {
            account.evicted(thread);
        }
    }

    /** Counts an entry this store's primary removed because it expired into its account. */
    public void countExpiration() {
        if (account != null) {
            account.expired(thread);
        }
    }

    /** Counts an operation this store's primary executed into its account. */
    public void countOperation() {
        if (account != null) {
            account.operated(thread);
        }
    }

    /** Records a read of {@code record} on the primary: its last access and access counts. */
    public void accessed(Record record, long now) {
        record.touch(now);
        record.hit();
        countAccess();
    }

    /** Whether LFU eviction applies to this map on its primary: then the store ages the records' frequencies. */
    public void agesFrequencies(boolean on) {
        agesFrequencies = on;
    }

    /**
     * TinyLFU's reset: once the map-partition counted ten accesses per record, every frequency halves, so that what
     * was popular long ago does not outweigh what is popular now. One pass over the records for ten accesses each.
     */
    private void countAccess() {
        if (agesFrequencies && ++accessesSinceAging > 10L * records.size() + 16) {
            accessesSinceAging = 0;
            for (Record r : records.values()) {
                r.halveFrequency();
            }
        }
    }

    /**
     * Copies into {@code out}, from {@code offset} on, up to {@code count} eviction candidates found from random slot
     * {@code start} on: records made at or before sequence {@code newestVersion} (a step does not evict what it has
     * just written), with a deadline when {@code onlyExpiring}. Returns how many.
     */
    public int sample(int start, Record[] out, int offset, int count, long newestVersion, boolean onlyExpiring) {
        if (onlyExpiring && expiring == 0) {
            return 0;
        }
        return records.sample(start, out, offset, count, 8 * count + 8, newestVersion, onlyExpiring);
    }

    /**
     * The record with the nearest deadline as the expiry queue has it (a deadline a read moved later is corrected
     * only when it comes due), if it was made at or before sequence {@code newestVersion}; else null.
     */
    public Record nearestExpiring(long newestVersion) {
        while (!expiryQueue.isEmpty()) {
            Scheduled head = expiryQueue.peek();
            Long queued = scheduled.get(head.key);
            Record record = queued != null && queued == head.deadline ? get(head.key) : null;
            if (record == null) {
                expiryQueue.poll(); // a stale entry: the key was removed or rescheduled
                continue;
            }
            return record.version() <= newestVersion ? record : null;
        }
        return null;
    }

    /**
     * Removes the record under {@code key}, remembers the deletion with {@code stamp}, and returns the removed record
     * (or {@code null} when there was none; the tombstone is still recorded).
     */
    public Record remove(BytesKey key, byte keyFormat, long stamp) {
        Record previous = removeRecord(key);
        putTombstone(new Tombstone(key, keyFormat, stamp));
        return previous;
    }

    /** Remembers a deletion (a replica installing a snapshot, or a merge), replacing any record of the key. */
    public void putTombstone(Tombstone tombstone) {
        removeRecord(tombstone.key());
        if (tombstone.stamp() <= purgedStamp) {
            return; // older than what this store has forgotten already
        }
        Tombstone previous = tombstones.put(tombstone.key(), tombstone);
        if (previous != null && previous.stamp() > tombstone.stamp()) {
            tombstones.put(previous.key(), previous);
            return;
        }
        tombstoneQueue.add(tombstone);
    }

    private Record removeRecord(BytesKey key) {
        Record previous = records.remove(key.bytes(), key.hashCode());
        if (previous != null) {
            digest -= term(previous);
            bytes -= previous.footprint();
            int expiringChange = previous.expiring() ? -1 : 0;
            expiring += expiringChange;
            if (account != null) {
                account.add(thread, partition, -previous.footprint(), -1, expiringChange);
            }
            if (scheduled.remove(key) != null) {
                compactExpiryQueue();
            }
        }
        return previous;
    }

    /**
     * Drops the queue entries of removed keys once they outnumber the live ones. A backup never polls its queue
     * (only primaries expire), so without this every key ever written with a TTL would stay queued until its
     * deadline.
     */
    private void compactExpiryQueue() {
        if (expiryQueue.size() > 64 && expiryQueue.size() > 2 * scheduled.size()) {
            expiryQueue.clear();
            scheduled.forEach((key, deadline) -> expiryQueue.add(new Scheduled(deadline, key)));
        }
    }

    /**
     * Forgets the deletions stamped at or before {@code horizon}: from now on an entry a merge brings in with a stamp
     * at or before the newest forgotten one may be a key deleted here, so it is dropped ({@link #purgedStamp()}).
     */
    public void purgeTombstones(long horizon) {
        while (!tombstoneQueue.isEmpty() && tombstoneQueue.peek().stamp() <= horizon) {
            Tombstone oldest = tombstoneQueue.poll();
            if (tombstones.get(oldest.key()) == oldest) {
                tombstones.remove(oldest.key());
                purgedStamp = Math.max(purgedStamp, oldest.stamp());
            }
        }
        if (tombstoneQueue.size() > 64 && tombstoneQueue.size() > 2 * tombstones.size()) {
            tombstoneQueue.clear();
            tombstoneQueue.addAll(tombstones.values());
        }
    }

    /**
     * The newest stamp of a deletion this store no longer remembers: a merged entry stamped at or before it, for a
     * key this store has no trace of, may have been deleted here and is not brought back.
     */
    public long purgedStamp() {
        return purgedStamp;
    }

    /** Raises {@link #purgedStamp()} (a replica installing its primary's state). */
    public void purgedStamp(long stamp) {
        this.purgedStamp = Math.max(purgedStamp, stamp);
    }

    /** Removes every record and tombstone: everything stamped at or before {@code stamp} counts as deleted. */
    public void clear(long stamp) {
        if (account != null) {
            account.add(thread, partition, -bytes, -records.size(), -expiring);
        }
        bytes = 0;
        expiring = 0;
        records.clear();
        expiryQueue.clear();
        scheduled.clear();
        tombstones.clear();
        tombstoneQueue.clear();
        digest = 0;
        purgedStamp = Math.max(purgedStamp, stamp);
    }

    /** The live records; the caller must not keep the view beyond the current task. */
    public Collection<Record> records() {
        return records.values();
    }

    /** The remembered deletions; the caller must not keep the view beyond the current task. */
    public Collection<Tombstone> tombstones() {
        return tombstones.values();
    }

    /** The number of remembered deletions. */
    public int tombstoneCount() {
        return tombstones.size();
    }

    /** A point-in-time copy of the records, safe to read from another thread. */
    public Record[] snapshot() {
        Record[] snapshot = records.toArray();
        for (int i = 0; i < snapshot.length; i++) {
            snapshot[i] = snapshot[i].materialized(); // a live value goes on changing after this point
        }
        return snapshot;
    }

    /** A point-in-time copy of the tombstones, safe to read from another thread. */
    public Tombstone[] tombstoneSnapshot() {
        return tombstones.values().toArray(new Tombstone[0]);
    }

    /** Re-examines the expiry of {@code record} after its deadline moved (a touch or a new TTL). */
    public void schedule(Record record) {
        long deadline = record.deadline();
        if (deadline == Long.MAX_VALUE) {
            return;
        }
        Long queued = scheduled.get(record.key());
        if (queued == null || deadline < queued) {
            scheduled.put(record.key(), deadline);
            expiryQueue.add(new Scheduled(deadline, record.key()));
        }
    }

    /**
     * Finds up to {@code max} records whose deadline passed at {@code now}; the caller removes and replicates them.
     * A record whose deadline moved later (it was read, or rewritten) is rescheduled instead.
     */
    public List<Record> pollExpired(long now, int max) {
        List<Record> expired = new ArrayList<>();
        while (expired.size() < max && !expiryQueue.isEmpty() && expiryQueue.peek().deadline <= now) {
            Scheduled entry = expiryQueue.poll();
            Long queued = scheduled.get(entry.key);
            if (queued == null || queued != entry.deadline) {
                continue;
            }
            scheduled.remove(entry.key);
            Record record = get(entry.key);
            if (record == null) {
                continue;
            }
            if (record.isExpiredAt(now)) {
                expired.add(record);
            } else {
                schedule(record);
            }
        }
        return expired;
    }

    private static long term(Record record) {
        return term(BytesKey.hash64(record.keyBytes()), record);
    }

    /** A record's share of the digest, from its key's {@link BytesKey#hash64} and its version. */
    private static long term(long keyHash, Record record) {
        return BytesKey.mix(keyHash ^ (record.version() * 0x9E3779B97F4A7C15L));
    }
}
