package io.tessera.redis.commands;

import static io.tessera.redis.commands.Clients.assertError;
import static io.tessera.redis.commands.Clients.jedis;
import static io.tessera.redis.commands.Clients.putStored;
import static io.tessera.redis.commands.Clients.raw;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.GetExArgs;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.protocol.ProtocolVersion;
import io.tessera.redis.internal.store.Bytes;
import io.tessera.redis.internal.store.StoredValue;
import io.tessera.redis.testing.RespCluster;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.params.GetExParams;

/** The string family through real clients, writing through one member and reading through another. */
@Timeout(60)
class StringCommandsTest {
    private static final String WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value";
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

    private static void putHash(String key) {
        putStored(cluster, key, StoredValue.encodeHash(Map.of(Bytes.of("f"), "v".getBytes(StandardCharsets.UTF_8))));
    }

    @Test
    void setnx_setex_psetex() {
        try (Jedis one = jedis(cluster, 0, RedisProtocol.RESP2); Jedis two = jedis(cluster, 1, RedisProtocol.RESP3)) {
            assertThat(one.setnx("s1:nx", "a")).isEqualTo(1);
            assertThat(two.setnx("s1:nx", "b")).isZero();
            assertThat(two.get("s1:nx")).isEqualTo("a");
            putHash("s1:hash");
            assertThat(one.setnx("s1:hash", "x")).isZero(); // any type counts as existing

            assertThat(one.setex("s1:ex", 100, "v")).isEqualTo("OK");
            assertThat(two.ttl("s1:ex")).isBetween(99L, 100L);
            assertThat(one.psetex("s1:px", 100_000, "v")).isEqualTo("OK");
            assertThat(two.pttl("s1:px")).isBetween(90_000L, 100_000L);
            assertThat(one.setex("s1:hash", 100, "now a string")).isEqualTo("OK"); // SETEX ignores the old type
            assertThat(two.get("s1:hash")).isEqualTo("now a string");

            assertError(() -> one.setex("s1:ex", 0, "v"), "ERR invalid expire time in 'setex' command");
            assertError(() -> one.psetex("s1:px", -5, "v"), "ERR invalid expire time in 'psetex' command");
            assertError(() -> raw(one, "SETEX", "s1:ex", "ten", "v"), "ERR value is not an integer or out of range");
            assertError(() -> raw(one, "SETEX", "s1:ex", "9223372036854775807", "v"),
                    "ERR invalid expire time in 'setex' command");
            assertError(() -> raw(one, "SETNX", "s1:nx"), "ERR wrong number of arguments for 'setnx' command");
        }
    }

    @Test
    void getset_getdel() {
        try (Jedis one = jedis(cluster, 1, RedisProtocol.RESP3); Jedis two = jedis(cluster, 2, RedisProtocol.RESP2)) {
            assertThat(one.getSet("s2:k", "a")).isNull();
            one.expire("s2:k", 100);
            assertThat(two.getSet("s2:k", "b")).isEqualTo("a");
            assertThat(one.ttl("s2:k")).isEqualTo(-1); // GETSET drops the time to live
            assertThat(two.getDel("s2:k")).isEqualTo("b");
            assertThat(one.exists("s2:k")).isFalse();
            assertThat(one.getDel("s2:k")).isNull();

            putHash("s2:hash");
            assertError(() -> one.getSet("s2:hash", "x"), WRONGTYPE);
            assertError(() -> two.getDel("s2:hash"), WRONGTYPE);
            assertThat(one.type("s2:hash")).isEqualTo("hash"); // the failed commands left it alone
        }
    }

    @Test
    void getex_setsOrRemovesTheExpiry_andAPastTimeDeletes() {
        try (Jedis one = jedis(cluster, 0, RedisProtocol.RESP3); Jedis two = jedis(cluster, 2, RedisProtocol.RESP3)) {
            assertThat(one.getEx("s3:missing", GetExParams.getExParams().ex(10))).isNull();
            one.set("s3:k", "v");
            assertThat(two.getEx("s3:k", GetExParams.getExParams().ex(100))).isEqualTo("v");
            assertThat(one.ttl("s3:k")).isBetween(99L, 100L);
            assertThat(two.getEx("s3:k", GetExParams.getExParams().px(50_000))).isEqualTo("v");
            assertThat(one.pttl("s3:k")).isBetween(40_000L, 50_000L);
            long at = System.currentTimeMillis() / 1000 + 500;
            assertThat(two.getEx("s3:k", GetExParams.getExParams().exAt(at))).isEqualTo("v");
            assertThat(one.expireTime("s3:k")).isEqualTo(at);
            assertThat(two.getEx("s3:k", GetExParams.getExParams().persist())).isEqualTo("v");
            assertThat(one.ttl("s3:k")).isEqualTo(-1);
            assertThat(raw(two, "GETEX", "s3:k")).isEqualTo("v");
            assertThat(two.getEx("s3:k", GetExParams.getExParams().pxAt(1))).isEqualTo("v");
            assertThat(one.exists("s3:k")).isFalse();

            one.set("s3:k", "v");
            assertError(() -> raw(one, "GETEX", "s3:k", "EX", "10", "PX", "10"), "ERR syntax error");
            assertError(() -> raw(one, "GETEX", "s3:k", "PERSIST", "EX", "10"), "ERR syntax error");
            assertError(() -> raw(one, "GETEX", "s3:k", "EX"), "ERR syntax error");
            assertError(() -> raw(one, "GETEX", "s3:k", "KEEPTTL"), "ERR syntax error");
            assertError(() -> raw(one, "GETEX", "s3:k", "EX", "0"), "ERR invalid expire time in 'getex' command");
            assertError(() -> raw(one, "GETEX", "s3:k", "EX", "x"), "ERR value is not an integer or out of range");
            putHash("s3:hash");
            assertError(() -> one.getEx("s3:hash", GetExParams.getExParams().ex(10)), WRONGTYPE);
            assertThat(one.ttl("s3:hash")).isEqualTo(-1);
        }
    }

    @Test
    void mget_mset_acrossSlotsAndMembers() {
        try (Jedis one = jedis(cluster, 0, RedisProtocol.RESP2); Jedis two = jedis(cluster, 1, RedisProtocol.RESP3)) {
            assertThat(one.mset("s4:a", "1", "s4:b", "2", "s4:c", "3", "s4:a", "4")).isEqualTo("OK");
            putHash("s4:hash");
            assertThat(two.mget("s4:a", "s4:b", "s4:missing", "s4:hash", "s4:c"))
                    .containsExactly("4", "2", null, null, "3");
            assertError(() -> raw(one, "MSET", "s4:a", "1", "s4:b"),
                    "ERR wrong number of arguments for 'mset' command");
            assertError(() -> raw(one, "MGET"), "ERR wrong number of arguments for 'mget' command");
        }
    }

    @Test
    void msetnx_setsAllOrNothing_inOneSlot_andRefusesCrossSlot() {
        try (Jedis one = jedis(cluster, 2, RedisProtocol.RESP2); Jedis two = jedis(cluster, 0, RedisProtocol.RESP3)) {
            assertThat(one.msetnx("{s5}a", "1", "{s5}b", "2")).isEqualTo(1);
            assertThat(two.mget("{s5}a", "{s5}b")).containsExactly("1", "2");
            assertThat(two.msetnx("{s5}c", "3", "{s5}a", "x")).isZero();
            assertThat(one.exists("{s5}c")).isFalse();
            assertThat(one.get("{s5}a")).isEqualTo("1");
            assertThat(one.msetnx("{s5}d", "1", "{s5}d", "2")).isEqualTo(1); // a repeated key gets the last value
            assertThat(two.get("{s5}d")).isEqualTo("2");
            assertError(() -> one.msetnx("s5:x", "1", "s5:y", "2"),
                    "CROSSSLOT Keys in request don't hash to the same slot");
            assertThat(two.exists("s5:x", "s5:y")).isZero();
            assertError(() -> raw(one, "MSETNX", "{s5}a", "1", "{s5}b"),
                    "ERR wrong number of arguments for 'msetnx' command");
        }
    }

    @Test
    void incr_decr_incrby_decrby() {
        try (Jedis one = jedis(cluster, 0, RedisProtocol.RESP2); Jedis two = jedis(cluster, 2, RedisProtocol.RESP3)) {
            assertThat(one.incr("s6:n")).isEqualTo(1);
            assertThat(two.incr("s6:n")).isEqualTo(2);
            assertThat(one.decr("s6:n")).isEqualTo(1);
            assertThat(two.incrBy("s6:n", 100)).isEqualTo(101);
            assertThat(one.decrBy("s6:n", 200)).isEqualTo(-99);
            assertThat(two.decr("s6:new")).isEqualTo(-1);
            assertThat(two.get("s6:n")).isEqualTo("-99");

            one.set("s6:ttl", "10");
            one.expire("s6:ttl", 100);
            assertThat(two.incr("s6:ttl")).isEqualTo(11);
            assertThat(one.ttl("s6:ttl")).isBetween(99L, 100L); // INCR keeps the time to live

            one.set("s6:max", Long.toString(Long.MAX_VALUE));
            assertError(() -> two.incr("s6:max"), "ERR increment or decrement would overflow");
            one.set("s6:min", Long.toString(Long.MIN_VALUE));
            assertError(() -> two.decrBy("s6:min", 1), "ERR increment or decrement would overflow");
            assertError(() -> raw(two, "DECRBY", "s6:n", "-9223372036854775808"), "ERR decrement would overflow");
            assertThat(one.get("s6:max")).isEqualTo(Long.toString(Long.MAX_VALUE));

            for (String notInteger : List.of("abc", " 1", "1 ", "01", "+1", "1.0", "99999999999999999999")) {
                one.set("s6:bad", notInteger);
                assertError(() -> two.incr("s6:bad"), "ERR value is not an integer or out of range");
            }
            assertError(() -> raw(two, "INCRBY", "s6:n", "1.5"), "ERR value is not an integer or out of range");
            putHash("s6:hash");
            assertError(() -> two.incr("s6:hash"), WRONGTYPE);
        }
    }

    @Test
    void incrbyfloat_answersABulkString_inBothProtocols() {
        try (Jedis one = jedis(cluster, 1, RedisProtocol.RESP2); Jedis two = jedis(cluster, 2, RedisProtocol.RESP3)) {
            one.set("s7:f", "10.50");
            assertThat(raw(two, "INCRBYFLOAT", "s7:f", "0.1")).isEqualTo("10.6");
            assertThat(raw(one, "INCRBYFLOAT", "s7:f", "-5")).isEqualTo("5.6");
            one.set("s7:f", "5.0e3");
            assertThat(raw(two, "INCRBYFLOAT", "s7:f", "2.0e2")).isEqualTo("5200");
            assertThat(one.get("s7:f")).isEqualTo("5200");
            assertThat(raw(one, "INCRBYFLOAT", "s7:new", "1e20")).isEqualTo("100000000000000000000");
            assertThat(two.incrByFloat("s7:new2", -0.25)).isEqualTo(-0.25);
            assertThat(raw(one, "INCRBYFLOAT", "s7:zero", "0")).isEqualTo("0");

            assertError(() -> raw(two, "INCRBYFLOAT", "s7:f", "inf"), "ERR increment would produce NaN or Infinity");
            assertError(() -> raw(two, "INCRBYFLOAT", "s7:f", "abc"), "ERR value is not a valid float");
            assertError(() -> raw(two, "INCRBYFLOAT", "s7:f", "nan"), "ERR value is not a valid float");
            one.set("s7:text", "one");
            assertError(() -> raw(two, "INCRBYFLOAT", "s7:text", "1"), "ERR value is not a valid float");
            putHash("s7:hash");
            assertError(() -> raw(two, "INCRBYFLOAT", "s7:hash", "1"), WRONGTYPE);
        }
    }

    @Test
    void append_strlen() {
        try (Jedis one = jedis(cluster, 0, RedisProtocol.RESP3); Jedis two = jedis(cluster, 1, RedisProtocol.RESP2)) {
            assertThat(one.append("s8:k", "Hello")).isEqualTo(5);
            assertThat(two.append("s8:k", " World")).isEqualTo(11);
            assertThat(one.get("s8:k")).isEqualTo("Hello World");
            assertThat(two.strlen("s8:k")).isEqualTo(11);
            assertThat(two.strlen("s8:missing")).isZero();
            putHash("s8:hash");
            assertError(() -> one.append("s8:hash", "x"), WRONGTYPE);
            assertError(() -> one.strlen("s8:hash"), WRONGTYPE);
        }
    }

    @Test
    void getrange_clampsLikeRedis() {
        try (Jedis one = jedis(cluster, 2, RedisProtocol.RESP2); Jedis two = jedis(cluster, 0, RedisProtocol.RESP3)) {
            one.set("s9:k", "This is a string");
            assertThat(two.getrange("s9:k", 0, 3)).isEqualTo("This");
            assertThat(two.getrange("s9:k", -3, -1)).isEqualTo("ing");
            assertThat(two.getrange("s9:k", 0, -1)).isEqualTo("This is a string");
            assertThat(two.getrange("s9:k", 10, 100)).isEqualTo("string");
            assertThat(two.getrange("s9:k", -100, 3)).isEqualTo("This");
            assertThat(two.getrange("s9:k", -1, -5)).isEmpty();
            assertThat(two.getrange("s9:k", 5, 3)).isEmpty();
            assertThat(two.getrange("s9:k", 100, 200)).isEmpty();
            assertThat(raw(two, "GETRANGE", "s9:missing", "0", "-1")).isEqualTo(""); // empty bulk, not nil
            assertError(() -> raw(two, "GETRANGE", "s9:k", "a", "1"), "ERR value is not an integer or out of range");
            putHash("s9:hash");
            assertError(() -> two.getrange("s9:hash", 0, 1), WRONGTYPE);
        }
    }

    @Test
    void setrange_padsWithZeros_andRefusesBadOffsets() {
        try (Jedis one = jedis(cluster, 1, RedisProtocol.RESP3); Jedis two = jedis(cluster, 2, RedisProtocol.RESP2)) {
            one.set("s10:k", "Hello World");
            assertThat(two.setrange("s10:k", 6, "Redis")).isEqualTo(11);
            assertThat(one.get("s10:k")).isEqualTo("Hello Redis");
            assertThat(two.setrange("s10:pad", 3, "x")).isEqualTo(4);
            assertThat(one.get("s10:pad")).isEqualTo("\0\0\0x");
            assertThat(two.setrange("s10:empty", 5, "")).isZero();
            assertThat(one.exists("s10:empty")).isFalse();
            assertThat(two.setrange("s10:k", 100, "")).isEqualTo(11);
            assertError(() -> two.setrange("s10:k", -1, "x"), "ERR offset is out of range");
            assertError(() -> two.setrange("s10:k", 536_870_911L, "ab"),
                    "ERR string exceeds maximum allowed size (proto-max-bulk-len)");
            assertThat(one.get("s10:k")).isEqualTo("Hello Redis");
            putHash("s10:hash");
            assertError(() -> two.setrange("s10:hash", 0, "x"), WRONGTYPE);
        }
    }

    @Test
    void lettuce_resp2AndResp3_throughDifferentMembers() {
        RedisClient resp2 = Clients.lettuce(cluster, 0, ProtocolVersion.RESP2);
        RedisClient resp3 = Clients.lettuce(cluster, 2, ProtocolVersion.RESP3);
        try (StatefulRedisConnection<String, String> c2 = resp2.connect();
             StatefulRedisConnection<String, String> c3 = resp3.connect()) {
            RedisCommands<String, String> one = c2.sync();
            RedisCommands<String, String> two = c3.sync();
            assertThat(one.mset(Map.of("s11:a", "1", "s11:b", "2"))).isEqualTo("OK");
            assertThat(two.mget("s11:a", "s11:missing", "s11:b")).containsExactly(
                    KeyValue.just("s11:a", "1"), KeyValue.empty("s11:missing"), KeyValue.just("s11:b", "2"));
            assertThat(two.incrbyfloat("s11:a", 0.5)).isEqualTo(1.5);
            assertThat(one.get("s11:a")).isEqualTo("1.5");
            assertThat(one.incrby("s11:b", 40)).isEqualTo(42);
            assertThat(two.getex("s11:b", GetExArgs.Builder.ex(100))).isEqualTo("42");
            assertThat(one.ttl("s11:b")).isBetween(99L, 100L);
            assertThat(two.getrange("s11:b", 0, 0)).isEqualTo("4");
            assertThat(one.setrange("s11:b", 2, "!")).isEqualTo(3);
            assertThat(two.getdel("s11:b")).isEqualTo("42!");
            assertThat(one.msetnx(Map.of("{s11}x", "1", "{s11}y", "2"))).isTrue();
            assertThatThrownBy(() -> two.incr("s11:a")).isInstanceOf(RedisCommandExecutionException.class)
                    .hasMessage("ERR value is not an integer or out of range");
        } finally {
            resp2.shutdown();
            resp3.shutdown();
        }
    }
}
