package io.tessera.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.tessera.redis.testing.ThreeMemberRespTest;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.args.ClientAttributeOption;
import redis.clients.jedis.args.ClientType;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.params.ClientKillParams;
import redis.clients.jedis.util.SafeEncoder;

@Timeout(60)
class ClientCommandsTest extends ThreeMemberRespTest {
    /** Redis 7.2's CLIENT LIST line, field by field. */
    private static final String LINE = "id=\\d+ addr=127\\.0\\.0\\.1:\\d+ laddr=127\\.0\\.0\\.1:\\d+ fd=\\d+ name=\\S* "
            + "age=\\d+ idle=\\d+ flags=[A-Za-z]+ db=\\d+ sub=\\d+ psub=\\d+ ssub=0 multi=-1 qbuf=0 qbuf-free=0 "
            + "argv-mem=0 multi-mem=0 rbs=0 rbp=0 obl=0 oll=0 omem=0 tot-mem=0 events=r cmd=\\S+ user=default "
            + "redir=-1 resp=[23] lib-name=\\S* lib-ver=\\S*";

    @ParameterizedTest
    @EnumSource(RedisProtocol.class)
    void setname_getname_roundTrip(RedisProtocol protocol) {
        try (Jedis jedis = jedis(0, protocol)) {
            assertThat(jedis.clientGetname()).isNull();
            assertThat(jedis.clientSetname("conn-a")).isEqualTo("OK");
            assertThat(jedis.clientGetname()).isEqualTo("conn-a");
            assertError(jedis, "ERR Client names cannot contain spaces, newlines or special characters.",
                    "CLIENT", "SETNAME", "a b");
            assertThat(jedis.clientGetname()).isEqualTo("conn-a");
            assertThat(jedis.clientSetname("")).isEqualTo("OK");
            assertThat(jedis.clientGetname()).isNull();
            assertError(jedis, "ERR wrong number of arguments for 'client|setname' command", "CLIENT", "SETNAME");
        }
    }

    @ParameterizedTest
    @EnumSource(RedisProtocol.class)
    void info_describesTheCallingClient_inRedisFormat(RedisProtocol protocol) {
        try (Jedis jedis = jedis(1, protocol)) {
            jedis.clientSetname("info-" + protocol);
            jedis.select(3);
            String info = jedis.clientInfo();
            assertThat(info).endsWith("\n");
            String line = info.substring(0, info.length() - 1);
            assertThat(line).matches(LINE)
                    .startsWith("id=" + jedis.clientId() + " ")
                    .contains(" name=info-" + protocol + " ", " db=3 ", " flags=N ", " cmd=client|info ",
                            " resp=" + (protocol == RedisProtocol.RESP3 ? 3 : 2) + " ", " lib-name=jedis ");
        }
    }

    @Test
    void list_showsEveryClientOfTheMember_andFiltersByTypeAndId() {
        try (Jedis a = jedis(2, RedisProtocol.RESP2); Jedis b = jedis(2, RedisProtocol.RESP3);
             Jedis other = jedis(0, RedisProtocol.RESP2)) {
            a.clientSetname("list-a");
            b.clientSetname("list-b");
            other.clientSetname("list-other");
            String list = a.clientList();
            assertThat(list).endsWith("\n");
            String[] lines = list.split("\n");
            assertThat(lines).allMatch(l -> l.matches(LINE));
            assertThat(list).contains("name=list-a ", "name=list-b ").doesNotContain("name=list-other");
            assertThat(a.clientList(ClientType.NORMAL)).contains("name=list-a ", "name=list-b ");
            assertThat(a.clientList(ClientType.PUBSUB)).isEmpty();
            assertThat(a.clientList(b.clientId())).startsWith("id=" + b.clientId() + " ").contains("name=list-b ")
                    .doesNotContain("name=list-a");
            assertThat(a.clientList(b.clientId(), a.clientId()).split("\n")).hasSize(2);
            assertThat(a.clientList(999_999L)).isEmpty();
            assertError(a, "ERR Unknown client type 'bogus'", "CLIENT", "LIST", "TYPE", "bogus");
            assertError(a, "ERR Invalid client ID", "CLIENT", "LIST", "ID", "x");
            assertError(a, "ERR syntax error", "CLIENT", "LIST", "FOO");
        }
    }

    @Test
    void setinfo_setsLibraryNameAndVersion_withRedisValidation() {
        try (Jedis jedis = jedis(0, RedisProtocol.RESP3)) {
            assertThat(jedis.clientSetInfo(ClientAttributeOption.LIB_NAME, "my-lib")).isEqualTo("OK");
            assertThat(jedis.clientSetInfo(ClientAttributeOption.LIB_VER, "1.2.3")).isEqualTo("OK");
            assertThat(jedis.clientInfo()).contains(" lib-name=my-lib lib-ver=1.2.3\n");
            assertError(jedis, "ERR lib-name cannot contain spaces, newlines or special characters.",
                    "CLIENT", "SETINFO", "lib-name", "a b");
            assertError(jedis, "ERR LIB-VER cannot contain spaces, newlines or special characters.",
                    "CLIENT", "SETINFO", "LIB-VER", "1\n2");
            assertError(jedis, "ERR Unrecognized option 'color'", "CLIENT", "SETINFO", "color", "red");
            assertError(jedis, "ERR wrong number of arguments for 'client|setinfo' command",
                    "CLIENT", "SETINFO", "lib-name");
            assertThat(jedis.clientInfo()).contains(" lib-name=my-lib lib-ver=1.2.3\n");
        }
    }

    @Test
    void kill_byIdAddrAndLaddr_closesTheOtherConnection() {
        try (Jedis killer = jedis(1, RedisProtocol.RESP2); Jedis victim = jedis(1, RedisProtocol.RESP2);
             Jedis victim2 = jedis(1, RedisProtocol.RESP3); Jedis victim3 = jedis(1, RedisProtocol.RESP2)) {
            assertThat(killer.clientKill(ClientKillParams.clientKillParams().id(Long.toString(victim.clientId())))).isEqualTo(1);
            assertThatThrownBy(victim::ping).isInstanceOf(JedisConnectionException.class);

            String addr = victim2.clientInfo().replaceAll("(?s).* addr=(\\S+) .*", "$1");
            assertThat(killer.clientKill(addr)).isEqualTo("OK");
            assertThatThrownBy(victim2::ping).isInstanceOf(JedisConnectionException.class);

            // LADDR matches every connection to this server: SKIPME (default yes) spares the caller
            String laddr = victim3.clientInfo().replaceAll("(?s).* laddr=(\\S+) .*", "$1");
            assertThat(killer.clientKill(ClientKillParams.clientKillParams().laddr(laddr))).isGreaterThanOrEqualTo(1);
            assertThatThrownBy(victim3::ping).isInstanceOf(JedisConnectionException.class);
            assertThat(killer.ping()).isEqualTo("PONG");

            assertError(killer, "ERR No such client", "CLIENT", "KILL", "127.0.0.1:1");
            assertError(killer, "ERR client-id should be greater than 0", "CLIENT", "KILL", "ID", "0");
            assertError(killer, "ERR Unknown client type 'x'", "CLIENT", "KILL", "TYPE", "x");
            assertError(killer, "ERR syntax error", "CLIENT", "KILL", "ID", "1", "SKIPME", "maybe");
            assertError(killer, "ERR syntax error", "CLIENT", "KILL", "BOGUS", "1");
            assertThat(send(killer, "CLIENT", "KILL", "ID", Long.toString(killer.clientId()))).isEqualTo(0L);
        }
    }

    @Test
    void kill_ownConnection_repliesThenCloses() {
        try (Jedis jedis = jedis(2, RedisProtocol.RESP2)) {
            String addr = jedis.clientInfo().replaceAll("(?s).* addr=(\\S+) .*", "$1");
            assertThat(jedis.clientKill(addr)).isEqualTo("OK");
            assertThatThrownBy(jedis::ping).isInstanceOf(JedisConnectionException.class);
        }
        try (Jedis jedis = jedis(2, RedisProtocol.RESP3)) {
            assertThat(send(jedis, "CLIENT", "KILL", "ID", Long.toString(jedis.clientId()), "SKIPME", "no"))
                    .isEqualTo(1L);
            assertThatThrownBy(jedis::ping).isInstanceOf(JedisConnectionException.class);
        }
    }

    @Test
    void noEvict_isShownAsFlagE() {
        try (Jedis jedis = jedis(0, RedisProtocol.RESP2)) {
            assertThat(jedis.clientNoEvictOn()).isEqualTo("OK");
            assertThat(jedis.clientInfo()).contains(" flags=e ");
            assertThat(jedis.clientNoEvictOff()).isEqualTo("OK");
            assertThat(jedis.clientInfo()).contains(" flags=N ");
            assertError(jedis, "ERR syntax error", "CLIENT", "NO-EVICT", "maybe");
        }
    }

    @Test
    void unknownSubcommand_andHelp() {
        try (Jedis jedis = jedis(0, RedisProtocol.RESP3)) {
            assertError(jedis, "ERR unknown subcommand 'frob'. Try CLIENT HELP.", "CLIENT", "frob");
            assertError(jedis, "ERR wrong number of arguments for 'client' command", "CLIENT");
            @SuppressWarnings("unchecked")
            List<String> help = ((List<Object>) send(jedis, "client", "help")).stream()
                    .map(line -> SafeEncoder.encode((byte[]) line)).toList();
            assertThat(help.get(0)).isEqualTo("CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
            assertThat(help).contains("SETINFO <option> <value>", "NO-EVICT (ON|OFF)");
            assertThat(help.get(help.size() - 2)).isEqualTo("HELP");
        }
    }

    @Test
    void lettuce_clientCommands_inResp3() {
        RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", cluster.port(1)));
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            RedisCommands<String, String> commands = connection.sync();
            assertThat(commands.clientSetname("lettuce-conn")).isEqualTo("OK");
            assertThat(commands.clientGetname()).isEqualTo("lettuce-conn");
            long id = commands.clientId();
            assertThat(commands.clientList()).contains("id=" + id + " ", "name=lettuce-conn ", " resp=3 ",
                    " lib-name=Lettuce ");
            assertThat(commands.clientInfo()).startsWith("id=" + id + " ");
        } finally {
            client.shutdown();
        }
    }
}
