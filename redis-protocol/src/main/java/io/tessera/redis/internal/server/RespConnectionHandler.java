package io.tessera.redis.internal.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.tessera.redis.internal.command.ClientAddresses;
import io.tessera.redis.internal.command.ClientSession;
import io.tessera.redis.internal.command.CommandDispatcher;
import io.tessera.redis.internal.command.ServerContext;
import io.tessera.redis.internal.protocol.Reply;
import io.tessera.redis.internal.protocol.RespCommand;
import io.tessera.redis.internal.protocol.RespProtocolError;
import io.tessera.redis.internal.protocol.RespReplyWriter;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection: runs each decoded request as it arrives and writes the replies strictly in request order,
 * however the grid completes them (a pipelined GET on a remote partition may finish after a later local one).
 *
 * <p>Back-pressure: with {@value #MAX_IN_FLIGHT} requests unanswered, or while the socket cannot take more output,
 * the connection stops reading, so a client that pipelines without reading costs bounded memory.
 *
 * <p>Threads: everything here runs on the channel's event loop; grid completions hop back onto it.
 */
public final class RespConnectionHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(RespConnectionHandler.class);
    static final int MAX_IN_FLIGHT = 16_384;

    /**
     * A reply slot: the future, the protocol to write it in, whether the connection closes after it, and whether it
     * is a blocking command's (whose served pop is put back if the reply is dropped: {@link ClientSession#owe}).
     */
    private record Pending(CompletableFuture<Reply> reply, int protocol, boolean closeAfter, boolean blocking) {
    }

    private final ServerContext server;
    private final CommandDispatcher dispatcher;
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    /** Requests read while the client was blocked (BLPOP ...): they run, in order, once it is not. */
    private final ArrayDeque<byte[][]> deferred = new ArrayDeque<>();
    /** Set while a drain task is queued on the event loop, so a burst of completions queues one, not one each. */
    private final AtomicBoolean drainQueued = new AtomicBoolean();
    private final Runnable queuedDrain = () -> {
        drainQueued.set(false);
        drain();
    };
    private ChannelHandlerContext ctx;
    private ClientSession client;
    private boolean closing;

    public RespConnectionHandler(ServerContext server, CommandDispatcher dispatcher) {
        this.server = server;
        this.dispatcher = dispatcher;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        server.connectionsReceived.incrementAndGet();
        if (server.clients().size() >= server.maxClients()) {
            server.rejectedConnections.incrementAndGet();
            closing = true;
            ByteBuf out = ctx.alloc().ioBuffer();
            RespReplyWriter.write(Reply.error("ERR max number of clients reached"), 2, out);
            ctx.writeAndFlush(out).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        if (server.refusedByProtectedMode(ctx.channel().remoteAddress())) {
            server.rejectedConnections.incrementAndGet();
            closing = true;
            log.debug("protected mode refused client {}: no password is set", ctx.channel().remoteAddress());
            ByteBuf out = ctx.alloc().ioBuffer();
            RespReplyWriter.write(Reply.error(ClientAddresses.PROTECTED_MODE_DENIED), 2, out);
            ctx.writeAndFlush(out).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        client = new ClientSession(server.nextClientId(), ctx.channel(), server.acl().defaultUser());
        server.clientConnected(client);
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (client != null) {
            server.clientDisconnected(client);
            client.closed();
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (closing || client == null || client.killed()) {
                return;
            }
            if (msg instanceof RespCommand command) {
                if (client.holdsRequests() || !deferred.isEmpty()) {
                    deferred.add(command.args());
                    ctx.channel().config().setAutoRead(false);
                    return;
                }
                run(command.args());
            } else if (msg instanceof RespProtocolError error) {
                closing = true;
                pending.add(new Pending(CompletableFuture.completedFuture(Reply.error(error.message())), 2, true,
                        false));
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    /** Runs one request and queues its reply slot. */
    private void run(byte[][] args) {
        if (args.length == 1 && isQuit(args[0])) {
            closing = true;
            pending.add(new Pending(CompletableFuture.completedFuture(Reply.OK), client.protocol(), true, false));
            return;
        }
        long blockingBefore = client.blockingCommands();
        CompletableFuture<Reply> reply = dispatcher.dispatch(client, args);
        boolean closeAfter = client.takeCloseAfterReply();
        closing |= closeAfter;
        pending.add(new Pending(reply, client.protocol(), closeAfter, client.blockingCommands() != blockingBefore));
        if (!reply.isDone()) {
            reply.whenComplete((r, e) -> scheduleDrain());
        }
        if (pending.size() >= MAX_IN_FLIGHT || !ctx.channel().isWritable()) {
            ctx.channel().config().setAutoRead(false);
        }
    }

    private static boolean isQuit(byte[] name) {
        return name.length == 4 && (name[0] | 0x20) == 'q' && (name[1] | 0x20) == 'u' && (name[2] | 0x20) == 'i'
                && (name[3] | 0x20) == 't';
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        drain();
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        resumeReadingIfPossible();
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("client connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }

    private void scheduleDrain() {
        if (ctx.executor().inEventLoop()) {
            drain();
            return;
        }
        if (drainQueued.compareAndSet(false, true)) {
            ctx.executor().execute(queuedDrain);
        }
    }

    /**
     * Writes every completed reply at the head of the queue into one buffer, then writes and flushes it once; runs the
     * requests held back while the client was blocked once it is not. One buffer per drain, not one per reply: a
     * pipelined batch of sixteen answers is one channel write and one socket write of contiguous bytes, as Redis
     * answers from its client's reply buffer.
     */
    private void drain() {
        if (client != null && client.killed()) {
            dropPending();
            return;
        }
        ByteBuf out = null;
        Runnable owed = null; // the put-back owed for a served blocking command's reply in out
        while (true) {
            while (!pending.isEmpty() && pending.peek().reply().isDone()) {
                Pending head = pending.poll();
                Reply reply = head.reply().getNow(null);
                if (out == null) {
                    out = ctx.alloc().ioBuffer();
                }
                RespReplyWriter.write(reply, head.protocol(), out);
                if (head.blocking()) {
                    owed = client.owedPutBack(); // taken now: a deferred blocking command run below may owe another
                }
                if (head.closeAfter()) {
                    pending.clear(); // nothing after it ran, so no served pop is among them
                    deferred.clear();
                    write(out, owed, true);
                    return;
                }
            }
            if (deferred.isEmpty() || client.holdsRequests() || closing) {
                break;
            }
            while (!deferred.isEmpty() && !client.holdsRequests() && !closing) {
                run(deferred.poll());
            }
        }
        if (out != null) {
            write(out, owed, false);
            if (!ctx.channel().isWritable()) {
                ctx.channel().config().setAutoRead(false);
                return;
            }
        }
        resumeReadingIfPossible();
    }

    /**
     * Writes and flushes {@code out}, then closes if {@code close}; when it holds a served blocking command's reply
     * ({@code owed} is its put-back), tells the client whether the reply reached the socket, so that a pop whose reply
     * is lost is put back.
     */
    private void write(ByteBuf out, Runnable owed, boolean close) {
        if (owed == null && !close) {
            ctx.writeAndFlush(out, ctx.voidPromise());
            return;
        }
        ChannelFuture written = ctx.writeAndFlush(out);
        if (owed != null) {
            written.addListener(done -> {
                if (done.isSuccess()) {
                    client.owedReplyDelivered(owed);
                } else {
                    client.owedReplyDropped(owed);
                }
            });
        }
        if (close) {
            written.addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** Forgets every reply not written yet (the connection was killed or closes); a served pop among them goes back. */
    private void dropPending() {
        pending.clear();
        deferred.clear();
        client.owedReplyDropped();
    }

    private void resumeReadingIfPossible() {
        if (!closing && deferred.isEmpty() && !ctx.channel().config().isAutoRead() && pending.size() < MAX_IN_FLIGHT / 2
                && ctx.channel().isWritable()) {
            ctx.channel().config().setAutoRead(true);
        }
    }
}
