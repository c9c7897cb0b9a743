package io.tessera.redis.chaos;

import io.tessera.redis.chaos.Timeline.Fault;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Injects one fault after another, in a seeded random order, a new one every 10-15 s:
 * <ul>
 *   <li>{@code KILL}: {@code kill -9} of a member process, restarted 0.5-3 s later (same name and grid port, a
 *       fresh process);
 *   <li>{@code STOP}: SIGSTOP for 8-10 s (longer than FD_ALL3's 6 s timeout, so the others exclude it), then SIGCONT;
 *   <li>{@code PARTITION}: a minority (1 .. (n-1)/2 of all n members, the harness member included) cut off from the
 *       majority both ways with DISCARD for 8-15 s, then healed;
 *   <li>and, after three in ten SIGCONTs and heals, a {@code KILL} of a member 0-1 s later, while the cluster is
 *       still healing ({@code COMPOUND}).
 * </ul>
 * Never more than one member is down at once, plus at most the one of a compound kill: never a majority. A victim (or
 * minority) is chosen, among the candidates in random order, only if in the table of the largest view every
 * partition keeps a live replica outside it (owners outside that view count as gone): with one backup, a fault that
 * takes every replica of a partition at once loses data by design, and the harness must not blame the grid for it.
 * If no candidate qualifies it asks again for up to 20 s (a compound kill not at all) and then skips the fault. Waits
 * and skips are reported: a table that does not re-settle after a fault is a finding of its own.
 *
 * <p>After each SIGCONT a watcher measures how long the resumed member goes on serving as primary partitions that
 * the harness member's table gives to others ("zombie primary").
 */
final class FaultInjector extends Thread {
    static final Duration GATE_WAIT = Duration.ofSeconds(20);
    /** No new fault starts in the last seconds of the run, so the last one has healed before the checks. */
    static final int QUIET_TAIL_MILLIS = 15_000;

    private final ChaosCluster cluster;
    private final Random random;
    private final Timeline timeline;
    private final int endMillis;
    final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
    final List<String> skipped = Collections.synchronizedList(new ArrayList<>());
    final List<String> gateWaits = Collections.synchronizedList(new ArrayList<>());
    final List<String> zombies = Collections.synchronizedList(new ArrayList<>());
    private final List<Thread> watchers = Collections.synchronizedList(new ArrayList<>());
    private volatile Throwable failure;
    private volatile boolean stopRequested;

    FaultInjector(ChaosCluster cluster, long seed, Timeline timeline, int endMillis) {
        super("chaos-faults");
        this.cluster = cluster;
        this.random = new Random(seed);
        this.timeline = timeline;
        this.endMillis = endMillis;
        setDaemon(true);
    }

    /** Starts no new fault; the one in progress ends as planned. */
    void requestStop() {
        stopRequested = true;
    }

    int total() {
        return counts.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    Throwable failure() {
        return failure;
    }

    @Override
    public void run() {
        try {
            int next = timeline.now() + 2_000;
            while (!stopRequested && next < endMillis - QUIET_TAIL_MILLIS) {
                sleepUntil(next);
                if (stopRequested) {
                    break;
                }
                int started = timeline.now();
                switch (random.nextInt(3)) {
                    case 0 -> kill(null);
                    case 1 -> pause();
                    default -> partition();
                }
                next = Math.max(started + 10_000 + random.nextInt(5_001), timeline.now() + 1_000);
            }
        } catch (InterruptedException e) {
            // the run is over
        } catch (Throwable t) {
            failure = t;
            timeline.log("fault injector failed: " + t);
        }
    }

    /** Waits for the watchers to finish. */
    void awaitWatchers() throws InterruptedException {
        for (Thread t : new ArrayList<>(watchers)) {
            t.join(30_000);
        }
    }

    private void count(String kind) {
        counts.computeIfAbsent(kind, k -> new AtomicInteger()).incrementAndGet();
    }

    private List<ChaosNode> running() {
        return cluster.nodes.stream().filter(n -> n.state() == ChaosNode.State.RUNNING).toList();
    }

    /**
     * Picks the first of {@code candidates} (victim sets by member name, in the random order the caller made) whose
     * loss leaves every partition a live replica; if none does, asks again every 500 ms for up to {@code wait}, then
     * gives up, records a skip and returns null.
     */
    private Set<String> choose(String fault, List<Set<String>> candidates, Duration wait)
            throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + wait.toNanos();
        String problem = "no candidate";
        while (!candidates.isEmpty()) {
            Map<String, MemberStatus> statuses = cluster.statusAll(ChaosCluster.STATUS_TIMEOUT);
            for (Set<String> victimNames : candidates) {
                Set<String> victims = new HashSet<>();
                for (String name : victimNames) {
                    victims.add(cluster.uuidOf(name));
                }
                String p = ChaosCluster.redundancyProblem(statuses, victims, cluster.nodes.size() + 1);
                if (p == null) {
                    long waited = (System.nanoTime() - start) / 1_000_000;
                    if (waited > 1_500) {
                        gateWaits.add(fault + " " + victimNames + " waited " + waited
                                + " ms until no partition would lose its last live replica");
                    }
                    return victimNames;
                }
                if (victimNames == candidates.get(0)) {
                    problem = victimNames + ": " + p;
                }
            }
            if (System.nanoTime() > deadline) {
                break;
            }
            Thread.sleep(500);
        }
        String text = fault + " at " + Timeline.seconds(timeline.now()) + ", no victim possible (" + candidates.size()
                + " candidates), e.g. " + problem;
        skipped.add(text);
        timeline.log("skipped " + text);
        return null;
    }

    /** Every running member as a candidate victim, in random order. */
    private List<Set<String>> singleVictims() {
        List<Set<String>> candidates = new ArrayList<>();
        running().forEach(n -> candidates.add(Set.of(n.name())));
        Collections.shuffle(candidates, random);
        return candidates;
    }

    private ChaosNode node(Set<String> victim) {
        String name = victim.iterator().next();
        return cluster.nodes.stream().filter(n -> n.name().equals(name)).findFirst().orElseThrow();
    }

    private void kill(String after) throws InterruptedException {
        String kind = after == null ? "KILL" : "COMPOUND-KILL";
        Set<String> chosen = choose(kind, singleVictims(), after == null ? GATE_WAIT : Duration.ZERO);
        if (chosen == null) {
            return;
        }
        ChaosNode victim = node(chosen);
        Fault fault = timeline.begin(kind, victim.name() + (after == null ? "" : " right after " + after));
        count(kind);
        victim.kill9();
        Thread.sleep(500 + random.nextInt(2_501));
        restart(victim);
        fault.end("restarted as " + victim.uuid());
    }

    private void restart(ChaosNode node) {
        for (int attempt = 1; ; attempt++) {
            try {
                node.start(ChaosCluster.READY_TIMEOUT);
                return;
            } catch (AssertionError | RuntimeException e) {
                timeline.log("restart of " + node.name() + " failed (attempt " + attempt + "): " + e.getMessage());
                node.destroy();
                if (attempt == 3) {
                    throw e;
                }
            }
        }
    }

    private void pause() throws InterruptedException {
        Set<String> chosen = choose("STOP", singleVictims(), GATE_WAIT);
        if (chosen == null) {
            return;
        }
        ChaosNode victim = node(chosen);
        int millis = 8_000 + random.nextInt(2_001);
        Fault fault = timeline.begin("STOP", victim.name() + " for " + millis + " ms");
        count("STOP");
        victim.sigstop();
        Thread.sleep(millis);
        victim.sigcont();
        watchZombie(victim, fault);
        fault.end("SIGCONT");
        maybeCompound("SIGCONT of " + victim.name());
    }

    private void partition() throws InterruptedException {
        List<String> members = new ArrayList<>();
        members.add(ChaosCluster.HARNESS);
        running().forEach(n -> members.add(n.name()));
        int n = members.size();
        int maxMinority = (n - 1) / 2;
        if (maxMinority < 1 || n < cluster.nodes.size() + 1) {
            return;
        }
        // A minority of a random size, else a smaller one: with one backup, two members usually share a partition,
        // and cutting both off from the majority takes every replica of it from that side.
        List<Set<String>> candidates = new ArrayList<>();
        for (int size = 1 + random.nextInt(maxMinority); size >= 1; size--) {
            List<Set<String>> ofSize = new ArrayList<>();
            subsets(members, size, 0, new ArrayList<>(), ofSize);
            Collections.shuffle(ofSize, random);
            candidates.addAll(ofSize);
        }
        Set<String> minority = choose("PARTITION", candidates, GATE_WAIT);
        if (minority == null) {
            return;
        }
        int millis = 8_000 + random.nextInt(7_001);
        Fault fault = timeline.begin("PARTITION", "minority " + minority + " for " + millis + " ms");
        count("PARTITION");
        List<String> unconfirmed = cluster.cut(minority);
        if (!unconfirmed.isEmpty()) {
            timeline.log("CUT not confirmed in time by " + unconfirmed);
        }
        Thread.sleep(millis);
        unconfirmed = cluster.healNetwork();
        fault.end("HEAL" + (unconfirmed.isEmpty() ? "" : " (not confirmed in time by " + unconfirmed + ")"));
        maybeCompound("HEAL of " + minority);
    }

    private static void subsets(List<String> members, int size, int from, List<String> current,
                                List<Set<String>> out) {
        if (current.size() == size) {
            out.add(new HashSet<>(current));
            return;
        }
        for (int i = from; i < members.size(); i++) {
            current.add(members.get(i));
            subsets(members, size, i + 1, current, out);
            current.remove(current.size() - 1);
        }
    }

    private void maybeCompound(String after) throws InterruptedException {
        if (random.nextInt(10) < 3 && !stopRequested && timeline.now() < endMillis) {
            Thread.sleep(random.nextInt(1_001));
            kill(after);
        }
    }

    /**
     * After SIGCONT: how long the resumed member still serves as primary partitions the harness's table gives to
     * another member. Polls for up to 30 s, or until it is stopped or killed again.
     */
    private void watchZombie(ChaosNode node, Fault fault) {
        String uuid = node.uuid();
        int resumed = timeline.now();
        Thread watcher = new Thread(() -> {
            int worst = 0;
            int lastForeign = -1;
            int lastSeen = -1;
            int polls = 0;
            while (timeline.now() - resumed < 30_000 && node.state() == ChaosNode.State.RUNNING
                    && uuid.equals(node.uuid())) {
                MemberStatus mine = node.status(Duration.ofSeconds(2));
                MemberStatus harness = cluster.harnessStatus();
                if (mine != null && mine.served() != null) {
                    polls++;
                    int foreign = 0;
                    BitSet served = mine.served();
                    for (int p = served.nextSetBit(0); p >= 0; p = served.nextSetBit(p + 1)) {
                        if (!uuid.equals(harness.primary(p))) {
                            foreign++;
                        }
                    }
                    worst = Math.max(worst, foreign);
                    lastSeen = timeline.now() - resumed;
                    if (foreign > 0) {
                        lastForeign = lastSeen;
                    } else if (lastForeign >= 0 || worst == 0) {
                        break;
                    }
                }
                try {
                    Thread.sleep(250);
                } catch (InterruptedException e) {
                    return;
                }
            }
            String text = "after SIGCONT of " + node.name() + " (fault #" + fault.id + "): "
                    + (polls == 0 ? "no STATUS answered within 30 s"
                    : worst == 0 ? "served no partition the harness's table gives to another member"
                    : "served up to " + worst + " partitions the harness's table gives to others, last seen "
                    + lastForeign + " ms after SIGCONT" + (lastForeign == lastSeen ? " (still at the end of the watch)"
                    : ""));
            zombies.add(text);
            timeline.log(text);
        }, "chaos-zombie-watch-" + node.name());
        watcher.setDaemon(true);
        watchers.add(watcher);
        watcher.start();
    }

    private void sleepUntil(int millis) throws InterruptedException {
        while (!stopRequested && timeline.now() < millis) {
            Thread.sleep(Math.min(200, millis - timeline.now()));
        }
    }

    /**
     * Ends every fault still in force: SIGCONT for stopped members, HEAL for cut ones, a restart for killed ones.
     * Called after the injector thread has stopped.
     */
    void healEverything() {
        for (ChaosNode node : cluster.nodes) {
            if (node.state() == ChaosNode.State.STOPPED) {
                timeline.log("final heal: SIGCONT " + node.name());
                node.sigcont();
            }
        }
        List<String> unconfirmed = cluster.healNetwork();
        if (!unconfirmed.isEmpty()) {
            timeline.log("final HEAL not confirmed in time by " + unconfirmed);
        }
        for (ChaosNode node : cluster.nodes) {
            if (node.state() == ChaosNode.State.KILLED) {
                timeline.log("final heal: restarting " + node.name());
                restart(node);
            }
        }
    }
}
