package io.tessera.grid.internal.cluster;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import org.jgroups.Message;
import org.jgroups.conf.ClassConfigurator;
import org.jgroups.protocols.EncryptHeader;
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
 * random IV per message. It does not hide JGroups' headers (sequence numbers, addresses) and adds no MAC.
 *
 * <p>While the cluster moves to a new secret or key, it also decrypts messages sent with the keys the member accepts
 * ({@link ClusterKeys#acceptedEncryptionKeys()}), whatever their sender. Runs on JGroups' threads; the accepted keys
 * are set once, before the stack starts.
 */
public final class RefusalPassingSymEncrypt extends SYM_ENCRYPT {
    /** The JGroups protocol id; ids from 512 up are free for applications. */
    static final short PROTOCOL_ID = 1872;

    private static final short GMS_PROTOCOL_ID = ClassConfigurator.getProtocolId(GMS.class);

    private List<AcceptedKey> acceptedKeys = List.of();

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

    /** Encrypts with {@code keys}' encryption key, and decrypts with it and its accepted ones. */
    RefusalPassingSymEncrypt keys(ClusterKeys keys) {
        setSecretKey(keys.encryptionKey());
        List<AcceptedKey> accepted = new ArrayList<>();
        for (SecretKey key : keys.acceptedEncryptionKeys()) {
            accepted.add(new AcceptedKey(keyVersion(key), key));
        }
        this.acceptedKeys = List.copyOf(accepted);
        return this;
    }

    /**
     * Decrypts a message sent with an accepted key, which {@code SYM_ENCRYPT} itself would drop: it knows one key,
     * and its cache of earlier ones only serves senders already in the view, while during a rotation a joiner's
     * first messages come before it is in one (its join was already checked below, by {@link JoinAuth}).
     */
    @Override
    protected Message decrypt(Cipher cipher, Message msg) throws Exception {
        EncryptHeader header = msg.getHeader(id);
        if (!acceptedKeys.isEmpty() && !Arrays.equals(header.version(), symVersion())) {
            for (AcceptedKey accepted : acceptedKeys) {
                if (Arrays.equals(header.version(), accepted.version())) {
                    // The pooled ciphers belong to the sending key; a cipher of its own per message costs a few
                    // microseconds, paid only by messages of the other key during a rotation.
                    return _decrypt(cipher != null ? cipher : createCipher(sym_algorithm), accepted.key(), msg,
                            header);
                }
            }
        }
        return super.decrypt(cipher, msg);
    }

    /** The version SYM_ENCRYPT's header names a key by: the MD5 digest of its bytes, as {@code Encrypt} makes it. */
    private static byte[] keyVersion(SecretKey key) {
        try {
            return MessageDigest.getInstance("MD5").digest(key.getEncoded());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is part of every Java 17 runtime", e);
        }
    }

    private record AcceptedKey(byte[] version, SecretKey key) {
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
