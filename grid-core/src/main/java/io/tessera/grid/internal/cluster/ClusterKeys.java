package io.tessera.grid.internal.cluster;

import io.tessera.grid.ClusterSecurity;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.SecretKey;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The keys a secured member uses, derived once when it starts: the AES key {@link RefusalPassingSymEncrypt} encrypts
 * the cluster's traffic with, and the HMAC-SHA256 key {@link JoinToken} proves membership with.
 *
 * <p>Derivation. A cluster secret is stretched with PBKDF2-HMAC-SHA256 ({@value #PBKDF2_ITERATIONS} iterations),
 * salted with the cluster name, into a 32-byte pseudorandom key; the string itself is never a key, and the same secret
 * gives unrelated keys in two clusters of different names. A keystore's AES key is taken as it is for encryption and
 * mixed, HKDF-Extract style, with the cluster name. From that material HKDF-Expand (RFC 5869, HMAC-SHA256) derives the
 * two keys under different labels, so knowing one key tells nothing about the other. The authentication key covers
 * all the material a member has: with both a secret and a keystore, a member whose keystore differs is refused at
 * the join, not left unable to decrypt anything.
 *
 * <p>A member may accept a second secret or keystore key beside its own while the cluster moves to a new one
 * ({@link ClusterSecurity#acceptedClusterSecret()}): it keeps the keys derived from that material as well, checks
 * proofs against them and decrypts with them, and sends with its own only.
 *
 * <p>Immutable; the key bytes never leave this class except to JGroups' cipher and the token's MAC.
 */
public final class ClusterKeys {
    /** PBKDF2 iterations for a cluster secret: OWASP's 2023 figure for PBKDF2-HMAC-SHA256. */
    static final int PBKDF2_ITERATIONS = 600_000;

    private static final byte[] ENCRYPTION_LABEL = "tessera cluster encryption key v1".getBytes(StandardCharsets.UTF_8);
    private static final byte[] AUTHENTICATION_LABEL =
            "tessera cluster authentication key v1".getBytes(StandardCharsets.UTF_8);

    private final SecretKey encryptionKey;
    private final byte[] authenticationKey;
    /** Keys of the accepted secret or keystore key, each without accepted keys of its own; usually empty. */
    private final List<ClusterKeys> accepted;

    private ClusterKeys(SecretKey encryptionKey, byte[] authenticationKey, List<ClusterKeys> accepted) {
        this.encryptionKey = encryptionKey;
        this.authenticationKey = authenticationKey;
        this.accepted = accepted;
    }

    /**
     * Derives the keys of a member of {@code clusterName} from {@code security}'s secret and/or keystore, and the keys
     * it accepts as well from its accepted secret and keystore alias: one set for each combination of the material
     * (the sending secret with the accepted key, the accepted secret with the sending key, both accepted), so that
     * a secret and a keystore key may be replaced together or one at a time.
     *
     * @return the keys, or {@code null} if {@code security} switches nothing on
     * @throws IllegalArgumentException if the keystore cannot be read or holds no AES key under an alias (the
     *     message names the file and alias, never a password)
     */
    public static ClusterKeys derive(ClusterSecurity security, String clusterName) {
        if (!security.enabled()) {
            return null;
        }
        byte[] salt = ("tessera cluster " + clusterName).getBytes(StandardCharsets.UTF_8);
        List<byte[]> secrets = new ArrayList<>();
        secrets.add(security.clusterSecret() == null ? null : pbkdf2(security.clusterSecret(), salt));
        if (security.acceptedClusterSecret() != null) {
            secrets.add(pbkdf2(security.acceptedClusterSecret(), salt));
        }
        List<SecretKey> keystoreKeys = new ArrayList<>();
        keystoreKeys.add(security.keystore() == null ? null
                : readKeystore(security.keystore(), security.keystorePassword(), security.keystoreAlias()));
        if (security.acceptedKeystoreAlias() != null) {
            keystoreKeys.add(readKeystore(security.keystore(), security.keystorePassword(),
                    security.acceptedKeystoreAlias()));
        }
        List<ClusterKeys> accepted = new ArrayList<>();
        for (int s = 0; s < secrets.size(); s++) {
            for (int k = 0; k < keystoreKeys.size(); k++) {
                if (s > 0 || k > 0) {
                    accepted.add(fromMaterial(secrets.get(s), keystoreKeys.get(k), salt, List.of()));
                }
            }
        }
        return fromMaterial(secrets.get(0), keystoreKeys.get(0), salt, List.copyOf(accepted));
    }

    private static ClusterKeys fromMaterial(byte[] stretchedSecret, SecretKey keystoreKey, byte[] salt,
                                            List<ClusterKeys> accepted) {
        byte[] material = new byte[0];
        if (stretchedSecret != null) {
            material = concat(material, stretchedSecret);
        }
        if (keystoreKey != null) {
            material = concat(material, hmac(salt, keystoreKey.getEncoded()));
        }
        byte[] pseudorandomKey = hmac(salt, material);
        SecretKey encryptionKey = keystoreKey != null ? keystoreKey
                : new SecretKeySpec(expand(pseudorandomKey, ENCRYPTION_LABEL), "AES");
        return new ClusterKeys(encryptionKey, expand(pseudorandomKey, AUTHENTICATION_LABEL), accepted);
    }

    /** The AES key the cluster's traffic is encrypted with. */
    SecretKey encryptionKey() {
        return encryptionKey;
    }

    /** The AES keys other than {@link #encryptionKey} that traffic may be decrypted with: the accepted ones. */
    List<SecretKey> acceptedEncryptionKeys() {
        // A secret rotated under an unchanged keystore key encrypts with that same key: listed once, or not at all.
        Map<ByteBuffer, SecretKey> distinct = new LinkedHashMap<>();
        distinct.put(ByteBuffer.wrap(encryptionKey.getEncoded()), encryptionKey);
        for (ClusterKeys other : accepted) {
            distinct.putIfAbsent(ByteBuffer.wrap(other.encryptionKey.getEncoded()), other.encryptionKey);
        }
        return List.copyOf(distinct.values()).subList(1, distinct.size());
    }

    /** A MAC keyed with the authentication key, for one use on one thread. */
    Mac authenticationMac() {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(authenticationKey, "HmacSHA256"));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java 17 runtime", e);
        }
    }

    /** The keys a received proof may have been made with: these, then each accepted set. */
    List<ClusterKeys> verifyingKeys() {
        List<ClusterKeys> all = new ArrayList<>(1 + accepted.size());
        all.add(this);
        all.addAll(accepted);
        return all;
    }

    private static byte[] pbkdf2(String secret, byte[] salt) {
        char[] chars = secret.toCharArray();
        PBEKeySpec spec = new PBEKeySpec(chars, salt, PBKDF2_ITERATIONS, 256);
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is part of every Java 17 runtime", e);
        } finally {
            spec.clearPassword();
            Arrays.fill(chars, '\0');
        }
    }

    private static SecretKey readKeystore(Path path, String password, String alias) {
        String what = "keystore: " + path + " (alias \"" + alias + "\")";
        if (!Files.isReadable(path)) {
            throw new IllegalArgumentException(what + " is not a readable file");
        }
        char[] chars = password.toCharArray();
        try {
            // Detects PKCS12 and JCEKS by content.
            KeyStore store = KeyStore.getInstance(path.toFile(), chars);
            Key key = store.getKey(alias, chars);
            if (key == null) {
                throw new IllegalArgumentException(what + " holds no key under that alias; aliases: "
                        + java.util.Collections.list(store.aliases()));
            }
            if (!(key instanceof SecretKey secretKey) || !"AES".equalsIgnoreCase(key.getAlgorithm())) {
                throw new IllegalArgumentException(what + " holds a " + key.getAlgorithm() + " key (expected an AES"
                        + " secret key, as keytool -genseckey -keyalg AES -keysize 256 makes)");
            }
            int bits = key.getEncoded().length * 8;
            if (bits != 128 && bits != 192 && bits != 256) {
                throw new IllegalArgumentException(what + " holds a " + bits + "-bit AES key (expected 128, 192 or"
                        + " 256 bits)");
            }
            return secretKey;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException(what + " cannot be read: " + e.getMessage()
                    + " (check the keystore password)", e);
        } finally {
            Arrays.fill(chars, '\0');
        }
    }

    /** HKDF-Expand (RFC 5869) of 32 bytes, one HMAC block. */
    private static byte[] expand(byte[] pseudorandomKey, byte[] label) {
        return hmac(pseudorandomKey, concat(label, new byte[] {1}));
    }

    private static byte[] hmac(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java 17 runtime", e);
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }

    /** Never the keys. */
    @Override
    public String toString() {
        return "ClusterKeys[" + encryptionKey.getAlgorithm() + "-" + encryptionKey.getEncoded().length * 8 + "]";
    }
}
