package io.tessera.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ValueScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.protocol.ProtocolVersion;
import io.tessera.redis.testing.RawRespClient;
import io.tessera.redis.testing.ThreeMemberRespTest;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.params.SetParams;
import redis.clients.jedis.resps.ScanResult;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SetCommandsTest extends ThreeMemberRespTest {
    private static final String WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value";

    @Test
    void sadd_srem_members_writtenThroughOneMember_readThroughAnother() {
        try (Jedis one = jedis(0, RedisProtocol.RESP2); Jedis two = jedis(1, RedisProtocol.RESP3)) {
            assertThat(one.sadd("s:basic", "a", "b", "a", "c")).isEqualTo(3);
            assertThat(one.sadd("s:basic", "c", "d")).isOne();
            assertThat(two.smembers("s:basic")).containsExactlyInAnyOrder("a", "b", "c", "d");
            assertThat(two.smembers("s:missing")).isEmpty();
            assertThat(two.sismember("s:basic", "a")).isTrue();
            assertThat(two.sismember("s:basic", "zz")).isFalse();
            assertThat(two.sismember("s:missing", "a")).isFalse();
            assertThat(two.smismember("s:basic", "a", "zz", "d")).containsExactly(true, false, true);
            assertThat(two.smismember("s:missing", "a")).containsExactly(false);
            assertThat(two.scard("s:basic")).isEqualTo(4);
            assertThat(two.scard("s:missing")).isZero();
            assertThat(two.srem("s:basic", "a", "zz")).isOne();
            assertThat(two.srem("s:missing", "a")).isZero();
            assertThat(two.srem("s:basic", "b", "c", "d")).isEqualTo(3);
            assertThat(one.scard("s:basic")).isZero();
            assertThat(one.get("s:basic")).isNull(); // no empty set left behind
        }
    }

    @Test
    void smembers_isASetInResp3_andAnArrayInResp2() {
        try (RawRespClient resp2 = new RawRespClient(cluster.port(0), false);
             RawRespClient resp3 = new RawRespClient(cluster.port(2), true)) {
            assertThat(resp2.call("SADD", "s:wire", "m")).isEqualTo(":1\r\n");
            assertThat(resp2.call("SMEMBERS", "s:wire")).isEqualTo("*1\r\n$1\r\nm\r\n");
            assertThat(resp3.call("SMEMBERS", "s:wire")).isEqualTo("~1\r\n$1\r\nm\r\n");
            assertThat(resp3.call("SMEMBERS", "s:none")).isEqualTo("~0\r\n");
            assertThat(resp3.call("SINTER", "s:wire", "s:wire")).isEqualTo("~1\r\n$1\r\nm\r\n");
            assertThat(resp3.call("SPOP", "s:none", "2")).isEqualTo("~0\r\n");
            assertThat(resp2.call("SPOP", "s:none")).isEqualTo("$-1\r\n");
            assertThat(resp2.call("SRANDMEMBER", "s:none", "2")).isEqualTo("*0\r\n");
            assertThat(resp3.call("SMISMEMBER", "s:wire", "m", "x")).isEqualTo("*2\r\n:1\r\n:0\r\n");
            assertThat(resp2.call("SPOP", "s:wire", "-1")).isEqualTo("-ERR value is out of range, must be positive\r\n");
            assertThat(resp2.call("SPOP", "s:wire", "1", "2")).isEqualTo("-ERR syntax error\r\n");
            assertThat(resp2.call("SRANDMEMBER", "s:wire", "x"))
                    .isEqualTo("-ERR value is not an integer or out of range\r\n");
            assertThat(resp2.call("SSCAN", "s:wire", "0", "NOVALUES"))
                    .isEqualTo("-ERR NOVALUES option can only be used in HSCAN\r\n");
        }
    }

    @Test
    void spop_and_srandmember_withCounts() {
        try (Jedis one = jedis(0, RedisProtocol.RESP2); Jedis two = jedis(1, RedisProtocol.RESP3)) {
            Set<String> all = Set.of("a", "b", "c", "d", "e");
            one.sadd("s:rand", all.toArray(String[]::new));
            assertThat(two.srandmember("s:rand")).isIn(all);
            assertThat(two.srandmember("s:missing")).isNull();
            assertThat(two.srandmember("s:rand", 3)).hasSize(3).doesNotHaveDuplicates().isSubsetOf(all);
            assertThat(two.srandmember("s:rand", 10)).containsExactlyInAnyOrderElementsOf(all);
            assertThat(two.srandmember("s:rand", -12)).hasSize(12).isSubsetOf(all);
            assertThat(two.srandmember("s:rand", 0)).isEmpty();
            assertThat(one.scard("s:rand")).isEqualTo(5);

            String popped = two.spop("s:rand");
            assertThat(popped).isIn(all);
            Set<String> two3 = two.spop("s:rand", 3);
            assertThat(two3).hasSize(3).isSubsetOf(all).doesNotContain(popped);
            assertThat(one.scard("s:rand")).isOne();
            assertThat(two.spop("s:rand", 0)).isEmpty();
            assertThat(two.spop("s:rand", 5)).hasSize(1);
            assertThat(one.scard("s:rand")).isZero();
            assertThat(one.get("s:rand")).isNull();
            assertThat(two.spop("s:rand")).isNull();
        }
    }

    @Test
    void smove_acrossKeys_sameKey_andAgainstTheWrongType() {
        try (Jedis one = jedis(0, RedisProtocol.RESP2); Jedis two = jedis(2, RedisProtocol.RESP3)) {
            one.sadd("s:from", "a", "b");
            assertThat(two.smove("s:from", "s:to", "a")).isOne();
            assertThat(two.smove("s:from", "s:to", "zz")).isZero();
            assertThat(two.smove("s:nothing", "s:to", "a")).isZero();
            assertThat(one.smembers("s:from")).containsExactly("b");
            assertThat(one.smembers("s:to")).containsExactly("a");
            assertThat(two.smove("s:from", "s:from", "b")).isOne();
            assertThat(two.smove("s:from", "s:from", "zz")).isZero();
            assertThat(two.smove("s:from", "s:to", "b")).isOne();
            assertThat(one.scard("s:from")).isZero();
            assertThat(one.get("s:from")).isNull();
            assertThat(one.smembers("s:to")).containsExactlyInAnyOrder("a", "b");

            one.set("s:string", "x");
            assertThatThrownBy(() -> two.smove("s:to", "s:string", "a"))
                    .isInstanceOf(JedisDataException.class).hasMessage(WRONGTYPE);
            assertThat(one.smembers("s:to")).containsExactlyInAnyOrder("a", "b");
            assertThatThrownBy(() -> two.smove("s:string", "s:to", "a")).hasMessage(WRONGTYPE);
            assertThat(two.smove("s:nothing", "s:string", "a")).isZero(); // Redis looks at the source first
        }
    }

    @Test
    void sinter_sunion_sdiff_combineKeysOnDifferentMembers() {
        try (Jedis one = jedis(0, RedisProtocol.RESP2); Jedis two = jedis(1, RedisProtocol.RESP3)) {
            one.sadd("s:x", "a", "b", "c", "d");
            one.sadd("s:y", "c", "d", "e");
            one.sadd("s:z", "d", "f");
            assertThat(two.sinter("s:x", "s:y")).containsExactlyInAnyOrder("c", "d");
            assertThat(two.sinter("s:x", "s:y", "s:z")).containsExactly("d");
            assertThat(two.sinter("s:x", "s:missing")).isEmpty();
            assertThat(two.sunion("s:x", "s:y", "s:missing")).containsExactlyInAnyOrder("a", "b", "c", "d", "e");
            assertThat(two.sdiff("s:x", "s:y", "s:z")).containsExactlyInAnyOrder("a", "b");
            assertThat(two.sdiff("s:missing", "s:x")).isEmpty();
            assertThat(two.sdiff("s:x")).containsExactlyInAnyOrder("a", "b", "c", "d");
            one.set("s:str", "v");
            assertThatThrownBy(() -> two.sinter("s:missing", "s:str")).hasMessage(WRONGTYPE);
            assertThatThrownBy(() -> two.sunion("s:x", "s:str")).hasMessage(WRONGTYPE);
            assertThatThrownBy(() -> two.sdiff("s:str", "s:x")).hasMessage(WRONGTYPE);
            assertThatThrownBy(() -> two.sinterstore("s:dest", "s:x", "s:str")).hasMessage(WRONGTYPE);
        }
    }

    @Test
    void store_replacesAnyTypeOfDestination_andAnEmptyResultDeletesIt() {
        try (Jedis one = jedis(0, RedisProtocol.RESP2); Jedis two = jedis(2, RedisProtocol.RESP2)) {
            one.sadd("s:p", "a", "b", "c");
            one.sadd("s:q", "b", "c", "d");
            one.set("s:target", "a string with a ttl", SetParams.setParams().ex(1000));
            assertThat(two.sinterstore("s:target", "s:p", "s:q")).isEqualTo(2);
            assertThat(one.smembers("s:target")).containsExactlyInAnyOrder("b", "c");
            assertThat(two.sunionstore("s:target", "s:p", "s:q")).isEqualTo(4);
            assertThat(one.smembers("s:target")).containsExactlyInAnyOrder("a", "b", "c", "d");
            assertThat(two.sdiffstore("s:target", "s:p", "s:q")).isOne();
            assertThat(one.smembers("s:target")).containsExactly("a");
            // the destination may be a source
            assertThat(two.sunionstore("s:p", "s:p", "s:q")).isEqualTo(4);
            assertThat(one.smembers("s:p")).containsExactlyInAnyOrder("a", "b", "c", "d");
            assertThat(two.sinterstore("s:target", "s:p", "s:missing")).isZero();
            assertThat(one.scard("s:target")).isZero();
            assertThat(one.get("s:target")).isNull();
        }
    }

    @Test
    void sscan_ofALargeSet_walksEveryMemberOnce_andMatches() {
        try (Jedis one = jedis(0, RedisProtocol.RESP2); Jedis two = jedis(1, RedisProtocol.RESP3)) {
            Set<String> members = new HashSet<>();
            for (int i = 0; i < 500; i++) {
                members.add("member:" + i);
            }
            one.sadd("s:big", members.toArray(String[]::new));
            Set<String> seen = new HashSet<>();
            String cursor = ScanParams.SCAN_POINTER_START;
            int steps = 0;
            do {
                ScanResult<String> step = two.sscan("s:big", cursor, new ScanParams().count(50));
                for (String member : step.getResult()) {
                    assertThat(seen.add(member)).as("returned twice: " + member).isTrue();
                }
                cursor = step.getCursor();
                steps++;
            } while (!cursor.equals("0"));
            assertThat(steps).isGreaterThanOrEqualTo(10);
            assertThat(seen).isEqualTo(members);

            Set<String> matched = new HashSet<>();
            cursor = "0";
            do {
                ScanResult<String> step = one.sscan("s:big", cursor, new ScanParams().match("member:4?").count(100));
                matched.addAll(step.getResult());
                cursor = step.getCursor();
            } while (!cursor.equals("0"));
            assertThat(matched).hasSize(10).allMatch(m -> m.matches("member:4\\d"));

            one.sadd("s:small", "x", "y");
            ScanResult<String> small = two.sscan("s:small", "0");
            assertThat(small.getCursor()).isEqualTo("0");
            assertThat(small.getResult()).containsExactlyInAnyOrder("x", "y");
            assertThat(two.sscan("s:none", "0").getResult()).isEmpty();
        }
    }

    @Test
    void setCommands_againstAString_replyWrongType() {
        try (Jedis one = jedis(0, RedisProtocol.RESP2); Jedis two = jedis(2, RedisProtocol.RESP2)) {
            one.set("s:s", "x");
            for (Runnable command : List.<Runnable>of(
                    () -> two.sadd("s:s", "a"), () -> two.srem("s:s", "a"), () -> two.smembers("s:s"),
                    () -> two.sismember("s:s", "a"), () -> two.smismember("s:s", "a"), () -> two.scard("s:s"),
                    () -> two.spop("s:s"), () -> two.spop("s:s", 2), () -> two.srandmember("s:s", 2),
                    () -> two.sscan("s:s", "0"))) {
                assertThatThrownBy(command::run).isInstanceOf(JedisDataException.class).hasMessage(WRONGTYPE);
            }
            assertThat(one.get("s:s")).isEqualTo("x");
        }
    }

    @Test
    void lettuce_inResp3AndResp2() {
        for (ProtocolVersion version : List.of(ProtocolVersion.RESP3, ProtocolVersion.RESP2)) {
            RedisClient client = RedisClient.create();
            client.setOptions(ClientOptions.builder().protocolVersion(version).build());
            try (StatefulRedisConnection<String, String> w = client.connect(uri(0));
                 StatefulRedisConnection<String, String> r = client.connect(uri(1))) {
                RedisCommands<String, String> writer = w.sync();
                RedisCommands<String, String> reader = r.sync();
                String key = "s:lettuce:" + version;
                assertThat(writer.sadd(key, "a", "b", "c")).isEqualTo(3);
                assertThat(reader.smembers(key)).containsExactlyInAnyOrder("a", "b", "c");
                assertThat(reader.smismember(key, "a", "x")).containsExactly(true, false);
                assertThat(reader.sunion(key, key + ":other")).containsExactlyInAnyOrder("a", "b", "c");
                assertThat(writer.sunionstore(key + ":copy", key)).isEqualTo(3);
                assertThat(reader.scard(key + ":copy")).isEqualTo(3);
                ValueScanCursor<String> scan = reader.sscan(key, ScanCursor.INITIAL);
                assertThat(scan.getValues()).containsExactlyInAnyOrder("a", "b", "c");
                assertThat(scan.isFinished()).isTrue();
                assertThat(reader.spop(key, 5)).containsExactlyInAnyOrder("a", "b", "c");
                writer.set(key + ":s", "x");
                assertThatThrownBy(() -> reader.scard(key + ":s"))
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
