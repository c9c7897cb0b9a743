package io.tessera.grid.internal.store;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * The entries of one map in one partition, with the map-partition's replication sequence, a count-and-digest
 * summary that two replicas compare to tell whether they hold the same entries, and an expiry queue.
 *
 * <p>Owned by the partition thread of its partition: no other thread calls it, so it takes no locks.
 *
 * <p>The digest is a sum over records of a mix of the key hash and the record version; it is updated on every
 * change in O(1), is independent of insertion order, and differs between replicas that miss a write (with
 * overwhelming probability). The expiry queue holds at most one live entry per key (earlier ones are marked stale
 * in {@code scheduled}), so a hot key does not fill it.
 */
public final class RecordStore {
    private final String mapName;
    private final int partition;
    private final int backups;
    private final Map<BytesKey, Record> records = new HashMap<>();
    private final PriorityQueue<Scheduled> expiryQueue = new PriorityQueue<>();
    private final Map<BytesKey, Long> scheduled = new HashMap<>();
    private long sequence;
    private long digest;

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

    /** The number of records, including expired ones not yet removed. */
    public int size() {
        return records.size();
    }

    /** The order-independent digest of (key, version) over all records. */
    public long digest() {
        return digest;
    }

    /** The record under {@code key}, expired or not, or {@code null}. */
    public Record get(BytesKey key) {
        return records.get(key);
    }

    /** Stores {@code record}, replacing any record under its key, and returns the replaced one. */
    public Record put(Record record) {
        Record previous = records.put(record.key(), record);
        if (previous != null) {
            digest -= term(previous);
        }
        digest += term(record);
        schedule(record);
        return previous;
    }

    /** Removes the record under {@code key} and returns it, or {@code null}. */
    public Record remove(BytesKey key) {
        Record previous = records.remove(key);
        if (previous != null) {
            digest -= term(previous);
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

    /** Removes every record. */
    public void clear() {
        records.clear();
        expiryQueue.clear();
        scheduled.clear();
        digest = 0;
    }

    /** The live records; the caller must not keep the view beyond the current task. */
    public Collection<Record> records() {
        return records.values();
    }

    /** A point-in-time copy of the records, safe to read from another thread. */
    public Record[] snapshot() {
        return records.values().toArray(new Record[0]);
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
            Record record = records.get(entry.key);
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
        return BytesKey.mix(record.key().hash64() ^ (record.version() * 0x9E3779B97F4A7C15L));
    }
}
