package io.tessera.grid.internal.cluster;

import io.tessera.grid.internal.wire.MessageType;
import io.tessera.grid.internal.wire.WireReader;
import io.tessera.grid.internal.wire.WireWriter;
import org.jgroups.Address;
import org.jgroups.View;
import org.jgroups.ViewId;
import org.jgroups.util.UUID;

/**
 * The {@link MessageType#LEASE_PING} exchange of {@link MembershipLease}: an empty request, and an answer that says
 * whether the sender is a member of the receiver's view and, if so, which view that is.
 */
final class LeasePing {
    private LeasePing() {
    }

    /** The request (its type byte alone). */
    static byte[] request() {
        return WireWriter.forType(MessageType.LEASE_PING, 1).toByteArray();
    }

    /** The receiver's answer to {@code sender}, given its current {@code view} (may be null before connecting). */
    static byte[] answer(View view, Address sender) {
        WireWriter out = new WireWriter(32);
        boolean member = view != null && view.containsMember(sender);
        out.writeBoolean(member);
        if (member) {
            ViewId id = view.getViewId();
            UUID creator = (UUID) id.getCreator();
            out.writeLong(creator.getMostSignificantBits()).writeLong(creator.getLeastSignificantBits());
            out.writeVarLong(id.getId());
        }
        return out.toByteArray();
    }

    /** The view the answering member has, or {@code null} when it does not count the sender as a member. */
    static ViewId readAnswer(byte[] answer) {
        WireReader in = new WireReader(answer);
        if (!in.readBoolean()) {
            return null;
        }
        return new ViewId(new UUID(in.readLong(), in.readLong()), in.readVarLong());
    }
}
