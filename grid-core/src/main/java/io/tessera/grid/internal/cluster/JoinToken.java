package io.tessera.grid.internal.cluster;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import javax.crypto.Mac;
import org.jgroups.Address;
import org.jgroups.Message;
import org.jgroups.auth.AuthToken;
import org.jgroups.util.Util;

/**
 * The proof a secured member sends with its JOIN and MERGE requests, and a coordinator with its answers: a fresh
 * random nonce and HMAC-SHA256(authentication key, label | nonce | sender's address). The receiver recomputes the MAC
 * over the address the message came from. It proves knowledge of the key material without revealing it (the secret
 * never crosses the network, in clear or hashed, unlike JGroups' removed MD5Token/SimpleToken), and a token copied
 * from the wire is worth nothing to a sender with another address.
 *
 * <p>JGroups creates the receiving side's instance with the no-argument constructor and {@link #readFrom}; that
 * instance has no key and only carries the nonce and MAC to {@link #authenticate} of the local, keyed token.
 */
public final class JoinToken extends AuthToken {
    private static final int NONCE_BYTES = 16;
    private static final int MAC_BYTES = 32;
    private static final byte[] LABEL = "tessera join v1".getBytes(StandardCharsets.UTF_8);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final ClusterKeys keys;
    private byte[] nonce;
    private byte[] mac;

    /** The receiving side's instance, filled by {@link #readFrom}; JGroups calls it by reflection. */
    public JoinToken() {
        this.keys = null;
    }

    JoinToken(ClusterKeys keys) {
        this.keys = keys;
    }

    @Override
    public String getName() {
        return JoinToken.class.getName();
    }

    @Override
    public int size() {
        return 2 + NONCE_BYTES + MAC_BYTES;
    }

    /**
     * Whether the sender of {@code message} computed {@code received}'s MAC with this member's key or one it accepts
     * (during a rotation, see {@link ClusterKeys#verifyingKeys()}).
     */
    @Override
    public boolean authenticate(AuthToken received, Message message) {
        if (keys == null || !(received instanceof JoinToken token) || token.nonce == null || token.mac == null
                || message.getSrc() == null) {
            return false;
        }
        for (ClusterKeys candidate : keys.verifyingKeys()) {
            if (MessageDigest.isEqual(token.mac, mac(candidate, token.nonce, message.getSrc()))) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void writeTo(DataOutput out) throws IOException {
        // A fresh nonce every time the header is written: retransmissions and each JOIN attempt carry their own.
        byte[] freshNonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(freshNonce);
        Address self = auth.getAddress();
        out.writeByte(NONCE_BYTES);
        out.write(freshNonce);
        out.writeByte(MAC_BYTES);
        out.write(mac(keys, freshNonce, self));
    }

    @Override
    public void readFrom(DataInput in) throws IOException {
        nonce = readExactly(in, NONCE_BYTES);
        mac = readExactly(in, MAC_BYTES);
    }

    private static byte[] readExactly(DataInput in, int expected) throws IOException {
        int length = in.readUnsignedByte();
        if (length != expected) {
            throw new IOException("join token: field of " + length + " bytes (expected " + expected + ")");
        }
        byte[] bytes = new byte[length];
        in.readFully(bytes);
        return bytes;
    }

    private static byte[] mac(ClusterKeys keys, byte[] nonceBytes, Address sender) {
        Mac hmac = keys.authenticationMac();
        hmac.update(LABEL);
        hmac.update(nonceBytes);
        try {
            hmac.update(Util.streamableToByteBuffer(sender));
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode address " + sender, e);
        }
        return hmac.doFinal();
    }

    @Override
    public String toString() {
        return "JoinToken";
    }
}
