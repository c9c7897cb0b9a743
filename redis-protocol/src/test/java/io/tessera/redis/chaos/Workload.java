package io.tessera.redis.chaos;

import io.tessera.grid.GridBuilder;
import io.tessera.grid.GridMap;
import io.tessera.grid.IndeterminateOutcomeException;
import io.tessera.redis.chaos.History.Counter;
import io.tessera.redis.chaos.History.KeyHistory;
import io.tessera.redis.chaos.History.Op;
import io.tessera.redis.chaos.History.Outcome;
import io.tessera.redis.chaos.History.Series;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.function.Supplier;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * The clients of a chaos run: RESP workers (Jedis, each operation on a member chosen at random among all member
 * processes, including the one about to be faulted) and Java workers (the harness member's {@link GridMap}), all
 * the time, each recording every operation's outcome in {@link History}.
 *
 * <p>Each worker owns its keys: unique keys (SET once; a tenth of the acknowledged ones are deleted once, 1-20 s
 * later), 16 overwritten keys (SET of a new version, or DEL of a key whose last acknowledged write set it), and it
 * increments shared counters (RESP {@code INCR}, Java {@code executeOnKey} with {@link ChaosTypes.Increment}).
 * Because a worker's writes to its own keys are sequential, "the last acknowledged value" of a key is well defined.
 *
 * <p>Classification (see {@link History.Outcome}): a RESP write that could not be sent (the member is known dead,
 * the connection or Jedis's handshake failed) or that the server refused with {@code TRYAGAIN} or
 * {@code CLUSTERDOWN} without saying the outcome is unknown is FAILED and is sent again to another member, at most
 * three times; the logical write is counted once, with the outcome of its last attempt. A reply that never came
 * (socket timeout, reset) or any other error reply is UNKNOWN and never re-sent: re-sending an INCR could apply it
 * twice. Jedis's socket timeout ({@link #SOCKET_TIMEOUT_MILLIS}, 30 s) is twice the server's operation timeout
 * (15 s), so the server answers first unless it is frozen. On the Java side, {@code IndeterminateOutcomeException}
 * and anything unexpected are UNKNOWN, {@code QuorumException} FAILED; the grid retries internally, the harness
 * does not.
 */
final class Workload {
    /**
     * Twice the server's operation timeout (the launcher has no flag for it; its grid uses the builder's default), so
     * that the server answers first unless it is frozen.
     */
    static final int SOCKET_TIMEOUT_MILLIS = (int) (2 * GridBuilder.DEFAULT_OPERATION_TIMEOUT.toMillis());
    static final int CONNECT_TIMEOUT_MILLIS = 2_000;
    static final int OVERWRITTEN_KEYS_PER_WORKER = 16;
    static final int COUNTERS_PER_CHANNEL = 4;
    private static final int RESP_ATTEMPTS = 3;

    private final List<ChaosNode> nodes;
    private final GridMap<String, Object> javaMap;
    private final Timeline timeline;
    private final List<Worker> workers = new ArrayList<>();
    final List<Series> series = new ArrayList<>();
    final List<KeyHistory> overwritten = new ArrayList<>();
    final List<Counter> respCounters = new ArrayList<>();
    final List<Counter> javaCounters = new ArrayList<>();
    /** Per operation kind ("RESP SET", "Java INCR", ...) and outcome, how many logical operations. */
    final Map<String, LongAdder> tally = new ConcurrentHashMap<>();
    /** RESP attempts that failed (not applied) and were sent again to another member. */
    final LongAdder failovers = new LongAdder();
    /** TRYAGAIN replies whose text admitted that the write may have been applied (counted UNKNOWN). */
    final LongAdder tryAgainAdmittingUnknown = new LongAdder();
    /** Acknowledged deletes of an acknowledged key that found no key (a lost write, or a retried delete). */
    final LongAdder deletesFindingNothing = new LongAdder();
    final List<String> deletesFindingNothingSamples = new ArrayList<>();
    /** How often each error text (digits replaced by #) was seen, per class. */
    final Map<String, LongAdder> errorTexts = new ConcurrentHashMap<>();
    /** Workers that died of an unexpected exception: their keys' outcomes are incomplete, so the run fails. */
    final List<String> deadWorkers = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile boolean running = true;

    Workload(List<ChaosNode> nodes, GridMap<String, Object> javaMap, int respWorkers, int javaWorkers, long seed,
             Timeline timeline) {
        this.nodes = nodes;
        this.javaMap = javaMap;
        this.timeline = timeline;
        for (int i = 0; i < COUNTERS_PER_CHANNEL; i++) {
            respCounters.add(new Counter("rc" + i, true));
            javaCounters.add(new Counter("jc" + i, false));
        }
        for (int w = 0; w < respWorkers + javaWorkers; w++) {
            boolean resp = w < respWorkers;
            String prefix = (resp ? "r" : "j") + w;
            Series s = new Series(prefix + ":", resp);
            List<KeyHistory> own = new ArrayList<>();
            for (int k = 0; k < OVERWRITTEN_KEYS_PER_WORKER; k++) {
                own.add(new KeyHistory(prefix + "o" + k, resp));
            }
            series.add(s);
            overwritten.addAll(own);
            workers.add(new Worker(w, resp, s, own, new Random(seed * 31 + w)));
        }
    }

    void start() {
        workers.forEach(Thread::start);
    }

    /** Stops every worker after its current operation and waits for them. */
    void stop() throws InterruptedException {
        running = false;
        for (Worker w : workers) {
            w.join(3L * SOCKET_TIMEOUT_MILLIS * RESP_ATTEMPTS);
            if (w.isAlive()) {
                throw new AssertionError("worker " + w.getName() + " did not stop");
            }
        }
    }

    private void count(String kind, Outcome outcome) {
        tally.computeIfAbsent(kind + " " + outcome, k -> new LongAdder()).increment();
    }

    /** Acknowledged logical writes of every kind. */
    long acknowledgedWrites() {
        return tally.entrySet().stream().filter(e -> e.getKey().endsWith(" ACKED"))
                .mapToLong(e -> e.getValue().sum()).sum();
    }

    long total(Outcome outcome) {
        return tally.entrySet().stream().filter(e -> e.getKey().endsWith(" " + outcome))
                .mapToLong(e -> e.getValue().sum()).sum();
    }

    /** One attempt's or one logical operation's result; {@code attempts} how many were sent. */
    record Result(Outcome outcome, Object reply, byte via, int attempts) {
        Result(Outcome outcome, Object reply, byte via) {
            this(outcome, reply, via, 1);
        }

        Result after(int attempts) {
            return new Result(outcome, reply, via, attempts);
        }

        /**
         * An acknowledged DEL that answered 0 at its first attempt: no earlier attempt of its own (one reported not
         * applied, but perhaps applied all the same) can have removed the key.
         */
        boolean deletedNothingFirstTime() {
            return outcome == Outcome.ACKED && attempts == 1 && Long.valueOf(0).equals(reply);
        }
    }

    /**
     * How an error reply to a write is classified: FAILED only when the server says it did not apply it
     * ({@code TRYAGAIN}, {@code CLUSTERDOWN}) and does not add that it may have; else UNKNOWN.
     */
    static Outcome classifyErrorReply(String message) {
        String text = message == null ? "" : message;
        String lower = text.toLowerCase(Locale.ROOT);
        // Conservative: any hint that it may have been applied makes it UNKNOWN (that only weakens the phantom check).
        boolean admitsUnknown = lower.contains("may or may not") || lower.contains("may have")
                || lower.contains("indeterminate") || lower.contains("unknown");
        boolean refused = text.startsWith("TRYAGAIN") || text.startsWith("CLUSTERDOWN");
        return refused && !admitsUnknown ? Outcome.FAILED : Outcome.UNKNOWN;
    }

    private final class Worker extends Thread {
        private final boolean resp;
        private final Series series;
        private final List<KeyHistory> own;
        private final Random random;
        private final Jedis[] connections = new Jedis[nodes.size()];
        private final int[] connectionGeneration = new int[nodes.size()];
        private final PriorityQueue<int[]> dueDeletes = new PriorityQueue<>((a, b) -> Integer.compare(a[0], b[0]));
        private final JedisClientConfig config = DefaultJedisClientConfig.builder()
                .socketTimeoutMillis(SOCKET_TIMEOUT_MILLIS).connectionTimeoutMillis(CONNECT_TIMEOUT_MILLIS)
                .autoNegotiateProtocol(false).build();

        Worker(int id, boolean resp, Series series, List<KeyHistory> own, Random random) {
            super("chaos-" + (resp ? "resp" : "java") + "-worker-" + id);
            this.resp = resp;
            this.series = series;
            this.own = own;
            this.random = random;
            setDaemon(true);
        }

        @Override
        public void run() {
            try {
                while (running) {
                    step();
                }
            } catch (Throwable t) {
                timeline.log("worker " + getName() + " died: " + t);
                deadWorkers.add(getName() + ": " + t);
                throw t;
            } finally {
                for (Jedis j : connections) {
                    closeQuietly(j);
                }
            }
        }

        private void step() {
            double r = random.nextDouble();
            int[] due = dueDeletes.peek();
            if (due != null && due[0] <= timeline.now() && r < 0.10) {
                dueDeletes.poll();
                deleteUnique(due[1]);
            } else if (r < 0.25) {
                overwrite(own.get(random.nextInt(own.size())));
            } else if (r < 0.35) {
                List<Counter> counters = resp ? respCounters : javaCounters;
                increment(counters.get(random.nextInt(counters.size())));
            } else {
                setUnique();
            }
        }

        private String channel() {
            return resp ? "RESP" : "Java";
        }

        private void setUnique() {
            int seq = series.size();
            String key = series.key(seq);
            String value = Series.value(key);
            Result result = resp ? respWrite(j -> j.set(key, value)) : javaWrite(() -> {
                javaMap.set(key, value);
                return "OK";
            });
            series.outcome.add(result.outcome().code());
            series.doneAt.add(timeline.now());
            series.via.add(result.via());
            count(channel() + " SET unique", result.outcome());
            if (result.outcome() == Outcome.ACKED && random.nextInt(10) == 0) {
                dueDeletes.add(new int[] {timeline.now() + 1_000 + random.nextInt(19_000), seq});
            }
        }

        private void deleteUnique(int seq) {
            String key = series.key(seq);
            Result result = resp ? respWrite(j -> j.del(key)) : javaWrite(() -> javaMap.delete(key) ? 1L : 0L);
            series.deleteOutcome.set(seq, result.outcome().code());
            series.deleteAt.set(seq, timeline.now());
            count(channel() + " DEL unique", result.outcome());
            if (result.outcome() == Outcome.ACKED && Long.valueOf(0).equals(result.reply())) {
                if (result.deletedNothingFirstTime()) {
                    series.deleteFoundNothing.set(seq, (byte) 1);
                }
                foundNothing(key);
            }
        }

        private void overwrite(KeyHistory key) {
            int sentAt = timeline.now();
            if (key.lastAckedIsSet() && random.nextInt(4) == 0) {
                Result result = resp ? respWrite(j -> j.del(key.key)) : javaWrite(() -> javaMap.delete(key.key)
                        ? 1L : 0L);
                key.ops.add(new Op(-1, result.outcome(), sentAt, timeline.now(), result.via(),
                        result.deletedNothingFirstTime()));
                count(channel() + " DEL overwritten", result.outcome());
                if (result.outcome() == Outcome.ACKED && Long.valueOf(0).equals(result.reply())) {
                    foundNothing(key.key);
                }
                return;
            }
            int version = key.nextVersion++;
            String value = key.value(version);
            Result result = resp ? respWrite(j -> j.set(key.key, value)) : javaWrite(() -> javaMap.put(key.key,
                    value));
            key.ops.add(new Op(version, result.outcome(), sentAt, timeline.now(), result.via(), false));
            count(channel() + " SET overwritten", result.outcome());
        }

        private void increment(Counter counter) {
            Result result = resp ? respWrite(j -> j.incr(counter.key))
                    : javaWrite(() -> javaMap.executeOnKey(counter.key, new ChaosTypes.Increment()));
            switch (result.outcome()) {
                case ACKED -> counter.acked.increment();
                case UNKNOWN -> counter.unknown.increment();
                case FAILED -> counter.failed.increment();
                default -> throw new IllegalStateException();
            }
            count(channel() + " INCR", result.outcome());
        }

        private void foundNothing(String key) {
            deletesFindingNothing.increment();
            synchronized (deletesFindingNothingSamples) {
                if (deletesFindingNothingSamples.size() < 10) {
                    deletesFindingNothingSamples.add(key + " at " + Timeline.seconds(timeline.now()));
                }
            }
        }

        /** One logical RESP write: fails over to other members while an attempt certainly did not apply it. */
        private Result respWrite(Function<Jedis, Object> command) {
            int n = nodes.size();
            int node = random.nextInt(n);
            Result last = null;
            for (int attempt = 0; attempt < RESP_ATTEMPTS; attempt++) {
                if (attempt > 0) {
                    failovers.increment();
                    node = (node + 1 + random.nextInt(Math.max(1, n - 1))) % n;
                    pause(20L * attempt);
                }
                last = respAttempt(node, command).after(attempt + 1);
                if (last.outcome() != Outcome.FAILED) {
                    return last;
                }
            }
            return last;
        }

        private Result respAttempt(int index, Function<Jedis, Object> command) {
            ChaosNode node = nodes.get(index);
            byte via = (byte) index;
            int generation = node.generation();
            Jedis jedis = connections[index];
            if (jedis != null && connectionGeneration[index] != generation) {
                closeQuietly(jedis);
                jedis = null;
                connections[index] = null;
            }
            if (node.state() == ChaosNode.State.KILLED) {
                sample("not sent: member known dead", node.name());
                return new Result(Outcome.FAILED, null, via);
            }
            if (jedis == null) {
                try {
                    jedis = new Jedis(new HostAndPort("127.0.0.1", node.respPort()), config);
                } catch (RuntimeException e) {
                    // Nothing of the command was written: the connection or the handshake failed.
                    sample("not sent: connect failed", String.valueOf(e));
                    return new Result(Outcome.FAILED, null, via);
                }
                connections[index] = jedis;
                connectionGeneration[index] = generation;
            }
            try {
                return new Result(Outcome.ACKED, command.apply(jedis), via);
            } catch (JedisDataException e) {
                Outcome outcome = classifyErrorReply(e.getMessage());
                if (outcome == Outcome.UNKNOWN && e.getMessage() != null && e.getMessage().startsWith("TRYAGAIN")) {
                    tryAgainAdmittingUnknown.increment();
                }
                sample("error reply, " + outcome, e.getMessage());
                return new Result(outcome, null, via);
            } catch (RuntimeException e) {
                // Sent, or maybe sent: the reply never came (timeout, reset, end of stream).
                closeQuietly(jedis);
                connections[index] = null;
                sample("no reply, UNKNOWN", String.valueOf(e));
                return new Result(Outcome.UNKNOWN, null, via);
            }
        }

        private Result javaWrite(Supplier<Object> write) {
            try {
                return new Result(Outcome.ACKED, write.get(), History.VIA_JAVA);
            } catch (IndeterminateOutcomeException e) {
                sample("Java IndeterminateOutcomeException, UNKNOWN", e.getMessage());
                return new Result(Outcome.UNKNOWN, null, History.VIA_JAVA);
            } catch (RuntimeException e) {
                // QuorumException does not exist yet; matched by name so that this compiles before and after.
                if (e.getClass().getSimpleName().equals("QuorumException")) {
                    sample("Java QuorumException, FAILED", e.getMessage());
                    return new Result(Outcome.FAILED, null, History.VIA_JAVA);
                }
                sample("Java " + e.getClass().getSimpleName() + ", UNKNOWN", e.getMessage());
                return new Result(Outcome.UNKNOWN, null, History.VIA_JAVA);
            }
        }

        private void sample(String kind, String text) {
            String value = String.valueOf(text);
            String shape = value.replaceAll("[0-9a-f]{8}-[0-9a-f-]{27}", "<uuid>").replaceAll("[0-9]{2,}", "#");
            errorTexts.computeIfAbsent(kind + ": " + (shape.length() > 160 ? shape.substring(0, 160) + "..." : shape),
                    k -> new LongAdder()).increment();
        }

        private void closeQuietly(Jedis jedis) {
            if (jedis != null) {
                try {
                    jedis.close();
                } catch (RuntimeException e) {
                    // already broken
                }
            }
        }

        private void pause(long millis) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
