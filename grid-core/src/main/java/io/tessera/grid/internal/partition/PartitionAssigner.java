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
 *   <li><b>Shape</b> (always). Every partition gets exactly {@code R} distinct live members, primary first.</li>
 *   <li><b>Balance per position</b> (always). For every position {@code i} in {@code 0..R-1} (0 = primary), every
 *       member stands at position {@code i} of {@code q} or {@code q + 1} partitions, that is {@code floor(P/n)} or
 *       {@code ceil(P/n)}.</li>
 *   <li><b>Balance in total</b> (always). Every member owns {@code b} or {@code b + 1} replicas, that is
 *       {@code floor(RP/n)} or {@code ceil(RP/n)}. Per-position balance alone would not give this (the extra
 *       partitions of each position could pile up on the same members); both hold at once.</li>
 *   <li><b>Movement</b> (minimal in every tested case, not proven). A replica a member holds now is kept unless
 *       balance forces it out: every member keeps {@code min(held, quota)} of its replicas, quotas go to the
 *       members that hold the most, and a place that cannot be filled greedily is filled by an augmenting chain
 *       that moves only replicas placed in this run before one that moves a kept replica. The tests compare the
 *       number of new replica memberships with an exact min-cost-flow optimum: equal in every case where no current
 *       list names more than {@code R} live members; when one does (the replica count went down), a holder beyond
 *       the first {@code R} is used when it can be, and the result can exceed the optimum by a replica or two.</li>
 *   <li><b>Primaries</b> (min-cost for the chosen owner sets). Keeping the current primary costs nothing; promoting
 *       another member that holds the data costs one demotion (less for a more senior backup); a primary that must
 *       first receive a copy costs more than a chain of demotions through every member. So a partition whose
 *       primary left is led by a surviving holder unless no balanced order of the owner sets allows it, and a
 *       primary that stays is demoted only to make room for balance: after a join, the partitions the new member
 *       leads are exactly the primaries that change. A new member holds nothing, so what it leads must be copied
 *       to it first; the caller migrates before it switches.</li>
 *   <li><b>Spread</b> (best effort). Among equal choices, owner sets mix members evenly and each member's backups
 *       are spread over the others, so that when a member leaves, many survivors hold what it led and can take it
 *       over in balance.</li>
 *   <li><b>Determinism</b> (always). No randomness and no iteration in hash order: the same inputs give the same
 *       table on every member and every JVM. An unchanged balanced table is returned unchanged.</li>
 * </ul>
 *
 * <h2>Algorithm</h2>
 * <ol>
 *   <li><b>Survivors.</b> For each partition, the current owners that are live members, in order, without duplicates,
 *       nulls and non-members. The first {@code R} are kept; any further ones are remembered as holders.</li>
 *   <li><b>Quotas.</b> Every member may own {@code b} replicas; {@code RP mod n} members may own {@code b + 1}. Those
 *       bonuses go first to members holding more than {@code b} (leading the most first: a member that owns only
 *       {@code b} replicas may be unable to lead {@code ceil(P/n)} partitions), and the rest to the first members
 *       that need one while filling.</li>
 *   <li><b>Shed.</b> Members above their quota give up replicas round-robin, each choosing a partition where a
 *       remembered holder can take its place, else one with the fewest open places (so that holes spread and can be
 *       refilled without chains), then one it does not lead, then the one where it is the most junior backup.</li>
 *   <li><b>Fill.</b> Remembered holders first. Then, partitions with the most open places first, each place goes to
 *       a member with room that is not in the list yet: the one with the most room, then the one that shares the
 *       fewest owner sets with the members already in the list.</li>
 *   <li><b>Repair.</b> A place the fill cannot fill (every member with room is already in that list) is filled by
 *       the shortest augmenting chain, found breadth-first: the list takes a member from another list, which takes
 *       one from another, ..., and the last takes a member with room. Chains through replicas placed in this run are
 *       tried before chains that move a kept replica. A simple bipartite graph with these degrees always exists (the
 *       cyclic layout), so by the augmenting-path theorem the search always succeeds.</li>
 *   <li><b>Order.</b> Positions are decided one at a time, primary first. By de Werra's theorem a bipartite graph has
 *       an equitable edge colouring, so owner sets with the balanced totals above can always be ordered with every
 *       position balanced; each position's bounds leave every member a remainder that the later positions can still
 *       spread evenly. Each partition first takes its cheapest remaining member; then, while some member is outside
 *       its bounds, the cheapest chain of swaps (Bellman-Ford over the members) moves one position from a member
 *       with too many to one with too few. Starting from a per-partition optimum and always augmenting along
 *       shortest chains keeps the order min-cost for its counts (negative cycles, which this rules out, are
 *       cancelled if one ever appears); the search is complete, so the bounds are always met.</li>
 * </ol>
 *
 * <p>Cost: {@code O(P * n + n^2)} memory. Time is dominated by the ordering: {@code O(n^3)} (Bellman-Ford) per
 * moved position plus occasional rebuilds of cached chain edges, {@code O(P * R^2)} at worst. Measured in CPU time
 * after warm-up, 271 or 1024 partitions with 20 members and 3 replicas take 1 to 5 ms (start, join or leave); 16384
 * partitions take 20 to 40 ms. It is meant for clusters of up to a few hundred members.
 *
 * <p>Members are compared with {@link Object#equals(Object)} and must have a consistent {@code hashCode}. The class
 * is stateless and thread-safe.
 *
 * <p>Why one long file: the six steps above are one algorithm over one shared working state (the {@code Solver}'s
 * owner lists, quotas and per-position counts); each step leans on the invariants the previous ones left in it.
 * Split across classes they would have to expose that state and those invariants to each other, which would make
 * the proofs above harder to follow, not easier.
 */
public final class PartitionAssigner {

    /**
     * Cost of a primary that is not the current primary: one demotion (or one promotion after a loss). The holder's
     * current position, below this, breaks ties. A primary without a copy costs more than any chain of demotions
     * (see {@code Solver.copyCost}), so a copy is only chosen when no balanced order avoids it.
     */
    private static final int DEMOTE = 64;

    private static final int[] NONE = new int[0];

    /**
     * How many partitions the balancing caches per member pair between rebuilds of its graph: 64, fewer when the
     * members are so many that the cache would pass about a quarter of a million entries.
     */
    private static final int MAX_CANDIDATES = 64;
    private static final int CANDIDATE_BUDGET = 1 << 18;

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
        /** How many partitions each member would lead if every partition kept its first surviving holder. */
        private final int[] leads;
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
            this.leads = new int[memberCount];
            this.copyCost = 2 * DEMOTE * memberCount;
        }

        int[][] solve() {
            chooseSets();
            return order();
        }

        // ---- owner sets ---------------------------------------------------------------------------------------

        private void chooseSets() {
            int n = memberCount;
            for (int p = 0; p < partitions; p++) {
                int keep = Math.min(replicas, holders[p].length);
                for (int i = 0; i < keep; i++) {
                    place(p, holders[p][i]);
                }
                if (keep > 0) {
                    leads[holders[p][0]]++;
                }
            }
            long total = (long) replicas * partitions;
            base = (int) (total / n);
            bonusesLeft = (int) (total % n);
            // Bonuses go first to members that would otherwise have to give up a replica they hold, those likely to
            // lead the most partitions first (an owner of base replicas may be unable to lead ceil(P/n) partitions).
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

        /** Whether giving member m one more replica would take one of the bonuses left. */
        private boolean claimsBonus(int m) {
            return !bonus[m] && load[m] >= base;
        }

        /** The number of replicas member m may still take, counting a bonus it could claim. */
        private int room(int m) {
            return base + (bonus[m] || bonusesLeft > 0 ? 1 : 0) - load[m];
        }

        /**
         * Takes replicas away from members above their quota, round-robin so that the holes spread. Each member gives
         * up, in this order of preference: a partition where a holder beyond the kept ones can take its place
         * without a copy, one with the fewest open places, one it does not lead, the one where it is the most junior
         * backup.
         */
        private void shed() {
            int n = memberCount;
            long[][] heldBy = new long[n][];
            int[] heldCount = new int[n];
            int[] start = new int[n];
            boolean[] tails = new boolean[n];
            boolean over = false;
            for (int m = 0; m < n; m++) {
                if (room(m) < 0) {
                    heldBy[m] = new long[load[m]];
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
                        // The fixed part of the preference, in one sortable number: lead last, junior first, p.
                        long lead = currentPrimary[p] == m ? 1 : 0;
                        long junior = Integer.MAX_VALUE - holderIndex(p, m);
                        heldBy[m][heldCount[m]++] = lead << 62 | junior << 31 | p;
                        tails[m] |= holders[p].length > replicas;
                    }
                }
            }
            for (int m = 0; m < n; m++) {
                if (heldBy[m] != null) {
                    Arrays.sort(heldBy[m], 0, heldCount[m]);
                }
            }
            while (over) {
                over = false;
                for (int m = 0; m < n; m++) {
                    if (room(m) >= 0) {
                        continue;
                    }
                    long[] held = heldBy[m];
                    while (held[start[m]] < 0) {
                        start[m]++;
                    }
                    int bestAt = -1;
                    for (int i = start[m]; i < heldCount[m]; i++) {
                        if (held[i] < 0) {
                            continue;
                        }
                        int p = (int) (held[i] & Integer.MAX_VALUE);
                        if (bestAt < 0 || shedsBefore(p, (int) (held[bestAt] & Integer.MAX_VALUE), tails[m])) {
                            bestAt = i;
                            if (!tails[m] && setSize[p] == replicas) {
                                break; // nothing later in the fixed order can beat a partition without holes
                            }
                        }
                    }
                    int p = (int) (held[bestAt] & Integer.MAX_VALUE);
                    held[bestAt] = -1;
                    remove(p, m);
                    over |= room(m) < 0;
                }
            }
        }

        /** Whether a member should rather give up partition p than other, which comes earlier in its fixed order. */
        private boolean shedsBefore(int p, int other, boolean tails) {
            int c = tails ? Boolean.compare(spareHolder(other), spareHolder(p)) : 0;
            if (c == 0) {
                c = Integer.compare(replicas - setSize[p], replicas - setSize[other]);
            }
            return c < 0;
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
                        if (c == 0 && claimsBonus(m) && claimsBonus(best)) {
                            // The owners of base + 1 replicas are the ones that can lead ceil(P/n) partitions.
                            c = Integer.compare(leads[best], leads[m]);
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

        /** Removes member m from partition p's set. */
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

        /** Member m's position among partition p's live current owners, or -1 if it holds no copy. */
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
         * graph costs a pass over all partitions, so each edge caches its cheapest partitions (up to 64),
         * and every change adds the changed partition's new edges to the cache. An edge's weight is its first
         * cached partition that still has a at this position; that is exact unless the cache of the edge is full
         * and all stale, and then the edges out of that member are rebuilt.
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
            boolean[] staleRows = new boolean[n];
            for (int p = 0; p < partitions; p++) {
                offer(cache, table, pairs, position, p, selected[p], costs);
            }
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
                if (cache.weights(selected, weight, through, staleRows)) {
                    for (int p = 0; p < partitions; p++) {
                        if (staleRows[selected[p]]) {
                            offer(cache, table, pairs, position, p, selected[p], costs);
                        }
                    }
                    cache.weights(selected, weight, through, staleRows);
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
     * For every ordered member pair (a, b), the few cheapest known partitions that could change
     * from a to b at the position being balanced, sorted by cost, then by how well the change spreads pairs.
     */
    private static final class Candidates {
        private final int memberCount;
        /** Entries per edge. */
        private final int width;
        private final int[] partition;
        private final int[] cost;
        private final int[] spread;

        Candidates(int memberCount) {
            this.memberCount = memberCount;
            int pairs = memberCount * memberCount;
            this.width = Math.max(2, Math.min(MAX_CANDIDATES, CANDIDATE_BUDGET / pairs));
            int size = pairs * width;
            this.partition = new int[size];
            this.cost = new int[size];
            this.spread = new int[size];
            Arrays.fill(partition, -1);
        }

        /** Whether a change of cost delta could enter the cache of edge a->b (cheap test before the spread). */
        boolean wants(int a, int b, int delta) {
            int last = ((a * memberCount + b) + 1) * width - 1;
            return partition[last] < 0 || delta <= cost[last];
        }

        /** Inserts partition p into the cache of edge a->b if it is among the best, evicting the worst. */
        void offer(int a, int b, int p, int delta, int spreadDelta) {
            int first = (a * memberCount + b) * width;
            int k = first + width - 1;
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
         * (no edge: {@code Integer.MAX_VALUE}). Returns whether some edge's cache is full and all stale, so that its
         * true weight is unknown; then the caches of all edges out of such members are cleared and marked in
         * {@code staleRows}, for the caller to offer those members' partitions again.
         */
        boolean weights(int[] selected, int[] weight, int[] through, boolean[] staleRows) {
            int n = memberCount;
            boolean stale = false;
            for (int a = 0; a < n; a++) {
                staleRows[a] = false;
                for (int ab = a * n; ab < (a + 1) * n; ab++) {
                    weight[ab] = Integer.MAX_VALUE;
                    int first = ab * width;
                    int k = first;
                    for (; k < first + width && partition[k] >= 0; k++) {
                        if (selected[partition[k]] == a) {
                            weight[ab] = cost[k];
                            through[ab] = partition[k];
                            break;
                        }
                    }
                    staleRows[a] |= k == first + width;
                }
                if (staleRows[a]) {
                    Arrays.fill(partition, a * n * width, (a + 1) * n * width, -1);
                    stale = true;
                }
            }
            return stale;
        }
    }
}
