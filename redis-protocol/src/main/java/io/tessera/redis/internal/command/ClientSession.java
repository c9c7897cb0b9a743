package io.tessera.redis.internal.command;

import io.netty.channel.Channel;
import io.tessera.redis.internal.protocol.Reply;
import io.tessera.redis.internal.protocol.RespReplyWriter;
import io.tessera.redis.internal.store.Bytes;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One client connection's state: identity, selected database, protocol, authentication and subscriptions. Owned by
 * the connection's event loop: commands run there, so the fields need no locks. {@code CLIENT LIST} and
 * {@code INFO} read a few of them from other threads; those are volatile.
 */
public final class ClientSession {
    private final long id;
    private final Channel channel;
    private final long createdMillis = System.currentTimeMillis();
    private volatile String name = "";
    private volatile String libName = "";
    private volatile String libVersion = "";
    private volatile int database;
    private volatile int protocol = 2;
    private volatile boolean authenticated;
    private volatile AclUser user;
    private volatile long lastInteractionMillis = createdMillis;
    private volatile String lastCommand = "NULL";
    private final Set<Bytes> channels = new LinkedHashSet<>();
    private final Set<Bytes> patterns = new LinkedHashSet<>();
    private volatile int subscriptionCount;
    private volatile int channelCount;
    private volatile int patternCount;
    private volatile boolean noEvict;
    private volatile boolean killed;
    private boolean closeAfterReply; // event loop only
    private long blockingCommands; // event loop only
    private List<byte[][]> queued; // event loop only
    private boolean transactionAborted; // event loop only
    private final List<Watched> watched = new ArrayList<>(); // event loop only
    private volatile Runnable subscriptionReset = () -> { };
    private final List<Runnable> closeListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile CompletableFuture<Reply> blocked; // the reply of the blocking command running, if any
    private volatile Runnable onGoneWhileBlocked;
    private volatile CompletableFuture<?> holdingRequests; // AUTH reading its user from the grid
    /** Puts back what a blocking command's served pop took, until its reply reaches the socket (see {@link #owe}). */
    private final AtomicReference<Runnable> owedPutBack = new AtomicReference<>();

    /** A connection that starts as {@code user}: authenticated already if that user needs no password. */
    public ClientSession(long id, Channel channel, AclUser user) {
        this.id = id;
        this.channel = channel;
        this.user = user;
        this.authenticated = user.opensWithoutPassword();
    }

    public long id() {
        return id;
    }

    public Channel channel() {
        return channel;
    }

    public long createdMillis() {
        return createdMillis;
    }

    public String name() {
        return name;
    }

    public void name(String name) {
        this.name = name;
    }

    public String libName() {
        return libName;
    }

    public void libName(String libName) {
        this.libName = libName;
    }

    public String libVersion() {
        return libVersion;
    }

    public void libVersion(String libVersion) {
        this.libVersion = libVersion;
    }

    /** The commands queued since MULTI, or {@code null} outside a transaction (event loop only). */
    public List<byte[][]> queued() {
        return queued;
    }

    /** Enters MULTI: commands are queued from now on. */
    public void beginTransaction() {
        queued = new ArrayList<>();
        transactionAborted = false;
    }

    /** Whether a command was refused while queuing, so EXEC must answer EXECABORT. */
    public boolean transactionAborted() {
        return transactionAborted;
    }

    /** Marks the transaction as one EXEC must refuse. */
    public void abortTransaction() {
        transactionAborted = true;
    }

    /** Leaves MULTI (EXEC, DISCARD, RESET) and forgets the watched keys; returns what was queued. */
    public List<byte[][]> endTransaction() {
        List<byte[][]> taken = queued;
        queued = null;
        transactionAborted = false;
        watched.clear();
        return taken;
    }

    /**
     * The keys WATCHed since the last EXEC, DISCARD or UNWATCH, each with the database it was watched in and the
     * future of its version at that moment (event loop only).
     */
    public List<Watched> watched() {
        return watched;
    }

    /** A WATCHed key: its database, its bytes, and its version when watched (0: absent). */
    public record Watched(int database, byte[] key, CompletableFuture<Long> version) {
    }

    public int database() {
        return database;
    }

    public void database(int database) {
        this.database = database;
    }

    /** 2 or 3. */
    public int protocol() {
        return protocol;
    }

    public void protocol(int protocol) {
        this.protocol = protocol;
    }

    public boolean authenticated() {
        return authenticated;
    }

    public void authenticated(boolean authenticated) {
        this.authenticated = authenticated;
    }

    /** The ACL user the connection runs as (the {@code default} user until AUTH). */
    public AclUser user() {
        return user;
    }

    /** Makes the connection run as {@code user} (AUTH, RESET, or a change of that user anywhere in the cluster). */
    public void user(AclUser user) {
        this.user = user;
    }

    public long lastInteractionMillis() {
        return lastInteractionMillis;
    }

    public String lastCommand() {
        return lastCommand;
    }

    /** Records a command as the client's latest. */
    public void touched(String command) {
        lastInteractionMillis = System.currentTimeMillis();
        lastCommand = command;
    }

    /** Channels this client subscribed to (event loop only). */
    public Set<Bytes> channels() {
        return channels;
    }

    /** Patterns this client subscribed to (event loop only). */
    public Set<Bytes> patterns() {
        return patterns;
    }

    /** Recomputes the subscription count others may read. */
    public void subscriptionsChanged() {
        channelCount = channels.size();
        patternCount = patterns.size();
        subscriptionCount = channelCount + patternCount;
    }

    /** How many channels the client is subscribed to (any thread). */
    public int channelCount() {
        return channelCount;
    }

    /** How many patterns the client is subscribed to (any thread). */
    public int patternCount() {
        return patternCount;
    }

    /** Whether {@code CLIENT NO-EVICT on} was set (reported in {@code CLIENT LIST}; Tessera never evicts clients). */
    public boolean noEvict() {
        return noEvict;
    }

    public void noEvict(boolean noEvict) {
        this.noEvict = noEvict;
    }

    /** How many channels and patterns the client is subscribed to. */
    public int subscriptionCount() {
        return subscriptionCount;
    }

    /** Whether a RESP2 client is in subscribe mode, where only (un)subscribe, PING, QUIT and RESET are allowed. */
    public boolean inSubscribeMode() {
        return protocol == 2 && subscriptionCount > 0;
    }

    /** The remote address as {@code ip:port}. */
    public String address() {
        return hostPort(channel.remoteAddress());
    }

    /** The local address as {@code ip:port}. */
    public String localAddress() {
        return hostPort(channel.localAddress());
    }

    private static String hostPort(java.net.SocketAddress address) {
        if (address instanceof java.net.InetSocketAddress inet) {
            return inet.getAddress().getHostAddress() + ":" + inet.getPort();
        }
        return String.valueOf(address);
    }

    /**
     * Writes an out-of-band reply (a pub/sub message) to the client from any thread, in the client's protocol, after
     * whatever the connection is writing now.
     */
    public void push(Reply reply) {
        channel.eventLoop().execute(() -> {
            if (!channel.isActive()) {
                return;
            }
            io.netty.buffer.ByteBuf out = channel.alloc().ioBuffer();
            RespReplyWriter.write(reply, protocol, out);
            channel.writeAndFlush(out, channel.voidPromise());
        });
    }

    /** Sets what {@link #resetSubscriptions} does (the pub/sub registry unsubscribes this client there). */
    public void subscriptionReset(Runnable action) {
        this.subscriptionReset = action;
    }

    /** Drops every channel and pattern subscription of this client (RESET). */
    public void resetSubscriptions() {
        subscriptionReset.run();
    }

    /**
     * Kills the connection (CLIENT KILL): from now on nothing it sends is run or answered, even a request its event
     * loop reads before the close takes effect, so the killer's reply means the victim is gone.
     */
    public void kill() {
        killed = true;
        channel.close();
    }

    /** Asks the connection to close once the reply of the command running now is written (CLIENT KILL of itself). */
    public void closeAfterReply() {
        closeAfterReply = true;
    }

    /** Whether the command that just ran asked to close after its reply; clears the request. Event loop only. */
    public boolean takeCloseAfterReply() {
        boolean close = closeAfterReply;
        closeAfterReply = false;
        return close;
    }

    /** Whether CLIENT KILL killed this connection. */
    public boolean killed() {
        return killed;
    }

    /** Runs {@code listener} once the connection closed (pub/sub unsubscribes there). */
    public void onClose(Runnable listener) {
        closeListeners.add(listener);
    }

    /**
     * Marks the client blocked until {@code reply} completes: the connection holds back its next requests until
     * then, as Redis runs nothing else of a blocked client.
     */
    public void blockedOn(CompletableFuture<Reply> reply) {
        blockingCommands++;
        blocked = reply;
        reply.whenComplete((r, e) -> {
            if (blocked == reply) {
                blocked = null;
                onGoneWhileBlocked = null;
            }
        });
    }

    /** How many blocking commands this client ran: the connection tells by it which request blocked. */
    public long blockingCommands() {
        return blockingCommands;
    }

    /** Runs {@code onGone} if the connection closes while the client is blocked. */
    public void onGoneWhileBlocked(Runnable onGone) {
        onGoneWhileBlocked = onGone;
        if (!channel.isActive()) {
            onGone.run(); // closed before this was set: closed() ran without it
        }
    }

    /**
     * Called when a blocking command's pop served this client, before its reply completes: {@code putBack} runs if the
     * reply never reaches the socket (CLIENT KILL drops the replies of a killed connection; a write to a closed one
     * fails), so the popped element goes back instead of vanishing. Answers false when the connection is gone
     * already; the caller then puts back itself.
     */
    public boolean owe(Runnable putBack) {
        owedPutBack.set(putBack);
        // Gone meanwhile: take it back, unless the connection's drop already ran it.
        return !((killed || !channel.isActive()) && owedPutBack.compareAndSet(putBack, null));
    }

    /**
     * The put-back owed for the served blocking command's reply now, or null; the connection takes it when it queues
     * that reply for writing, and later settles exactly that one (a later blocking command may owe another by then).
     */
    public Runnable owedPutBack() {
        return owedPutBack.get();
    }

    /** The reply that {@code putBack} was owed for reached the socket: nothing to put back. */
    public void owedReplyDelivered(Runnable putBack) {
        owedPutBack.compareAndSet(putBack, null);
    }

    /** The reply that {@code putBack} was owed for will not be written: what its pop took goes back. */
    public void owedReplyDropped(Runnable putBack) {
        if (putBack != null && owedPutBack.compareAndSet(putBack, null)) {
            putBack.run();
        }
    }

    /** The connection drops every reply not written yet: what a served pop among them took goes back. */
    public void owedReplyDropped() {
        owedReplyDropped(owedPutBack.get());
    }

    /**
     * Holds back the connection's next requests until {@code done} completes: AUTH waits for the grid, and a request
     * pipelined behind it must run as the user it authenticates.
     */
    public void holdRequestsUntil(CompletableFuture<?> done) {
        holdingRequests = done;
    }

    /** Whether the connection must hold back its next requests: a blocking command or an AUTH is waiting. */
    public boolean holdsRequests() {
        CompletableFuture<?> holding = holdingRequests;
        return isBlocked() || (holding != null && !holding.isDone());
    }

    /** Whether a blocking command of this client is waiting (CLIENT LIST's flag 'b'). */
    public boolean isBlocked() {
        CompletableFuture<Reply> reply = blocked;
        return reply != null && !reply.isDone();
    }

    /** Called by the connection when it closed. */
    public void closed() {
        Runnable gone = onGoneWhileBlocked;
        if (gone != null) {
            gone.run();
        }
        for (Runnable listener : closeListeners) {
            listener.run();
        }
    }
}
