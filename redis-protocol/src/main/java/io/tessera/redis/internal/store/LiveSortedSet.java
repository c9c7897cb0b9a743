package io.tessera.redis.internal.store;

import io.tessera.grid.internal.serialization.GridSerializer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A Redis sorted set kept live on its replicas, built as Redis builds one: a hash from member to node, and a skip list
 * of the nodes ordered by (score, member bytes unsigned) whose links carry spans, so that adding, removing or
 * re-scoring a member, finding a rank and finding the member at a rank each cost O(log n), and a range O(log n) plus
 * its length. Its stored form ({@link #toBytes()}) is the grid value of {@link StoredValue#encodeSortedSet}.
 *
 * <p>Node levels are drawn at random, as in Redis, so two replicas holding the same members have differently shaped
 * lists; everything a caller can observe (members, scores, order, ranks, the stored form) is the same. Operations that
 * must give the same result on every replica therefore never depend on the shape: a removal by lex range, whose
 * result Redis leaves to the shape when scores differ, is shipped as the ranks the primary found.
 *
 * <p>A score of -0 is kept as 0: Redis's compact encoding, which every small set has, does the same, and the two
 * compare equal anyway.
 *
 * <p>Owned by the partition thread of its key, like the record that holds it.
 */
public final class LiveSortedSet implements RedisLiveValue, SortedSetView {
    private static final int MAX_LEVEL = 32;

    private final HashMap<Bytes, Node> nodes = new HashMap<>();
    private final Node head = new Node(null, 0, MAX_LEVEL);
    /** The nodes in the list: the hash's size, except while a re-scored node is out of the list. */
    private int length;
    /** The members' bytes, kept as they come and go so that {@link #estimatedBytes()} walks nothing. */
    private long memberBytes;
    private int level = 1;

    /** One member: its score, its links forward on each level with the number of nodes each one skips, and back. */
    private static final class Node {
        final byte[] member;
        double score;
        Node backward;
        final Node[] next;
        final int[] span;

        Node(byte[] member, double score, int level) {
            this.member = member;
            this.score = score;
            this.next = new Node[level];
            this.span = new int[level];
        }
    }

    /** An empty set. */
    public LiveSortedSet() {
    }

    /** The live form of a stored sorted set (the grid value: format byte, then {@link StoredValue}'s form). */
    public static LiveSortedSet decode(byte[] stored) {
        if (stored.length < 2 || stored[0] != GridSerializer.VALUE_BYTES || stored[1] != StoredValue.ZSET) {
            throw new IllegalStateException("not a stored sorted set");
        }
        return fromStored(Arrays.copyOfRange(stored, 1, stored.length));
    }

    /** The live form of {@link StoredValue}'s bytes of a sorted set (type byte first, no format byte). */
    public static LiveSortedSet fromStored(byte[] stored) {
        int n = StoredValue.sortedSetSize(stored);
        byte[][] members = new byte[n][];
        double[] scores = new double[n];
        int[] i = {0};
        StoredValue.decodeSortedSet(stored, (member, score) -> {
            members[i[0]] = member;
            scores[i[0]++] = score;
        });
        LiveSortedSet set = new LiveSortedSet();
        // Inserted greatest first, each new node goes in front: every level's search stops at the head at once.
        for (int k = n - 1; k >= 0; k--) {
            set.put(members[k], scores[k]);
        }
        return set;
    }

    @Override
    public byte type() {
        return StoredValue.ZSET;
    }

    @Override
    public int size() {
        return nodes.size();
    }

    @Override
    public double score(byte[] member) {
        Node node = nodes.get(Bytes.of(member));
        return node == null ? Double.NaN : node.score;
    }

    @Override
    public long rank(byte[] member) {
        Node node = nodes.get(Bytes.of(member));
        if (node == null) {
            return -1;
        }
        long rank = 0;
        Node x = head;
        for (int i = level - 1; i >= 0; i--) {
            while (x.next[i] != null && compare(x.next[i], node.score, node.member) <= 0) {
                rank += x.span[i];
                x = x.next[i];
            }
            if (x == node) {
                return rank - 1;
            }
        }
        throw new IllegalStateException("member in the hash but not in the list");
    }

    @Override
    public byte[] memberAt(long rank) {
        return nodeAt(rank).member;
    }

    @Override
    public double scoreAt(long rank) {
        return nodeAt(rank).score;
    }

    @Override
    public long count(ScoreRange range) {
        long first = prefix((score, member) -> !range.aboveMin(score));
        long end = prefix((score, member) -> range.belowMax(score));
        return Math.max(0, end - first);
    }

    @Override
    public long count(LexRange range) {
        long first = firstInRange(range);
        if (first < 0) {
            return 0;
        }
        if (uniformScores()) {
            return prefix((score, member) -> range.belowMax(member)) - first;
        }
        long[] count = {0};
        walk(first, false, (member, score) -> range.belowMax(member) && ++count[0] > 0);
        return count[0];
    }

    @Override
    public long firstInRange(ScoreRange range) {
        long first = prefix((score, member) -> !range.aboveMin(score));
        return first < size() && range.belowMax(nodeAt(first).score) ? first : -1;
    }

    @Override
    public long lastInRange(ScoreRange range) {
        long last = prefix((score, member) -> range.belowMax(score)) - 1;
        return last >= 0 && range.aboveMin(nodeAt(last).score) ? last : -1;
    }

    @Override
    public long firstInRange(LexRange range) {
        if (!lexCandidate(range)) {
            return -1;
        }
        long first;
        if (uniformScores()) {
            first = prefix((score, member) -> !range.aboveMin(member));
        } else {
            long[] rank = {0};
            walk(0, false, (member, score) -> !range.aboveMin(member) && ++rank[0] > 0);
            first = rank[0];
        }
        return first < size() && range.belowMax(nodeAt(first).member) ? first : -1;
    }

    @Override
    public long lastInRange(LexRange range) {
        if (!lexCandidate(range)) {
            return -1;
        }
        long last;
        if (uniformScores()) {
            last = prefix((score, member) -> range.belowMax(member)) - 1;
        } else {
            long[] rank = {size() - 1};
            walk(size() - 1, true, (member, score) -> !range.belowMax(member) && --rank[0] > -2);
            last = rank[0];
        }
        return last >= 0 && range.aboveMin(nodeAt(last).member) ? last : -1;
    }

    /**
     * Redis's early test of a lex range against a set: not empty in itself, the last member at or past its lower end
     * and the first at or before its upper end. Only with members of different scores does it change an answer.
     */
    private boolean lexCandidate(LexRange range) {
        int n = size();
        return n > 0 && !range.empty() && range.aboveMin(nodeAt(n - 1).member)
                && range.belowMax(head.next[0].member);
    }

    /** Whether every member has the same score: members are then in lex order, and lex ranges are contiguous. */
    private boolean uniformScores() {
        int n = size();
        return n == 0 || head.next[0].score == nodeAt(n - 1).score;
    }

    @Override
    public void forEach(long from, long count, boolean reverse, ScoredConsumer consumer) {
        long[] left = {count};
        if (count > 0) {
            walk(from, reverse, (member, score) -> {
                consumer.accept(member, score);
                return --left[0] > 0;
            });
        }
    }

    @Override
    public void walk(long from, boolean reverse, Walker visitor) {
        if (from < 0 || from >= size()) {
            return;
        }
        for (Node x = nodeAt(from); x != null && visitor.visit(x.member, x.score); ) {
            x = reverse ? x.backward : x.next[0];
        }
    }

    /**
     * Adds {@code member} with {@code score}, or moves it to {@code score}; answers its previous score, or NaN if it
     * was not a member. The score must not be NaN.
     */
    public double put(byte[] member, double score) {
        if (Double.isNaN(score)) {
            throw new IllegalArgumentException("score: NaN (a sorted set's scores are numbers)");
        }
        score = score == 0 ? 0.0 : score;
        Bytes key = Bytes.of(member);
        Node node = nodes.get(key);
        if (node == null) {
            nodes.put(key, insert(member, score));
            return Double.NaN;
        }
        double previous = node.score;
        if (previous == score) {
            return previous;
        }
        // Redis's shortcut: a node whose new score keeps it between its neighbours is updated where it is.
        if ((node.backward == null || node.backward.score < score)
                && (node.next[0] == null || node.next[0].score > score)) {
            node.score = score;
            return previous;
        }
        unlink(node);
        nodes.put(key, insert(node.member, score));
        return previous;
    }

    /** Removes {@code member}; answers its score, or NaN if it was not a member. */
    public double remove(byte[] member) {
        Node node = nodes.remove(Bytes.of(member));
        if (node == null) {
            return Double.NaN;
        }
        unlink(node);
        return node.score;
    }

    /**
     * Removes {@code count} members from rank {@code from} on (both in range), handing each to {@code removed} in
     * ascending order.
     */
    public void removeRange(long from, long count, ScoredConsumer removed) {
        Node[] update = new Node[MAX_LEVEL];
        long traversed = 0;
        Node x = head;
        for (int i = level - 1; i >= 0; i--) {
            while (x.next[i] != null && traversed + x.span[i] <= from) {
                traversed += x.span[i];
                x = x.next[i];
            }
            update[i] = x;
        }
        x = x.next[0];
        for (long k = 0; k < count && x != null; k++) {
            Node next = x.next[0];
            unlink(x, update);
            nodes.remove(Bytes.of(x.member));
            removed.accept(x.member, x.score);
            x = next;
        }
    }

    @Override
    public byte[] toBytes() {
        byte[] set = StoredValue.encodeSortedSet(this);
        byte[] stored = new byte[set.length + 1];
        stored[0] = GridSerializer.VALUE_BYTES;
        System.arraycopy(set, 0, stored, 1, set.length);
        return stored;
    }

    /** Whether node {@code n} sorts before (score, member). */
    private static int compare(Node n, double score, byte[] member) {
        if (n.score < score) {
            return -1;
        }
        if (n.score > score) {
            return 1;
        }
        return Arrays.compareUnsigned(n.member, member);
    }

    private Node nodeAt(long rank) {
        if (rank < 0 || rank >= size()) {
            throw new IndexOutOfBoundsException("rank " + rank + " of a sorted set of " + size());
        }
        long target = rank + 1;
        long traversed = 0;
        Node x = head;
        for (int i = level - 1; i >= 0; i--) {
            while (x.next[i] != null && traversed + x.span[i] <= target) {
                traversed += x.span[i];
                x = x.next[i];
            }
            if (traversed == target) {
                return x;
            }
        }
        throw new IllegalStateException("spans do not add up to rank " + rank);
    }

    /** A test on a node that holds for a leading run of the list (then fails for the rest). */
    @FunctionalInterface
    private interface Leading {
        boolean test(double score, byte[] member);
    }

    /** The length of the leading run of nodes that pass {@code test}: O(log n) through the spans. */
    private long prefix(Leading test) {
        long length = 0;
        Node x = head;
        for (int i = level - 1; i >= 0; i--) {
            while (x.next[i] != null && test.test(x.next[i].score, x.next[i].member)) {
                length += x.span[i];
                x = x.next[i];
            }
        }
        return length;
    }

    private Node insert(byte[] member, double score) {
        Node[] update = new Node[MAX_LEVEL];
        int[] rank = new int[MAX_LEVEL];
        Node x = head;
        for (int i = level - 1; i >= 0; i--) {
            rank[i] = i == level - 1 ? 0 : rank[i + 1];
            while (x.next[i] != null && compare(x.next[i], score, member) < 0) {
                rank[i] += x.span[i];
                x = x.next[i];
            }
            update[i] = x;
        }
        int newLevel = randomLevel();
        if (newLevel > level) {
            for (int i = level; i < newLevel; i++) {
                rank[i] = 0;
                update[i] = head;
                head.span[i] = length;
            }
            level = newLevel;
        }
        Node node = new Node(member, score, newLevel);
        for (int i = 0; i < newLevel; i++) {
            node.next[i] = update[i].next[i];
            update[i].next[i] = node;
            node.span[i] = update[i].span[i] - (rank[0] - rank[i]);
            update[i].span[i] = rank[0] - rank[i] + 1;
        }
        for (int i = newLevel; i < level; i++) {
            update[i].span[i]++;
        }
        node.backward = update[0] == head ? null : update[0];
        if (node.next[0] != null) {
            node.next[0].backward = node;
        }
        length++;
        memberBytes += member.length;
        return node;
    }

    /**
     * The heap the set takes, estimated: per member its bytes and about 136 bytes of node, link arrays (1.33 levels
     * on average), hash entry and key.
     */
    @Override
    public long estimatedBytes() {
        return 256 + memberBytes + 136L * length;
    }

    /** Takes {@code node} out of the list (not out of the hash). */
    private void unlink(Node node) {
        Node[] update = new Node[MAX_LEVEL];
        Node x = head;
        for (int i = level - 1; i >= 0; i--) {
            while (x.next[i] != null && compare(x.next[i], node.score, node.member) < 0) {
                x = x.next[i];
            }
            update[i] = x;
        }
        unlink(node, update);
    }

    private void unlink(Node node, Node[] update) {
        for (int i = 0; i < level; i++) {
            if (update[i].next[i] == node) {
                update[i].span[i] += node.span[i] - 1;
                update[i].next[i] = node.next[i];
            } else {
                update[i].span[i]--;
            }
        }
        if (node.next[0] != null) {
            node.next[0].backward = node.backward;
        }
        length--;
        memberBytes -= node.member.length;
        while (level > 1 && head.next[level - 1] == null) {
            level--;
        }
    }

    /** Redis's level distribution: each further level with probability 1/4. */
    private static int randomLevel() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int level = 1;
        while (level < MAX_LEVEL && (random.nextInt() & 0xFFFF) < 0xFFFF / 4) {
            level++;
        }
        return level;
    }
}
