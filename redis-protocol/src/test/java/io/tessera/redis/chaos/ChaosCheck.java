package io.tessera.redis.chaos;

import io.tessera.grid.GridMap;
import io.tessera.grid.internal.map.DefaultGridMap;
import io.tessera.grid.internal.partition.SlotHashing;
import io.tessera.redis.chaos.History.Counter;
import io.tessera.redis.chaos.History.KeyHistory;
import io.tessera.redis.chaos.History.Op;
import io.tessera.redis.chaos.History.Outcome;
import io.tessera.redis.chaos.History.Series;
import io.tessera.redis.chaos.Timeline.Fault;
import io.tessera.redis.chaos.Verdicts.Judgement;
import io.tessera.redis.chaos.Verdicts.Verdict;
import io.tessera.redis.internal.command.ServerContext;
import io.tessera.redis.internal.store.StoredValue;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.jgroups.Address;
import org.jgroups.util.UUID;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;

/**
 * The end-of-run checks, on a healed and settled cluster with the workload stopped: every acknowledged write present
 * with its last acknowledged value, no acknowledged delete undone, counters within what was acknowledged and what is
 * unknown, replicas of every partition identical, the table balanced, and nobody serving as primary a partition the
 * table gives to someone else. It collects detail lines, the failures, and the one summary line.
 *
 * <p>Values are read through the harness member's Java API (the reference) and, for RESP keys, through the RESP
 * port of every member; a member that answers differently from the reference is an inconsistent read (a failure of
 * its own), never a loss.
 *
 * <p>What a key's value says about its history is judged by {@link Verdicts}.
 */
final class ChaosCheck {
    private static final int SAMPLES = 12;
    private static final int READ_BATCH = 1_000;
    private static final String UNREADABLE = "\u0000unreadable";

    private final ChaosCluster cluster;
    private final Workload workload;
    private final Timeline timeline;
    final List<String> details = new ArrayList<>();
    final List<String> failures = new ArrayList<>();
    private final Map<Verdict, Long> verdicts = new TreeMap<>();
    private final Map<Verdict, List<String>> samples = new TreeMap<>();
    private final Map<String, Integer> lossesByFault = new TreeMap<>();
    private long inconsistentReads;
    private long unseenByDelete;
    private final List<String> unseenSamples = new ArrayList<>();
    private final List<String> inconsistentSamples = new ArrayList<>();
    private int divergentPartitions;
    private int foreignPrimaries;
    private boolean unbalanced;
    private String counterText = "counters not checked";
    private MemberStatus table;

    ChaosCheck(ChaosCluster cluster, Workload workload, Timeline timeline) {
        this.cluster = cluster;
        this.workload = workload;
        this.timeline = timeline;
    }

    long count(Verdict v) {
        return verdicts.getOrDefault(v, 0L);
    }

    int divergentPartitions() {
        return divergentPartitions;
    }

    String counterText() {
        return counterText;
    }

    /** Runs every check. */
    void run() {
        Map<String, MemberStatus> statuses = cluster.statusAll(ChaosCluster.STATUS_TIMEOUT);
        table = statuses.get(ChaosCluster.HARNESS);
        checkTable(statuses);
        checkDigests();
        timeline.log("checks: reading every key back");
        for (Series s : workload.series) {
            checkSeries(s);
        }
        checkOverwritten();
        checkCounters();
        summarizeVerdicts();
    }

    // ------------------------------------------------------------------------------------------- table, primaries

    private void checkTable(Map<String, MemberStatus> statuses) {
        Set<String> expected = cluster.expectedMembers();
        String balance = ChaosCluster.balanceProblem(table, expected);
        if (balance != null) {
            unbalanced = true;
            failures.add("table v" + table.version() + " is not complete and balanced: " + balance);
        }
        Map<String, Integer> primaries = new TreeMap<>();
        for (int p = 0; p < ChaosCluster.PARTITIONS; p++) {
            primaries.merge(table.nameOf(table.primary(p)), 1, Integer::sum);
        }
        details.add("final table v" + table.version() + ": primaries " + primaries);
        int[] servers = new int[ChaosCluster.PARTITIONS];
        List<String> foreign = new ArrayList<>();
        for (MemberStatus s : statuses.values()) {
            if (s == null) {
                continue;
            }
            if (s.version() != table.version()) {
                failures.add(s.name() + " holds table v" + s.version() + ", the harness v" + table.version());
            }
            BitSet served = s.served();
            if (served == null) {
                failures.add(s.name() + " did not say which partitions it serves as primary");
                continue;
            }
            for (int p = served.nextSetBit(0); p >= 0; p = served.nextSetBit(p + 1)) {
                servers[p]++;
                if (!s.self().equals(table.primary(p))) {
                    foreign.add(s.name() + " serves partition " + p + " (table: " + table.nameOf(table.primary(p))
                            + ")");
                }
            }
        }
        foreignPrimaries = foreign.size();
        if (!foreign.isEmpty()) {
            failures.add(foreign.size() + " partitions served as primary by a member the table does not give them"
                    + " to, e.g. " + foreign.subList(0, Math.min(5, foreign.size())));
        }
        List<Integer> unserved = new ArrayList<>();
        for (int p = 0; p < servers.length; p++) {
            if (servers[p] == 0) {
                unserved.add(p);
            }
        }
        if (!unserved.isEmpty()) {
            details.add("partitions nobody serves as primary: " + unserved);
        }
    }

    // ------------------------------------------------------------------------------------------------- digests

    /**
     * Compares the replicas of every partition of both maps; a difference counts only if it is still there 5 s later
     * (the workload has stopped long before, so nothing should be in flight; this keeps a slow backup on a loaded
     * machine from being called divergent).
     */
    private void checkDigests() {
        List<String> first = new ArrayList<>();
        Set<String> divergent = divergentPartitions(first);
        if (divergent == null) {
            return;
        }
        if (divergent.isEmpty()) {
            details.add("replica digests: every partition's replicas are identical in both maps");
            return;
        }
        ChaosCluster.sleep(5_000);
        List<String> second = new ArrayList<>();
        Set<String> still = divergentPartitions(second);
        if (still == null) {
            return;
        }
        still.retainAll(divergent);
        divergentPartitions = still.size();
        if (still.isEmpty()) {
            details.add("replica digests: " + divergent.size() + " partitions differed, and were identical 5 s later");
            return;
        }
        details.add("divergent replicas (still 5 s after the first look): " + still.size() + " partitions, e.g.");
        second.stream().filter(line -> still.contains(line.substring(0, line.indexOf(':'))))
                .limit(SAMPLES / 2).forEach(t -> details.add("    " + t));
        failures.add(divergentPartitions + " partitions whose replicas differ");
    }

    /**
     * The partitions (as "partition p of map") whose replicas differ, one description each into {@code lines}; null
     * (and a failure) if the digests could not be collected.
     */
    private Set<String> divergentPartitions(List<String> lines) {
        Set<String> divergent = new HashSet<>();
        for (String map : List.of(ServerContext.databaseMapName(0), ChaosIT.JAVA_MAP)) {
            Map<Address, Map<Integer, long[]>> digests = null;
            RuntimeException failure = null;
            for (int attempt = 0; attempt < 3 && digests == null; attempt++) {
                try {
                    digests = ((DefaultGridMap<?, ?>) cluster.harness.map(map, ChaosIT.MAP_CONFIG)).replicaDigests();
                } catch (RuntimeException e) {
                    failure = e;
                    ChaosCluster.sleep(2_000);
                }
            }
            if (digests == null) {
                failures.add("could not collect the replica digests of map " + map + ": " + failure);
                divergentPartitions = -1;
                return null;
            }
            for (int p = 0; p < ChaosCluster.PARTITIONS; p++) {
                Map<String, long[]> replicas = new LinkedHashMap<>();
                for (Map.Entry<Address, Map<Integer, long[]>> e : digests.entrySet()) {
                    long[] d = e.getValue().get(p);
                    if (d != null) {
                        replicas.put(table.nameOf(((UUID) e.getKey()).toStringLong()), d);
                    }
                }
                Set<String> states = new HashSet<>();
                replicas.values().forEach(d -> states.add(d[2] + "/" + d[3]));
                List<String> owners = table.owners().get(p).stream().map(table::nameOf).toList();
                boolean missing = !replicas.keySet().containsAll(owners);
                if (states.size() > 1 || missing) {
                    String id = "partition " + p + " of " + map;
                    divergent.add(id);
                    StringBuilder text = new StringBuilder(id + ": owners " + owners + ",");
                    replicas.forEach((member, d) -> text.append(' ').append(member).append(d[0] == 1 ? "*" : "")
                            .append("[seq ").append(d[1]).append(", ").append(d[2]).append(" entries, digest ")
                            .append(Long.toHexString(d[3])).append(']'));
                    if (missing) {
                        text.append(" -- an owner holds no replica");
                    }
                    lines.add(text.toString());
                }
            }
        }
        return divergent;
    }

    // ---------------------------------------------------------------------------------------------------- reads

    /** Reads keys through the harness's Java API, 256 at a time; a key that keeps failing reads as UNREADABLE. */
    private static <K> String[] readJava(List<K> keys, Function<K, CompletableFuture<String>> get) {
        String[] values = new String[keys.size()];
        Semaphore inFlight = new Semaphore(256);
        List<Integer> failed = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
            int index = i;
            inFlight.acquireUninterruptibly();
            get.apply(keys.get(i)).whenComplete((value, e) -> {
                if (e == null) {
                    values[index] = value;
                } else {
                    synchronized (failed) {
                        failed.add(index);
                    }
                }
                inFlight.release();
            });
        }
        inFlight.acquireUninterruptibly(256);
        for (int index : failed) {
            values[index] = UNREADABLE;
            for (int attempt = 0; attempt < 5; attempt++) {
                try {
                    values[index] = get.apply(keys.get(index)).get(30, TimeUnit.SECONDS);
                    break;
                } catch (Exception e) {
                    ChaosCluster.sleep(1_000);
                }
            }
        }
        return values;
    }

    private String[] readRespThroughJava(List<String> keys) {
        GridMap<byte[], byte[]> map = cluster.harness.map(ServerContext.databaseMapName(0), ChaosIT.MAP_CONFIG);
        return readJava(keys, key -> map.getAsync(key.getBytes(StandardCharsets.UTF_8)).thenApply(stored -> {
            if (stored == null) {
                return null;
            }
            return StoredValue.type(stored) == StoredValue.STRING
                    ? new String(StoredValue.decodeString(stored), StandardCharsets.UTF_8)
                    : "<" + StoredValue.typeName(stored) + ">";
        }));
    }

    private String[] readJavaKeys(List<String> keys) {
        GridMap<String, Object> map = cluster.harness.map(ChaosIT.JAVA_MAP, ChaosIT.MAP_CONFIG);
        return readJava(keys, key -> map.getAsync(key).thenApply(v -> v == null ? null : String.valueOf(v)));
    }

    /** GETs through {@code node}'s RESP port, pipelined; a key that keeps failing reads as UNREADABLE. */
    private static String[] readResp(ChaosNode node, List<String> keys) {
        String[] values = new String[keys.size()];
        var config = DefaultJedisClientConfig.builder().socketTimeoutMillis(30_000).connectionTimeoutMillis(5_000)
                .autoNegotiateProtocol(false).build();
        for (int from = 0; from < keys.size(); from += READ_BATCH) {
            int to = Math.min(keys.size(), from + READ_BATCH);
            boolean done = false;
            for (int attempt = 0; attempt < 3 && !done; attempt++) {
                try (Jedis jedis = new Jedis(new HostAndPort("127.0.0.1", node.respPort()), config)) {
                    Pipeline pipeline = jedis.pipelined();
                    List<Response<String>> replies = new ArrayList<>(to - from);
                    for (int i = from; i < to; i++) {
                        replies.add(pipeline.get(keys.get(i)));
                    }
                    pipeline.sync();
                    for (int i = from; i < to; i++) {
                        try {
                            values[i] = replies.get(i - from).get();
                        } catch (JedisDataException e) {
                            values[i] = readOne(jedis, keys.get(i));
                        }
                    }
                    done = true;
                } catch (JedisException e) {
                    ChaosCluster.sleep(1_000);
                }
            }
            if (!done) {
                for (int i = from; i < to; i++) {
                    values[i] = UNREADABLE;
                }
            }
        }
        return values;
    }

    private static String readOne(Jedis jedis, String key) {
        for (int attempt = 0; attempt < 5; attempt++) {
            try {
                return jedis.get(key);
            } catch (JedisDataException e) {
                ChaosCluster.sleep(500);
            }
        }
        return UNREADABLE;
    }

    /** Compares what each member's RESP port answers with the reference; counts and samples the differences. */
    private void compareWithMembers(List<String> keys, String[] reference) {
        for (ChaosNode node : cluster.nodes) {
            String[] theirs = readResp(node, keys);
            for (int i = 0; i < keys.size(); i++) {
                if (!Objects.equals(reference[i], theirs[i])) {
                    inconsistentReads++;
                    if (inconsistentSamples.size() < SAMPLES) {
                        inconsistentSamples.add(keys.get(i) + ": " + node.name() + " reads " + show(theirs[i])
                                + ", the harness's Java API " + show(reference[i]));
                    }
                }
            }
        }
    }

    // ----------------------------------------------------------------------------------------------- unique keys

    private void checkSeries(Series s) {
        int n = s.size();
        List<String> keys = new ArrayList<>(n);
        for (int seq = 0; seq < n; seq++) {
            keys.add(s.key(seq));
        }
        String[] values = s.resp ? readRespThroughJava(keys) : readJavaKeys(keys);
        for (int seq = 0; seq < n; seq++) {
            String key = keys.get(seq);
            String actual = values[seq];
            Outcome set = Outcome.of(s.outcome.get(seq));
            Outcome del = Outcome.of(s.deleteOutcome.get(seq));
            Judgement j = actual == UNREADABLE ? new Judgement(Verdict.UNREADABLE, Series.value(key), "unreadable")
                    : Verdicts.unique(set, del, s.resp && s.deleteFoundNothing.get(seq) == 1, Series.value(key),
                    actual);
            Verdict verdict = j.verdict();
            String expected = j.expected();
            String history = j.why();
            int ackAt = del != Outcome.NONE && !history.contains("already gone") ? s.deleteAt.get(seq)
                    : s.doneAt.get(seq);
            record(verdict, key, s.resp, expected, actual, s.via.get(seq), ackAt, history);
        }
        if (s.resp) {
            compareWithMembers(keys, values);
        }
    }

    // ------------------------------------------------------------------------------------------ overwritten keys

    private void checkOverwritten() {
        List<KeyHistory> resp = workload.overwritten.stream().filter(k -> k.resp).toList();
        List<KeyHistory> java = workload.overwritten.stream().filter(k -> !k.resp).toList();
        List<String> respKeys = resp.stream().map(k -> k.key).toList();
        String[] respValues = readRespThroughJava(respKeys);
        compareWithMembers(respKeys, respValues);
        String[] javaValues = readJavaKeys(java.stream().map(k -> k.key).toList());
        for (int i = 0; i < resp.size(); i++) {
            checkOverwritten(resp.get(i), respValues[i]);
            checkDeletesFoundNothing(resp.get(i));
        }
        for (int i = 0; i < java.size(); i++) {
            checkOverwritten(java.get(i), javaValues[i]);
        }
    }

    /** Acknowledged SETs of a RESP key that a later acknowledged DEL did not find ({@link Verdicts#unseenByDelete}). */
    private void checkDeletesFoundNothing(KeyHistory key) {
        if (!key.resp) {
            return;
        }
        for (Op[] pair : Verdicts.unseenByDelete(key)) {
            unseenByDelete++;
            if (unseenSamples.size() < SAMPLES) {
                unseenSamples.add(key.key + ": " + Verdicts.describe(pair[0]) + " via " + via(pair[0].via()) + ", then "
                        + Verdicts.describe(pair[1]) + " via " + via(pair[1].via()) + " answered 0");
            }
        }
    }

    private String via(byte via) {
        return via >= 0 ? cluster.nodes.get(via).name() : "Java API";
    }

    private void checkOverwritten(KeyHistory key, String actual) {
        int last = Verdicts.lastAcked(key);
        Op lastAcked = last < 0 ? null : key.ops.get(last);
        Judgement j = actual == UNREADABLE ? new Judgement(Verdict.UNREADABLE, null, "unreadable")
                : Verdicts.overwritten(key, actual);
        record(j.verdict(), key.key, key.resp, j.expected(), actual, lastAcked == null ? 0 : lastAcked.via(),
                lastAcked == null ? 0 : lastAcked.doneAt(), key.ops.size() + " writes; " + j.why());
    }

    // --------------------------------------------------------------------------------------------------- counters

    private void checkCounters() {
        List<String> respKeys = workload.respCounters.stream().map(c -> c.key).toList();
        String[] respValues = readRespThroughJava(respKeys);
        compareWithMembers(respKeys, respValues);
        String[] javaValues = readJavaKeys(workload.javaCounters.stream().map(c -> c.key).toList());
        int exact = 0;
        int total = 0;
        long unknown = 0;
        boolean outside = false;
        List<Counter> all = new ArrayList<>(workload.respCounters);
        all.addAll(workload.javaCounters);
        for (int i = 0; i < all.size(); i++) {
            Counter c = all.get(i);
            String text = i < respKeys.size() ? respValues[i] : javaValues[i - respKeys.size()];
            long acked = c.acked.sum();
            long maybe = c.unknown.sum();
            unknown += maybe;
            total++;
            String line = "counter " + c.key + " (" + (c.resp ? "RESP INCR" : "Java executeOnKey") + "): final "
                    + show(text) + ", acknowledged " + acked + ", unknown " + maybe + ", failed " + c.failed.sum();
            long value;
            try {
                value = text == null ? 0 : Long.parseLong(text);
            } catch (NumberFormatException e) {
                failures.add(line + ": not a number");
                outside = true;
                continue;
            }
            if (value < acked) {
                outside = true;
                failures.add(line + ": " + (acked - value) + " acknowledged increments lost");
            } else if (value > acked + maybe) {
                outside = true;
                failures.add(line + ": " + (value - acked - maybe) + " more increments than acknowledged + unknown"
                        + " (an increment reported as failed was applied, or one was applied twice)");
            } else if (value == acked) {
                exact++;
            }
            details.add(line + (value == acked ? ": exact" : value >= acked && value <= acked + maybe
                    ? ": within bounds (+" + (value - acked) + " of the unknown)" : ": OUT OF BOUNDS"));
        }
        counterText = outside ? "counters OUT OF BOUNDS" : exact == total ? "counters exact"
                : "counters within bounds (" + exact + "/" + total + " exact, " + unknown + " unknown increments)";
    }

    // ---------------------------------------------------------------------------------------------------- report

    private void record(Verdict verdict, String key, boolean resp, String expected, String actual, byte via,
                        int ackAt, String history) {
        verdicts.merge(verdict, 1L, Long::sum);
        if (verdict == Verdict.OK || verdict == Verdict.OK_UNKNOWN) {
            return;
        }
        if (verdict != Verdict.OK_LATE && verdict != Verdict.UNREADABLE) {
            Fault last = timeline.lastBefore(ackAt);
            Fault next = timeline.firstAfter(ackAt);
            lossesByFault.merge((last == null ? "before any fault" : "after #" + last.id + " " + last.kind)
                    + (next == null ? "" : ", before #" + next.id + " " + next.kind), 1, Integer::sum);
        }
        List<String> list = samples.computeIfAbsent(verdict, v -> new ArrayList<>());
        if (list.size() >= SAMPLES) {
            return;
        }
        int partition = SlotHashing.partition(key.getBytes(StandardCharsets.UTF_8), ChaosCluster.PARTITIONS);
        Fault before = timeline.lastBefore(ackAt);
        Fault after = timeline.firstAfter(ackAt);
        String channel = resp ? "RESP via " + (via >= 0 ? cluster.nodes.get(via).name() : "?") : "Java API";
        list.add(key + " (" + channel + ", " + history + ", at " + Timeline.seconds(ackAt) + "): expected "
                + show(expected) + ", read " + show(actual) + "; partition " + partition + " owned by "
                + table.owners().get(partition).stream().map(table::nameOf).toList()
                + "; fault before: " + (before == null ? "none" : before) + "; fault after: "
                + (after == null ? "none" : after));
    }

    private static String show(String value) {
        return value == null ? "(absent)" : value == UNREADABLE ? "(unreadable)" : "\"" + value + "\"";
    }

    private void summarizeVerdicts() {
        details.add("final values: " + verdicts);
        if (count(Verdict.OK_LATE) > 0) {
            details.add(count(Verdict.OK_LATE) + " keys hold the value of an earlier write whose outcome was unknown"
                    + " (applied after a later acknowledged one, within " + Verdicts.LATE_WINDOW_MILLIS + " ms)");
        }
        samples.forEach((verdict, list) -> {
            details.add(verdict + ", first " + list.size() + ":");
            list.forEach(line -> details.add("    " + line));
        });
        if (!lossesByFault.isEmpty()) {
            details.add("lost/resurrected/phantom keys by the faults around their last acknowledged write: "
                    + lossesByFault);
        }
        if (unseenByDelete > 0) {
            details.add("acknowledged SETs of overwritten keys that a later acknowledged RESP DEL did not find (the"
                    + " SET was lost, or acknowledged by a side of a split the DEL's primary had not heard from): "
                    + unseenByDelete + ", e.g.");
            unseenSamples.forEach(line -> details.add("    " + line));
            failures.add(unseenByDelete + " acknowledged SETs a later acknowledged DEL did not find");
        }
        if (inconsistentReads > 0) {
            details.add("inconsistent reads (a member answered differently from the harness's Java API): "
                    + inconsistentReads + ", e.g.");
            inconsistentSamples.forEach(line -> details.add("    " + line));
            failures.add(inconsistentReads + " reads through a member's RESP port differ from the Java API's");
        }
        if (count(Verdict.LOST) > 0) {
            failures.add(count(Verdict.LOST) + " acknowledged writes lost");
        }
        if (count(Verdict.RESURRECTED) > 0) {
            failures.add(count(Verdict.RESURRECTED) + " acknowledged deletes undone");
        }
        if (count(Verdict.PHANTOM) > 0) {
            failures.add(count(Verdict.PHANTOM) + " writes reported as not applied were applied");
        }
        if (count(Verdict.UNREADABLE) > 0) {
            failures.add(count(Verdict.UNREADABLE) + " keys could not be read back");
        }
    }

    /** {@code , 3 resurrected deletes, ...} for every nonzero failure class besides the ones always shown. */
    String summaryExtras(boolean settled) {
        StringBuilder s = new StringBuilder();
        if (count(Verdict.RESURRECTED) > 0) {
            s.append(", ").append(count(Verdict.RESURRECTED)).append(" resurrected deletes");
        }
        if (count(Verdict.PHANTOM) > 0) {
            s.append(", ").append(count(Verdict.PHANTOM)).append(" phantom writes");
        }
        if (inconsistentReads > 0) {
            s.append(", ").append(inconsistentReads).append(" inconsistent reads");
        }
        if (unseenByDelete > 0) {
            s.append(", ").append(unseenByDelete).append(" writes a DEL did not find");
        }
        if (foreignPrimaries > 0) {
            s.append(", ").append(foreignPrimaries).append(" foreign primaries");
        }
        if (count(Verdict.UNREADABLE) > 0) {
            s.append(", ").append(count(Verdict.UNREADABLE)).append(" unreadable keys");
        }
        if (unbalanced) {
            s.append(", unbalanced table");
        }
        if (!settled) {
            s.append(", NOT SETTLED");
        }
        return s.toString();
    }
}
