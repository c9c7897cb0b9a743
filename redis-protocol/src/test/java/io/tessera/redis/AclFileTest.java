package io.tessera.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tessera.redis.testing.RawConnection;
import io.tessera.redis.testing.RespCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A member started with requirepass and an ACL file: the file's users, the default user, ACL SAVE and LOAD. */
@Timeout(60)
class AclFileTest {
    private static final String PASSWORD = "s3cret";
    /** SHA-256 of "s3cret". */
    private static final String PASSWORD_HASH = "1ec1c26b50d5d3c58d9583181af8076655fe00756bf7285940ba3670f99fcba0";
    @TempDir
    static Path dir;
    private static Path aclFile;
    private static RespCluster cluster;

    @BeforeAll
    static void start() throws IOException {
        aclFile = Files.writeString(dir.resolve("users.acl"), """
                # the users of the shop
                user alice on >wonder ~alice:* &* +@all -@dangerous +acl|whoami

                user bob off nopass ~* +@read
                """);
        cluster = RespCluster.start(1, b -> b.requirePass(PASSWORD).aclFile(aclFile));
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void usersOfTheFile_authenticateFromTheStart() {
        try (RawConnection raw = new RawConnection(cluster.port(0))) {
            assertThat(raw.call("GET", "alice:1")).isEqualTo("-NOAUTH Authentication required.\r\n");
            assertThat(raw.call("AUTH", "bob", "x"))
                    .isEqualTo("-WRONGPASS invalid username-password pair or user is disabled.\r\n");
            assertThat(raw.call("AUTH", "alice", "wonder")).isEqualTo("+OK\r\n");
            assertThat(raw.call("ACL", "WHOAMI")).isEqualTo("$5\r\nalice\r\n");
            assertThat(raw.call("SET", "alice:1", "v")).isEqualTo("+OK\r\n");
            assertThat(raw.call("SET", "bob:1", "v")).isEqualTo("-NOPERM No permissions to access a key\r\n");
            assertThat(raw.call("KEYS", "*"))
                    .isEqualTo("-NOPERM User alice has no permissions to run the 'keys' command\r\n");
            assertThat(raw.call("ACL", "LIST"))
                    .isEqualTo("-NOPERM User alice has no permissions to run the 'acl|list' command\r\n");
        }
    }

    @Test
    void defaultUser_isRequirepass() {
        try (RawConnection raw = new RawConnection(cluster.port(0))) {
            assertThat(raw.call("AUTH", "nopass")).isEqualTo("-WRONGPASS invalid username-password pair or user is "
                    + "disabled.\r\n");
            assertThat(raw.call("AUTH", PASSWORD)).isEqualTo("+OK\r\n");
            assertThat(raw.call("ACL", "WHOAMI")).isEqualTo("$7\r\ndefault\r\n");
            assertThat(raw.call("ACL", "LIST")).contains("user default on #" + PASSWORD_HASH + " ~* &* +@all\r\n")
                    .contains("user alice on #")
                    .contains(" ~alice:* &* +@all -@dangerous +acl|whoami\r\n");
        }
    }

    @Test
    void aclSaveThenLoad_restoresTheUsersOfTheFile() throws IOException {
        try (RawConnection raw = new RawConnection(cluster.port(0))) {
            assertThat(raw.call("AUTH", "default", PASSWORD)).isEqualTo("+OK\r\n");
            assertThat(raw.call("ACL", "SETUSER", "carol", "on", ">c", "~c:*", "+get")).isEqualTo("+OK\r\n");
            assertThat(raw.call("ACL", "SAVE")).isEqualTo("+OK\r\n");
            assertThat(Files.readString(aclFile)).contains("user carol on #").contains("user alice on #");
            assertThat(raw.call("ACL", "DELUSER", "carol")).isEqualTo(":1\r\n");
            assertThat(raw.call("ACL", "SETUSER", "dave", "on", "nopass")).isEqualTo("+OK\r\n");
            assertThat(raw.call("ACL", "LOAD")).isEqualTo("+OK\r\n");
            assertThat(raw.call("ACL", "USERS")).isEqualTo("*4\r\n$5\r\nalice\r\n$3\r\nbob\r\n$5\r\ncarol\r\n"
                    + "$7\r\ndefault\r\n");
            assertThat(raw.call("AUTH", "carol", "c")).isEqualTo("+OK\r\n");
        }
    }

    @Test
    void configSetRequirepass_changesAStoredDefaultUsersPassword() {
        try (RawConnection raw = new RawConnection(cluster.port(0))) {
            assertThat(raw.call("AUTH", PASSWORD)).isEqualTo("+OK\r\n");
            assertThat(raw.call("ACL", "SETUSER", "default", "on")).isEqualTo("+OK\r\n"); // now stored
            try {
                assertThat(raw.call("CONFIG", "SET", "requirepass", "n3w")).isEqualTo("+OK\r\n");
                assertThat(raw.call("AUTH", PASSWORD))
                        .isEqualTo("-WRONGPASS invalid username-password pair or user is disabled.\r\n");
                assertThat(raw.call("AUTH", "n3w")).isEqualTo("+OK\r\n");
            } finally {
                assertThat(raw.call("CONFIG", "SET", "requirepass", PASSWORD)).isEqualTo("+OK\r\n");
            }
            assertThat(raw.call("AUTH", PASSWORD)).isEqualTo("+OK\r\n");
        }
    }

    @Test
    void badAclFile_stopsTheServer_namingTheLine() throws IOException {
        Path bad = Files.writeString(dir.resolve("bad.acl"), "user ok on nopass\nuser broken on +nosuchcommand\n");
        assertThatThrownBy(() -> RespServer.start(cluster.grid().members().get(0),
                RespServerConfig.builder().port(0).aclFile(bad).build()))
                .hasMessage("aclfile: " + bad + ":2: Error in ACL SETUSER modifier '+nosuchcommand': Unknown command "
                        + "or category name in ACL (fix the file or start without --aclfile)");
    }
}
