package io.tessera.redis.internal.command;

import io.tessera.grid.EntryEvent;
import io.tessera.grid.EntryListener;
import io.tessera.grid.GridMap;
import io.tessera.grid.OperationTimeoutException;
import io.tessera.grid.QuorumException;
import io.tessera.redis.internal.protocol.Reply;
import io.tessera.redis.internal.store.Bytes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The clients of this member blocked on keys (BLPOP, BLMOVE, BZPOPMIN, ...), and what wakes them.
 *
 * <p>A blocked client never holds anything on the key's primary. The pop is the command's ordinary non-blocking
 * form, run on the primary as one atomic step through the grid's exactly-once path, so an element is popped once and
 * answered once whatever member fails. What blocking adds is <em>when</em> to try again: this member listens to each
 * key it has clients blocked on ({@link GridMap#addKeyListener}, registered with every member before the first try
 * after it, so no push in between is missed), and when a change of the key arrives, the client blocked longest on
 * that key through this member tries first (FIFO per key on this member; across members, whoever's pop reaches the
 * primary first). Every blocked key is also tried once a second, which covers an event lost with a crashed primary.
 *
 * <p>A client that goes away while its pop is running gets nothing, and what the pop took is put back where it came
 * from (the command's undo), so a worker that died while blocked loses no element; so does a client killed between
 * its pop and the write of its reply (the connection hands the undo back, {@link ClientSession#owe}).
 *
 * <p>Threads: all state is guarded by this object's monitor; pops run on the grid and report back under it.
 */
public final class BlockedClients implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BlockedClients.class);
    private static final long RECHECK_MILLIS = 1000;
    static final Reply UNBLOCKED = Reply.error("UNBLOCKED client unblocked via CLIENT UNBLOCK");

    private final Function<Integer, GridMap<byte[], byte[]>> databases;
    private final Executor registrations;
    private final ScheduledExecutorService timer;
    private final Map<WatchedKey, KeyWaiters> byKey = new HashMap<>();
    private final Map<Long, Waiter> byClient = new HashMap<>();
    private final Map<String, Waiter> byTicket = new HashMap<>();
    private final String memberName;
    private final AtomicLong tickets = new AtomicLong();

    /** A key of one database. */
    private record WatchedKey(int database, Bytes key) {
    }

    /** The clients of this member blocked on one key, longest first, and this member's listener of the key. */
    private static final class KeyWaiters {
        final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
        CompletableFuture<UUID> listener;
        /** The key changed while its first waiter was trying: it tries again when done. */
        boolean changedMeanwhile;
    }

    /** One blocked command. */
    private static final class Waiter {
        final ClientSession client;
        final List<WatchedKey> keys;
        final Supplier<CompletableFuture<Reply>> attempt;
        final Function<Reply, CompletableFuture<Reply>> undo;
        final Reply timeoutReply;
        final Runnable refresh;
        final Runnable leave;
        final CompletableFuture<Reply> reply = new CompletableFuture<>();
        ScheduledFuture<?> timeout;
        boolean listening; // every key's listener is registered: its tries may start
        boolean trying;
        boolean done;
        Reply endWith; // set while trying: the reply to end with if the try gets nothing (timeout, unblock)
        boolean clientGone;
        boolean served; // its ticket left the keys' queues on the primary with the pop
        String ticket; // its place in its keys' order (BlockingOrder)

        Waiter(ClientSession client, List<WatchedKey> keys, Supplier<CompletableFuture<Reply>> attempt,
               Function<Reply, CompletableFuture<Reply>> undo, Reply timeoutReply, Runnable refresh,
               Runnable leave) {
            this.client = client;
            this.keys = keys;
            this.attempt = attempt;
            this.undo = undo;
            this.timeoutReply = timeoutReply;
            this.refresh = refresh;
            this.leave = leave;
        }
    }

    /**
     * @param databases the grid map of each database
     * @param registrations where listener registrations run (they wait for every member's acknowledgement)
     * @param memberName for the timer thread's name
     */
    public BlockedClients(Function<Integer, GridMap<byte[], byte[]>> databases, Executor registrations,
                          String memberName) {
        this.databases = databases;
        this.registrations = registrations;
        this.memberName = memberName;
        this.timer = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "tessera-blocked-" + memberName);
            thread.setDaemon(true);
            return thread;
        });
        timer.scheduleWithFixedDelay(this::recheckAll, RECHECK_MILLIS, RECHECK_MILLIS, TimeUnit.MILLISECONDS);
    }

    /**
     * Blocks {@code client} on {@code keys} until {@code attempt} (the command's non-blocking form) answers something
     * other than a null, or {@code timeoutMillis} pass (0: for ever), then answers that ({@code timeoutReply} on
     * timeout). The caller tried once already and got nothing. {@code undo} puts back what an attempt took when the
     * client is gone by the time it answers.
     */
    public CompletableFuture<Reply> block(ClientSession client, int database, List<byte[]> keys, long timeoutMillis,
                                          Supplier<CompletableFuture<Reply>> attempt,
                                          Function<Reply, CompletableFuture<Reply>> undo, Reply timeoutReply,
                                          String ticket, Runnable refresh, Runnable leave) {
        List<WatchedKey> watched = new ArrayList<>(keys.size());
        for (byte[] key : CommandCall.distinct(keys)) {
            watched.add(new WatchedKey(database, Bytes.of(key)));
        }
        Waiter waiter = new Waiter(client, watched, attempt, undo, timeoutReply, refresh, leave);
        waiter.ticket = ticket;
        List<CompletableFuture<UUID>> listeners = new ArrayList<>(watched.size());
        synchronized (this) {
            byClient.put(client.id(), waiter);
            byTicket.put(ticket, waiter);
            for (WatchedKey key : watched) {
                KeyWaiters waiters = byKey.computeIfAbsent(key, k -> new KeyWaiters());
                if (waiters.listener == null) {
                    waiters.listener = listen(key);
                }
                waiters.waiters.add(waiter);
                listeners.add(waiters.listener);
            }
            if (timeoutMillis > 0) {
                waiter.timeout = timer.schedule(() -> end(waiter, waiter.timeoutReply), timeoutMillis,
                        TimeUnit.MILLISECONDS);
            }
        }
        client.onGoneWhileBlocked(() -> clientGone(waiter));
        CompletableFuture.allOf(listeners.toArray(CompletableFuture[]::new)).whenComplete((ignored, failure) -> {
            synchronized (this) {
                if (failure != null) {
                    log.warn("cannot listen to a blocked key; the client is woken by the periodic check only",
                            failure);
                }
                waiter.listening = true;
                for (WatchedKey key : waiter.keys) {
                    tryFirst(key);
                }
            }
        });
        return waiter.reply;
    }

    private CompletableFuture<UUID> listen(WatchedKey key) {
        GridMap<byte[], byte[]> map = databases.apply(key.database());
        EntryListener<byte[], byte[]> wake = new EntryListener<>() {
            @Override
            public void entryAdded(EntryEvent<byte[], byte[]> event) {
                changed(key);
            }

            @Override
            public void entryUpdated(EntryEvent<byte[], byte[]> event) {
                changed(key);
            }
        };
        return CompletableFuture.supplyAsync(() -> map.addKeyListener(key.key().bytes(), wake, false), registrations);
    }

    private synchronized void changed(WatchedKey key) {
        tryFirst(key);
    }

    /** The number of keys clients of this member are blocked on (INFO's total_blocking_keys). */
    public synchronized int blockingKeys() {
        return byKey.size();
    }

    /** The number of clients blocked through this member (INFO's blocked_clients). */
    public synchronized int size() {
        return byClient.size();
    }

    /**
     * CLIENT UNBLOCK: ends the client's blocking command now with {@code reply} (a timeout's reply, or
     * {@link #UNBLOCKED}); answers whether it was blocked. A pop running at this moment still delivers what it gets.
     */
    public synchronized boolean unblock(long clientId, boolean withError) {
        Waiter waiter = byClient.get(clientId);
        if (waiter == null) {
            return false;
        }
        end(waiter, withError ? UNBLOCKED : waiter.timeoutReply);
        return true;
    }

    // ------------------------------------------------------------------------------------------- under lock

    /** Lets the longest-blocked client on {@code key} try, unless it is trying already (then it tries again). */
    private void tryFirst(WatchedKey key) {
        KeyWaiters waiters = byKey.get(key);
        if (waiters == null || waiters.waiters.isEmpty()) {
            return;
        }
        Waiter first = waiters.waiters.peekFirst();
        if (first.trying) {
            waiters.changedMeanwhile = true;
            return;
        }
        if (!first.listening) {
            return; // its first try comes once it listens
        }
        tryWaiter(first);
    }

    /** Runs a try of {@code waiter}, which is not trying now. */
    private void tryWaiter(Waiter waiter) {
        waiter.trying = true;
        for (WatchedKey k : waiter.keys) {
            KeyWaiters other = byKey.get(k);
            if (other != null) {
                other.changedMeanwhile = false;
            }
        }
        CompletableFuture<Reply> attempt;
        try {
            attempt = waiter.attempt.get();
        } catch (RuntimeException e) {
            attempt = CompletableFuture.failedFuture(e);
        }
        attempt.whenComplete((reply, failure) -> tried(waiter, reply, failure));
    }

    private synchronized void tried(Waiter waiter, Reply reply, Throwable failure) {
        waiter.trying = false;
        boolean served = failure == null && !isNothing(reply) && !(reply instanceof Reply.Error);
        if (served) {
            Runnable putBack = () -> waiter.undo.apply(reply).whenComplete((undone, undoFailure) -> {
                if (undoFailure != null || undone instanceof Reply.Error) {
                    log.warn("client {} left while its blocking pop ran; putting back what it took failed: {}",
                            waiter.client.id(), undoFailure != null ? undoFailure : undone);
                }
            });
            // Gone already: put back now. Otherwise the connection puts back if it drops the reply unwritten.
            if (waiter.clientGone || !waiter.client.owe(putBack)) {
                putBack.run();
            }
            waiter.served = true;
            finish(waiter, reply);
        } else if (failure != null && !retryable(failure)) {
            finish(waiter, null, failure);
        } else if (waiter.endWith != null || waiter.clientGone) {
            finish(waiter, waiter.endWith);
        }
        for (WatchedKey key : waiter.keys) {
            KeyWaiters waiters = byKey.get(key);
            // After a pop more may be left for the next client; a change during the try may have brought something.
            if (waiters != null && (served || waiters.changedMeanwhile)) {
                tryFirst(key);
            }
        }
        // Not this one's turn: if the one whose turn it is waits through this member, it tries now.
        Waiter turn = failure == null ? byTicket.get(BlockingOrder.turnOf(reply)) : null;
        if (turn != null && turn != waiter && !turn.trying && !turn.done && turn.listening) {
            tryWaiter(turn);
        }
    }

    /** Ends {@code waiter} with {@code reply} now, or when its running try answers nothing. */
    private synchronized void end(Waiter waiter, Reply reply) {
        if (waiter.done) {
            return;
        }
        if (waiter.trying) {
            waiter.endWith = reply;
        } else {
            finish(waiter, reply);
        }
    }

    private synchronized void clientGone(Waiter waiter) {
        waiter.clientGone = true;
        end(waiter, waiter.timeoutReply);
    }

    private void finish(Waiter waiter, Reply reply) {
        finish(waiter, reply, null);
    }

    private void finish(Waiter waiter, Reply reply, Throwable failure) {
        if (waiter.done) {
            return;
        }
        waiter.done = true;
        if (waiter.timeout != null) {
            waiter.timeout.cancel(false);
        }
        byClient.remove(waiter.client.id(), waiter);
        byTicket.remove(waiter.ticket, waiter);
        if (!waiter.served || waiter.keys.size() > 1) {
            // Off this lock: the grid calls it makes may answer on any thread. (A serving step takes the ticket out of
            // the queue of the key it served from, and of the others only if they share its slot.)
            registrations.execute(waiter.leave);
        }
        for (WatchedKey key : waiter.keys) {
            KeyWaiters waiters = byKey.get(key);
            if (waiters == null) {
                continue;
            }
            waiters.waiters.remove(waiter);
            if (waiters.waiters.isEmpty()) {
                byKey.remove(key);
                GridMap<byte[], byte[]> map = databases.apply(key.database());
                waiters.listener.thenAcceptAsync(map::removeListener, registrations);
            } else {
                tryFirst(key); // the next one may be served by what this one no longer waits for
            }
        }
        if (failure != null) {
            waiter.reply.completeExceptionally(failure);
        } else {
            waiter.reply.complete(reply);
        }
    }

    private void recheckAll() {
        List<Runnable> refreshes = new ArrayList<>();
        synchronized (this) {
            for (Waiter waiter : byClient.values()) {
                refreshes.add(waiter.refresh);
            }
            for (WatchedKey key : new ArrayList<>(byKey.keySet())) {
                tryFirst(key);
            }
        }
        refreshes.forEach(Runnable::run); // every blocked command keeps its place in its keys' order
    }

    /** A ticket id for a blocked command of {@code client}: unique in the cluster (BlockingOrder). */
    public String nextTicket(ClientSession client) {
        return memberName + "/" + client.id() + "/" + tickets.incrementAndGet();
    }

    /** Whether a try served its command: it answered neither nothing nor an error. */
    static boolean served(Reply reply) {
        return !isNothing(reply) && !(reply instanceof Reply.Error);
    }

    /** Whether a try answered "nothing to pop": the null of the command's non-blocking form. */
    static boolean isNothing(Reply reply) {
        return reply instanceof Reply.Null || reply instanceof Reply.NullArray;
    }

    /** Failures after which the pop certainly did not happen and a later try may succeed (a failover). */
    private static boolean retryable(Throwable failure) {
        Throwable cause = failure;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause instanceof OperationTimeoutException || cause instanceof QuorumException;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
