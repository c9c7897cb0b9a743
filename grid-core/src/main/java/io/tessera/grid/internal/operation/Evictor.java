package io.tessera.grid.internal.operation;

import io.tessera.grid.EvictionPolicy;
import io.tessera.grid.internal.replica.PartitionReplica;
import io.tessera.grid.internal.replica.PartitionReplicas;
import io.tessera.grid.internal.replication.ChangeSet;
import io.tessera.grid.internal.replication.ReplicationStream;
import io.tessera.grid.internal.store.Capacity;
import io.tessera.grid.internal.store.HybridLogicalClock;
import io.tessera.grid.internal.store.MemoryAccount;
import io.tessera.grid.internal.store.Record;
import io.tessera.grid.internal.store.RecordStore;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps bounded maps within their member's bound: on a partition thread, evicts from the primaries of that thread the
 * entries its sampling finds worst by the map's policy, and replicates each removal (an EVICT mutation, no tombstone)
 * with an EVICTED event, as the expiry sweep does for expired entries.
 *
 * <p>Sampling, as Redis does it instead of keeping an LRU list (whose upkeep every read would pay): for one victim
 * it looks at {@value #PARTITION_PICKS} distinct random primaries of the thread that hold the map (all of them when the
 * thread has no more), takes up to
 * {@value #SAMPLES_PER_PARTITION} consecutive records from a random slot of each (and, for {@link EvictionPolicy#TTL}
 * or when only expiring entries may go, the partition's nearest deadline), and evicts the worst. Partitions of one
 * thread share the thread, so reaching across them needs no lock; a victim in the partition of the step that found
 * the member over its bound goes out with that step's own mutations, one in another partition with a replication of
 * its own. Nothing a step has just written is a candidate in that step. A thread that finds nothing to evict among
 * its primaries asks the other threads to evict from theirs (at most one such request queued per thread).
 *
 * <p>Threads: called on partition threads only; the scratch space is per thread.
 */
final class Evictor {
    private static final Logger log = LoggerFactory.getLogger(Evictor.class);
    private static final int PARTITION_PICKS = 4;
    private static final int SAMPLES_PER_PARTITION = 5;
    private static final int RANDOM_TRIES = 4 * PARTITION_PICKS;
    /** At most this many evictions in one step: a write far beyond the bound leaves the rest to the next ones. */
    static final int MAX_PER_STEP = 64;

    private final PartitionReplicas replicas;
    private final ReplicationStream stream;
    private final HybridLogicalClock hlc;
    private final Record[][] candidates;
    private final int[][] picks;
    private final AtomicBoolean[] asked;

    Evictor(PartitionReplicas replicas, ReplicationStream stream, HybridLogicalClock hlc) {
        this.replicas = replicas;
        this.stream = stream;
        this.hlc = hlc;
        int threads = replicas.threads().count();
        this.candidates = new Record[threads][SAMPLES_PER_PARTITION + 1];
        this.picks = new int[threads][PARTITION_PICKS];
        this.asked = new AtomicBoolean[threads];
        for (int t = 0; t < threads; t++) {
            asked[t] = new AtomicBoolean();
        }
    }

    /**
     * Evicts while the member holds more of {@code step}'s map than its bound allows, at most {@code max} entries:
     * victims in {@code step}'s store join {@code step} (except what it wrote after sequence {@code stepStart}),
     * others are replicated here. Returns whether the member is within its bound afterwards.
     */
    boolean evict(PartitionReplica replica, ChangeSet step, long stepStart, int max, long timeoutMillis) {
        RecordStore store = step.store();
        MemoryAccount account = store.account();
        if (account == null) {
            return true;
        }
        int thread = replicas.threads().threadOf(replica.partition());
        Map<RecordStore, ChangeSet> elsewhere = null;
        for (int evicted = 0; evicted < max && account.over(); evicted++) {
            Victim victim = choose(thread, account, store, stepStart);
            if (victim == null) {
                askOtherThreads(thread, timeoutMillis);
                break;
            }
            ChangeSet changes = step;
            if (victim.store != store) {
                if (elsewhere == null) {
                    elsewhere = new IdentityHashMap<>();
                }
                changes = elsewhere.computeIfAbsent(victim.store, s -> new ChangeSet(s, hlc));
            }
            changes.evict(victim.record);
        }
        if (elsewhere != null) {
            elsewhere.values().forEach(changes -> replicate(changes, timeoutMillis));
        }
        return !account.over();
    }

    private void askOtherThreads(int thread, long timeoutMillis) {
        for (int t = 0; t < asked.length; t++) {
            int other = t;
            if (other != thread && asked[other].compareAndSet(false, true)) {
                replicas.threads().executeOnThread(other, () -> {
                    asked[other].set(false);
                    evictBeyondBounds(other, MAX_PER_STEP, timeoutMillis, false);
                });
            }
        }
    }

    /**
     * The maintenance tick on {@code thread}: evicts (at most {@code max} each) for the maps that were beyond their
     * bound at this tick and the one before.
     */
    void tick(int thread, int max, long timeoutMillis) {
        evictBeyondBounds(thread, max, timeoutMillis, true);
    }

    private void evictBeyondBounds(int thread, int max, long timeoutMillis, boolean tick) {
        for (MemoryAccount account : replicas.accounts().all()) {
            if (!account.capacity().evicts() || !(tick ? account.overAtTwoTicks(thread) : account.over())) {
                continue;
            }
            Map<RecordStore, ChangeSet> changesByStore = new IdentityHashMap<>();
            for (int evicted = 0; evicted < max && account.over(); evicted++) {
                Victim victim = choose(thread, account, null, Long.MAX_VALUE);
                if (victim == null) {
                    break;
                }
                changesByStore.computeIfAbsent(victim.store, s -> new ChangeSet(s, hlc)).evict(victim.record);
            }
            changesByStore.values().forEach(changes -> replicate(changes, timeoutMillis));
        }
    }

    private void replicate(ChangeSet changes, long timeoutMillis) {
        PartitionReplica replica = replicas.replica(changes.store().partition());
        stream.replicate(replica, changes, java.util.List.of(), false, timeoutMillis, outcome -> {
            if (!outcome.durable()) {
                log.warn("replicating {} evictions of map {} in partition {} failed: {}",
                        changes.mutations().size(), changes.store().mapName(), replica.partition(), outcome.problem());
            }
        });
    }

    private record Victim(RecordStore store, Record record) {
    }

    /**
     * The worst candidate of a sample of the thread's primaries that hold {@code account}'s map; in {@code step}
     * (which may be null) only records made at or before {@code stepStart}. Null when no partition had a candidate.
     */
    private Victim choose(int thread, MemoryAccount account, RecordStore step, long stepStart) {
        Capacity capacity = account.capacity();
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int threads = replicas.threads().count();
        int owned = (replicas.partitionCount() - thread + threads - 1) / threads;
        Record best = null;
        RecordStore bestStore = null;
        int[] picked = picks[thread];
        int pickedCount = 0;
        for (int tries = 0; pickedCount < PARTITION_PICKS && tries < RANDOM_TRIES; tries++) {
            int p = thread + random.nextInt(owned) * threads;
            RecordStore store = holder(p, account);
            if (store != null && !contains(picked, pickedCount, p)) {
                picked[pickedCount++] = p;
                Record found = worst(store, store == step ? stepStart : Long.MAX_VALUE, capacity, thread, random);
                if (found != null && (best == null || worse(found, best, capacity.policy()))) {
                    best = found;
                    bestStore = store;
                }
            }
        }
        if (pickedCount < PARTITION_PICKS) {
            // Few of the thread's partitions hold the map (a small map over many partitions): look at every one.
            for (int i = 0; i < owned; i++) {
                RecordStore store = holder(thread + i * threads, account);
                if (store != null) {
                    Record found = worst(store, store == step ? stepStart : Long.MAX_VALUE, capacity, thread, random);
                    if (found != null && (best == null || worse(found, best, capacity.policy()))) {
                        best = found;
                        bestStore = store;
                    }
                }
            }
        }
        return best == null ? null : new Victim(bestStore, best);
    }

    private static boolean contains(int[] values, int count, int value) {
        for (int i = 0; i < count; i++) {
            if (values[i] == value) {
                return true;
            }
        }
        return false;
    }

    /** The store of {@code account}'s map in partition {@code p} if this member serves it as primary and it holds any. */
    private RecordStore holder(int p, MemoryAccount account) {
        PartitionReplica replica = replicas.replica(p);
        RecordStore store = replica.existingStore(account.mapName());
        return store != null && store.size() > 0 && store.account() == account && replicas.servesAsPrimary(replica)
                ? store : null;
    }

    /** The worst of a sample of {@code store}, or null when it has no candidate. */
    private Record worst(RecordStore store, long newestVersion, Capacity capacity, int thread,
                         ThreadLocalRandom random) {
        Record[] sample = candidates[thread];
        int n = store.sample(random.nextInt(), sample, 0, SAMPLES_PER_PARTITION, newestVersion,
                capacity.onlyExpiring());
        if (capacity.policy() == EvictionPolicy.TTL || (capacity.onlyExpiring() && n == 0)) {
            Record nearest = store.nearestExpiring(newestVersion);
            if (nearest != null) {
                sample[n++] = nearest;
            }
        }
        Record worst = null;
        for (int i = 0; i < n; i++) {
            if (worst == null || worse(sample[i], worst, capacity.policy())) {
                worst = sample[i];
            }
            sample[i] = null;
        }
        return worst;
    }

    /** Whether {@code a} should go before {@code b} under {@code policy}; ties go to the least recently used. */
    private static boolean worse(Record a, Record b, EvictionPolicy policy) {
        switch (policy) {
            case LFU -> {
                if (a.frequency() != b.frequency()) {
                    return a.frequency() < b.frequency();
                }
            }
            case TTL -> {
                if (a.deadline() != b.deadline()) {
                    return a.deadline() < b.deadline();
                }
            }
            case RANDOM -> {
                return false; // the first candidate of a random sample is as random as any
            }
            default -> { }
        }
        return a.lastAccess() < b.lastAccess();
    }
}
