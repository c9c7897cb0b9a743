package io.tessera.grid.internal.store;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * What this member holds of one map, over all its partitions, primaries and backups alike: entries and estimated
 * bytes (the sum of the records' {@link Record#footprint()}), also per partition (so that the share this member holds
 * as primary can be told from its backup copies), how many operations its primaries executed, how many entries they
 * evicted and expired, and the bound ({@link Capacity}) the member keeps the map within. The member's meters and
 * status read these counters; nothing else is kept for them.
 *
 * <p>Threads: every partition thread counts into slots of its own, 128 bytes apart so that no two threads write one
 * cache line, with a plain read and an opaque write (one writer per slot); any thread reads the sums. A record store
 * adds to its thread's slots on every change, which costs a write about as cheap as the change itself and allocates
 * nothing; a reader sees each slot's latest value or an earlier one, and the sum is exact once the threads are idle.
 * The per-partition slots are grouped by thread (a thread's partitions side by side, the threads 128 bytes apart) for
 * the same reason.
 *
 * <p>The bound is the member's own config of the map when it opened the map ({@link #configure}); until then, the
 * one the latest operation carried ({@link #offer}).
 */
public final class MemoryAccount {
    private static final int STRIDE = 16;
    private static final int BYTES = 0;
    private static final int ENTRIES = 1;
    private static final int EVICTIONS = 2;
    private static final int EXPIRING = 3;
    private static final int OPERATIONS = 4;
    private static final int EXPIRATIONS = 5;
    /** Per partition: entries, then bytes. */
    private static final int PER_PARTITION = 2;

    private final String mapName;
    private final int threads;
    private final AtomicLongArray slots;
    private final AtomicLongArray partitionSlots;
    private final int partitionsPerThread;
    private volatile Capacity capacity = Capacity.UNBOUNDED;
    private volatile boolean configuredHere;
    /** Per partition thread, each reading and writing only its own: whether its last maintenance tick found it over. */
    private final boolean[] overAtTick;

    /**
     * Creates the account of {@code mapName} over {@code partitions} partitions counted by {@code threads} partition
     * threads (partition {@code p} on thread {@code p mod threads}).
     */
    public MemoryAccount(String mapName, int threads, int partitions) {
        this.mapName = mapName;
        this.threads = threads;
        this.slots = new AtomicLongArray(threads * STRIDE);
        this.partitionsPerThread = (partitions + threads - 1) / threads;
        this.partitionSlots = new AtomicLongArray(threads * (partitionsPerThread * PER_PARTITION + STRIDE));
        this.overAtTick = new boolean[threads];
    }

    private int partitionSlot(int partition) {
        int thread = partition % threads;
        return thread * (partitionsPerThread * PER_PARTITION + STRIDE) + (partition / threads) * PER_PARTITION;
    }

    /** The map. */
    public String mapName() {
        return mapName;
    }

    /**
     * Adds {@code bytes}, {@code entries} and {@code expiring} entries with a deadline (negative to subtract) of
     * {@code partition}; only partition thread {@code thread}, which owns it, calls it.
     */
    void add(int thread, int partition, long bytes, long entries, long expiring) {
        int base = thread * STRIDE;
        int own = partitionSlot(partition);
        if (bytes != 0) {
            slots.setOpaque(base + BYTES, slots.getPlain(base + BYTES) + bytes);
            partitionSlots.setOpaque(own + 1, partitionSlots.getPlain(own + 1) + bytes);
        }
        if (entries != 0) {
            slots.setOpaque(base + ENTRIES, slots.getPlain(base + ENTRIES) + entries);
            partitionSlots.setOpaque(own, partitionSlots.getPlain(own) + entries);
        }
        if (expiring != 0) {
            slots.setOpaque(base + EXPIRING, slots.getPlain(base + EXPIRING) + expiring);
        }
    }

    /** Counts an eviction; only partition thread {@code thread} calls it. */
    void evicted(int thread) {
        int i = thread * STRIDE + EVICTIONS;
        slots.setOpaque(i, slots.getPlain(i) + 1);
    }

    /** Counts an operation a primary executed; only partition thread {@code thread} calls it. */
    void operated(int thread) {
        int i = thread * STRIDE + OPERATIONS;
        slots.setOpaque(i, slots.getPlain(i) + 1);
    }

    /** Counts an entry a primary removed because it expired; only partition thread {@code thread} calls it. */
    void expired(int thread) {
        int i = thread * STRIDE + EXPIRATIONS;
        slots.setOpaque(i, slots.getPlain(i) + 1);
    }

    /** The entries this member holds of the map in {@code partition}. */
    public long entries(int partition) {
        return partitionSlots.getOpaque(partitionSlot(partition));
    }

    /** The estimated bytes this member holds of the map in {@code partition}. */
    public long bytes(int partition) {
        return partitionSlots.getOpaque(partitionSlot(partition) + 1);
    }

    /** The operations this member's primaries executed on the map (retries answered "not here" not included). */
    public long operations() {
        return sum(OPERATIONS);
    }

    /** The entries this member's primaries removed because they expired (on access or by the sampler). */
    public long expirations() {
        return sum(EXPIRATIONS);
    }

    private long sum(int field) {
        long sum = 0;
        for (int t = 0; t < threads; t++) {
            sum += slots.getOpaque(t * STRIDE + field);
        }
        return sum;
    }

    /** The estimated bytes this member holds of the map. */
    public long bytes() {
        return sum(BYTES);
    }

    /** The entries this member holds of the map. */
    public long entries() {
        return sum(ENTRIES);
    }

    /** The entries with a deadline this member holds of the map. */
    public long expiringEntries() {
        return sum(EXPIRING);
    }

    /**
     * Whether the member is over its bound now and was so at partition thread {@code thread}'s previous tick too; only
     * that thread calls it. A tick that acted on a single look would race with a step on another thread that is
     * between its write and the evictions that follow it, and evict twice for one overage.
     */
    public boolean overAtTwoTicks(int thread) {
        boolean over = over();
        boolean before = overAtTick[thread];
        overAtTick[thread] = over;
        return over && before;
    }

    /** The entries this member's primaries evicted. */
    public long evictions() {
        return sum(EVICTIONS);
    }

    /** The bound in force on this member. */
    public Capacity capacity() {
        return capacity;
    }

    /** Sets the bound from this member's own config of the map; operations no longer change it. */
    public void configure(Capacity local) {
        capacity = local;
        configuredHere = true;
    }

    /** Takes the bound an operation carried, unless this member configured the map itself. */
    public void offer(Capacity carried) {
        Capacity current = capacity;
        if (carried != current && !configuredHere && !carried.equals(current)) {
            capacity = carried;
        }
    }

    /** Whether this member holds more of the map than its bound allows. */
    public boolean over() {
        Capacity c = capacity;
        return c.bounded() && c.exceededBy(entries(), bytes());
    }

    /**
     * Why adding {@code entries} entries and {@code bytes} bytes would take this member beyond its bound, or null
     * when it would not (or the change does not grow the map).
     */
    public String wouldExceed(long entries, long bytes) {
        Capacity c = capacity;
        if (!c.bounded() || (entries <= 0 && bytes <= 0)) {
            return null;
        }
        long heldEntries = entries();
        long heldBytes = bytes();
        boolean full = (entries > 0 && c.maxEntries() > 0 && heldEntries + entries > c.maxEntries())
                || (bytes > 0 && c.maxBytes() > 0 && heldBytes + bytes > c.maxBytes());
        if (!full) {
            return null;
        }
        return "map '" + mapName + "' is full: this member holds " + heldEntries + " entries"
                + (c.maxEntries() > 0 ? " (maxSize " + c.maxEntries() + ")" : "") + " taking " + heldBytes + " bytes"
                + (c.maxBytes() > 0 ? " (maxMemory " + c.maxBytes() + ")" : "") + " and evictionPolicy "
                + c.policy() + (c.onlyExpiring() ? " with evictOnlyExpiring found no entry with a deadline to evict"
                : " evicts nothing") + "; the write would add " + Math.max(entries, 0) + " entries and " + bytes
                + " bytes";
    }
}
