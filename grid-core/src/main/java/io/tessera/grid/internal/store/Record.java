package io.tessera.grid.internal.store;

import io.tessera.grid.internal.wire.WireReader;
import io.tessera.grid.internal.wire.WireWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * One entry: its key and value bytes, the replication sequence of its last write ({@code version}), the
 * hybrid-logical-clock stamp of that write, and its expiry: an absolute deadline ({@code expireAt}, TTL) and a
 * max-idle span measured from the last access.
 *
 * <p>Immutable but for {@link #lastAccess}, {@link #hits} and {@link #frequency}, which only the owning partition
 * thread writes; a write makes a new record, so a snapshot can share records with the live store. Hits count reads
 * and writes on the primary and decide {@code HIGHER_HITS} merges; backups see the count as of the last write. The
 * last access (every read and write on the primary) and the frequency (the same, saturating at 255 and halved by the
 * store's aging) are what LRU and LFU eviction compare; they live only on the primary, a backup's are as of the last
 * write, and a new primary after a fail-over starts counting frequencies afresh.
 *
 * <p>{@link #footprint()}, the heap the entry is accounted with, is fixed when the record is made, so a store
 * subtracts exactly what it added even when a live value grew in place since. Both it and the frequency fit in the
 * object's alignment padding.
 *
 * <p>Most entries never expire, so the expiry lives in a subclass that only records with a deadline are made of: a
 * record is 72 bytes without one and 88 with one (compressed references), where a single class held the two longs
 * in every record. {@link #of} picks the class.
 */
public sealed class Record permits Record.Expiring {
    /**
     * What an entry costs beyond its key and value bytes: this object (72 bytes), the headers of the key and value
     * arrays (16 each) with their average alignment padding (7 together), and its share of the table (a 4-byte slot
     * at 31% to 62% load, about 9).
     */
    public static final int ENTRY_OVERHEAD = 120;
    /**
     * What an entry with a deadline costs more: its record's expiry (16 bytes), and its queue element and its key
     * wrappers, the map node, and the boxed deadline of {@link RecordStore}'s expiry bookkeeping (136).
     */
    public static final int EXPIRY_OVERHEAD = 152;

    // The key's bytes and hash rather than a BytesKey: one object less per entry, and a table lookup compares the
    // hash without leaving the record (see RecordTable).
    private final byte[] keyBytes;
    private final int keyHash;
    private final byte keyFormat;
    /** The value's bytes, or a {@link LiveValue} the partition thread changes in place (see {@link #live()}). */
    private final Object value;
    private final long version;
    private final long timestamp;
    private final long creationTime;
    private final int footprint;
    private long lastAccess;
    private long hits;
    private byte frequency;

    private Record(byte[] keyBytes, int keyHash, byte keyFormat, Object value, long version, long timestamp,
                   long creationTime, long lastAccess, boolean expiring) {
        this.keyBytes = keyBytes;
        this.keyHash = keyHash;
        this.keyFormat = keyFormat;
        this.value = value;
        this.version = version;
        this.timestamp = timestamp;
        this.creationTime = creationTime;
        this.lastAccess = lastAccess;
        this.footprint = footprintOf(keyBytes.length, value, expiring);
    }

    /** A record of the class its expiry needs: {@link Expiring} when it has a deadline. */
    private static Record create(byte[] keyBytes, int keyHash, byte keyFormat, Object value, long version,
                                 long timestamp, long expireAt, long maxIdleMillis, long creationTime,
                                 long lastAccess) {
        if (expireAt > 0 || maxIdleMillis > 0) {
            return new Expiring(keyBytes, keyHash, keyFormat, value, version, timestamp, expireAt, maxIdleMillis,
                    creationTime, lastAccess);
        }
        return new Record(keyBytes, keyHash, keyFormat, value, version, timestamp, creationTime, lastAccess, false);
    }

    /** A record with a TTL, a max-idle span or both. */
    static final class Expiring extends Record {
        private final long expireAt;
        private final long maxIdleMillis;

        private Expiring(byte[] keyBytes, int keyHash, byte keyFormat, Object value, long version, long timestamp,
                         long expireAt, long maxIdleMillis, long creationTime, long lastAccess) {
            super(keyBytes, keyHash, keyFormat, value, version, timestamp, creationTime, lastAccess, true);
            this.expireAt = expireAt;
            this.maxIdleMillis = maxIdleMillis;
        }

        @Override
        public long expireAt() {
            return expireAt;
        }

        @Override
        public long maxIdleMillis() {
            return maxIdleMillis;
        }
    }

    private static int footprintOf(int keyLength, Object value, boolean expiring) {
        long valueBytes = value instanceof byte[] bytes ? bytes.length
                : value instanceof LiveValue live ? live.estimatedBytes() : 0;
        return (int) Math.min(Integer.MAX_VALUE, footprint(keyLength, valueBytes, expiring));
    }

    /** What an entry of these sizes is accounted with (see {@link #ENTRY_OVERHEAD}). */
    public static long footprint(int keyLength, long valueLength, boolean expiring) {
        return ENTRY_OVERHEAD + keyLength + valueLength + (expiring ? EXPIRY_OVERHEAD : 0);
    }

    /** Creates a record; {@code expireAt} and {@code maxIdleMillis} are 0 when they do not apply. */
    public static Record of(BytesKey key, byte keyFormat, byte[] value, long version, long timestamp, long expireAt,
                            long maxIdleMillis, long creationTime, long lastAccess) {
        return create(key.bytes(), key.hashCode(), keyFormat, value, version, timestamp, expireAt, maxIdleMillis,
                creationTime, lastAccess);
    }

    /** The key (a new wrapper of the record's key bytes, without hashing them again). */
    public BytesKey key() {
        return new BytesKey(keyBytes, keyHash);
    }

    /** The key's bytes; callers must not change them. */
    public byte[] keyBytes() {
        return keyBytes;
    }

    /** The key's {@link java.util.Arrays#hashCode(byte[])}, as {@link BytesKey#hashCode()}. */
    public int keyHash() {
        return keyHash;
    }

    /** How the key bytes decode (string, bytes or object); identity is by bytes alone. */
    public byte keyFormat() {
        return keyFormat;
    }

    /**
     * The value bytes; callers must not change them. For a live value, its stored form, made now: a copy as large as
     * the value, so the paths that change one element use {@link #live()} instead.
     */
    public byte[] value() {
        return value instanceof LiveValue live ? live.toBytes() : (byte[]) value;
    }

    /** The live value this record holds, or {@code null} if it holds bytes. */
    public LiveValue live() {
        return value instanceof LiveValue live ? live : null;
    }

    /**
     * A record holding {@code live} (changed in place by operations) as the new state of this key, with a new
     * version, stamp and expiry; creation time and hits carried over.
     */
    public Record withLive(LiveValue live, long newVersion, long newTimestamp, long newExpireAt, long now) {
        return create(keyBytes, keyHash, keyFormat, live, newVersion, newTimestamp, newExpireAt, maxIdleMillis(),
                creationTime, now).hits(hits);
    }

    /** A new record of {@code key} holding {@code live}. */
    public static Record ofLive(BytesKey key, byte keyFormat, LiveValue live, long version, long timestamp,
                              long expireAt, long maxIdleMillis, long creationTime, long lastAccess) {
        return create(key.bytes(), key.hashCode(), keyFormat, live, version, timestamp, expireAt, maxIdleMillis,
                creationTime, lastAccess);
    }

    /** This record with its live value turned into bytes (a copy that later operations do not change). */
    public Record materialized() {
        return value instanceof LiveValue ? withValueBytes(value()) : this;
    }

    /** The partition sequence of the write that made this record. */
    public long version() {
        return version;
    }

    /** The hybrid-logical-clock stamp of the write that made this record. */
    public long timestamp() {
        return timestamp;
    }

    /** The absolute expiry time in epoch milliseconds, or 0 for none. */
    public long expireAt() {
        return 0;
    }

    /** The max-idle span in milliseconds, or 0 for none. */
    public long maxIdleMillis() {
        return 0;
    }

    /** When the key was first written (kept across updates). */
    public long creationTime() {
        return creationTime;
    }

    /** The last read or write, in epoch milliseconds. */
    public long lastAccess() {
        return lastAccess;
    }

    /** Records an access; only the owning partition thread calls this. */
    public void touch(long now) {
        if (now > lastAccess) {
            lastAccess = now;
        }
    }

    /** How often the entry was read or written on its primary. */
    public long hits() {
        return hits;
    }

    /** Counts one read on the primary; only the owning partition thread calls this. */
    public void hit() {
        hits++;
        if (frequency != (byte) 0xFF) {
            frequency++;
        }
    }

    /** The estimated heap this entry takes, as its store accounts it (fixed when the record was made). */
    public int footprint() {
        return footprint;
    }

    /** The access frequency LFU eviction compares, 0..255. */
    public int frequency() {
        return frequency & 0xFF;
    }

    /** Halves the frequency (the store's aging). */
    void halveFrequency() {
        frequency = (byte) ((frequency & 0xFF) >>> 1);
    }

    /**
     * Takes over the access counts of {@code previous}, the record this one replaces on the primary (null for a new
     * key), counting this write as one access more.
     */
    public Record succeeding(Record previous) {
        if (previous != null) {
            hits = previous.hits + 1;
            frequency = previous.frequency;
        }
        if (frequency != (byte) 0xFF) {
            frequency++;
        }
        return this;
    }

    /** Sets the hit count (a new record that carries its predecessor's, or one read from the wire). */
    public Record hits(long count) {
        this.hits = count;
        return this;
    }

    /** Whether the record has a deadline (a TTL or a max-idle span). */
    public boolean expiring() {
        return this instanceof Expiring;
    }

    /** The moment this record expires, whichever of TTL and max-idle comes first, or {@link Long#MAX_VALUE}. */
    public long deadline() {
        if (!(this instanceof Expiring expiring)) {
            return Long.MAX_VALUE;
        }
        long deadline = expiring.expireAt > 0 ? expiring.expireAt : Long.MAX_VALUE;
        if (expiring.maxIdleMillis > 0) {
            deadline = Math.min(deadline, lastAccess + expiring.maxIdleMillis);
        }
        return deadline;
    }

    /** Whether the record has expired at {@code now}. */
    public boolean isExpiredAt(long now) {
        return now >= deadline();
    }

    /** A copy with another value, version and stamp; expiry and creation time as given. */
    public Record withValue(byte[] newValue, long newVersion, long newTimestamp, long newExpireAt, long now) {
        return create(keyBytes, keyHash, keyFormat, newValue, newVersion, newTimestamp, newExpireAt, maxIdleMillis(),
                creationTime, now);
    }

    /** The same record (key, stamps, expiry, access time and hits) with another value. */
    public Record withValueBytes(byte[] newValue) {
        Record record = create(keyBytes, keyHash, keyFormat, newValue, version, timestamp, expireAt(),
                maxIdleMillis(), creationTime, lastAccess).hits(hits);
        record.frequency = frequency;
        return record;
    }

    /** Writes the record for a backup or a snapshot. */
    public void writeTo(WireWriter out) {
        writeTo(out, value());
    }

    /** Writes the record with {@code valueBytes} in the value's place (a patch of it, for a backup). */
    public void writeTo(WireWriter out, byte[] valueBytes) {
        out.writeBytes(keyBytes);
        out.writeByte(keyFormat);
        out.writeBytes(valueBytes);
        out.writeVarLong(version);
        out.writeVarLong(timestamp);
        out.writeVarLong(expireAt());
        out.writeVarLong(maxIdleMillis());
        out.writeVarLong(creationTime);
        out.writeVarLong(lastAccess);
        out.writeVarLong(hits);
    }

    /** Writes a count and then each record. */
    public static void writeAll(WireWriter out, List<Record> records) {
        out.writeVarInt(records.size());
        records.forEach(r -> r.writeTo(out));
    }

    /** Reads records written by {@link #writeAll}. */
    public static List<Record> readAll(WireReader in) {
        int n = in.readVarInt();
        List<Record> records = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            records.add(readFrom(in));
        }
        return records;
    }

    /** Reads a record written by {@link #writeTo}. */
    public static Record readFrom(WireReader in) {
        BytesKey key = new BytesKey(in.readBytes());
        byte keyFormat = in.readByte();
        byte[] value = in.readBytes();
        return of(key, keyFormat, value, in.readVarLong(), in.readVarLong(), in.readVarLong(),
                in.readVarLong(), in.readVarLong(), in.readVarLong()).hits(in.readVarLong());
    }
}
