package io.tessera.grid.internal.cluster;

import java.util.Iterator;
import org.jgroups.Message;
import org.jgroups.conf.ClassConfigurator;
import org.jgroups.protocols.SYM_ENCRYPT;
import org.jgroups.protocols.pbcast.GMS;
import org.jgroups.util.MessageBatch;

/**
 * JGroups' {@code SYM_ENCRYPT} with AES/CBC and a key of {@link ClusterKeys}, which also lets one kind of unencrypted
 * message up: a refused join's answer ({@code JOIN_RSP} with a failure reason and nothing else). {@link JoinAuth}
 * below sends those unencrypted, because the refused member has no key to decrypt them; passing one up only makes
 * {@code JChannel.connect} fail with its reason, it carries no view and admits no one.
 *
 * <p>What SYM_ENCRYPT protects: the payload of every message above it (map entries, operations, views), with a
 * random IV per message. It does not hide JGroups' headers (sequence numbers, addresses) and adds no MAC. Runs on
 * JGroups' threads.
 */
public final class RefusalPassingSymEncrypt extends SYM_ENCRYPT {
    /** The JGroups protocol id; ids from 512 up are free for applications. */
    static final short PROTOCOL_ID = 1872;

    private static final short GMS_PROTOCOL_ID = ClassConfigurator.getProtocolId(GMS.class);

    static {
        if (ClassConfigurator.getProtocol(PROTOCOL_ID) == null) {
            ClassConfigurator.addProtocol(PROTOCOL_ID, RefusalPassingSymEncrypt.class);
        }
    }

    /** Called by JGroups' configurator; {@link #keys} must follow before the stack is initialised. */
    public RefusalPassingSymEncrypt() {
        // "AES" alone is ECB, which shows equal blocks as equal; CBC with a random 16-byte IV per message does not.
        symAlgorithm("AES/CBC/PKCS5Padding");
        symIvLength(16);
    }

    /** Encrypts with {@code keys}' encryption key. */
    RefusalPassingSymEncrypt keys(ClusterKeys keys) {
        setSecretKey(keys.encryptionKey());
        return this;
    }

    @Override
    public Object up(Message msg) {
        if (msg.getHeader(id) == null && isJoinRefusal(msg)) {
            return up_prot.up(msg);
        }
        return super.up(msg);
    }

    @Override
    public void up(MessageBatch batch) {
        for (Iterator<Message> it = batch.iterator(); it.hasNext(); ) {
            Message msg = it.next();
            if (msg.getHeader(id) == null && isJoinRefusal(msg)) {
                it.remove();
                up_prot.up(msg);
            }
        }
        if (!batch.isEmpty()) {
            super.up(batch);
        }
    }

    private static boolean isJoinRefusal(Message msg) {
        return msg.getHeader(GMS_PROTOCOL_ID) instanceof GMS.GmsHeader gms
                && gms.getType() == GMS.GmsHeader.JOIN_RSP && JoinAuth.isRefusal(msg);
    }
}
