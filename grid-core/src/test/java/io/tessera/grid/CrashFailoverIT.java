package io.tessera.grid;

import static io.tessera.grid.testing.MemberProcesses.fields;
import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.grid.internal.GridNode;
import io.tessera.grid.internal.partition.PartitionTable;
import io.tessera.grid.internal.partition.SlotHashing;
import io.tessera.grid.testing.MemberProcesses;
import io.tessera.grid.testing.MemberProcessesTestBase;
import io.tessera.grid.testing.MemberProcesses.ForkedMember;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.jgroups.Address;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The crash requirement, on the real {@code tcp} stack with separate JVMs: "in a test with 3 member processes,
 * 100,000 acknowledged writes, then {@code kill -9} of one member ({@code Process.destroyForcibly()}): every
 * acknowledged key reads back with its last acknowledged value from the survivors, and new backups are created so a
 * second crash later loses nothing either."
 *
 * <p>The three members are two forked JVMs ({@code p1}, always the coordinator, and {@code p2}) and this test JVM
 * ({@code test}), which is the writer and is never killed: a write counts as acknowledged when its {@code putAsync}
 * future completed normally on this member. After the writes, one forked member is killed; once the survivors'
 * table settled again (only survivors, two owners per partition, nothing syncing, every backup identical to its
 * primary) and every key was verified, the other forked member is killed and every key is verified again on the
 * last survivor, which then holds the only copy. One test kills a non-coordinator first and then the coordinator;
 * the other kills the coordinator first, so that another forked member must rebuild the table from the members'
 * replicas, and then that new coordinator. Writers keep writing other keys while each crash happens; those writes
 * must also read back with their last acknowledged value, or a later value whose write failed (its outcome is
 * unknown to the caller).
 *
 * <p>Prints {@code FIGURE} lines: the time from {@code destroyForcibly()} to the removal from the view and to the
 * first acknowledged write on a partition the killed member led, and until the table settled with new backups.
 */
class CrashFailoverIT extends MemberProcessesTestBase {
    private static final int KEYS = 100_000;
    /** Every 10th key is written a second time, so "last acknowledged value" differs from the first. */
    private static final int OVERWRITE_EVERY = 10;
    /** Besides iterating the whole map, every 8th key is also read back with a single-key get. */
    private static final int GET_EVERY = 8;
    private static final int PARTITIONS = 256;
    private static final int WRITER_THREADS = 4;
    private static final int IN_FLIGHT_PER_WRITER = 256;
    private static final int LIVE_KEYS_PER_THREAD = 25;
    private static final Duration READY = Duration.ofSeconds(60);
    private static final Duration SETTLE = Duration.ofSeconds(60);

    private Grid local;

    @AfterEach
    void closeLocalMember() {
        processes.close(); // first, so the local member leaves alone instead of handing off to dying processes
        if (local != null) {
            local.close();
        }
    }

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void acknowledgedWrites_surviveKillOfMember_thenKillOfCoordinator() throws Exception {
        crashTwice(false);
    }

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void acknowledgedWrites_surviveKillOfCoordinator_thenKillOfMember() throws Exception {
        crashTwice(true);
    }

    /**
     * Starts p1 (the coordinator), then the test member and p2 (in the order that makes the member that takes over
     * after the first crash's coordinator a forked one when {@code coordinatorFirst}), writes, and kills two members.
     */
    private void crashTwice(boolean coordinatorFirst) throws Exception {
        long testStart = System.nanoTime();
        String cluster = "crash-failover-" + UUID.randomUUID();
        int base = MemberProcesses.freePortBase(3);
        String[] initial = MemberProcesses.initialMembers(base, 3);

        ForkedMember p1 = processes.start("p1", cluster, base, initial, PARTITIONS, READY);
        ForkedMember p2 = null;
        if (coordinatorFirst) {
            // View order p1, p2, test: when p1 dies, p2 becomes the coordinator and rebuilds the table.
            p2 = processes.start("p2", cluster, base + 2, initial, PARTITIONS, READY);
            p2.assertJoined(2);
        }
        local = Grid.builder().clusterName(cluster).memberName("test").stack("tcp").bindAddress("127.0.0.1")
                .bindPort(base + 1).initialMembers(initial).partitionCount(PARTITIONS)
                .operationTimeout(Duration.ofSeconds(10)).start();
        assertThat(local.members()).as("the test member joined (no startup split brain)")
                .hasSize(coordinatorFirst ? 3 : 2);
        if (!coordinatorFirst) {
            p2 = processes.start("p2", cluster, base + 2, initial, PARTITIONS, READY);
            p2.assertJoined(3);
        }
        GridNode node = (GridNode) local;
        awaitSettled(node, List.of(p1, p2), 3);
        assertThat(node.cluster().view().getCoord()).isEqualTo(addressOf(node, p1));
        System.out.printf("cluster of 3 settled %d ms after the test began; view %s%n", millisSince(testStart),
                node.cluster().view());

        GridMap<String, String> map = local.map("crash");
        AtomicReferenceArray<String> acked = new AtomicReferenceArray<>(KEYS);

        // 100,000 acknowledged writes, then overwrite a tenth of them.
        long writeStart = System.nanoTime();
        writeAll(map, acked, 0);
        writeAll(map, acked, 1);
        long writeMillis = millisSince(writeStart);
        int writes = KEYS + KEYS / OVERWRITE_EVERY;
        System.out.printf("FIGURE wrote %d acknowledged puts (%d keys) in %d ms: %d puts/s from the test member%n",
                writes, KEYS, writeMillis, writes * 1000L / Math.max(1, writeMillis));
        assertThat(map.size()).isEqualTo(KEYS);
        assertReplicasIdentical(node, map);

        if (coordinatorFirst) {
            crashAndVerify(node, map, acked, p1, List.of(p2), "first (coordinator)");
            crashAndVerify(node, map, acked, p2, List.of(), "second (coordinator)");
        } else {
            crashAndVerify(node, map, acked, p2, List.of(p1), "first (member)");
            crashAndVerify(node, map, acked, p1, List.of(), "second (coordinator)");
        }
        System.out.printf("test took %d ms%n", millisSince(testStart));
    }

    private void crashAndVerify(GridNode node, GridMap<String, String> map, AtomicReferenceArray<String> acked,
                                ForkedMember victim, List<ForkedMember> survivors, String which) throws Exception {
        PartitionTable before = node.table();
        String figureKey = keyLedBy(before, victim, "figure-" + victim.name() + "-");
        int ledPartitions = before.primaryCounts().getOrDefault(addressOf(node, victim), 0);
        assertThat(ledPartitions).as("partitions %s leads", victim.name()).isGreaterThan(0);

        LiveWriters live = new LiveWriters(map, victim.name());
        live.start();
        Thread.sleep(300);

        ViewWatcher watcher = new ViewWatcher(node, victim);
        long killed = victim.kill9();
        watcher.start(killed);

        // The first acknowledged write on a partition the victim led, retried in a tight loop.
        String figureValue = null;
        int attempts = 0;
        while (figureValue == null) {
            String value = "figure-value-" + ++attempts;
            try {
                map.set(figureKey, value);
                figureValue = value;
            } catch (GridException e) {
                System.out.println("figure write " + value + " failed: " + e);
            }
        }
        long firstWriteMillis = millisSince(killed);
        watcher.join(SETTLE.toMillis());
        System.out.printf("FIGURE %s crash (%s, led %d of %d partitions): removed from the view after %d ms;"
                        + " first acknowledged write on a partition it led after %d ms (%d attempt(s))%n",
                which, victim.name(), ledPartitions, PARTITIONS, watcher.removedMillis, firstWriteMillis, attempts);

        awaitSettled(node, survivors, survivors.size() + 1);
        long settledMillis = millisSince(killed);
        live.stop();
        System.out.printf("FIGURE %s crash: table settled with new backups (only survivors, %d owner(s) per"
                        + " partition, nothing syncing) after %d ms; live writes meanwhile: %d acknowledged, %d"
                        + " failed%n", which, Math.min(2, survivors.size() + 1), settledMillis, live.acknowledged.get(),
                live.failed.get());
        live.failures.stream().limit(5).forEach(f -> System.out.println("  live write failure: " + f));

        // Every acknowledged write reads back with its last acknowledged value from the survivors.
        long verifyStart = System.nanoTime();
        List<String> wrong = verifyAll(map, acked);
        assertThat(wrong).as("keys that lost their last acknowledged value after the %s crash", which).isEmpty();
        String figureRead = map.get(figureKey);
        assertThat(figureRead).as("the figure key").isEqualTo(figureValue);
        live.verify();
        assertReplicasIdentical(node, map);
        System.out.printf("verified %d keys (all by iteration, %d by get) + %d live keys after the %s crash in %d"
                + " ms%n", KEYS, KEYS / GET_EVERY, live.keyCount(), which, millisSince(verifyStart));
    }

    // --------------------------------------------------------------------------------------------------- writes

    /** Writes generation {@code gen} of the keys from several threads with putAsync; fails on any failed write. */
    private static void writeAll(GridMap<String, String> map, AtomicReferenceArray<String> acked, int gen)
            throws InterruptedException {
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        AtomicInteger wrongOld = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < WRITER_THREADS; t++) {
            int stripe = t;
            Thread thread = new Thread(() -> {
                Semaphore inFlight = new Semaphore(IN_FLIGHT_PER_WRITER);
                for (int i = stripe; i < KEYS; i += WRITER_THREADS) {
                    if (gen > 0 && i % OVERWRITE_EVERY != 0) {
                        continue;
                    }
                    int index = i;
                    String value = value(i, gen);
                    String expectedOld = gen == 0 ? null : value(i, gen - 1);
                    inFlight.acquireUninterruptibly();
                    CompletableFuture<String> put;
                    try {
                        put = map.putAsync(key(i), value);
                    } catch (RuntimeException e) {
                        failures.add(key(i) + ": " + e);
                        inFlight.release();
                        continue;
                    }
                    put.whenComplete((old, e) -> {
                        if (e == null) {
                            acked.set(index, value);
                            if (!java.util.Objects.equals(old, expectedOld)) {
                                wrongOld.incrementAndGet();
                                failures.add(key(index) + ": put returned old value " + old + ", expected "
                                        + expectedOld);
                            }
                        } else {
                            failures.add(key(index) + ": " + e);
                        }
                        inFlight.release();
                    });
                }
                inFlight.acquireUninterruptibly(IN_FLIGHT_PER_WRITER);
            }, "writer-" + t);
            thread.start();
            threads.add(thread);
        }
        for (Thread thread : threads) {
            thread.join();
        }
        assertThat(failures).as("failed writes of generation %d with no crash going on (%d wrong old values)", gen,
                wrongOld.get()).isEmpty();
    }

    private static String key(int i) {
        return "k" + i;
    }

    private static String value(int i, int gen) {
        return "v" + i + "-g" + gen;
    }

    /**
     * Reads every key back, by iterating the whole map (each partition's entries come from its primary) and by a
     * single-key {@code get} of every {@value #GET_EVERY}th key, and returns a description of each key that is
     * missing or does not hold its last acknowledged value.
     */
    private static List<String> verifyAll(GridMap<String, String> map, AtomicReferenceArray<String> acked) {
        List<String> wrong = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger bad = new AtomicInteger();
        java.util.HashMap<String, String> all = new java.util.HashMap<>();
        for (Map.Entry<String, String> e : map.entrySet()) {
            all.put(e.getKey(), e.getValue());
        }
        for (int i = 0; i < KEYS; i++) {
            String value = all.get(key(i));
            if (!acked.get(i).equals(value) && bad.incrementAndGet() <= 20) {
                wrong.add("iteration: " + key(i) + " = " + value + ", expected " + acked.get(i));
            }
        }
        Semaphore inFlight = new Semaphore(256);
        for (int i = 0; i < KEYS; i += GET_EVERY) {
            int index = i;
            inFlight.acquireUninterruptibly();
            map.getAsync(key(i)).whenComplete((value, e) -> {
                String expected = acked.get(index);
                if ((e != null || !expected.equals(value)) && bad.incrementAndGet() <= 20) {
                    wrong.add("get: " + key(index) + " = " + (e != null ? e.toString() : value) + ", expected "
                            + expected);
                }
                inFlight.release();
            });
        }
        inFlight.acquireUninterruptibly(256);
        if (bad.get() > 20) {
            wrong.add("... " + bad.get() + " wrong reads in all");
        }
        return wrong;
    }

    /**
     * Checks that every owner of every partition holds the same entries as its primary (same size, content digest
     * and sequence), so the new backups really are copies; retries briefly while replication settles.
     */
    private static void assertReplicasIdentical(GridNode node, GridMap<String, String> map) {
        PartitionTable table = node.table();
        List<String> differences = new ArrayList<>();
        for (int attempt = 0; attempt < 50; attempt++) {
            differences.clear();
            Map<Address, Map<Integer, long[]>> digests =
                    ((io.tessera.grid.internal.map.DefaultGridMap<String, String>) map).replicaDigests();
            for (int p = 0; p < table.partitionCount(); p++) {
                Address[] owners = table.owners(p);
                long[] primary = digests.get(owners[0]).get(p);
                for (int i = 1; i < owners.length; i++) {
                    long[] backup = digests.get(owners[i]).get(p);
                    if (primary == null || backup == null || primary[0] != 1
                            || !java.util.Arrays.equals(java.util.Arrays.copyOfRange(primary, 1, 4),
                            java.util.Arrays.copyOfRange(backup, 1, 4))) {
                        differences.add("partition " + p + ": primary " + java.util.Arrays.toString(primary)
                                + ", backup " + owners[i] + " " + java.util.Arrays.toString(backup));
                    }
                }
            }
            if (differences.isEmpty()) {
                return;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        assertThat(differences).as("replicas that differ from their primary ([primary?, sequence, size, digest])")
                .isEmpty();
    }

    /**
     * Writers that keep overwriting a small set of keys with synchronous {@code set}s while a crash happens; each
     * key has one writing thread, so its history is a sequence.
     */
    private static final class LiveWriters {
        private final GridMap<String, String> map;
        private final String prefix;
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicInteger acknowledged = new AtomicInteger();
        private final AtomicInteger failed = new AtomicInteger();
        private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        private final List<Thread> threads = new ArrayList<>();
        private final String[][] lastAcked = new String[WRITER_THREADS][LIVE_KEYS_PER_THREAD];
        @SuppressWarnings({"unchecked", "rawtypes"})
        private final List<String>[][] uncertain = new List[WRITER_THREADS][LIVE_KEYS_PER_THREAD];

        LiveWriters(GridMap<String, String> map, String prefix) {
            this.map = map;
            this.prefix = "live-" + prefix + "-";
        }

        void start() {
            for (int t = 0; t < WRITER_THREADS; t++) {
                int thread = t;
                for (int k = 0; k < LIVE_KEYS_PER_THREAD; k++) {
                    uncertain[t][k] = new ArrayList<>();
                }
                Thread writer = new Thread(() -> {
                    for (int seq = 0; running.get(); seq++) {
                        int k = seq % LIVE_KEYS_PER_THREAD;
                        String value = prefix + thread + "-" + k + "@" + seq;
                        try {
                            map.set(key(thread, k), value);
                            lastAcked[thread][k] = value;
                            uncertain[thread][k].clear();
                            acknowledged.incrementAndGet();
                        } catch (GridException e) {
                            uncertain[thread][k].add(value);
                            failed.incrementAndGet();
                            failures.add(key(thread, k) + " = " + value + ": " + e);
                        }
                    }
                }, "live-writer-" + t);
                writer.start();
                threads.add(writer);
            }
        }

        private String key(int thread, int k) {
            return prefix + thread + "-" + k;
        }

        int keyCount() {
            return WRITER_THREADS * LIVE_KEYS_PER_THREAD;
        }

        void stop() throws InterruptedException {
            running.set(false);
            for (Thread t : threads) {
                t.join(30_000);
                assertThat(t.isAlive()).as("live writer stopped").isFalse();
            }
        }

        void verify() {
            List<String> wrong = new ArrayList<>();
            for (int t = 0; t < WRITER_THREADS; t++) {
                for (int k = 0; k < LIVE_KEYS_PER_THREAD; k++) {
                    String value = map.get(key(t, k));
                    Set<String> allowed = new HashSet<>(uncertain[t][k]);
                    if (lastAcked[t][k] != null) {
                        allowed.add(lastAcked[t][k]);
                    } else {
                        allowed.add(null);
                    }
                    if (!allowed.contains(value)) {
                        wrong.add(key(t, k) + " = " + value + ", expected one of " + allowed);
                    }
                }
            }
            assertThat(wrong).as("live keys that lost their last acknowledged value").isEmpty();
        }
    }

    /** Polls the local view every 2 ms until the victim left it. */
    private static final class ViewWatcher extends Thread {
        private final GridNode node;
        private final Address victim;
        private volatile long killedAt;
        private volatile long removedMillis = -1;

        ViewWatcher(GridNode node, ForkedMember victim) {
            super("view-watcher");
            this.node = node;
            this.victim = addressOf(node, victim);
            setDaemon(true);
        }

        void start(long killedAt) {
            this.killedAt = killedAt;
            start();
        }

        @Override
        public void run() {
            while (node.cluster().isMember(victim)) {
                try {
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    return;
                }
            }
            removedMillis = millisSince(killedAt);
        }
    }

    // ---------------------------------------------------------------------------------------------- the table

    private static Address addressOf(GridNode node, ForkedMember member) {
        for (Address a : node.cluster().view().getMembers()) {
            if (((org.jgroups.util.UUID) a).toStringLong().equals(member.address())) {
                return a;
            }
        }
        throw new AssertionError(member + " is not in the view " + node.cluster().view());
    }

    /** A key of a partition whose primary is {@code member} under {@code table}. */
    private static String keyLedBy(PartitionTable table, ForkedMember member, String prefix) {
        for (int j = 0; j < 100_000; j++) {
            String key = prefix + j;
            int p = SlotHashing.partition(key.getBytes(StandardCharsets.UTF_8), table.partitionCount());
            Address primary = table.primary(p);
            if (primary != null && ((org.jgroups.util.UUID) primary).toStringLong().equals(member.address())) {
                return key;
            }
        }
        throw new AssertionError(member + " leads no partition in " + table);
    }

    /**
     * Waits until this member and every process in {@code others} see exactly those members, share one table
     * version with no syncing replica, every partition has min(n, 2) owners, all of them live, and primaries are
     * balanced.
     */
    private static void awaitSettled(GridNode node, List<ForkedMember> others, int n) {
        long deadline = System.nanoTime() + SETTLE.toNanos();
        String problem;
        while ((problem = settledProblem(node, others, n)) != null) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the table did not settle within " + SETTLE + ": " + problem);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    private static String settledProblem(GridNode node, List<ForkedMember> others, int n) {
        List<Address> view = node.cluster().view().getMembers();
        if (view.size() != n) {
            return "view " + node.cluster().view();
        }
        PartitionTable table = node.table();
        if (table.hasSyncing()) {
            return "table " + table.version() + " has syncing replicas";
        }
        int replicas = Math.min(n, 2);
        for (int p = 0; p < table.partitionCount(); p++) {
            Address[] owners = table.owners(p);
            if (owners.length != replicas) {
                return "partition " + p + " has " + owners.length + " owners in table " + table.version();
            }
            for (Address owner : owners) {
                if (!view.contains(owner)) {
                    return "partition " + p + " is owned by " + owner + ", not in the view";
                }
            }
        }
        Map<Address, Integer> primaries = table.primaryCounts();
        for (Address member : view) {
            int count = primaries.getOrDefault(member, 0);
            if (count < PARTITIONS / n || count > (PARTITIONS + n - 1) / n) {
                return member + " leads " + count + " partitions";
            }
        }
        for (ForkedMember other : others) {
            Map<String, String> remote = fields(other.command("TABLE"));
            if (!remote.get("version").equals(Long.toString(table.version()))) {
                return other.name() + " has table " + remote.get("version") + ", this member " + table.version();
            }
            if (!remote.get("syncing").equals("false")) {
                return other.name() + "'s table has syncing replicas";
            }
        }
        return null;
    }

    private static long millisSince(long nanoTime) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanoTime);
    }
}
