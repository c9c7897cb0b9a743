package io.tessera.redis.internal.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.grid.internal.serialization.GridSerializer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link LiveSortedSet}'s skip list against a naive model (a map and a sorted copy), over random adds, re-scores,
 * removals and range removals: every read (score, rank, member at a rank, counts and first ranks of score and lex
 * ranges, walks in both directions) and the stored form agree after every step, and the stored form decodes to an
 * equal set.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SortedSetModelTest {
    private static final Comparator<Map.Entry<Bytes, Double>> ORDER = (a, b) -> {
        int c = Double.compare(a.getValue(), b.getValue());
        return c != 0 ? c : a.getKey().compareTo(b.getKey());
    };

    /** The model: members and scores, sorted on demand. */
    private static final class Model {
        final Map<Bytes, Double> scores = new HashMap<>();

        List<Map.Entry<Bytes, Double>> sorted() {
            List<Map.Entry<Bytes, Double>> entries = new ArrayList<>(scores.entrySet());
            entries.sort(ORDER);
            return entries;
        }
    }

    private static byte[] member(SplittableRandom random) {
        // short members over a few byte values, high bytes included, so that order is unsigned and ties are common
        byte[] member = new byte[random.nextInt(4)];
        for (int i = 0; i < member.length; i++) {
            member[i] = (byte) new int[] {'a', 'b', 'c', 0xC3, 0xFF}[random.nextInt(5)];
        }
        return member;
    }

    private static double score(SplittableRandom random) {
        return switch (random.nextInt(8)) {
            case 0 -> Double.NEGATIVE_INFINITY;
            case 1 -> Double.POSITIVE_INFINITY;
            case 2 -> -0.0;
            case 3 -> random.nextInt(5); // many equal scores
            default -> random.nextInt(200) / 4.0 - 25;
        };
    }

    private static ScoreRange scoreRange(SplittableRandom random) {
        return new ScoreRange(score(random), random.nextBoolean(), score(random), random.nextBoolean());
    }

    private static LexRange lexRange(SplittableRandom random) {
        byte[] kinds = {'[', '(', '-', '+'};
        byte minKind = kinds[random.nextInt(4)];
        byte maxKind = kinds[random.nextInt(4)];
        return new LexRange(minKind == '[' || minKind == '(' ? member(random) : null, minKind,
                maxKind == '[' || maxKind == '(' ? member(random) : null, maxKind);
    }

    @Test
    void randomOperations_agreeWithANaiveModel_andTheStoredFormRoundTrips() {
        SplittableRandom random = new SplittableRandom(0x5EED);
        for (int round = 0; round < 40; round++) {
            LiveSortedSet set = new LiveSortedSet();
            Model model = new Model();
            int steps = 50 + random.nextInt(400);
            for (int step = 0; step < steps; step++) {
                int what = random.nextInt(10);
                if (what < 5) {
                    byte[] member = member(random);
                    double score = score(random);
                    Double before = model.scores.put(Bytes.of(member), score == 0 ? 0.0 : score);
                    assertScore(set.put(member, score), before);
                } else if (what < 8) {
                    byte[] member = member(random);
                    Double before = model.scores.remove(Bytes.of(member));
                    assertScore(set.remove(member), before);
                } else if (set.size() > 0) {
                    int from = random.nextInt(set.size());
                    int count = random.nextInt(Math.min(5, set.size() - from) + 1);
                    List<Map.Entry<Bytes, Double>> expected = model.sorted().subList(from, from + count);
                    List<String> removed = new ArrayList<>();
                    set.removeRange(from, count, (m, s) -> removed.add(text(m) + "=" + s));
                    assertThat(removed).containsExactlyElementsOf(expected.stream()
                            .map(e -> text(e.getKey().bytes()) + "=" + e.getValue()).toList());
                    new ArrayList<>(expected).forEach(e -> model.scores.remove(e.getKey()));
                }
                check(set, model, random);
            }
            LiveSortedSet copy = LiveSortedSet.decode(set.toBytes());
            assertThat(copy.toBytes()).isEqualTo(set.toBytes());
            assertThat(set.estimatedBytes()).as("the running member bytes, against a copy's")
                    .isEqualTo(copy.estimatedBytes());
            check(copy, model, random);
        }
    }

    /** A previous score as the set answers it: NaN when there was none. */
    private static void assertScore(double actual, Double expected) {
        assertThat(Double.valueOf(actual)).isEqualTo(expected == null ? Double.valueOf(Double.NaN) : expected);
    }

    private static void check(SortedSetView set, Model model, SplittableRandom random) {
        List<Map.Entry<Bytes, Double>> sorted = model.sorted();
        assertThat(set.size()).isEqualTo(sorted.size());
        for (int rank = 0; rank < sorted.size(); rank++) {
            byte[] member = sorted.get(rank).getKey().bytes();
            assertThat(set.memberAt(rank)).isEqualTo(member);
            assertThat(set.scoreAt(rank)).isEqualTo(sorted.get(rank).getValue());
            assertThat(set.rank(member)).isEqualTo(rank);
            assertThat(set.score(member)).isEqualTo(sorted.get(rank).getValue());
        }
        assertThat(set.rank("absent-member".getBytes(StandardCharsets.UTF_8))).isEqualTo(-1);
        for (int i = 0; i < 5; i++) {
            ScoreRange range = scoreRange(random);
            List<Double> scores = sorted.stream().map(Map.Entry::getValue).toList();
            int first = 0;
            while (first < scores.size() && !range.aboveMin(scores.get(first))) {
                first++;
            }
            int last = scores.size() - 1;
            while (last >= 0 && !range.belowMax(scores.get(last))) {
                last--;
            }
            long count = scores.stream().filter(s -> range.aboveMin(s) && range.belowMax(s)).count();
            assertThat(set.firstInRange(range)).as("first of %s", range)
                    .isEqualTo(first < scores.size() && range.belowMax(scores.get(first)) ? first : -1);
            assertThat(set.lastInRange(range)).as("last of %s", range)
                    .isEqualTo(last >= 0 && range.aboveMin(scores.get(last)) ? last : -1);
            assertThat(set.count(range)).as("count of %s", range).isEqualTo(count);
            // members of different scores: Redis's walk of a small set, whatever the order of their bytes
            checkLex(set, sorted.stream().map(e -> e.getKey().bytes()).toList(), lexRange(random));
        }
        checkLex(sorted, random);
        if (!sorted.isEmpty()) {
            int from = random.nextInt(sorted.size());
            int count = random.nextInt(sorted.size() + 2);
            boolean reverse = random.nextBoolean();
            List<String> walked = new ArrayList<>();
            set.forEach(from, count, reverse, (m, s) -> walked.add(text(m)));
            List<String> expected = new ArrayList<>();
            for (int k = 0, r = from; k < count && r >= 0 && r < sorted.size(); k++, r += reverse ? -1 : 1) {
                expected.add(text(sorted.get(r).getKey().bytes()));
            }
            assertThat(walked).containsExactlyElementsOf(expected);
        }
        byte[] stored = StoredValue.encodeSortedSet(set);
        List<String> decoded = new ArrayList<>();
        StoredValue.decodeSortedSet(stored, (m, s) -> decoded.add(text(m) + "=" + s));
        assertThat(decoded).containsExactlyElementsOf(sorted.stream()
                .map(e -> text(e.getKey().bytes()) + "=" + e.getValue()).toList());
        assertThat(StoredValue.type(stored)).isEqualTo(StoredValue.ZSET);
        assertThat(StoredValue.typeName(stored)).isEqualTo("zset");
    }

    /** Lex ranges on members of one score, where they are contiguous: a set of the model's members all scored 0. */
    private static void checkLex(List<Map.Entry<Bytes, Double>> sorted, SplittableRandom random) {
        TreeMap<Bytes, Double> sameScore = new TreeMap<>();
        sorted.forEach(e -> sameScore.put(e.getKey(), 0.0));
        LiveSortedSet set = new LiveSortedSet();
        sameScore.keySet().forEach(m -> set.put(m.bytes(), 0));
        List<byte[]> members = sameScore.keySet().stream().map(Bytes::bytes).toList();
        for (int i = 0; i < 5; i++) {
            checkLex(set, members, lexRange(random));
        }
    }

    /**
     * A lex range against Redis's walk of a listpack (t_zset.c zzlFirstInLexRange, zzlLastInLexRange and the count
     * of ZLEXCOUNT): its early test, then the first member at or past the lower end, which must be at or before the
     * upper end, then members for as long as they are.
     */
    private static void checkLex(SortedSetView set, List<byte[]> members, LexRange range) {
        int n = members.size();
        boolean candidate = n > 0 && !range.empty() && range.aboveMin(members.get(n - 1))
                && range.belowMax(members.get(0));
        int first = 0;
        while (candidate && first < n && !range.aboveMin(members.get(first))) {
            first++;
        }
        long expectedFirst = candidate && first < n && range.belowMax(members.get(first)) ? first : -1;
        int last = n - 1;
        while (candidate && last >= 0 && !range.belowMax(members.get(last))) {
            last--;
        }
        long expectedLast = candidate && last >= 0 && range.aboveMin(members.get(last)) ? last : -1;
        long count = 0;
        for (long k = expectedFirst; k >= 0 && k < n && range.belowMax(members.get((int) k)); k++) {
            count++;
        }
        assertThat(set.firstInRange(range)).as("first of %s", range).isEqualTo(expectedFirst);
        assertThat(set.lastInRange(range)).as("last of %s", range).isEqualTo(expectedLast);
        assertThat(set.count(range)).as("count of %s", range).isEqualTo(count);
    }

    @Test
    void aLargeSet_rescoredAtRandom_keepsItsRanks_throughItsStoredForm() {
        LiveSortedSet set = new LiveSortedSet();
        int n = 200_000;
        for (int i = 0; i < n; i++) {
            set.put(("m" + i).getBytes(StandardCharsets.UTF_8), i);
        }
        SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < 100_000; i++) {
            set.put(("m" + random.nextInt(n)).getBytes(StandardCharsets.UTF_8), random.nextInt(n / 10));
        }
        assertThat(set.size()).isEqualTo(n);
        byte[] stored = set.toBytes();
        assertThat(stored[0]).isEqualTo(GridSerializer.VALUE_BYTES);
        LiveSortedSet copy = LiveSortedSet.decode(stored);
        assertThat(copy.size()).isEqualTo(n);
        double previous = Double.NEGATIVE_INFINITY;
        for (long rank = 0; rank < n; rank += 97) {
            assertThat(copy.memberAt(rank)).isEqualTo(set.memberAt(rank));
            assertThat(copy.rank(set.memberAt(rank))).isEqualTo(rank);
            assertThat(copy.scoreAt(rank)).isGreaterThanOrEqualTo(previous);
            previous = copy.scoreAt(rank);
        }
        assertThat(Arrays.equals(copy.toBytes(), stored)).isTrue();
    }

    private static String text(byte[] member) {
        return new String(member, StandardCharsets.ISO_8859_1);
    }
}
