package io.tessera.grid.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tessera.grid.Grid;
import io.tessera.grid.GridBuilder;
import io.tessera.grid.GridException;
import io.tessera.grid.GridMap;
import io.tessera.grid.testing.GridCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A running cluster moves to a new secret, and to a new keystore key, by three rolling restarts (accept the new one,
 * send with it and accept the old one, drop the old one) while a client keeps writing through the members that are
 * up: no acknowledged write is lost, every restarted member joins the members of the step before, and at the end a
 * member with only the old secret is refused. The cluster runs on the in-JVM {@code local} stack, which encrypts and
 * authenticates as the {@code tcp} one does.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SecretRotationTest {
    private static final String OLD_SECRET = "the secret of last year 2025";
    private static final String NEW_SECRET = "the secret of this year 2026";
    private static final int MEMBERS = 3;

    @TempDir
    Path dir;

    @Test
    void threeRollingRestarts_moveTheClusterToANewSecret_losingNoWrite_andThenRefuseTheOldSecret() throws Exception {
        List<UnaryOperator<GridBuilder>> steps = List.of(
                b -> b.clusterSecret(OLD_SECRET).acceptedClusterSecret(NEW_SECRET),
                b -> b.clusterSecret(NEW_SECRET).acceptedClusterSecret(OLD_SECRET),
                b -> b.clusterSecret(NEW_SECRET));
        rotate(b -> b.clusterSecret(OLD_SECRET), steps, b -> b.clusterSecret(OLD_SECRET));
    }

    @Test
    void threeRollingRestarts_moveTheClusterToANewKeystoreKey_losingNoWrite_andThenRefuseTheOldKey() throws Exception {
        Path keystore = dir.resolve("grid.p12");
        addKey(keystore, "key-2025");
        addKey(keystore, "key-2026");
        List<UnaryOperator<GridBuilder>> steps = List.of(
                b -> b.keystore(keystore, "pw-123456", "key-2025").acceptedKeystoreAlias("key-2026"),
                b -> b.keystore(keystore, "pw-123456", "key-2026").acceptedKeystoreAlias("key-2025"),
                b -> b.keystore(keystore, "pw-123456", "key-2026"));
        // The refused member holds the old key under the alias the cluster sends with now.
        rotate(b -> b.keystore(keystore, "pw-123456", "key-2025"), steps,
                b -> b.keystore(keystore, "pw-123456", "key-2025"));
    }

    @Test
    void builder_refusesAnAcceptedSecretOrAliasAlone_orEqualToItsOwn_andHidesIt() {
        assertThatThrownBy(() -> Grid.builder().acceptedClusterSecret(NEW_SECRET).config())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("acceptedClusterSecret is set without clusterSecret");
        assertThatThrownBy(() -> Grid.builder().clusterSecret(NEW_SECRET).acceptedClusterSecret(NEW_SECRET).config())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("acceptedClusterSecret is the clusterSecret itself");
        assertThatThrownBy(() -> Grid.builder().acceptedClusterSecret("short"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("acceptedClusterSecret: 5 characters (expected at least 16");
        assertThatThrownBy(() -> Grid.builder().acceptedKeystoreAlias("key-2025").config())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("acceptedKeystoreAlias is set without a keystore");
        assertThat(Grid.builder().clusterSecret(NEW_SECRET).acceptedClusterSecret(OLD_SECRET).config().toString())
                .contains("ClusterSecurity[secret=(set), keystore=(none), accepted-secret=(set)]")
                .doesNotContain(OLD_SECRET, NEW_SECRET);
    }

    /**
     * Starts {@link #MEMBERS} members with {@code initial}, then for each step closes and restarts every member in turn
     * with that step's settings while a writer writes through another member, and finally checks every write and that
     * a member with {@code refused} cannot join.
     */
    private static void rotate(UnaryOperator<GridBuilder> initial, List<UnaryOperator<GridBuilder>> steps,
                               UnaryOperator<GridBuilder> refused) throws Exception {
        AtomicReference<UnaryOperator<GridBuilder>> settings = new AtomicReference<>(initial);
        try (GridCluster cluster = GridCluster.start(MEMBERS, b -> settings.get().apply(b))) {
            Map<String, String> acknowledged = new ConcurrentHashMap<>();
            AtomicReference<Grid> writeThrough = new AtomicReference<>(cluster.member(0));
            AtomicReference<Throwable> writerFailure = new AtomicReference<>();
            Thread writer = new Thread(() -> {
                for (int i = 0; !Thread.currentThread().isInterrupted(); i++) {
                    String key = "k" + i;
                    try {
                        writeThrough.get().<String, String>map("data").put(key, "v" + i);
                        acknowledged.put(key, "v" + i);
                    } catch (RuntimeException e) {
                        writerFailure.compareAndSet(null, e);
                        return;
                    }
                }
            }, "rotation-writer");
            writer.start();
            try {
                for (UnaryOperator<GridBuilder> step : steps) {
                    settings.set(step);
                    for (int restarted = 0; restarted < MEMBERS; restarted++) {
                        // The oldest member goes; the writer writes through the newest, which stays.
                        writeThrough.set(cluster.member(MEMBERS - 1));
                        cluster.closeMember(0);
                        cluster.addMember();
                        cluster.awaitSettled();
                        assertThat(writerFailure.get()).as("a write failed during the rotation").isNull();
                    }
                }
            } finally {
                writer.interrupt();
                writer.join(TimeUnit.SECONDS.toMillis(30));
            }
            assertThat(writerFailure.get()).as("a write failed during the rotation").isNull();
            assertThat(acknowledged).as("writes acknowledged during %d restarts", MEMBERS * steps.size())
                    .hasSizeGreaterThan(100);
            GridMap<String, String> map = cluster.member(0).map("data");
            List<String> lost = new ArrayList<>();
            acknowledged.forEach((key, value) -> {
                if (!value.equals(map.get(key))) {
                    lost.add(key);
                }
            });
            assertThat(lost).as("acknowledged writes missing after the rotation").isEmpty();

            assertThatThrownBy(() -> cluster.addMember(b -> refused.apply(Grid.builder()
                    .clusterName(cluster.clusterName()).stack("local").memberName("stale"))))
                    .isInstanceOf(GridException.class)
                    .hasMessageContaining("refused this member: authentication failed");
            assertThat(cluster.member(0).members()).hasSize(MEMBERS);
        }
    }

    /** Adds an AES key under {@code alias} with the command docs/security.md gives, with the JDK's own keytool. */
    private static void addKey(Path keystore, String alias) throws Exception {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Process process = new ProcessBuilder(keytool.toString(), "-genseckey", "-alias", alias, "-keyalg", "AES",
                "-keysize", "256", "-storetype", "PKCS12", "-keystore", keystore.toString(), "-storepass",
                "pw-123456").redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
    }
}
