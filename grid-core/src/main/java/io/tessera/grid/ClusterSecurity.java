package io.tessera.grid;

import java.nio.file.Path;

/**
 * How a member proves it belongs to its cluster and encrypts the cluster's traffic, as {@link GridBuilder#clusterSecret}
 * and {@link GridBuilder#keystore} set it; {@link #none()} (the default) switches both off.
 *
 * <p>With a cluster secret, a keystore or both, every member encrypts what it sends to the others (JGroups
 * {@code SYM_ENCRYPT}, AES) and a joining member must prove, with an HMAC-SHA256 over a fresh nonce and its own
 * address, that it has the same key material (JGroups {@code AUTH}); a member that cannot is refused and fails to
 * start. Every member of a cluster must be started with the same settings, except while a secret or key is being
 * replaced: then a member may also accept a second secret ({@link GridBuilder#acceptedClusterSecret}) or keystore key
 * ({@link GridBuilder#acceptedKeystoreAlias}), which it checks joiners against and decrypts with, but never sends
 * with. Immutable; {@link #toString()} never shows a secret or the password.
 */
public final class ClusterSecurity {
    private static final ClusterSecurity NONE = new ClusterSecurity(null, null, null, null, null, null);

    private final String clusterSecret;
    private final Path keystore;
    private final String keystorePassword;
    private final String keystoreAlias;
    private final String acceptedClusterSecret;
    private final String acceptedKeystoreAlias;

    private ClusterSecurity(String clusterSecret, Path keystore, String keystorePassword, String keystoreAlias,
                            String acceptedClusterSecret, String acceptedKeystoreAlias) {
        this.clusterSecret = clusterSecret;
        this.keystore = keystore;
        this.keystorePassword = keystorePassword;
        this.keystoreAlias = keystoreAlias;
        this.acceptedClusterSecret = acceptedClusterSecret;
        this.acceptedKeystoreAlias = acceptedKeystoreAlias;
    }

    /**
     * Returns the settings of an unsecured member: no authentication, no encryption.
     *
     * @return the settings that switch security off
     */
    public static ClusterSecurity none() {
        return NONE;
    }

    /**
     * Returns whether this member authenticates and encrypts: whether a secret or a keystore is set.
     *
     * @return {@code true} if a cluster secret or a keystore is set
     */
    public boolean enabled() {
        return clusterSecret != null || keystore != null;
    }

    /**
     * Returns the shared secret the member's keys are derived from.
     *
     * @return the secret, or {@code null} if none is set
     */
    public String clusterSecret() {
        return clusterSecret;
    }

    /**
     * Returns the PKCS12 or JCEKS keystore whose AES key encrypts the traffic.
     *
     * @return the keystore's path, or {@code null} if none is set
     */
    public Path keystore() {
        return keystore;
    }

    /**
     * Returns the password of the keystore and of its key.
     *
     * @return the password, or {@code null} if no keystore is set
     */
    public String keystorePassword() {
        return keystorePassword;
    }

    /**
     * Returns the alias of the AES key in the keystore.
     *
     * @return the alias, or {@code null} if no keystore is set
     */
    public String keystoreAlias() {
        return keystoreAlias;
    }

    /**
     * Returns the second secret this member accepts from other members while the cluster moves from one secret to
     * another; it never sends with it.
     *
     * @return the accepted secret, or {@code null} if none is set
     */
    public String acceptedClusterSecret() {
        return acceptedClusterSecret;
    }

    /**
     * Returns the alias of a second AES key in the same keystore that this member accepts from other members while
     * the cluster moves from one key to another; it never sends with it.
     *
     * @return the accepted key's alias, or {@code null} if none is set
     */
    public String acceptedKeystoreAlias() {
        return acceptedKeystoreAlias;
    }

    ClusterSecurity withSecret(String secret) {
        return new ClusterSecurity(secret, keystore, keystorePassword, keystoreAlias, acceptedClusterSecret,
                acceptedKeystoreAlias);
    }

    ClusterSecurity withKeystore(Path path, String password, String alias) {
        return new ClusterSecurity(clusterSecret, path, password, alias, acceptedClusterSecret, acceptedKeystoreAlias);
    }

    ClusterSecurity withAcceptedSecret(String secret) {
        return new ClusterSecurity(clusterSecret, keystore, keystorePassword, keystoreAlias, secret,
                acceptedKeystoreAlias);
    }

    ClusterSecurity withAcceptedKeystoreAlias(String alias) {
        return new ClusterSecurity(clusterSecret, keystore, keystorePassword, keystoreAlias, acceptedClusterSecret,
                alias);
    }

    /**
     * Describes the settings without the secret or the password.
     *
     * @return for example {@code ClusterSecurity[secret=(set), keystore=/etc/tessera/grid.p12 alias=tessera]}, with
     *     {@code accepted-secret=(set)} or {@code accepted-alias=tessera-2026} at the end when they are set
     */
    @Override
    public String toString() {
        if (!enabled()) {
            return "ClusterSecurity[none]";
        }
        return "ClusterSecurity[secret=" + (clusterSecret == null ? "(none)" : "(set)") + ", keystore="
                + (keystore == null ? "(none)" : keystore + " alias=" + keystoreAlias)
                + (acceptedClusterSecret == null ? "" : ", accepted-secret=(set)")
                + (acceptedKeystoreAlias == null ? "" : ", accepted-alias=" + acceptedKeystoreAlias) + "]";
    }
}
