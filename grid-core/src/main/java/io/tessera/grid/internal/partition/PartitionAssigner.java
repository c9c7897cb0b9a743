package io.tessera.grid.internal.partition;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The function that decides, for every partition, which members own it and in which order
 * ({@code [primary, backup1, ...]}), given the live members and who holds which replica now.
 *
 * <p>Let {@code P} be the partition count, {@code n} the number of live members, {@code R = min(replicaCount, n)}
 * the owners per partition, {@code q = floor(P / n)} and {@code b = floor(R * P / n)}.
 *
 * <h2>Guarantees</h2>
 * <ul>
 *   <li><b>Shape.</b> Every partition gets exactly {@code R} distinct live members, primary first.</li>
 *   <li><b>Balance per position, exactly.</b> For every position {@code i} in {@code 0..R-1} (0 = primary), every
 *       member stands at position {@code i} of {@code q} or {@code q + 1} partitions ({@code floor(P/n)} or
 *       {@code ceil(P/n)}).</li>
 *   <li><b>Balance in total, exactly.</b> Every member owns {@code b} or {@code b + 1} replicas
 *       ({@code floor(RP/n)} or {@code ceil(RP/n)}).</li>
 *   <li><b>Movement.</b> The lower bound on new replica memberships for any assignment with these totals is
 *       {@code RP - max kept}, where {@code max kept = sum over members of min(held, cap)} with the {@code b + 1}
 *       caps given to members that hold more than {@code b}. The assigner keeps every replica the lower bound keeps,
 *       except when the kept replicas cannot be completed into distinct owner lists; then each completion
 *       (an augmenting chain, below) gives up the fewest kept replicas it can find (shortest chain). On joins and
 *       leaves of tables this class made, the bound is met exactly in the tests.</li>
 *   <li><b>Primaries.</b> Within the chosen owner sets, the primary of every partition is chosen by a min-cost
 *       assignment under the balance bounds: keeping the current primary costs nothing, promoting a current holder
 *       (lowest current position first) costs one demotion, and putting the primary on a member that must first
 *       copy the data costs three. So a partition whose primary died is led by a surviving holder whenever a
 *       balanced assignment allows it, and primaries only change as much as rebalancing needs. The cost is
 *       minimal for the chosen owner sets and the per-member primary counts that balancing reaches; it is not a
 *       global optimum over every possible owner set.</li>
 *   <li><b>Determinism.</b> No randomness and no hash-order iteration: the same inputs give the same table on every
 *       member and every JVM.</li>
 * </ul>
 *
 * <h2>Algorithm</h2>
 * <ol>
 *   <li><b>Survivors.</b> For each partition keep the current owners that are live members, in order, dropping
 *       duplicates, nulls and non-members, and at most {@code R} of them (the first ones: primary, then the senior
 *       backups).</li>
 *   <li><b>Quotas.</b> Every member may own {@code b} replicas; the {@code RP mod n} members that may own
 *       {@code b + 1} are those that hold more than {@code b} now (they keep one more replica), then those that lead
 *       the most partitions now (so primaries need not move to reach the per-position bounds), then view order.</li>
 *   <li><b>Shed.</b> Members above their quota give up replicas one at a time, round-robin, each choosing the
 *       partition with the fewest open places (so that holes can be refilled without chains), then one it does not
 *       lead, then the one where it is the most junior backup.</li>
 *   <li><b>Fill.</b> Partitions with the most open places first, each place goes to a member with room that is not
 *       in the list yet: a member still holding an older copy first, then the one with the most room.</li>
 *   <li><b>Repair.</b> A place the greedy fill cannot fill (every member with room is already in that list) is
 *       filled by the shortest augmenting chain, found by breadth-first search: the list takes a member from
 *       another list, which takes one from another, ..., and the last takes a member with room. A simple bipartite
 *       graph with these degrees always exists (the cyclic layout), so by the augmenting-path theorem the search
 *       always succeeds.</li>
 *   <li><b>Order.</b> Positions are filled one at a time, primary first. By de Werra's theorem a bipartite graph
 *       has an equitable edge colouring, so owner sets with the balanced totals above can always be ordered so that
 *       every position is balanced; the bounds for the current position are chosen so that what remains stays
 *       balanced. Each partition first takes its cheapest remaining member; then, while some member is outside its
 *       bounds, a shortest (min-cost, Bellman-Ford over the members) chain of swaps moves one position from a
 *       member with too many to one with too few. Starting from a per-partition optimum and always augmenting along
 *       shortest paths keeps the assignment min-cost for its counts; the search is complete, so the bounds are
 *       always met.</li>
 * </ol>
 *
 * <p>Cost: {@code O(P * n)} memory; time dominated by the repair of the primary position, about {@code O(P * R + n^2)}
 * per moved primary. 1024 partitions, 20 members and 3 replicas take a few milliseconds.
 *
 * <p>Members are compared with {@link Object#equals(Object)} and must have a consistent {@code hashCode}. The class
 * is stateless and thread-safe.
 */
public final class PartitionAssigner {

    /**
     * Cost of a primary that is not the current primary: one demotion (or one promotion after a loss). The holder's
     * current position, below this, breaks ties. A primary without a copy costs more than any chain of demotions
     * (see {@code Solver.copyCost}), so a copy is only chosen when no balanced order avoids it.
     */
    private static final int DEMOTE = 64;

    private static final int[] NONE = new int[0];

    /** How many partitions the balancing keeps per member pair between rebuilds of its graph. */
    private static final int CANDIDATES = 16;

    private PartitionAssigner() {
    }

    /**
     * Computes a balanced, minimal-movement owner table for {@code partitionCount} partitions over the live
     * {@code members}; see the class documentation for the algorithm and its guarantees.
     *
     * @param partitionCount the number of partitions, 1..{@value SlotHashing#SLOT_COUNT}
     * @param replicaCount   owners wanted per partition (1 + backups), at least 1; capped at {@code members.size()}
     * @param members        the live members in view order: non-empty, distinct, no nulls
     * @param current        per partition, the owners that hold a complete replica now, primary first; {@code null}
     *                       (for the whole table or for one partition) means nothing is held; members not in
     *                       {@code members} are ignored
     * @param <M>            the member type, compared with {@code equals}
     * @return an unmodifiable list with, for every partition, an unmodifiable list of exactly
     *     {@code min(replicaCount, members.size())} distinct members, primary first
     * @throws IllegalArgumentException if a count is out of range, {@code members} is empty, has a null or a
     *     duplicate, or {@code current} does not have one entry per partition
     */
    public static <M> List<List<M>> assign(int partitionCount, int replicaCount, List<M> members,
                                           List<List<M>> current) {
        if (partitionCount < 1 || partitionCount > SlotHashing.SLOT_COUNT) {
            throw new IllegalArgumentException(
                    "partitionCount: " + partitionCount + " (expected 1.." + SlotHashing.SLOT_COUNT + ")");
        }
        if (replicaCount < 1) {
            throw new IllegalArgumentException("replicaCount: " + replicaCount + " (expected at least 1)");
        }
        Objects.requireNonNull(members, "members");
        if (members.isEmpty()) {
            throw new IllegalArgumentException("members: [] (expected at least one member)");
        }
        if (current != null && current.size() != partitionCount) {
            throw new IllegalArgumentException("current: " + current.size() + " owner lists (expected "
                    + partitionCount + ", one per partition)");
        }
        int n = members.size();
        Map<M, Integer> index = new HashMap<>(n * 2);
        for (int i = 0; i < n; i++) {
            M member = members.get(i);
            if (member == null) {
                throw new IllegalArgumentException("members: null at index " + i + " (expected no nulls)");
            }
            Integer previous = index.putIfAbsent(member, i);
            if (previous != null) {
                throw new IllegalArgumentException("members: " + member + " at indexes " + previous + " and " + i
                        + " (expected distinct members)");
            }
        }

        int[][] holders = new int[partitionCount][];
        int[] currentPrimary = new int[partitionCount];
        int[] seenIn = new int[n];
        int[] scratch = new int[n];
        for (int p = 0; p < partitionCount; p++) {
            List<M> owners = current == null ? null : current.get(p);
            currentPrimary[p] = -1;
            int count = 0;
            if (owners != null) {
                for (int i = 0; i < owners.size(); i++) {
                    M owner = owners.get(i);
                    Integer m = owner == null ? null : index.get(owner);
                    if (m != null && seenIn[m] != p + 1) {
                        seenIn[m] = p + 1;
                        scratch[count++] = m;
                        if (i == 0) {
                            currentPrimary[p] = m;
                        }
                    }
                }
            }
            holders[p] = count == 0 ? NONE : Arrays.copyOf(scratch, count);
        }

        int[][] table = new Solver(partitionCount, Math.min(replicaCount, n), n, holders, currentPrimary).solve();

        List<List<M>> result = new ArrayList<>(partitionCount);
        for (int[] row : table) {
            List<M> owners = new ArrayList<>(row.length);
            for (int m : row) {
                owners.add(members.get(m));
            }
            result.add(List.copyOf(owners));
        }
        return List.copyOf(result);
    }

    /**
     * Counts the replica memberships of {@code to} that {@code from} does not have: for every partition, the owners
     * in {@code to} that are not owners in {@code from}, i.e. the replicas that must be copied to go from one table
     * to the other.
     *
     * @param from the earlier table; {@code null}, missing or {@code null} entries count as empty
     * @param to   the later table; {@code null} entries count as empty
     * @param <M>  the member type, compared with {@code equals}
     * @return the number of new (partition, member) memberships
     */
    public static <M> int movedReplicas(List<List<M>> from, List<List<M>> to) {
        int moved = 0;
        for (int p = 0; p < to.size(); p++) {
            List<M> after = to.get(p);
            if (after == null) {
                continue;
            }
            List<M> before = from == null || p >= from.size() ? null : from.get(p);
            for (M member : after) {
                if (before == null || !before.contains(member)) {
                    moved++;
                }
            }
        }
        return moved;
    }

    /** The working state of one assignment, with members and partitions as dense int indexes. */
    private static final class Solver {
        private final int partitions;
        private final int replicas;
        private final int memberCount;
        /** floor(P / n): the lower bound of every per-position count. */
        private final int perPosition;
        /** Live current owners of each partition, in their current order. */
        private final int[][] holders;
        /** The live current primary of each partition, or -1. */
        private final int[] currentPrimary;

        /** The owner set of each partition, unordered until {@link #order()}. */
        private final int[][] sets;
        private final int[] setSize;
        /** inSet[p * n + m]: whether member m is in the owner set of partition p. */
        private final boolean[] inSet;
        /** placed[p * n + m]: whether member m was added to partition p's set in this run rather than kept. */
        private final boolean[] placed;
        /** The number of replicas each member owns in the sets so far. */
        private final int[] load;
        /** together[a * n + b]: the number of owner sets that hold both a and b. */
        private final int[] together;
        /** floor(RP / n): every member owns this many replicas, or one more if it has a bonus. */
        private int base;
        /** Whether a member may own {@code base + 1} replicas. */
        private final boolean[] bonus;
        /** Bonuses not handed out yet; the first fill or chain that needs one takes it. */
        private int bonusesLeft;
        /** The cost of a primary without a copy: more than a chain of demotions through every member. */
        private final int copyCost;

        Solver(int partitions, int replicas, int memberCount, int[][] holders, int[] currentPrimary) {
            this.partitions = partitions;
            this.replicas = replicas;
            this.memberCount = memberCount;
            this.perPosition = partitions / memberCount;
            this.holders = holders;
            this.currentPrimary = currentPrimary;
            this.sets = new int[partitions][replicas];
            this.setSize = new int[partitions];
            this.inSet = new boolean[partitions * memberCount];
            this.placed = new boolean[partitions * memberCount];
            this.load = new int[memberCount];
            this.together = new int[memberCount * memberCount];
            this.bonus = new boolean[memberCount];
            this.copyCost = 2 * DEMOTE * memberCount;
        }

        int[][] solve() {
            chooseSets();
            return order();
        }

        // ---- owner sets ---------------------------------------------------------------------------------------

        private void chooseSets() {
            int n = memberCount;
            int[] leads = new int[n];
            for (int p = 0; p < partitions; p++) {
                int keep = Math.min(replicas, holders[p].length);
                for (int i = 0; i < keep; i++) {
                    place(p, holders[p][i]);
                }
                if (currentPrimary[p] >= 0) {
                    leads[currentPrimary[p]]++;
                }
            }
            long total = (long) replicas * partitions;
            base = (int) (total / n);
            bonusesLeft = (int) (total % n);
            // Bonuses go first to members that would otherwise have to give up a replica they hold, those leading
            // the most partitions first (an owner of base replicas may be unable to lead ceil(P/n) partitions).
            Integer[] byPreference = new Integer[n];
            for (int m = 0; m < n; m++) {
                byPreference[m] = m;
            }
            Arrays.sort(byPreference, (a, b) -> {
                int c = Integer.compare(leads[b], leads[a]);
                if (c == 0) {
                    c = Integer.compare(load[b], load[a]);
                }
                return c != 0 ? c : Integer.compare(a, b);
            });
            for (int m : byPreference) {
                if (bonusesLeft > 0 && load[m] > base) {
                    bonus[m] = true;
                    bonusesLeft--;
                }
            }
            shed();
            int holes = fill();
            // Chains that move only replicas placed in this run cost no kept replica; try those first.
            while (holes > 0 && augment(true)) {
                holes--;
            }
            while (holes > 0) {
                if (!augment(false)) {
                    throw new IllegalStateException("no balanced owner sets found (cannot happen: the cyclic layout "
                            + "is one)");
                }
                holes--;
            }
        }

        /** The number of replicas member m may still take, counting a bonus it could claim. */
        private int room(int m) {
            return base + (bonus[m] || bonusesLeft > 0 ? 1 : 0) - load[m];
        }

        /** Takes replicas away from members above their quota, round-robin, spreading the holes. */
        private void shed() {
            int n = memberCount;
            int[][] heldBy = new int[n][];
            int[] heldCount = new int[n];
            boolean over = false;
            for (int m = 0; m < n; m++) {
                if (room(m) < 0) {
                    heldBy[m] = new int[load[m]];
                    over = true;
                }
            }
            if (!over) {
                return;
            }
            for (int p = 0; p < partitions; p++) {
                for (int i = 0; i < setSize[p]; i++) {
                    int m = sets[p][i];
                    if (heldBy[m] != null) {
                        heldBy[m][heldCount[m]++] = p;
                    }
                }
            }
            while (over) {
                over = false;
                for (int m = 0; m < n; m++) {
                    if (room(m) >= 0) {
                        continue;
                    }
                    int best = -1;
                    int bestAt = -1;
                    for (int i = 0; i < heldCount[m]; i++) {
                        int p = heldBy[m][i];
                        if (p >= 0 && (best < 0 || shedsBefore(m, p, best))) {
                            best = p;
                            bestAt = i;
                        }
                    }
                    heldBy[m][bestAt] = -1;
                    remove(best, m);
                    over |= room(m) < 0;
                }
            }
        }

        /** Whether member m should rather give up partition p than partition other. */
        private boolean shedsBefore(int m, int p, int other) {
            int c = Boolean.compare(spareHolder(other), spareHolder(p));
            if (c == 0) {
                c = Integer.compare(replicas - setSize[p], replicas - setSize[other]);
            }
            if (c == 0) {
                c = Boolean.compare(currentPrimary[p] == m, currentPrimary[other] == m);
            }
            if (c == 0) {
                c = Integer.compare(holderIndex(other, m), holderIndex(p, m));
            }
            return c != 0 ? c < 0 : p < other;
        }

        /** Fills open places greedily, partitions with the most open places first; returns the places left open. */
        private int fill() {
            int n = memberCount;
            // Holders beyond the kept ones (the replica count went down) refill places without a copy: first.
            for (int p = 0; p < partitions; p++) {
                for (int i = replicas; i < holders[p].length && setSize[p] < replicas; i++) {
                    int m = holders[p][i];
                    if (!inSet[p * n + m] && room(m) > 0) {
                        add(p, m);
                        placed[p * n + m] = false;
                    }
                }
            }
            int[] byHoles = new int[partitions];
            int count = 0;
            for (int holes = replicas; holes > 0; holes--) {
                for (int p = 0; p < partitions; p++) {
                    if (replicas - setSize[p] == holes) {
                        byHoles[count++] = p;
                    }
                }
            }
            for (int k = 0; k < count; k++) {
                int p = byHoles[k];
                while (setSize[p] < replicas) {
                    int best = -1;
                    boolean bestHolds = false;
                    int bestRoom = 0;
                    int bestTogether = 0;
                    for (int i = 0; i < n; i++) {
                        int m = (p + i) % n; // rotate ties so equal members take turns across partitions
                        int room = room(m);
                        if (room <= 0 || inSet[p * n + m]) {
                            continue;
                        }
                        boolean holds = holders[p].length > replicas && holderIndex(p, m) >= 0;
                        int with = togetherWith(p, m);
                        int c = best < 0 ? -1 : Boolean.compare(bestHolds, holds);
                        if (c == 0) {
                            c = Integer.compare(bestRoom, room);
                        }
                        if (c == 0) {
                            c = Integer.compare(with, bestTogether);
                        }
                        if (c < 0) {
                            best = m;
                            bestHolds = holds;
                            bestRoom = room;
                            bestTogether = with;
                        }
                    }
                    if (best < 0) {
                        break;
                    }
                    add(p, best);
                }
            }
            int open = 0;
            for (int p = 0; p < partitions; p++) {
                open += replicas - setSize[p];
            }
            return open;
        }

        /** Whether partition p has a holder beyond the kept ones that could take an open place without a copy. */
        private boolean spareHolder(int p) {
            int[] h = holders[p];
            for (int i = replicas; i < h.length; i++) {
                if (!inSet[p * memberCount + h[i]] && room(h[i]) > 0) {
                    return true;
                }
            }
            return false;
        }

        /** How many owner sets member m already shares with the members of partition p's set. */
        private int togetherWith(int p, int m) {
            int sum = 0;
            for (int i = 0; i < setSize[p]; i++) {
                sum += together[sets[p][i] * memberCount + m];
            }
            return sum;
        }

        /**
         * Fills one open place through the shortest augmenting chain, or returns false if there is none: a list with
         * an open place takes member B1 from list p1, p1 takes B2 from p2, ..., and the last list takes a member that
         * still has room. With {@code onlyPlaced}, only replicas placed in this run (not kept ones) may move.
         */
        private boolean augment(boolean onlyPlaced) {
            int n = memberCount;
            int[] prev = new int[partitions];
            int[] via = new int[partitions];
            boolean[] visited = new boolean[partitions];
            boolean[] expanded = new boolean[n];
            int[] queue = new int[partitions];
            int head = 0;
            int tail = 0;
            for (int p = 0; p < partitions; p++) {
                if (setSize[p] < replicas) {
                    visited[p] = true;
                    prev[p] = -1;
                    queue[tail++] = p;
                }
            }
            while (head < tail) {
                int x = queue[head++];
                for (int a = 0; a < n; a++) {
                    if (room(a) > 0 && !inSet[x * n + a]) {
                        // Walk back: each list on the chain hands its via member up and takes the one from below.
                        int incoming = a;
                        for (int y = x; ; y = prev[y]) {
                            if (prev[y] < 0) {
                                add(y, incoming);
                                return true;
                            }
                            int outgoing = via[y];
                            remove(y, outgoing);
                            add(y, incoming);
                            incoming = outgoing;
                        }
                    }
                }
                for (int b = 0; b < n; b++) {
                    if (expanded[b] || inSet[x * n + b]) {
                        continue;
                    }
                    expanded[b] = true;
                    for (int y = 0; y < partitions; y++) {
                        if (!visited[y] && inSet[y * n + b] && (!onlyPlaced || placed[y * n + b])) {
                            visited[y] = true;
                            prev[y] = x;
                            via[y] = b;
                            queue[tail++] = y;
                        }
                    }
                }
            }
            return false;
        }

        /** Adds member m to partition p's set, claiming a bonus if m goes above {@code base}. */
        private void add(int p, int m) {
            if (load[m] >= base && !bonus[m]) {
                bonus[m] = true;
                bonusesLeft--;
            }
            place(p, m);
            placed[p * memberCount + m] = true;
        }

        /** Adds member m to partition p's set without looking at quotas. */
        private void place(int p, int m) {
            int n = memberCount;
            int[] set = sets[p];
            for (int i = 0; i < setSize[p]; i++) {
                together[set[i] * n + m]++;
                together[m * n + set[i]]++;
            }
            set[setSize[p]++] = m;
            inSet[p * n + m] = true;
            load[m]++;
        }

        private void remove(int p, int m) {
            int n = memberCount;
            int[] set = sets[p];
            int size = setSize[p];
            int at = -1;
            for (int i = 0; i < size; i++) {
                if (set[i] == m) {
                    at = i;
                } else {
                    together[set[i] * n + m]--;
                    together[m * n + set[i]]--;
                }
            }
            if (at < 0) {
                throw new IllegalStateException("member " + m + " not in partition " + p);
            }
            set[at] = set[size - 1];
            setSize[p] = size - 1;
            inSet[p * n + m] = false;
            placed[p * n + m] = false;
            load[m]--;
        }

        private int holderIndex(int p, int m) {
            int[] h = holders[p];
            for (int i = 0; i < h.length; i++) {
                if (h[i] == m) {
                    return i;
                }
            }
            return -1;
        }

        // ---- order within the sets -------------------------------------------------------------------------

        /**
         * Orders every owner set, one position at a time, so that every position is balanced. Among equal costs the
         * choice spreads pairs: a member leads partitions together with every other member about equally often, and
         * the members at each backup position of the partitions a member leads are spread too, so that when a member
         * leaves, the partitions it led can be taken over by many survivors that hold them.
         */
        private int[][] order() {
            int n = memberCount;
            int q = perPosition;
            int[][] table = new int[partitions][replicas];
            int[] remaining = load.clone();
            int[] selected = new int[partitions];
            int[] count = new int[n];
            int[] lo = new int[n];
            int[] hi = new int[n];
            int[] pairs = new int[n * n];
            for (int position = 0; position < replicas; position++) {
                int after = replicas - position - 1;
                for (int m = 0; m < n; m++) {
                    // Leave every member a remainder that the later positions can still spread evenly.
                    lo[m] = Math.max(q, remaining[m] - after * (q + 1));
                    hi[m] = Math.min(q + 1, remaining[m] - after * q);
                }
                Arrays.fill(count, 0);
                Arrays.fill(pairs, 0);
                for (int p = 0; p < partitions; p++) {
                    int best = -1;
                    int bestCost = 0;
                    int bestSpread = 0;
                    for (int i = 0; i < setSize[p]; i++) {
                        int m = sets[p][i];
                        int cost = cost(position, p, m);
                        int spread = spread(table, pairs, position, p, m);
                        int c = best < 0 ? -1 : Integer.compare(cost, bestCost);
                        if (c == 0) {
                            c = Boolean.compare(count[m] >= hi[m], count[best] >= hi[best]);
                        }
                        if (c == 0) {
                            c = Integer.compare(spread, bestSpread);
                        }
                        if (c == 0) {
                            c = Integer.compare(count[m], count[best]);
                        }
                        if (c == 0) {
                            c = Integer.compare(Math.floorMod(m - p, n), Math.floorMod(best - p, n));
                        }
                        if (c < 0) {
                            best = m;
                            bestCost = cost;
                            bestSpread = spread;
                        }
                    }
                    selected[p] = best;
                    count[best]++;
                    pair(table, pairs, position, p, best, 1);
                }
                balance(table, pairs, position, selected, count, lo, hi);
                for (int p = 0; p < partitions; p++) {
                    int m = selected[p];
                    table[p][position] = m;
                    remove(p, m);
                    remaining[m]--;
                }
            }
            return table;
        }

        /**
         * How often member m already stands with the rest of partition p's set: at position 0, the partitions m
         * leads together with each other member of the set; at a backup position, the partitions led by p's primary
         * with m at this position.
         */
        private int spread(int[][] table, int[] pairs, int position, int p, int m) {
            int n = memberCount;
            if (position > 0) {
                return pairs[table[p][0] * n + m];
            }
            int sum = 0;
            for (int i = 0; i < setSize[p]; i++) {
                int other = sets[p][i];
                if (other != m) {
                    sum += pairs[m * n + other];
                }
            }
            return sum;
        }

        /** Records (delta 1) or forgets (delta -1) member m at this position of partition p in the pair counts. */
        private void pair(int[][] table, int[] pairs, int position, int p, int m, int delta) {
            int n = memberCount;
            if (position > 0) {
                pairs[table[p][0] * n + m] += delta;
                return;
            }
            for (int i = 0; i < setSize[p]; i++) {
                int other = sets[p][i];
                if (other != m) {
                    pairs[m * n + other] += delta;
                }
            }
        }

        /** The cost of putting member m at this position of partition p; lower is better. */
        private int cost(int position, int p, int m) {
            int h = holderIndex(p, m);
            if (position == 0) {
                return (m == currentPrimary[p] ? 0 : DEMOTE) + (h >= 0 ? Math.min(h, DEMOTE - 1) : copyCost);
            }
            return (h >= 0 ? 0 : 2) + (h == position ? 0 : 1);
        }

        /**
         * Moves this position between members along min-cost chains until every member's count lies within
         * {@code lo..hi}: first from members above {@code hi}, then into members below {@code lo}.
         *
         * <p>A chain is a shortest path in the graph of members where an edge a&rarr;b means "some partition that
         * has a at this position could have b there instead", weighted by the cheapest such change. Rebuilding that
         * graph costs a pass over all partitions, so each edge caches its {@value #CANDIDATES} cheapest partitions,
         * and every change adds the changed partition's new edges to the cache. An edge's weight is its first
         * cached partition that still has a at this position; that is exact unless the cache of the edge is full
         * and all stale, and then the graph is rebuilt.
         */
        private void balance(int[][] table, int[] pairs, int position, int[] selected, int[] count, int[] lo,
                             int[] hi) {
            int n = memberCount;
            int[][] costs = new int[partitions][];
            for (int p = 0; p < partitions; p++) {
                costs[p] = new int[setSize[p]];
                for (int i = 0; i < setSize[p]; i++) {
                    costs[p][i] = cost(position, p, sets[p][i]);
                }
            }
            Candidates cache = new Candidates(n);
            int[] weight = new int[n * n];
            int[] through = new int[n * n];
            long[] dist = new long[n];
            int[] pred = new int[n];
            boolean[] source = new boolean[n];
            boolean[] target = new boolean[n];
            boolean[] onPath = new boolean[n];
            boolean stale = true;
            while (true) {
                boolean push = false;
                boolean pull = false;
                for (int m = 0; m < n; m++) {
                    push |= count[m] > hi[m];
                    pull |= count[m] < lo[m];
                }
                if (!push && !pull) {
                    return;
                }
                for (int m = 0; m < n; m++) {
                    source[m] = push ? count[m] > hi[m] : count[m] > lo[m];
                    target[m] = push ? count[m] < hi[m] : count[m] < lo[m];
                }
                if (stale || !cache.weights(selected, weight, through)) {
                    cache.clear();
                    for (int p = 0; p < partitions; p++) {
                        offer(cache, table, pairs, position, p, selected[p], costs);
                    }
                    cache.weights(selected, weight, through);
                    stale = false;
                }
                int end = shortestChain(source, target, weight, dist, pred);
                if (end < 0) {
                    throw new IllegalStateException("no balanced order found for position " + position
                            + " (cannot happen: an equitable edge colouring exists)");
                }
                // A walk longer than n members is a negative cycle, which the min-cost invariant rules out; if
                // one shows up anyway, cancelling it lowers the cost without changing any count.
                Arrays.fill(onPath, false);
                int b = end;
                while (pred[b] >= 0 && !onPath[b]) {
                    onPath[b] = true;
                    b = pred[b];
                }
                boolean cycle = pred[b] >= 0;
                int stop = cycle ? b : -1;
                b = cycle ? b : end;
                do {
                    int a = pred[b];
                    if (a < 0) {
                        break;
                    }
                    int p = through[a * n + b];
                    pair(table, pairs, position, p, a, -1);
                    pair(table, pairs, position, p, b, 1);
                    selected[p] = b;
                    if (!cycle) {
                        count[a]--;
                        count[b]++;
                    }
                    offer(cache, table, pairs, position, p, b, costs);
                    b = a;
                } while (b != stop);
            }
        }

        /** Offers every edge of partition p, which has member a at this position, to the candidate cache. */
        private void offer(Candidates cache, int[][] table, int[] pairs, int position, int p, int a, int[][] costs) {
            int costA = 0;
            for (int i = 0; i < setSize[p]; i++) {
                if (sets[p][i] == a) {
                    costA = costs[p][i];
                }
            }
            int spreadA = spread(table, pairs, position, p, a);
            for (int i = 0; i < setSize[p]; i++) {
                int b = sets[p][i];
                if (b != a) {
                    int delta = costs[p][i] - costA;
                    if (cache.wants(a, b, delta)) {
                        cache.offer(a, b, p, delta, spread(table, pairs, position, p, b) - spreadA);
                    }
                }
            }
        }

        /**
         * Bellman-Ford from all sources (at most n rounds); returns the cheapest reachable target with {@code pred}
         * filled, or -1 if no target is reachable.
         */
        private int shortestChain(boolean[] source, boolean[] target, int[] weight, long[] dist, int[] pred) {
            int n = memberCount;
            for (int m = 0; m < n; m++) {
                dist[m] = source[m] ? 0 : Long.MAX_VALUE;
                pred[m] = -1;
            }
            for (int round = 0; round < n; round++) {
                boolean changed = false;
                for (int a = 0; a < n; a++) {
                    if (dist[a] == Long.MAX_VALUE) {
                        continue;
                    }
                    for (int b = 0; b < n; b++) {
                        int w = weight[a * n + b];
                        if (w != Integer.MAX_VALUE && dist[a] + w < dist[b]) {
                            dist[b] = dist[a] + w;
                            pred[b] = a;
                            changed = true;
                        }
                    }
                }
                if (!changed) {
                    break;
                }
            }
            int end = -1;
            for (int m = 0; m < n; m++) {
                if (target[m] && dist[m] != Long.MAX_VALUE && (end < 0 || dist[m] < dist[end])) {
                    end = m;
                }
            }
            return end;
        }
    }

    /**
     * For every ordered member pair (a, b), the {@value #CANDIDATES} cheapest known partitions that could change
     * from a to b at the position being balanced, sorted by cost, then by how well the change spreads pairs.
     */
    private static final class Candidates {
        private final int memberCount;
        private final int[] partition;
        private final int[] cost;
        private final int[] spread;

        Candidates(int memberCount) {
            this.memberCount = memberCount;
            int size = memberCount * memberCount * CANDIDATES;
            this.partition = new int[size];
            this.cost = new int[size];
            this.spread = new int[size];
            clear();
        }

        void clear() {
            Arrays.fill(partition, -1);
        }

        /** Whether a change of cost delta could enter the cache of edge a->b (cheap test before the spread). */
        boolean wants(int a, int b, int delta) {
            int last = ((a * memberCount + b) + 1) * CANDIDATES - 1;
            return partition[last] < 0 || delta <= cost[last];
        }

        /** Inserts partition p into the cache of edge a->b if it is among the best, evicting the worst. */
        void offer(int a, int b, int p, int delta, int spreadDelta) {
            int first = (a * memberCount + b) * CANDIDATES;
            int k = first + CANDIDATES - 1;
            if (partition[k] >= 0 && !better(delta, spreadDelta, k)) {
                return;
            }
            while (k > first && (partition[k - 1] < 0 || better(delta, spreadDelta, k - 1))) {
                partition[k] = partition[k - 1];
                cost[k] = cost[k - 1];
                spread[k] = spread[k - 1];
                k--;
            }
            partition[k] = p;
            cost[k] = delta;
            spread[k] = spreadDelta;
        }

        private boolean better(int delta, int spreadDelta, int k) {
            return delta < cost[k] || (delta == cost[k] && spreadDelta < spread[k]);
        }

        /**
         * Sets every edge's weight and partition from its first entry whose partition still has a at this position
         * (no edge: {@code Integer.MAX_VALUE}); returns false if some edge's cache is full and all stale, so that
         * its true weight is unknown and the cache must be rebuilt.
         */
        boolean weights(int[] selected, int[] weight, int[] through) {
            int n = memberCount;
            for (int ab = 0; ab < n * n; ab++) {
                int a = ab / n;
                weight[ab] = Integer.MAX_VALUE;
                int first = ab * CANDIDATES;
                int k = first;
                for (; k < first + CANDIDATES && partition[k] >= 0; k++) {
                    if (selected[partition[k]] == a) {
                        weight[ab] = cost[k];
                        through[ab] = partition[k];
                        break;
                    }
                }
                if (k == first + CANDIDATES) {
                    return false;
                }
            }
            return true;
        }
    }
}
