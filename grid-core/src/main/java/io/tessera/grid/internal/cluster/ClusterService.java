package io.tessera.grid.internal.cluster;

import io.tessera.grid.GridException;
import io.tessera.grid.internal.wire.MessageType;
import io.tessera.grid.internal.wire.WireReader;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.function.Consumer;
import org.jgroups.Address;
import org.jgroups.BytesMessage;
import org.jgroups.Event;
import org.jgroups.JChannel;
import org.jgroups.Message;
import org.jgroups.Receiver;
import org.jgroups.View;
import org.jgroups.blocks.MessageDispatcher;
import org.jgroups.blocks.RequestHandler;
import org.jgroups.blocks.RequestOptions;
import org.jgroups.blocks.ResponseMode;
import org.jgroups.blocks.Response;
import org.jgroups.stack.IpAddress;
import org.jgroups.util.RspList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns this member's {@link JChannel} and its {@link MessageDispatcher}: it sends Tessera's binary messages,
 * decodes the type of every incoming one, and hands it to the {@link Handler} without blocking the JGroups
 * delivery thread.
 *
 * <p>Threads: JGroups calls {@link #handle(Message, Response)} and {@code viewAccepted} on its own threads; the
 * handler must only decode and enqueue. Requests are regular messages (FIFO per sender, which the replication
 * stream relies on); replies are sent OOB and without flow control by JGroups' correlator.
 */
public final class ClusterService implements RequestHandler, Receiver, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ClusterService.class);

    /** Receives decoded incoming messages; implementations must not block. */
    public interface Handler {
        /**
         * Handles one message. {@code response} is null for one-way messages; otherwise exactly one reply must
         * eventually be sent through it (from any thread).
         */
        void handle(MessageType type, WireReader body, Address sender, Response response);
    }

    private final JChannel channel;
    private final MessageDispatcher dispatcher;
    private volatile Handler handler;
    private volatile boolean ready;
    private volatile byte[] compatibilityAnswer;
    private volatile byte[] startingInterestAnswer;
    /** Messages that arrived before the handler was set, in arrival order; guarded by itself. */
    private final List<Early> early = new java.util.ArrayList<>();

    private record Early(Message msg, Response response) {
    }
    private volatile Consumer<View> viewListener = view -> { };
    private volatile String physicalAddress;

    /**
     * Expires requests that get no answer: the member's own thread, stopped by {@link #close} (see {@link Timeouts}).
     * Cancelled expiries leave its queue at once, since nearly every request is answered in time.
     */
    private final ScheduledThreadPoolExecutor timeouts;

    /** Wraps an unconnected channel; call {@link #connect} after setting the handlers. */
    public ClusterService(JChannel channel) {
        this.channel = channel;
        String name = channel.getName();
        this.timeouts = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "tessera-timeouts" + (name == null ? "" : "-" + name));
            t.setDaemon(true);
            return t;
        });
        timeouts.setRemoveOnCancelPolicy(true);
        this.dispatcher = new MessageDispatcher(channel, this);
        this.dispatcher.asyncDispatching(true);
        this.dispatcher.setReceiver(this);
    }

    /**
     * Sets the handler of incoming messages, first handing it, in arrival order, the messages that arrived before it
     * existed (a member connects before it can build the parts that need its address).
     */
    public void handler(Handler handler) {
        synchronized (early) {
            this.handler = handler;
            for (Early e : early) {
                dispatch(handler, e.msg, e.response);
            }
            early.clear();
            ready = true;
        }
    }

    /**
     * Sets the answer to {@link MessageType#COMPATIBILITY} requests, which is sent at once, even before the handler
     * exists: two members that start together each check the other before either can handle anything else.
     */
    public void compatibilityAnswer(byte[] answer) {
        this.compatibilityAnswer = answer;
    }

    /**
     * Sets the answer to {@link MessageType#INTEREST_QUERY} requests that arrive before the handler exists. A member
     * that is still starting has no listeners or near caches yet, so "none" is the truth; answering it at once keeps
     * two members that start together from waiting on each other's interests until the timeout.
     */
    public void startingInterestAnswer(byte[] answer) {
        this.startingInterestAnswer = answer;
    }

    /** Sets the listener of view changes; it is called on a JGroups thread and must not block. */
    public void viewListener(Consumer<View> viewListener) {
        this.viewListener = viewListener;
    }

    /** Connects to {@code clusterName}, wrapping JGroups' checked exception. */
    public void connect(String clusterName) {
        try {
            channel.connect(clusterName);
        } catch (Exception e) {
            String refusal = refusal(clusterName, e);
            if (refusal != null) {
                log.error(refusal);
                throw new GridException(refusal, e);
            }
            throw new GridException("cannot join cluster '" + clusterName + "': " + e.getMessage()
                    + " (check the stack, bind address and initial members)", e);
        }
    }

    /**
     * The explanation of a join the cluster's members refused ({@link JoinAuth}), or {@code null} if {@code failure}
     * is no such refusal. GMS reports a refused join as a {@link SecurityException} carrying the members' reason.
     */
    private static String refusal(String clusterName, Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof SecurityException) {
                String described = JoinAuth.describeRefusal(clusterName, cause.getMessage());
                return described != null ? described
                        : "cluster '" + clusterName + "' refused this member: " + cause.getMessage();
            }
        }
        return null;
    }

    /** The channel, for diagnostics and tests that inject faults (its DISCARD protocol); not for messaging. */
    public JChannel channel() {
        return channel;
    }

    /** This member's address. */
    public Address localAddress() {
        return channel.getAddress();
    }

    /** The current view, or {@code null} before connecting. */
    public View view() {
        return channel.getView();
    }

    /**
     * This member's transport address as {@code host:port}, or null where the stack has none (the in-JVM stack):
     * what an operator looks for in a firewall rule or a {@code netstat}.
     */
    public String physicalAddress() {
        String known = physicalAddress;
        if (known == null) {
            Object physical = channel.down(new Event(Event.GET_PHYSICAL_ADDRESS, channel.getAddress()));
            if (physical instanceof IpAddress ip && ip.getIpAddress() != null) {
                known = ip.getIpAddress().getHostAddress() + ":" + ip.getPort();
                physicalAddress = known;
            }
        }
        return known;
    }

    /** The JGroups logical name of {@code address}. */
    public String nameOf(Address address) {
        String name = org.jgroups.util.NameCache.get(address);
        return name != null ? name : String.valueOf(address);
    }

    /** Whether {@code address} is in the current view. */
    public boolean isMember(Address address) {
        View view = channel.getView();
        return view != null && view.containsMember(address);
    }

    /** Sends a request to one member and completes with its reply bytes, or exceptionally (timeout, suspect). */
    public CompletableFuture<byte[]> request(Address destination, byte[] payload, int length, long timeoutMillis) {
        return request(destination, payload, length, timeoutMillis, false);
    }

    /**
     * Sends an out-of-band request: it does not queue behind the sender's regular messages on the receiver (no FIFO
     * order with them), for control traffic that must get through while the regular stream is busy.
     */
    public CompletableFuture<byte[]> requestOutOfBand(Address destination, byte[] payload, int length,
                                                      long timeoutMillis) {
        return request(destination, payload, length, timeoutMillis, true);
    }

    private CompletableFuture<byte[]> request(Address destination, byte[] payload, int length, long timeoutMillis,
                                              boolean outOfBand) {
        try {
            RequestOptions options = new RequestOptions(ResponseMode.GET_FIRST, timeoutMillis);
            if (outOfBand) {
                options.flags(Message.Flag.OOB, Message.Flag.NO_FC);
            }
            CompletableFuture<byte[]> reply = dispatcher.sendMessageWithFuture(
                    new BytesMessage(destination, payload, 0, length), options);
            return Timeouts.failAfter(reply, timeoutMillis, timeouts);
        } catch (Exception e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Sends a request to several members (as unicasts) and completes with their replies; a member that left the
     * view is marked suspected in the list. Completes with {@code null} if not every reply came in time.
     */
    public CompletableFuture<RspList<byte[]>> requestAll(Collection<Address> destinations, byte[] payload, int length,
                                                         long timeoutMillis) {
        try {
            CompletableFuture<RspList<byte[]>> replies = dispatcher.castMessageWithFuture(destinations,
                    new BytesMessage(null, payload, 0, length),
                    new RequestOptions(ResponseMode.GET_ALL, timeoutMillis).anycasting(true));
            return Timeouts.completeAfter(replies, null, timeoutMillis, timeouts);
        } catch (Exception e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Sends a reliable one-way message (no reply) to one member. */
    public void send(Address destination, byte[] payload, int length) {
        try {
            dispatcher.sendMessage(new BytesMessage(destination, payload, 0, length), RequestOptions.ASYNC());
        } catch (Exception e) {
            log.debug("one-way {} to {} failed: {}", payload[0], destination, e.toString());
        }
    }

    /** Sends a reliable one-way message to several members. */
    public void sendAll(List<Address> destinations, byte[] payload, int length) {
        sendAll(destinations, payload, length, false);
    }

    /**
     * Sends a reliable one-way message to several members out of band and outside flow control, for periodic
     * reports sent from a shared timer thread: a regular message waits for credits when a receiver is slow, and the
     * timer thread also schedules the invoker's retries, which must not wait behind a status report.
     */
    public void sendAllOutOfBand(List<Address> destinations, byte[] payload, int length) {
        sendAll(destinations, payload, length, true);
    }

    private void sendAll(List<Address> destinations, byte[] payload, int length, boolean outOfBand) {
        if (destinations.isEmpty()) {
            return;
        }
        try {
            RequestOptions options = RequestOptions.ASYNC().anycasting(true);
            if (outOfBand) {
                options.flags(Message.Flag.OOB, Message.Flag.NO_FC);
            }
            dispatcher.castMessage(destinations, new BytesMessage(null, payload, 0, length), options);
        } catch (Exception e) {
            log.debug("one-way cast {} failed: {}", payload[0], e.toString());
        }
    }

    @Override
    public Object handle(Message msg) {
        throw new UnsupportedOperationException("asynchronous dispatching is on");
    }

    @Override
    public void handle(Message msg, Response response) {
        if (response != null && msg.getLength() > 0
                && msg.getArray()[msg.getOffset()] == MessageType.LEASE_PING.id()) {
            // Answered here, at once and before the member finished starting: other members' leases depend on it.
            response.send(LeasePing.answer(channel.getView(), msg.getSrc()), false);
            return;
        }
        byte[] compatibility = compatibilityAnswer;
        if (compatibility != null && response != null && msg.getLength() > 0
                && msg.getArray()[msg.getOffset()] == MessageType.COMPATIBILITY.id()) {
            response.send(compatibility, false);
            return;
        }
        byte[] interests = startingInterestAnswer;
        if (!ready && interests != null && response != null && msg.getLength() > 0
                && msg.getArray()[msg.getOffset()] == MessageType.INTEREST_QUERY.id()) {
            response.send(interests, false);
            return;
        }
        if (!ready) {
            synchronized (early) {
                if (!ready) {
                    early.add(new Early(msg, response));
                    return;
                }
            }
        }
        dispatch(handler, msg, response);
    }

    private void dispatch(Handler current, Message msg, Response response) {
        try {
            WireReader reader = new WireReader(msg.getArray(), msg.getOffset(), msg.getLength());
            MessageType type = MessageType.of(reader.readByte());
            current.handle(type, reader, msg.getSrc(), response);
        } catch (RuntimeException e) {
            log.warn("dropping malformed message from {}: {}", msg.getSrc(), e.toString());
            if (response != null) {
                response.send(e, true);
            }
        }
    }

    /** The number of members in the current view (0 before connecting). */
    public int viewSize() {
        View view = channel.getView();
        return view == null ? 0 : view.size();
    }

    @Override
    public void viewAccepted(View view) {
        viewListener.accept(view);
    }

    /** Closes the channel; a graceful JGroups leave. */
    @Override
    public void close() {
        try {
            dispatcher.close();
        } catch (Exception e) {
            log.debug("closing dispatcher", e);
        }
        channel.close();
        timeouts.shutdownNow();
    }

    /** The scheduler of this member's request timeouts, for other services' deadlines (see {@link Timeouts}). */
    public ScheduledExecutorService timeouts() {
        return timeouts;
    }
}
