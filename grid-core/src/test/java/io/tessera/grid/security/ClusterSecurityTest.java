package io.tessera.grid.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tessera.grid.Grid;
import io.tessera.grid.GridBuilder;
import io.tessera.grid.GridException;
import io.tessera.grid.testing.GridCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Secured members on the in-JVM {@code local} stack: encryption and authentication work there too, a member with
 * another key is refused, and the builder checks its security settings.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClusterSecurityTest {
    private static final String SECRET = "local stack secret 123";

    @TempDir
    Path dir;

    @Test
    void membersWithTheSameSecret_replicate_andOneWithAnother_isRefused() {
        try (GridCluster cluster = GridCluster.start(2, b -> b.clusterSecret(SECRET))) {
            cluster.member(0).<String, String>map("m").put("k", "v");
            assertThat(cluster.member(1).<String, String>map("m").get("k")).isEqualTo("v");
            // A fresh builder: the cluster's own customizer already set the right secret on b.
            assertThatThrownBy(() -> cluster.addMember(b -> Grid.builder().clusterName(cluster.clusterName())
                    .stack("local").memberName("other").clusterSecret(SECRET + "?")))
                    .isInstanceOf(GridException.class)
                    .hasMessageContaining("refused this member: authentication failed (its cluster secret or keystore"
                            + " key differs");
            assertThat(cluster.member(0).members()).hasSize(2);
        }
    }

    @Test
    void membersWithTheSameKeystoreKey_replicate_andOneWithAnotherKey_isRefused() throws Exception {
        Path keystore = keystore("grid.p12");
        Path other = keystore("other.p12");
        try (GridCluster cluster = GridCluster.start(2, b -> b.keystore(keystore, "pw-123456", "tessera"))) {
            cluster.member(1).<String, String>map("m").put("k", "v");
            assertThat(cluster.member(0).<String, String>map("m").get("k")).isEqualTo("v");
            assertThatThrownBy(() -> cluster.addMember(b -> Grid.builder().clusterName(cluster.clusterName())
                    .stack("local").memberName("other").keystore(other, "pw-123456", "tessera")))
                    .isInstanceOf(GridException.class)
                    .hasMessageContaining("refused this member: authentication failed");
        }
    }

    @Test
    void aSecuredMember_joiningAnUnsecuredCluster_failsAtOnce_sayingWhy() throws InterruptedException {
        try (GridCluster cluster = GridCluster.start(1)) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> cluster.addMember(b -> b.clusterSecret(SECRET)))
                    .isInstanceOf(GridException.class)
                    .hasMessageContaining("cannot be joined by this member: the members run without a cluster secret"
                            + " or keystore, and this member requires one");
            assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start)).isLessThan(10);
            // The unsecured member had admitted it before the answer reached it. The refused member asks to leave at
            // once (usually gone within a second); should that request be lost, failure detection removes it.
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (cluster.member(0).members().size() != 1 && System.nanoTime() < end) {
                Thread.sleep(20);
            }
            assertThat(cluster.member(0).members()).hasSize(1);
        }
    }

    @Test
    void builder_refusesShortOrPaddedSecrets_aSecondSecret_andAMissingKeystore_andHidesTheSecret() {
        assertThatThrownBy(() -> Grid.builder().clusterSecret("too short"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("clusterSecret: 9 characters (expected at least 16; generate one with: openssl rand"
                        + " -base64 32)");
        assertThatThrownBy(() -> Grid.builder().clusterSecret(SECRET + "\n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("clusterSecret: has spaces or line breaks around it");
        GridBuilder builder = Grid.builder().clusterSecret(SECRET);
        assertThatThrownBy(() -> builder.clusterSecret(SECRET))
                .isInstanceOf(IllegalStateException.class).hasMessage("clusterSecret was already set");
        Path missing = dir.resolve("missing.p12");
        assertThatThrownBy(() -> Grid.builder().keystore(missing, "pw", "tessera"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("keystore: " + missing + " (expected a readable keystore file)");
        assertThat(builder.config().toString()).doesNotContain(SECRET)
                .contains("ClusterSecurity[secret=(set), keystore=(none)]");
        assertThat(Grid.builder().config().security().enabled()).isFalse();
    }

    /** Makes a keystore with the command docs/security.md gives, with the JDK's own keytool. */
    private Path keystore(String name) throws Exception {
        Path file = dir.resolve(name);
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Process process = new ProcessBuilder(keytool.toString(), "-genseckey", "-alias", "tessera", "-keyalg", "AES",
                "-keysize", "256", "-storetype", "PKCS12", "-keystore", file.toString(), "-storepass", "pw-123456")
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        return file;
    }
}
