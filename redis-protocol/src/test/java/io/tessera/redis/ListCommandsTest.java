package io.tessera.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.LMoveArgs;
import io.lettuce.core.LPosArgs;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.protocol.ProtocolVersion;
import io.tessera.redis.testing.RawRespClient;
import io.tessera.redis.testing.ThreeMemberRespTest;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.args.ListDirection;
import redis.clients.jedis.args.ListPosition;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.LPosParams;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ListCommandsTest extends ThreeMemberRespTest {
    private static final String WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value";

    @Test
    void push_range_index_writtenThroughOneMember_readThroughAnother() {
        try (Jedis one = jedis(0, RedisProtocol.RESP2); Jedis two = jedis(1, RedisProtocol.RESP3)) {
            assertThat(one.rpush("l:basic", "b", "c")).isEqualTo(2);
            assertThat(one.lpush("l:basic", "a", "z")).isEqualTo(4);
            assertThat(two.lrange("l:basic", 0, -1)).containsExactly("z", "a", "b", "c");
            assertThat(two.lrange("l:basic", 1, 2)).containsExactly("a", "b");
            assertThat(two.lrange("l:basic", -2, 100)).containsExactly("b", "c");
            assertThat(two.lrange("l:basic", 3, 1)).isEmpty();
            assertThat(two.lrange("l:basic", 10, 20)).isEmpty();
            assertThat(two.lrange("l:missing", 0, -1)).isEmpty();
            assertThat(two.llen("l:basic")).isEqualTo(4);
            assertThat(two.llen("l:missing")).isZero();
            assertThat(two.lindex("l:basic", 0)).isEqualTo("z");
            assertThat(two.lindex("l:basic", -1)).isEqualTo("c");
            assertThat(two.lindex("l:basic", 4)).isNull();
            assertThat(two.lindex("l:missing", 0)).isNull();
            assertThat(two.lpushx("l:missing", "x")).isZero();
            assertThat(two.rpushx("l:missing", "x")).isZero();
            assertThat(one.llen("l:missing")).isZero();
            assertThat(two.rpushx("l:basic", "d", "e")).isEqualTo(6);
            assertThat(two.lpushx("l:basic", "y")).isEqualTo(7);
            assertThat(one.lrange("l:basic", 0, -1)).containsExactly("y", "z", "a", "b", "c", "d", "e");
        }
    }

    @Test
    void pop_withCount_followsRedis7_andTheLastPopDeletesTheKey() {
        try (Jedis one = jedis(0, RedisProtocol.RESP2); Jedis two = jedis(2, RedisProtocol.RESP3)) {
            one.rpush("l:pop", "1", "2", "3", "4", "5");
            assertThat(two.lpop("l:pop")).isEqualTo("1");
            assertThat(two.rpop("l:pop")).isEqualTo("5");
            assertThat(two.lpop("l:pop", 2)).containsExactly("2", "3");
            assertThat(two.rpop("l:pop", 0)).isEmpty();
            assertThat(two.rpop("l:pop", 10)).containsExactly("4");
            assertThat(one.llen("l:pop")).isZero();
            assertThat(one.get("l:pop")).isNull(); // no empty list left behind
            assertThat(two.lpop("l:pop")).isNull();
            assertThat(two.lpop("l:pop", 2)).isNull();
            one.rpush("l:pop2", "a", "b", "c");
            assertThat(one.rpop("l:pop2", 2)).containsExactly("c", "b");
        }
        try (RawRespClient resp2 = new RawRespClient(cluster.port(1), false);
             RawRespClient resp3 = new RawRespClient(cluster.port(0), true)) {
            assertThat(resp2.call("LPOP", "l:none", "2")).isEqualTo("*-1\r\n");
            assertThat(resp2.call("LPOP", "l:none")).isEqualTo("$-1\r\n");
            assertThat(resp3.call("LPOP", "l:none", "2")).isEqualTo("_\r\n");
            assertThat(resp2.call("LPOP", "l:none", "0")).isEqualTo("*-1\r\n");
            resp2.call("RPUSH", "l:wire", "a");
            assertThat(resp2.call("LPOP", "l:wire", "0")).isEqualTo("*0\r\n");
            assertThat(resp2.call("LPOP", "l:wire", "-1")).isEqualTo("-ERR value is out of range, must be positive\r\n");
            assertThat(resp2.call("RPOP", "l:wire", "x")).isEqualTo("-ERR value is out of range, must be positive\r\n");
            assertThat(resp2.call("RPOP", "l:wire", "1", "2"))
                    .isEqualTo("-ERR wrong number of arguments for 'rpop' command\r\n");
            assertThat(resp3.call("LPOP", "l:wire", "5")).isEqualTo("*1\r\n$1\r\na\r\n");
        }
    }

    @Test
    void lset_lrem_ltrim_linsert_withRedisErrors() {
        try (Jedis one = jedis(0, RedisProtocol.RESP2); Jedis two = jedis(1, RedisProtocol.RESP2)) {
            one.rpush("l:edit", "a", "b", "a", "c", "a");
            assertThat(two.lset("l:edit", 1, "B")).isEqualTo("OK");
            assertThat(two.lset("l:edit", -1, "A")).isEqualTo("OK");
            assertThatThrownBy(() -> two.lset("l:edit", 5, "x")).hasMessage("ERR index out of range");
            assertThatThrownBy(() -> two.lset("l:missing", 0, "x")).hasMessage("ERR no such key");
            assertThat(one.lrange("l:edit", 0, -1)).containsExactly("a", "B", "a", "c", "A");
            assertThat(two.lrem("l:edit", -1, "a")).isOne();
            assertThat(one.lrange("l:edit", 0, -1)).containsExactly("a", "B", "c", "A");
            assertThat(two.lrem("l:edit", 0, "a")).isOne();
            assertThat(two.lrem("l:edit", 0, "zz")).isZero();
            assertThat(two.lrem("l:missing", 0, "a")).isZero();
            assertThat(two.linsert("l:edit", ListPosition.BEFORE, "c", "b")).isEqualTo(4);
            assertThat(two.linsert("l:edit", ListPosition.AFTER, "A", "end")).isEqualTo(5);
            assertThat(two.linsert("l:edit", ListPosition.AFTER, "nope", "x")).isEqualTo(-1);
            assertThat(two.linsert("l:missing", ListPosition.AFTER, "a", "x")).isZero();
            assertThat(one.lrange("l:edit", 0, -1)).containsExactly("B", "b", "c", "A", "end");
            assertThat(two.ltrim("l:edit", 1, -2)).isEqualTo("OK");
            assertThat(one.lrange("l:edit", 0, -1)).containsExactly("b", "c", "A");
            assertThat(two.ltrim("l:missing", 0, 1)).isEqualTo("OK");
            assertThat(two.ltrim("l:edit", 5, 10)).isEqualTo("OK");
            assertThat(one.llen("l:edit")).isZero();
            assertThat(one.get("l:edit")).isNull();
            assertThatThrownBy(() -> two.sendCommand(() -> "LINSERT".getBytes(), "l:edit", "MIDDLE", "a", "b"))
                    .hasMessage("ERR syntax error");
            assertThatThrownBy(() -> two.sendCommand(() -> "LRANGE".getBytes(), "l:edit", "a", "1"))
                    .hasMessage("ERR value is not an integer or out of range");
        }
    }

    @Test
    void lpos_withRankCountAndMaxlen() {
        try (Jedis one = jedis(0, RedisProtocol.RESP2); Jedis two = jedis(2, RedisProtocol.RESP3)) {
            one.rpush("l:pos", "a", "b", "c", "1", "2", "3", "c", "c");
            assertThat(two.lpos("l:pos", "c")).isEqualTo(2);
            assertThat(two.lpos("l:pos", "zz")).isNull();
            assertThat(two.lpos("l:missing", "c")).isNull();
            assertThat(two.lpos("l:pos", "c", LPosParams.lPosParams().rank(2))).isEqualTo(6);
            assertThat(two.lpos("l:pos", "c", LPosParams.lPosParams().rank(-1))).isEqualTo(7);
            assertThat(two.lpos("l:pos", "c", LPosParams.lPosParams(), 2)).containsExactly(2L, 6L);
            assertThat(two.lpos("l:pos", "c", LPosParams.lPosParams(), 0)).containsExactly(2L, 6L, 7L);
            assertThat(two.lpos("l:pos", "c", LPosParams.lPosParams().rank(-1), 2)).containsExactly(7L, 6L);
            assertThat(two.lpos("l:pos", "c", LPosParams.lPosParams().maxlen(3), 0)).containsExactly(2L);
            assertThat(two.lpos("l:pos", "zz", LPosParams.lPosParams(), 0)).isEmpty();
            assertThat(two.lpos("l:missing", "c", LPosParams.lPosParams(), 0)).isEmpty();
            assertThatThrownBy(() -> two.lpos("l:pos", "c", LPosParams.lPosParams().rank(0)))
                    .hasMessage("ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... "
                            + "or use negative to start from the end of the list");
            assertThatThrownBy(() -> two.sendCommand(() -> "LPOS".getBytes(), "l:pos", "c", "COUNT", "-1"))
                    .hasMessage("ERR COUNT can't be negative");
            assertThatThrownBy(() -> two.sendCommand(() -> "LPOS".getBytes(), "l:pos", "c", "MAXLEN", "-1"))
                    .hasMessage("ERR MAXLEN can't be negative");
            assertThatThrownBy(() -> two.sendCommand(() -> "LPOS".getBytes(), "l:pos", "c", "RANK"))
                    .hasMessage("ERR syntax error");
        }
    }

    @Test
    void lmove_acrossKeys_sameKey_andAgainstTheWrongType() {
        try (Jedis one = jedis(0, RedisProtocol.RESP2); Jedis two = jedis(1, RedisProtocol.RESP3)) {
            // keys chosen to land on different partitions (no hash tag)
            one.rpush("l:src", "1", "2", "3");
            assertThat(two.lmove("l:src", "l:dst", ListDirection.LEFT, ListDirection.RIGHT)).isEqualTo("1");
            assertThat(two.lmove("l:src", "l:dst", ListDirection.RIGHT, ListDirection.LEFT)).isEqualTo("3");
            assertThat(one.lrange("l:src", 0, -1)).containsExactly("2");
            assertThat(one.lrange("l:dst", 0, -1)).containsExactly("3", "1");
            assertThat(two.rpoplpush("l:src", "l:dst")).isEqualTo("2");
            assertThat(one.llen("l:src")).isZero();
            assertThat(one.get("l:src")).isNull();
            assertThat(one.lrange("l:dst", 0, -1)).containsExactly("2", "3", "1");
            assertThat(two.rpoplpush("l:src", "l:dst")).isNull();

            // the same key: a rotation in one step
            assertThat(two.rpoplpush("l:dst", "l:dst")).isEqualTo("1");
            assertThat(one.lrange("l:dst", 0, -1)).containsExactly("1", "2", "3");
            assertThat(two.lmove("l:dst", "l:dst", ListDirection.LEFT, ListDirection.RIGHT)).isEqualTo("1");
            assertThat(one.lrange("l:dst", 0, -1)).containsExactly("2", "3", "1");

            // a destination of another type: nothing moves
            one.set("l:string", "x");
            assertThatThrownBy(() -> two.lmove("l:dst", "l:string", ListDirection.LEFT, ListDirection.LEFT))
                    .isInstanceOf(JedisDataException.class).hasMessage(WRONGTYPE);
            assertThat(one.lrange("l:dst", 0, -1)).containsExactly("2", "3", "1");
            assertThatThrownBy(() -> two.rpoplpush("l:string", "l:dst")).hasMessage(WRONGTYPE);
            // a missing source answers null before the destination's type is looked at, as in Redis
            assertThat(two.rpoplpush("l:nothing", "l:string")).isNull();
            assertThatThrownBy(() -> two.sendCommand(() -> "LMOVE".getBytes(), "l:dst", "l:x", "UP", "LEFT"))
                    .hasMessage("ERR syntax error");
        }
    }

    @Test
    void listCommands_againstAString_replyWrongType() {
        try (Jedis one = jedis(0, RedisProtocol.RESP2); Jedis two = jedis(2, RedisProtocol.RESP2)) {
            one.set("l:str", "x");
            for (Runnable command : List.<Runnable>of(
                    () -> two.lpush("l:str", "a"), () -> two.rpush("l:str", "a"), () -> two.lpushx("l:str", "a"),
                    () -> two.lpop("l:str"), () -> two.rpop("l:str", 2), () -> two.llen("l:str"),
                    () -> two.lrange("l:str", 0, -1), () -> two.lindex("l:str", 0), () -> two.lset("l:str", 0, "a"),
                    () -> two.lrem("l:str", 0, "a"), () -> two.ltrim("l:str", 0, 1),
                    () -> two.linsert("l:str", ListPosition.AFTER, "a", "b"), () -> two.lpos("l:str", "a"))) {
                assertThatThrownBy(command::run).isInstanceOf(JedisDataException.class).hasMessage(WRONGTYPE);
            }
            assertThat(one.get("l:str")).isEqualTo("x");
        }
    }

    @Test
    void lettuce_inResp3AndResp2() {
        for (ProtocolVersion version : List.of(ProtocolVersion.RESP3, ProtocolVersion.RESP2)) {
            RedisClient client = RedisClient.create();
            client.setOptions(ClientOptions.builder().protocolVersion(version).build());
            try (StatefulRedisConnection<String, String> w = client.connect(uri(0));
                 StatefulRedisConnection<String, String> r = client.connect(uri(2))) {
                RedisCommands<String, String> writer = w.sync();
                RedisCommands<String, String> reader = r.sync();
                String key = "l:lettuce:" + version;
                assertThat(writer.rpush(key, "a", "b", "c", "b")).isEqualTo(4);
                assertThat(reader.lrange(key, 0, -1)).containsExactly("a", "b", "c", "b");
                assertThat(reader.lpos(key, "b", 0, LPosArgs.Builder.rank(1))).containsExactly(1L, 3L);
                assertThat(reader.lpop(key, 2)).containsExactly("a", "b");
                assertThat(writer.lmove(key, key + ":to", LMoveArgs.Builder.rightLeft())).isEqualTo("b");
                assertThat(reader.lrange(key + ":to", 0, -1)).containsExactly("b");
                assertThat(reader.lindex(key, 0)).isEqualTo("c");
                writer.set(key + ":s", "x");
                assertThatThrownBy(() -> reader.llen(key + ":s"))
                        .isInstanceOf(RedisCommandExecutionException.class).hasMessage(WRONGTYPE);
            } finally {
                client.shutdown(0, 2, TimeUnit.SECONDS);
            }
        }
    }

    private static RedisURI uri(int member) {
        return RedisURI.create("127.0.0.1", cluster.port(member));
    }
}
