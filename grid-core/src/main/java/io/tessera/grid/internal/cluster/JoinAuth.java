package io.tessera.grid.internal.cluster;

import java.util.Iterator;
import org.jgroups.Address;
import org.jgroups.BytesMessage;
import org.jgroups.EmptyMessage;
import org.jgroups.Event;
import org.jgroups.Message;
import org.jgroups.conf.ClassConfigurator;
import org.jgroups.protocols.AUTH;
import org.jgroups.protocols.AuthHeader;
import org.jgroups.protocols.pbcast.GMS;
import org.jgroups.protocols.pbcast.JoinRsp;
import org.jgroups.util.MessageBatch;
import org.jgroups.util.Util;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JGroups' {@code AUTH} with {@link JoinToken}, refusing with a reason the refused member can explain to its
 * operator, and logging each refusal as one line of Tessera's.
 *
 * <p>What it changes in {@code AUTH}: a JOIN without any token (a member started without a secret) is refused like a
 * wrong one instead of raising an exception in the transport; the refusal's reason is one of the {@code REFUSED_*}
 * codes, which {@link #describeRefusal} turns into the joiner's exception message; and a joiner that gets an answer
 * without a valid token (a coordinator without security) fails at once with a reason instead of retrying until it
 * becomes a singleton cluster of its own.
 *
 * <p>Where it sits: below {@link RefusalPassingSymEncrypt}, not right below GMS as JGroups' manual places AUTH. A
 * joiner with another key cannot decrypt anything the members send, and the members cannot decrypt its JOIN (SYM_ENCRYPT
 * drops it, logging an error per attempt); below the encryption the JOIN is checked before anything tries to decrypt
 * it, and the refusal goes back unencrypted, where the joiner can read it.
 *
 * <p>Runs on JGroups' receiver threads; stateless apart from JGroups' own fields.
 */
public final class JoinAuth extends AUTH {
    /** The JGroups protocol id; ids from 512 up are free for applications. */
    static final short PROTOCOL_ID = 1871;
    static final String REFUSED_WRONG_KEY = "tessera: authentication failed: wrong key";
    static final String REFUSED_NO_TOKEN = "tessera: authentication failed: no token";
    static final String REFUSED_UNSECURED = "tessera: the members run without security";

    private static final Logger log = LoggerFactory.getLogger(JoinAuth.class);
    private static final short GMS_PROTOCOL_ID = ClassConfigurator.getProtocolId(GMS.class);

    static {
        if (ClassConfigurator.getProtocol(PROTOCOL_ID) == null) {
            ClassConfigurator.addProtocol(PROTOCOL_ID, JoinAuth.class);
        }
    }

    private String clusterName;

    /** Called by JGroups' configurator; {@link #keys} must follow before the stack is initialised. */
    public JoinAuth() {
    }

    /** Authenticates with {@code keys}; {@code clusterName} is for the log. */
    JoinAuth keys(ClusterKeys keys, String clusterName) {
        JoinToken token = new JoinToken(keys);
        token.setAuth(this);
        setAuthToken(token);
        this.clusterName = clusterName;
        return this;
    }

    @Override
    public Object up(Message msg) {
        GMS.GmsHeader gms = getGMSHeader(msg);
        if (gms != null && needsAuthentication(msg, gms) && msg.getHeader(id) == null) {
            return refuseWithoutToken(gms, msg);
        }
        return super.up(msg);
    }

    @Override
    public void up(MessageBatch batch) {
        for (Iterator<Message> it = batch.iterator(); it.hasNext(); ) {
            Message msg = it.next();
            GMS.GmsHeader gms = getGMSHeader(msg);
            if (gms != null && needsAuthentication(msg, gms) && msg.getHeader(id) == null) {
                it.remove();
                refuseWithoutToken(gms, msg);
            }
        }
        if (!batch.isEmpty()) {
            super.up(batch);
        }
    }

    @Override
    protected boolean handleAuthHeader(GMS.GmsHeader gms, AuthHeader header, Message msg) {
        if (!needsAuthentication(msg, gms) || auth_token.authenticate(header.getToken(), msg)) {
            return true;
        }
        if (gms.getType() == GMS.GmsHeader.JOIN_RSP) {
            failJoin(msg.getSrc(), REFUSED_WRONG_KEY);
        } else {
            log.warn("cluster '{}' refused {} {}: authentication failed (its cluster secret or keystore key"
                    + " differs from this member's)", clusterName, requestName(gms), describe(msg.getSrc()));
            sendRejectionMessage(gms.getType(), msg.getSrc(), REFUSED_WRONG_KEY);
        }
        return false;
    }

    /**
     * As {@code AUTH} decides, except that a join answer's payload is read only when it is not encrypted: below
     * the encryption, an admitting answer's payload (view and digest) is ciphertext, while a refusal is plain.
     */
    @Override
    protected boolean needsAuthentication(Message msg, GMS.GmsHeader gms) {
        if (gms.getType() != GMS.GmsHeader.JOIN_RSP) {
            return super.needsAuthentication(msg, gms);
        }
        if (msg.getHeader(RefusalPassingSymEncrypt.PROTOCOL_ID) == null && isRefusal(msg)) {
            return false;
        }
        return authenticate_coord;
    }

    /** Whether {@code msg}'s plain payload is a join answer with a failure reason. */
    static boolean isRefusal(Message msg) {
        if (msg.getLength() == 0) {
            return false;
        }
        try {
            JoinRsp answer = Util.streamableFromBuffer(JoinRsp::new, msg.getArray(), msg.getOffset(),
                    msg.getLength());
            return answer.getFailReason() != null && answer.getView() == null && answer.getDigest() == null;
        } catch (Exception e) {
            return false;
        }
    }

    private Object refuseWithoutToken(GMS.GmsHeader gms, Message msg) {
        if (gms.getType() == GMS.GmsHeader.JOIN_RSP) {
            // We asked to join; the member that answered does not authenticate: it runs without security. It has
            // already put us in its view: ask to leave at once rather than have it wait for failure detection
            // (meanwhile its leases would lapse). Sent once, below the encryption, readable to the unsecured member;
            // if it is lost, failure detection still removes us.
            // Not bundled: the channel closes right after the failed join, before a bundler would send it.
            Message leave = new EmptyMessage(msg.getSrc()).setFlag(Message.Flag.OOB, Message.Flag.DONT_BUNDLE)
                    .putHeader(GMS_PROTOCOL_ID, new GMS.GmsHeader(GMS.GmsHeader.LEAVE_REQ, getAddress()));
            down_prot.down(leave);
            failJoin(msg.getSrc(), REFUSED_UNSECURED);
        } else if (gms.getType() == GMS.GmsHeader.JOIN_REQ || gms.getType() == GMS.GmsHeader.MERGE_REQ
                || gms.getType() == GMS.GmsHeader.JOIN_REQ_WITH_STATE_TRANSFER) {
            log.warn("cluster '{}' refused {} {}: authentication failed (it has no cluster secret; this cluster"
                    + " requires one)", clusterName, requestName(gms), describe(msg.getSrc()));
            sendRejectionMessage(gms.getType(), msg.getSrc(), REFUSED_NO_TOKEN);
        }
        return null;
    }

    /** Hands GMS a failed join answer, which makes it throw from {@code JChannel.connect}. */
    private void failJoin(Address from, String reason) {
        Message refusal = new BytesMessage(null).setSrc(from)
                .putHeader(GMS_PROTOCOL_ID, new GMS.GmsHeader(GMS.GmsHeader.JOIN_RSP))
                .setArray(GMS.marshal(new JoinRsp(reason)));
        up_prot.up(refusal);
    }

    private String describe(Address member) {
        Object physical = down_prot.down(new Event(Event.GET_PHYSICAL_ADDRESS, member));
        return physical == null ? String.valueOf(member) : member + " at " + physical;
    }

    private static String requestName(GMS.GmsHeader gms) {
        return gms.getType() == GMS.GmsHeader.MERGE_REQ ? "a merge with" : "the join of";
    }

    /**
     * Explains, for the refused member's exception, the reason a member of {@code clusterName} gave for refusing its
     * join; {@code null} if the reason is none of Tessera's.
     */
    public static String describeRefusal(String clusterName, String reason) {
        if (reason == null) {
            return null;
        }
        String refused = "cluster '" + clusterName + "' refused this member: ";
        if (reason.contains(REFUSED_WRONG_KEY)) {
            return refused + "authentication failed (its cluster secret or keystore key differs from the members';"
                    + " start it with the secret and keystore the running members use)";
        }
        if (reason.contains(REFUSED_NO_TOKEN)) {
            return refused + "authentication failed (it has no cluster secret and the members require one; start it"
                    + " with the cluster's secret or keystore)";
        }
        if (reason.contains(REFUSED_UNSECURED)) {
            return "cluster '" + clusterName + "' cannot be joined by this member: the members run without a cluster"
                    + " secret or keystore, and this member requires one; start every member with the same security"
                    + " settings";
        }
        return null;
    }
}
