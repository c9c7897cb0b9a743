package io.tessera.grid.fencing;

import io.tessera.grid.Grid;
import io.tessera.grid.internal.GridNode;
import io.tessera.grid.internal.operation.OperationRequest;
import io.tessera.grid.internal.wire.MessageType;
import io.tessera.grid.internal.wire.WireReader;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Predicate;
import org.jgroups.Address;
import org.jgroups.Message;
import org.jgroups.blocks.RequestCorrelator;
import org.jgroups.conf.ClassConfigurator;
import org.jgroups.stack.Protocol;
import org.jgroups.stack.ProtocolStack;
import org.jgroups.util.MessageBatch;

/**
 * A JGroups protocol a test puts on top of one member's stack to drop or hold Tessera <em>requests</em> chosen by
 * type, sender and content: a fault finer than DISCARD, which cuts whole members off. It sits above UNICAST3, so a
 * dropped request is gone for good (no retransmission); to its sender it looks like a member that never answers,
 * while heartbeats and views flow as usual. Replies are never touched.
 *
 * <p>Rules are plain predicates, swapped atomically; a rule may also have side effects (a trigger). A held message
 * is delivered, in arrival order, just before the first incoming request that matches the release rule, or by
 * {@link #releaseHeld()}.
 */
final class MessageGate extends Protocol {
    private static final short CORRELATOR_ID = ClassConfigurator.getProtocolId(RequestCorrelator.class);

    /** One Tessera request as the gate sees it. */
    record Request(Address source, Address destination, MessageType type, byte[] bytes, int offset, int length) {
        /** The body after the type byte. */
        WireReader body() {
            WireReader in = new WireReader(bytes, offset, length);
            in.readByte();
            return in;
        }

        /** The operation, for an {@link MessageType#OPERATION} request; null otherwise. */
        OperationRequest operation() {
            return type == MessageType.OPERATION ? OperationRequest.decode(body()) : null;
        }
    }

    private volatile Predicate<Request> dropUp = r -> false;
    private volatile Predicate<Request> dropDown = r -> false;
    private volatile Predicate<Request> holdUp = r -> false;
    private volatile Predicate<Request> releaseBefore = r -> false;
    private final List<Message> held = new ArrayList<>();

    /** The gate of {@code grid}, put on top of its stack on first use. */
    static synchronized MessageGate on(Grid grid) {
        ProtocolStack stack = ((GridNode) grid).cluster().channel().getProtocolStack();
        MessageGate gate = stack.findProtocol(MessageGate.class);
        if (gate == null) {
            gate = new MessageGate();
            stack.insertProtocolAtTop(gate);
        }
        return gate;
    }

    /** Drops incoming requests that match. */
    MessageGate dropIncoming(Predicate<Request> rule) {
        dropUp = rule;
        return this;
    }

    /** Drops outgoing requests that match (the rule runs on the sending thread: it must not block). */
    MessageGate dropOutgoing(Predicate<Request> rule) {
        dropDown = rule;
        return this;
    }

    /** Holds incoming requests that match until a request matching {@code release} arrives. */
    MessageGate holdIncoming(Predicate<Request> hold, Predicate<Request> release) {
        holdUp = hold;
        releaseBefore = release;
        return this;
    }

    /** Passes everything again and delivers what was held. */
    void open() {
        dropUp = r -> false;
        dropDown = r -> false;
        holdUp = r -> false;
        releaseBefore = r -> false;
        releaseHeld();
    }

    /** How many messages are held now. */
    int heldCount() {
        synchronized (held) {
            return held.size();
        }
    }

    /** Delivers the held messages in arrival order. */
    void releaseHeld() {
        List<Message> out;
        synchronized (held) {
            out = new ArrayList<>(held);
            held.clear();
        }
        for (Message m : out) {
            up_prot.up(m);
        }
    }

    private static Request request(Message msg) {
        RequestCorrelator.Header header = msg.getHeader(CORRELATOR_ID);
        if (header == null || header.type != RequestCorrelator.Header.REQ || msg.getLength() == 0
                || !msg.hasArray()) {
            return null;
        }
        byte[] bytes = msg.getArray();
        MessageType type;
        try {
            type = MessageType.of(bytes[msg.getOffset()]);
        } catch (RuntimeException e) {
            return null;
        }
        return new Request(msg.getSrc(), msg.getDest(), type, bytes, msg.getOffset(), msg.getLength());
    }

    /** What to do with an incoming message: 0 pass, 1 drop, 2 hold; releases held messages first if due. */
    private int judgeIncoming(Message msg) {
        Request r = request(msg);
        if (r == null) {
            return 0;
        }
        if (dropUp.test(r)) {
            return 1;
        }
        if (holdUp.test(r)) {
            synchronized (held) {
                held.add(msg);
            }
            return 2;
        }
        if (releaseBefore.test(r)) {
            releaseHeld();
        }
        return 0;
    }

    @Override
    public Object up(Message msg) {
        return judgeIncoming(msg) == 0 ? up_prot.up(msg) : null;
    }

    @Override
    public void up(MessageBatch batch) {
        for (Iterator<Message> it = batch.iterator(); it.hasNext(); ) {
            Message msg = it.next();
            if (msg != null && judgeIncoming(msg) != 0) {
                it.remove();
            }
        }
        if (!batch.isEmpty()) {
            up_prot.up(batch);
        }
    }

    @Override
    public Object down(Message msg) {
        Request r = request(msg);
        if (r != null && dropDown.test(r)) {
            return null;
        }
        return down_prot.down(msg);
    }
}
