package io.tessera.grid.internal.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tessera.grid.ClusterSecurity;
import io.tessera.grid.Grid;
import io.tessera.grid.GridBuilder;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;
import org.jgroups.JChannel;
import org.jgroups.stack.Protocol;
import org.jgroups.util.Util;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Key derivation from a cluster secret or a keystore, and where {@link JGroupsStacks} puts the authentication and
 * encryption protocols in every bundled stack.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClusterKeysTest {
    private static final String SECRET = "a secret of some length";

    @TempDir
    Path dir;

    @Test
    void sameSecretAndClusterName_giveTheSameKeys_anotherSecretOrClusterNameOthers() {
        ClusterKeys keys = derive(builder().clusterSecret(SECRET), "shop");
        ClusterKeys again = derive(builder().clusterSecret(SECRET), "shop");
        ClusterKeys otherCluster = derive(builder().clusterSecret(SECRET), "shop2");
        ClusterKeys otherSecret = derive(builder().clusterSecret(SECRET + "!"), "shop");

        assertThat(keys.encryptionKey().getEncoded()).hasSize(32).isEqualTo(again.encryptionKey().getEncoded())
                .isNotEqualTo(otherCluster.encryptionKey().getEncoded())
                .isNotEqualTo(otherSecret.encryptionKey().getEncoded());
        assertThat(mac(keys)).isEqualTo(mac(again)).isNotEqualTo(mac(otherCluster)).isNotEqualTo(mac(otherSecret));
        // Neither key is the secret's bytes, and the two keys differ from each other.
        assertThat(keys.encryptionKey().getEncoded()).isNotEqualTo(SECRET.getBytes(StandardCharsets.UTF_8));
        assertThat(keys.toString()).doesNotContain(SECRET).isEqualTo("ClusterKeys[AES-256]");
    }

    @Test
    void noSecretAndNoKeystore_giveNoKeys() {
        assertThat(ClusterKeys.derive(ClusterSecurity.none(), "shop")).isNull();
    }

    @Test
    void keystoreKey_encrypts_andAnotherKeystoreKey_authenticatesDifferently() throws Exception {
        SecretKey stored = aesKey();
        Path keystore = keystore("grid.p12", "tessera", stored, "pw-123456");
        ClusterKeys keys = derive(builder().keystore(keystore, "pw-123456", "tessera"), "shop");
        ClusterKeys other = derive(builder().keystore(keystore("other.p12", "tessera", aesKey(), "pw-123456"),
                "pw-123456", "tessera"), "shop");
        ClusterKeys withSecret = derive(builder().keystore(keystore, "pw-123456", "tessera").clusterSecret(SECRET),
                "shop");

        assertThat(keys.encryptionKey().getEncoded()).isEqualTo(stored.getEncoded());
        assertThat(withSecret.encryptionKey().getEncoded()).isEqualTo(stored.getEncoded());
        assertThat(mac(keys)).isNotEqualTo(mac(other)).isNotEqualTo(mac(withSecret));
    }

    @Test
    void wrongPassword_missingAlias_orNonAesKey_areRefused_withoutThePassword()
            throws Exception {
        Path keystore = keystore("grid.p12", "tessera", aesKey(), "pw-123456");
        assertThatThrownBy(() -> derive(builder().keystore(keystore, "wrong-password", "tessera"), "shop"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("keystore: " + keystore + " (alias \"tessera\") cannot be read")
                .hasMessageContaining("check the keystore password")
                .hasMessageNotContaining("wrong-password");
        assertThatThrownBy(() -> derive(builder().keystore(keystore, "pw-123456", "other"), "shop"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("keystore: " + keystore + " (alias \"other\") holds no key under that alias; aliases:"
                        + " [tessera]");

        Path notAes = keystore("hmac.p12", "tessera", KeyGenerator.getInstance("HmacSHA256").generateKey(),
                "pw-123456");
        assertThatThrownBy(() -> derive(builder().keystore(notAes, "pw-123456", "tessera"), "shop"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("(expected an AES secret key, as keytool -genseckey -keyalg AES -keysize 256"
                        + " makes)");
    }

    @Test
    void everyBundledStack_getsAuthenticationAndEncryption_rightBelowItsReliableDelivery() {
        ClusterKeys keys = derive(builder().clusterSecret(SECRET), "shop");
        for (String stack : JGroupsStacks.BUNDLED_STACKS) {
            JChannel channel = JGroupsStacks.createChannel(stack,
                    new JGroupsStacks.StackSettings("127.0.0.1", 0, List.of()), keys, "shop");
            try {
                // Top first.
                List<String> names = channel.getProtocolStack().getProtocols().stream()
                        .map(p -> p.getClass().getSimpleName()).toList();
                int encrypt = names.indexOf("RefusalPassingSymEncrypt");
                assertThat(names.get(encrypt - 1)).as(stack + ": " + names).isIn("NAKACK2", "UNICAST3");
                assertThat(names.get(encrypt + 1)).as(stack + ": " + names).isEqualTo("JoinAuth");
                assertThat(names.subList(0, encrypt)).as(stack + ": above the encryption")
                        .contains("NAKACK2", "UNICAST3", "GMS", "FRAG4");
                assertThat(names.subList(encrypt + 2, names.size())).as(stack + ": below the authentication")
                        .contains("MERGE3", "FD_ALL3", "VERIFY_SUSPECT2");
                Protocol encryption = channel.getProtocolStack().findProtocol(RefusalPassingSymEncrypt.class);
                assertThat(((RefusalPassingSymEncrypt) encryption).symAlgorithm()).isEqualTo("AES/CBC/PKCS5Padding");
                assertThat(((RefusalPassingSymEncrypt) encryption).secretKey()).isEqualTo(keys.encryptionKey());
            } finally {
                Util.close(channel);
            }
        }
    }

    @Test
    void withoutKeys_theStacksStayAsTheyAre() {
        for (String stack : JGroupsStacks.BUNDLED_STACKS) {
            JChannel channel = JGroupsStacks.createChannel(stack,
                    new JGroupsStacks.StackSettings("127.0.0.1", 0, List.of()));
            try {
                assertThat(channel.getProtocolStack().getProtocols()).extracting(p -> p.getClass().getSimpleName())
                        .doesNotContain("RefusalPassingSymEncrypt", "JoinAuth");
            } finally {
                Util.close(channel);
            }
        }
    }

    @Test
    void aStackWithItsOwnEncryption_isRefusedWhenKeysAreGiven() throws Exception {
        String xml;
        try (var in = JGroupsStacks.class.getResourceAsStream("/io/tessera/grid/stacks/tcp.xml")) {
            xml = new String(in.readAllBytes(), StandardCharsets.UTF_8)
                    .replace("<pbcast.NAKACK2 ", "<SYM_ENCRYPT/><pbcast.NAKACK2 ");
        }
        Path file = dir.resolve("own-encryption.xml");
        Files.writeString(file, xml);
        ClusterKeys keys = derive(builder().clusterSecret(SECRET), "shop");
        assertThatThrownBy(() -> JGroupsStacks.createChannel(file.toString(),
                new JGroupsStacks.StackSettings("127.0.0.1", 0, List.of()), keys, "shop"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("stack: \"" + file + "\" already has SYM_ENCRYPT (expected a stack without encryption or"
                        + " authentication of its own when a cluster secret or keystore is set: Tessera adds them)");
    }

    private static GridBuilder builder() {
        return Grid.builder();
    }

    private static ClusterKeys derive(GridBuilder builder, String clusterName) {
        return ClusterKeys.derive(builder.config().security(), clusterName);
    }

    private static byte[] mac(ClusterKeys keys) {
        return keys.authenticationMac().doFinal("probe".getBytes(StandardCharsets.UTF_8));
    }

    private static SecretKey aesKey() throws Exception {
        KeyGenerator generator = KeyGenerator.getInstance("AES");
        generator.init(256);
        return generator.generateKey();
    }

    private Path keystore(String name, String alias, SecretKey key, String password) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setEntry(alias, new KeyStore.SecretKeyEntry(key), new KeyStore.PasswordProtection(password.toCharArray()));
        Path file = dir.resolve(name);
        try (OutputStream out = Files.newOutputStream(file)) {
            store.store(out, password.toCharArray());
        }
        return file;
    }
}
