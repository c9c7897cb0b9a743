package io.tessera.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.tessera.redis.testing.RawConnection;
import io.tessera.redis.testing.RespCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * ACL users on a 3-member cluster without requirepass: users set through one member hold on every member, with
 * Redis's error texts; each test uses users of its own.
 */
@Timeout(60)
class AclTest {
    private static RespCluster cluster;

    @BeforeAll
    static void start() {
        cluster = RespCluster.start(3);
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static Jedis admin(int member) {
        return new Jedis("127.0.0.1", cluster.port(member));
    }

    private static Jedis as(int member, String user, String password) {
        return new Jedis(new HostAndPort("127.0.0.1", cluster.port(member)),
                DefaultJedisClientConfig.builder().user(user).password(password).build());
    }

    @Test
    void userLimitedToCacheKeysAndReads_cannotWriteNorReadOtherKeys_onEveryMember() {
        try (Jedis admin = admin(0)) {
            assertThat(admin.aclSetUser("reader", "on", ">r3ad", "~cache:*", "+@read")).isEqualTo("OK");
            admin.set("cache:a", "1");
            admin.set("other", "2");
        }
        for (int member = 0; member < cluster.size(); member++) {
            try (Jedis reader = as(member, "reader", "r3ad")) {
                assertThat(reader.get("cache:a")).isEqualTo("1");
                assertThatThrownBy(() -> reader.set("cache:a", "x")).isInstanceOf(JedisDataException.class)
                        .hasMessage("NOPERM User reader has no permissions to run the 'set' command");
                assertThatThrownBy(() -> reader.get("other")).isInstanceOf(JedisDataException.class)
                        .hasMessage("NOPERM No permissions to access a key");
                assertThatThrownBy(() -> reader.mget("cache:a", "other")).isInstanceOf(JedisDataException.class)
                        .hasMessage("NOPERM No permissions to access a key");
                assertThatThrownBy(() -> reader.flushAll()).isInstanceOf(JedisDataException.class)
                        .hasMessage("NOPERM User reader has no permissions to run the 'flushall' command");
                assertThatThrownBy(() -> reader.sintercard("cache:a", "other"))
                        .hasMessage("NOPERM No permissions to access a key");
                assertThatThrownBy(() -> reader.objectEncoding("other"))
                        .hasMessage("NOPERM No permissions to access a key");
                assertThat(reader.objectEncoding("cache:a")).isNotNull();
                assertThatThrownBy(() -> reader.sendCommand(redis.clients.jedis.Protocol.Command.ZUNION, "x",
                        "cache:a")).hasMessage("ERR value is not an integer or out of range");
            }
        }
        try (Jedis admin = admin(1)) {
            assertThat(admin.get("cache:a")).isEqualTo("1");
            assertThat(admin.get("other")).isEqualTo("2");
        }
    }

    @Test
    void userSetOnOneMember_authenticatesOnAnotherAtOnce_andChangesReachItsOpenConnections() {
        try (RawConnection admin = new RawConnection(cluster.port(0));
             RawConnection member3 = new RawConnection(cluster.port(2))) {
            assertThat(admin.call("ACL", "SETUSER", "roamer", "on", ">pw1", "~*", "+get")).isEqualTo("+OK\r\n");
            assertThat(member3.call("AUTH", "roamer", "pw1")).isEqualTo("+OK\r\n");
            try (RawConnection admin3 = new RawConnection(cluster.port(2))) {
                assertThat(admin3.call("CLIENT", "LIST")).contains(" user=roamer ").contains(" user=default ");
            }
            assertThat(member3.call("ACL", "WHOAMI")).isEqualTo("-NOPERM User roamer has no permissions to run "
                    + "the 'acl|whoami' command\r\n");
            assertThat(member3.call("GET", "nothing")).isEqualTo("$-1\r\n");
            assertThat(admin.call("ACL", "SETUSER", "roamer", "-get", "+set")).isEqualTo("+OK\r\n");
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(member3.call("GET", "nothing")).startsWith("-NOPERM User roamer"));
            assertThat(member3.call("SET", "roamed", "1")).isEqualTo("+OK\r\n");
        }
    }

    @Test
    void subcommandsHaveRedisCategories_soMinusAdminRefusesClientKillButNotClientSetname() {
        try (RawConnection admin = new RawConnection(cluster.port(0));
             RawConnection user = new RawConnection(cluster.port(1))) {
            assertThat(admin.call("ACL", "SETUSER", "operator", "on", ">op", "~*", "&*", "+@all", "-@admin"))
                    .isEqualTo("+OK\r\n");
            assertThat(user.call("AUTH", "operator", "op")).isEqualTo("+OK\r\n");
            assertThat(user.call("CLIENT", "SETNAME", "op1")).isEqualTo("+OK\r\n");
            assertThat(user.call("ACL", "WHOAMI")).isEqualTo("$8\r\noperator\r\n");
            assertThat(user.call("CLIENT", "KILL", "ID", "0"))
                    .isEqualTo("-NOPERM User operator has no permissions to run the 'client|kill' command\r\n");
            assertThat(user.call("CONFIG", "SET", "maxclients", "5"))
                    .isEqualTo("-NOPERM User operator has no permissions to run the 'config|set' command\r\n");
            assertThat(user.call("ACL", "SETUSER", "operator", "+@admin"))
                    .isEqualTo("-NOPERM User operator has no permissions to run the 'acl|setuser' command\r\n");
            assertThat(admin.call("ACL", "SETUSER", "operator", "+client|kill")).isEqualTo("+OK\r\n");
            assertThat(admin.call("ACL", "DRYRUN", "operator", "client", "kill", "ID", "0")).isEqualTo("+OK\r\n");
            assertThat(admin.call("ACL", "DRYRUN", "operator", "client", "list")).isEqualTo("$65\r\nUser operator "
                    + "has no permissions to run the 'client|list' command\r\n");
        }
        try (Jedis admin = admin(2)) {
            assertThat(admin.aclCat("admin")).contains("client|kill", "config|set", "acl|setuser")
                    .doesNotContain("client|setname", "acl|whoami");
        }
    }

    @Test
    void wrongPasswordUnknownUserAndDisabledUser_getWrongpass() {
        String wrongpass = "-WRONGPASS invalid username-password pair or user is disabled.\r\n";
        try (RawConnection admin = new RawConnection(cluster.port(0));
             RawConnection raw = new RawConnection(cluster.port(1))) {
            assertThat(admin.call("ACL", "SETUSER", "sleeper", "off", ">zz")).isEqualTo("+OK\r\n");
            assertThat(raw.call("AUTH", "sleeper", "zz")).isEqualTo(wrongpass);
            assertThat(raw.call("AUTH", "nobody", "zz")).isEqualTo(wrongpass);
            assertThat(admin.call("ACL", "SETUSER", "sleeper", "on")).isEqualTo("+OK\r\n");
            assertThat(raw.call("AUTH", "sleeper", "wrong")).isEqualTo(wrongpass);
            assertThat(raw.call("HELLO", "3", "AUTH", "sleeper", "wrong")).isEqualTo(wrongpass);
            assertThat(raw.call("AUTH", "sleeper", "zz")).isEqualTo("+OK\r\n");
            assertThat(admin.call("ACL", "SETUSER", "sleeper", "<zz", ">yy")).isEqualTo("+OK\r\n");
            assertThat(admin.call("ACL", "SETUSER", "sleeper", "<zz")).isEqualTo("-ERR Error in ACL SETUSER "
                    + "modifier '<zz': The password you are trying to remove from the user does not exist\r\n");
            assertThat(raw.call("AUTH", "sleeper", "zz")).isEqualTo(wrongpass);
        }
    }

    /** On every member, so that the user is read from another member's partition too. */
    @Test
    void helloAuth_answersInTheProtocolItAsksFor_andARefusedOneKeepsTheOldProtocol() {
        try (Jedis admin = admin(0)) {
            admin.aclSetUser("greeter", "on", ">hi", "~*", "+@all");
        }
        for (int member = 0; member < cluster.size(); member++) {
            try (RawConnection raw = new RawConnection(cluster.port(member))) {
                assertThat(raw.call("HELLO", "3", "AUTH", "greeter", "wrong"))
                        .isEqualTo("-WRONGPASS invalid username-password pair or user is disabled.\r\n");
                assertThat(raw.call("HGETALL", "nothing")).isEqualTo("*0\r\n");
                assertThat(raw.call("HELLO", "3", "AUTH", "greeter", "hi")).startsWith("%7\r\n");
                assertThat(raw.call("HGETALL", "nothing")).isEqualTo("%0\r\n");
                assertThat(raw.call("ACL", "WHOAMI")).isEqualTo("$7\r\ngreeter\r\n");
            }
        }
    }

    @Test
    void exec_checksPermissionsAgain_afterTheyChangedSinceMulti() {
        try (RawConnection admin = new RawConnection(cluster.port(0));
             RawConnection queuing = new RawConnection(cluster.port(1));
             RawConnection probe = new RawConnection(cluster.port(1))) {
            assertThat(admin.call("ACL", "SETUSER", "txn", "on", ">t", "~txn:*", "+@all")).isEqualTo("+OK\r\n");
            assertThat(queuing.call("AUTH", "txn", "t")).isEqualTo("+OK\r\n");
            assertThat(probe.call("AUTH", "txn", "t")).isEqualTo("+OK\r\n");
            assertThat(queuing.call("MULTI")).isEqualTo("+OK\r\n");
            assertThat(queuing.call("SET", "txn:a", "1")).isEqualTo("+QUEUED\r\n");
            assertThat(queuing.call("GET", "txn:a")).isEqualTo("+QUEUED\r\n");
            assertThat(admin.call("ACL", "SETUSER", "txn", "-set")).isEqualTo("+OK\r\n");
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(probe.call("SET", "txn:b", "1")).startsWith("-NOPERM"));
            assertThat(queuing.call("EXEC")).isEqualTo("*2\r\n-NOPERM User txn has no permissions to run the 'set' "
                    + "command\r\n$-1\r\n");
        }
    }

    @Test
    void deluser_disconnectsTheUsersClientsOnEveryMember() {
        List<RawConnection> connections = new ArrayList<>();
        try (RawConnection admin = new RawConnection(cluster.port(0));
             RawConnection bystander = new RawConnection(cluster.port(2))) {
            assertThat(admin.call("ACL", "SETUSER", "leaver", "on", ">bye", "~*", "+@all")).isEqualTo("+OK\r\n");
            for (int member = 0; member < cluster.size(); member++) {
                RawConnection connection = new RawConnection(cluster.port(member));
                connections.add(connection);
                assertThat(connection.call("AUTH", "leaver", "bye")).isEqualTo("+OK\r\n");
            }
            assertThat(admin.call("ACL", "DELUSER", "leaver", "never-was")).isEqualTo(":1\r\n");
            for (RawConnection connection : connections) {
                await().atMost(Duration.ofSeconds(10)).until(connection::closedByServer);
            }
            assertThat(bystander.call("PING")).isEqualTo("+PONG\r\n");
            assertThat(bystander.call("AUTH", "leaver", "bye"))
                    .isEqualTo("-WRONGPASS invalid username-password pair or user is disabled.\r\n");
            assertThat(admin.call("ACL", "DELUSER", "default")).isEqualTo("-ERR The 'default' user cannot be "
                    + "removed\r\n");
        } finally {
            connections.forEach(RawConnection::close);
        }
    }

    @Test
    void channels_limitPublishAndSubscribe() {
        try (RawConnection admin = new RawConnection(cluster.port(0));
             RawConnection user = new RawConnection(cluster.port(1))) {
            assertThat(admin.call("ACL", "SETUSER", "newsreader", "on", "nopass", "&news.*", "+@pubsub"))
                    .isEqualTo("+OK\r\n");
            assertThat(user.call("AUTH", "newsreader", "anything")).isEqualTo("+OK\r\n");
            assertThat(user.call("PUBLISH", "news.today", "hi")).isEqualTo(":0\r\n");
            assertThat(user.call("PUBLISH", "gossip", "hi")).isEqualTo("-NOPERM No permissions to access a channel\r\n");
            assertThat(user.call("PSUBSCRIBE", "*")).isEqualTo("-NOPERM No permissions to access a channel\r\n");
            assertThat(user.call("SUBSCRIBE", "news.a", "gossip"))
                    .isEqualTo("-NOPERM No permissions to access a channel\r\n");
            assertThat(user.call("PSUBSCRIBE", "news.*")).startsWith("*3\r\n$10\r\npsubscribe\r\n");
        }
    }

    @Test
    void whoamiCatDryrunGetuserAndList_answerAsRedis() {
        try (Jedis admin = admin(2)) {
            assertThat(admin.aclWhoAmI()).isEqualTo("default");
            assertThat(admin.aclCat()).contains("read", "write", "keyspace", "dangerous", "pubsub");
            assertThat(admin.aclCat("string")).contains("get", "set", "incr").doesNotContain("hget");
            assertThat(admin.aclCat("dangerous")).contains("flushall", "keys").doesNotContain("get");
            assertThatThrownBy(() -> admin.aclCat("nosuch")).hasMessage("ERR Unknown category 'nosuch'");
            assertThat(admin.aclSetUser("dry", "on", "nopass", "~app:*", "+@write", "-del")).isEqualTo("OK");
            assertThat(admin.aclDryRun("dry", "set", "app:1", "v")).isEqualTo("OK");
            assertThat(admin.aclDryRun("dry", "set", "zzz", "v"))
                    .isEqualTo("User dry has no permissions to access the 'zzz' key");
            assertThat(admin.aclDryRun("dry", "del", "app:1"))
                    .isEqualTo("User dry has no permissions to run the 'del' command");
            assertThatThrownBy(() -> admin.aclDryRun("ghost", "get", "k")).hasMessage("ERR User 'ghost' not found");
            assertThatThrownBy(() -> admin.aclSetUser("dry", "+nosuchcommand")).hasMessage(
                    "ERR Error in ACL SETUSER modifier '+nosuchcommand': Unknown command or category name in ACL");
            assertThatThrownBy(() -> admin.aclSetUser("dry", "bogus")).hasMessage(
                    "ERR Error in ACL SETUSER modifier 'bogus': Syntax error");
            assertThat(admin.aclList()).contains("user default on nopass ~* &* +@all",
                    "user dry on nopass ~app:* resetchannels -@all +@write -del");
            assertThat(admin.aclUsers()).contains("default", "dry");
            assertThat(admin.aclGetUser("ghost")).isNull();
            var dry = admin.aclGetUser("dry");
            assertThat(dry.getFlags()).containsExactly("on", "nopass");
            assertThat(dry.getCommands()).isEqualTo("-@all +@write -del");
            assertThat(dry.getKeys()).isEqualTo("~app:*");
        }
    }

    @Test
    void passwordsAreStoredAsSha256() {
        try (Jedis admin = admin(0)) {
            admin.aclSetUser("hashed", "on", ">secret");
            assertThat(admin.aclGetUser("hashed").getPassword())
                    .containsExactly("2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b");
            Map<String, String> stored = cluster.grid().members().get(1).map(io.tessera.redis.internal.command
                    .AclUsers.MAP);
            assertThat(stored.get("hashed")).doesNotContain("secret")
                    .contains("#2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b");
        }
    }

    @Test
    void lettuceAuthenticatesWithUsernameAndPassword() {
        try (Jedis admin = admin(0)) {
            admin.aclSetUser("lettuce", "on", ">leaf", "~*", "+@all");
        }
        RedisClient lettuce = RedisClient.create(RedisURI.builder().withHost("127.0.0.1").withPort(cluster.port(1))
                .withAuthentication("lettuce", "leaf".toCharArray()).build());
        try (StatefulRedisConnection<String, String> connection = lettuce.connect()) {
            assertThat(connection.sync().aclWhoami()).isEqualTo("lettuce");
            assertThat(connection.sync().set("lettuce-acl", "ok")).isEqualTo("OK");
        } finally {
            lettuce.shutdown();
        }
    }

    /** redis-cli (redis-tools, in .ci/run's REQUIRED list) with --user and --pass, as an operator would use it. */
    @Test
    void redisCli_authenticatesAsAUser() throws Exception {
        try (Jedis admin = admin(0)) {
            admin.aclSetUser("cli", "on", ">cli-pw", "~cli:*", "+@all");
        }
        assertThat(redisCli(cluster.port(2), "--user", "cli", "--pass", "cli-pw", "SET", "cli:1", "one"))
                .isEqualTo("OK");
        assertThat(redisCli(cluster.port(1), "--user", "cli", "--pass", "cli-pw", "ACL", "WHOAMI")).isEqualTo("cli");
        assertThat(redisCli(cluster.port(1), "--user", "cli", "--pass", "cli-pw", "GET", "other"))
                .isEqualTo("NOPERM No permissions to access a key"); // no tty: no "(error)" prefix
        assertThat(redisCli(cluster.port(0), "--user", "cli", "--pass", "wrong", "GET", "cli:1"))
                .contains("WRONGPASS invalid username-password pair or user is disabled.");
    }

    private static String redisCli(int port, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("redis-cli", "--no-auth-warning", "-h", "127.0.0.1", "-p",
                String.valueOf(port)));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertThat(process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)).as("redis-cli finished").isTrue();
        return new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).trim();
    }

    @Test
    void pipelinedCommandsAfterAuth_runAsTheAuthenticatedUser() {
        try (RawConnection admin = new RawConnection(cluster.port(0));
             RawConnection raw = new RawConnection(cluster.port(1))) {
            assertThat(admin.call("ACL", "SETUSER", "piped", "on", ">p", "~*", "+get", "+auth")).isEqualTo("+OK\r\n");
            raw.send("AUTH", "piped", "p").send("SET", "piped-key", "v").send("GET", "piped-key");
            assertThat(raw.read()).isEqualTo("+OK\r\n");
            assertThat(raw.read()).isEqualTo("-NOPERM User piped has no permissions to run the 'set' command\r\n");
            assertThat(raw.read()).isEqualTo("$-1\r\n");
        }
    }
}
