package io.tessera.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.KeyValue;
import io.lettuce.core.MapScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.protocol.ProtocolVersion;
import io.tessera.redis.testing.RawRespClient;
import io.tessera.redis.testing.ThreeMemberRespTest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HashCommandsTest extends ThreeMemberRespTest {
    private static final String WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value";

    @Test
    void hset_writtenThroughOneMember_readThroughAnother_inBothProtocols() {
        try (Jedis one = jedis(0, RedisProtocol.RESP2); Jedis two = jedis(1, RedisProtocol.RESP3)) {
            assertThat(one.hset("h:basic", Map.of("a", "1", "b", "2"))).isEqualTo(2);
            assertThat(one.hset("h:basic", Map.of("b", "20", "c", "3"))).isEqualTo(1);
            assertThat(two.hget("h:basic", "b")).isEqualTo("20");
            assertThat(two.hget("h:basic", "nope")).isNull();
            assertThat(two.hget("h:missing", "a")).isNull();
            assertThat(two.hmget("h:basic", "a", "nope", "c")).containsExactly("1", null, "3");
            assertThat(two.hmget("h:missing", "a", "b")).containsExactly(null, null);
            assertThat(two.hexists("h:basic", "a")).isTrue();
            assertThat(two.hexists("h:basic", "nope")).isFalse();
            assertThat(two.hlen("h:basic")).isEqualTo(3);
            assertThat(two.hlen("h:missing")).isZero();
            assertThat(two.hstrlen("h:basic", "b")).isEqualTo(2);
            assertThat(two.hstrlen("h:basic", "nope")).isZero();
            assertThat(two.hkeys("h:basic")).containsExactlyInAnyOrder("a", "b", "c");
            assertThat(two.hvals("h:basic")).containsExactlyInAnyOrder("1", "20", "3");
            assertThat(two.hgetAll("h:basic")).isEqualTo(Map.of("a", "1", "b", "20", "c", "3"));
            assertThat(one.hgetAll("h:basic")).isEqualTo(Map.of("a", "1", "b", "20", "c", "3"));
            assertThat(two.hgetAll("h:missing")).isEmpty();
            assertThat(one.hsetnx("h:basic", "a", "x")).isZero();
            assertThat(one.hsetnx("h:basic", "d", "4")).isOne();
            assertThat(two.hget("h:basic", "a")).isEqualTo("1");
            assertThat(one.hmset("h:basic", Map.of("e", "5"))).isEqualTo("OK");
            assertThat(two.hget("h:basic", "e")).isEqualTo("5");
        }
    }

    @Test
    void hdel_ofTheLastField_deletesTheKey() {
        try (Jedis one = jedis(0, RedisProtocol.RESP2); Jedis two = jedis(2, RedisProtocol.RESP2)) {
            one.hset("h:del", Map.of("a", "1", "b", "2", "c", "3"));
            assertThat(two.hdel("h:del", "a", "nope")).isOne();
            assertThat(two.hdel("h:missing", "a")).isZero();
            assertThat(two.hdel("h:del", "b", "c")).isEqualTo(2);
            assertThat(one.hlen("h:del")).isZero();
            // GET answers null rather than WRONGTYPE: no empty hash is left behind
            assertThat(one.get("h:del")).isNull();
        }
    }

    @Test
    void hgetall_isAMapInResp3_andAFlatArrayInResp2() {
        try (RawRespClient resp2 = new RawRespClient(cluster.port(0), false);
             RawRespClient resp3 = new RawRespClient(cluster.port(1), true)) {
            assertThat(resp2.call("HSET", "h:wire", "f", "v")).isEqualTo(":1\r\n");
            assertThat(resp2.call("HGETALL", "h:wire")).isEqualTo("*2\r\n$1\r\nf\r\n$1\r\nv\r\n");
            assertThat(resp3.call("HGETALL", "h:wire")).isEqualTo("%1\r\n$1\r\nf\r\n$1\r\nv\r\n");
            assertThat(resp2.call("HGETALL", "h:nothing")).isEqualTo("*0\r\n");
            assertThat(resp3.call("HGETALL", "h:nothing")).isEqualTo("%0\r\n");
            assertThat(resp3.call("HGET", "h:nothing", "f")).isEqualTo("_\r\n");
            assertThat(resp2.call("HGET", "h:nothing", "f")).isEqualTo("$-1\r\n");
            assertThat(resp2.call("HSET", "h:wire", "f")).isEqualTo("-ERR wrong number of arguments for 'hset' command\r\n");
            assertThat(resp2.call("HSET", "h:wire", "f", "v", "g"))
                    .isEqualTo("-ERR wrong number of arguments for 'hset' command\r\n");
            assertThat(resp2.call("HMSET", "h:wire", "f", "v", "g"))
                    .isEqualTo("-ERR wrong number of arguments for 'hmset' command\r\n");
        }
    }

    @Test
    void hashCommands_againstAString_replyWrongType() {
        try (Jedis one = jedis(0, RedisProtocol.RESP2); Jedis two = jedis(1, RedisProtocol.RESP3)) {
            one.set("h:string", "x");
            for (Runnable command : List.<Runnable>of(
                    () -> two.hset("h:string", "f", "v"), () -> two.hget("h:string", "f"),
                    () -> two.hgetAll("h:string"), () -> two.hlen("h:string"), () -> two.hdel("h:string", "f"),
                    () -> two.hincrBy("h:string", "f", 1), () -> two.hrandfield("h:string"),
                    () -> two.hscan("h:string", "0"), () -> two.hmget("h:string", "f"),
                    () -> two.hsetnx("h:string", "f", "v"), () -> two.hkeys("h:string"))) {
                assertThatThrownBy(command::run).isInstanceOf(JedisDataException.class).hasMessage(WRONGTYPE);
            }
            assertThat(one.get("h:string")).isEqualTo("x");
        }
    }

    @Test
    void hincrby_addsToIntegers_andRefusesNonIntegersAndOverflow() {
        try (Jedis one = jedis(0, RedisProtocol.RESP2); Jedis two = jedis(1, RedisProtocol.RESP2)) {
            assertThat(one.hincrBy("h:incr", "n", 5)).isEqualTo(5);
            assertThat(two.hincrBy("h:incr", "n", -7)).isEqualTo(-2);
            assertThat(one.hget("h:incr", "n")).isEqualTo("-2");
            one.hset("h:incr", "s", "abc");
            assertThatThrownBy(() -> two.hincrBy("h:incr", "s", 1))
                    .hasMessage("ERR hash value is not an integer");
            one.hset("h:incr", "big", Long.toString(Long.MAX_VALUE - 1));
            assertThatThrownBy(() -> two.hincrBy("h:incr", "big", 2))
                    .hasMessage("ERR increment or decrement would overflow");
            assertThat(two.hget("h:incr", "big")).isEqualTo(Long.toString(Long.MAX_VALUE - 1));
            assertThatThrownBy(() -> two.sendCommand(() -> "HINCRBY".getBytes(), "h:incr", "n", "x"))
                    .hasMessage("ERR value is not an integer or out of range");
        }
    }

    @Test
    void hincrbyfloat_repliesABulkStringInBothProtocols() {
        try (RawRespClient resp2 = new RawRespClient(cluster.port(0), false);
             RawRespClient resp3 = new RawRespClient(cluster.port(2), true)) {
            assertThat(resp2.call("HSET", "h:float", "x", "10.50")).isEqualTo(":1\r\n");
            assertThat(resp2.call("HINCRBYFLOAT", "h:float", "x", "0.1")).isEqualTo("$4\r\n10.6\r\n");
            assertThat(resp3.call("HINCRBYFLOAT", "h:float", "x", "-5")).isEqualTo("$3\r\n5.6\r\n");
            resp2.call("HSET", "h:float", "y", "5.0e3");
            assertThat(resp3.call("HINCRBYFLOAT", "h:float", "y", "2.0e2")).isEqualTo("$4\r\n5200\r\n");
            assertThat(resp3.call("HINCRBYFLOAT", "h:float", "new", "3")).isEqualTo("$1\r\n3\r\n");
            resp2.call("HSET", "h:float", "s", "abc");
            assertThat(resp2.call("HINCRBYFLOAT", "h:float", "s", "1"))
                    .isEqualTo("-ERR hash value is not a float\r\n");
            assertThat(resp2.call("HINCRBYFLOAT", "h:float", "x", "abc"))
                    .isEqualTo("-ERR value is not a valid float\r\n");
            assertThat(resp3.call("HGET", "h:float", "x")).isEqualTo("$3\r\n5.6\r\n");
        }
    }

    @Test
    void hrandfield_withCountAndValues_followsRedis7() {
        try (Jedis one = jedis(0, RedisProtocol.RESP2); Jedis two = jedis(1, RedisProtocol.RESP3)) {
            Map<String, String> fields = new HashMap<>();
            for (int i = 0; i < 5; i++) {
                fields.put("f" + i, "v" + i);
            }
            one.hset("h:rand", fields);
            assertThat(two.hrandfield("h:rand")).isIn(fields.keySet());
            assertThat(two.hrandfield("h:missing")).isNull();
            List<String> three = two.hrandfield("h:rand", 3);
            assertThat(three).hasSize(3).doesNotHaveDuplicates().isSubsetOf(fields.keySet());
            assertThat(two.hrandfield("h:rand", 10)).containsExactlyInAnyOrderElementsOf(fields.keySet());
            assertThat(two.hrandfield("h:rand", -20)).hasSize(20).isSubsetOf(fields.keySet());
            assertThat(two.hrandfield("h:rand", 0)).isEmpty();
            assertThat(two.hrandfield("h:missing", 3)).isEmpty();
            for (RedisProtocol protocol : RedisProtocol.values()) {
                try (Jedis reader = jedis(2, protocol)) {
                    List<Map.Entry<String, String>> pairs = reader.hrandfieldWithValues("h:rand", -7);
                    assertThat(pairs).hasSize(7);
                    pairs.forEach(p -> assertThat(fields).containsEntry(p.getKey(), p.getValue()));
                }
            }
        }
        try (RawRespClient resp2 = new RawRespClient(cluster.port(0), false);
             RawRespClient resp3 = new RawRespClient(cluster.port(1), true)) {
            resp2.call("HSET", "h:rand1", "f", "v");
            assertThat(resp2.call("HRANDFIELD", "h:rand1", "2", "WITHVALUES"))
                    .isEqualTo("*2\r\n$1\r\nf\r\n$1\r\nv\r\n");
            assertThat(resp3.call("HRANDFIELD", "h:rand1", "-2", "withvalues"))
                    .isEqualTo("*2\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n");
            assertThat(resp2.call("HRANDFIELD", "h:rand1", "1", "nonsense")).isEqualTo("-ERR syntax error\r\n");
            assertThat(resp2.call("HRANDFIELD", "h:rand1", "x")).isEqualTo("-ERR value is not an integer or out of range\r\n");
            assertThat(resp2.call("HRANDFIELD", "h:missing")).isEqualTo("$-1\r\n");
        }
    }

    @Test
    void hscan_ofASmallHash_returnsEverythingAtOnce_withMatch() {
        try (Jedis one = jedis(0, RedisProtocol.RESP2); Jedis two = jedis(1, RedisProtocol.RESP3)) {
            one.hset("h:scan", Map.of("apple", "1", "apricot", "2", "banana", "3", "a[b]", "4"));
            ScanResult<Map.Entry<String, String>> all = two.hscan("h:scan", "0");
            assertThat(all.getCursor()).isEqualTo("0");
            assertThat(toMap(all.getResult())).hasSize(4).containsEntry("banana", "3");
            ScanResult<Map.Entry<String, String>> ap = two.hscan("h:scan", "0", new ScanParams().match("ap*"));
            assertThat(toMap(ap.getResult())).isEqualTo(Map.of("apple", "1", "apricot", "2"));
            ScanResult<Map.Entry<String, String>> escaped = two.hscan("h:scan", "0",
                    new ScanParams().match("a\\[b\\]"));
            assertThat(toMap(escaped.getResult())).isEqualTo(Map.of("a[b]", "4"));
            ScanResult<Map.Entry<String, String>> cls = two.hscan("h:scan", "0", new ScanParams().match("[^a]*"));
            assertThat(toMap(cls.getResult())).isEqualTo(Map.of("banana", "3"));
            assertThat(two.hscan("h:none", "0").getResult()).isEmpty();
        }
        try (RawRespClient resp2 = new RawRespClient(cluster.port(2), false)) {
            assertThat(resp2.call("HSCAN", "h:scan", "0", "MATCH", "b*", "NOVALUES"))
                    .isEqualTo("*2\r\n$1\r\n0\r\n*1\r\n$6\r\nbanana\r\n");
            assertThat(resp2.call("HSCAN", "h:scan", "abc")).isEqualTo("-ERR invalid cursor\r\n");
            assertThat(resp2.call("HSCAN", "h:scan", "0", "COUNT", "0")).isEqualTo("-ERR syntax error\r\n");
            assertThat(resp2.call("HSCAN", "h:scan", "0", "COUNT", "x"))
                    .isEqualTo("-ERR value is not an integer or out of range\r\n");
            assertThat(resp2.call("HSCAN", "h:scan", "0", "BOGUS")).isEqualTo("-ERR syntax error\r\n");
            assertThat(resp2.call("HSCAN", "h:none", "0")).isEqualTo("*2\r\n$1\r\n0\r\n*0\r\n");
        }
    }

    @Test
    void hscan_ofALargeHash_walksEveryFieldOnce_inSteps() {
        try (Jedis one = jedis(0, RedisProtocol.RESP2); Jedis two = jedis(1, RedisProtocol.RESP2)) {
            Map<String, String> fields = new LinkedHashMap<>();
            for (int i = 0; i < 300; i++) {
                fields.put("field:" + i, "value:" + i);
            }
            one.hset("h:bigscan", fields);
            Map<String, String> seen = new HashMap<>();
            String cursor = "0";
            int steps = 0;
            do {
                ScanResult<Map.Entry<String, String>> step = two.hscan("h:bigscan", cursor,
                        new ScanParams().count(25));
                for (Map.Entry<String, String> e : step.getResult()) {
                    assertThat(seen.put(e.getKey(), e.getValue())).as("returned twice: " + e.getKey()).isNull();
                }
                assertThat(step.getResult()).hasSizeLessThanOrEqualTo(26);
                cursor = step.getCursor();
                steps++;
            } while (!cursor.equals("0"));
            assertThat(steps).isGreaterThanOrEqualTo(12);
            assertThat(seen).isEqualTo(fields);

            // fields present the whole time are seen even while others come and go
            Set<String> found = new HashSet<>();
            cursor = "0";
            int round = 0;
            do {
                ScanResult<Map.Entry<String, String>> step = one.hscan("h:bigscan", cursor,
                        new ScanParams().count(30).match("field:1*"));
                step.getResult().forEach(e -> found.add(e.getKey()));
                two.hdel("h:bigscan", "field:2" + round);
                two.hset("h:bigscan", "extra:" + round, "x");
                round++;
                cursor = step.getCursor();
            } while (!cursor.equals("0"));
            for (String field : fields.keySet()) {
                if (field.startsWith("field:1")) {
                    assertThat(found).contains(field);
                }
            }
            assertThat(found).allMatch(f -> f.startsWith("field:1"));
        }
    }

    @Test
    void hincrby_fromFourThreadsThroughDifferentMembers_addsUpExactly() throws Exception {
        int threads = 4;
        int perThread = 250;
        List<CompletableFuture<Void>> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int member = t % cluster.size();
            workers.add(CompletableFuture.runAsync(() -> {
                try (Jedis jedis = jedis(member, RedisProtocol.RESP2)) {
                    for (int i = 0; i < perThread; i++) {
                        jedis.hincrBy("h:counter", "n", 1);
                        jedis.hincrBy("h:counter", "m", 2);
                    }
                }
            }, runnable -> new Thread(runnable, "hincrby-" + member).start()));
        }
        CompletableFuture.allOf(workers.toArray(CompletableFuture[]::new)).get(45, TimeUnit.SECONDS);
        try (Jedis reader = jedis(2, RedisProtocol.RESP3)) {
            assertThat(reader.hget("h:counter", "n")).isEqualTo(Integer.toString(threads * perThread));
            assertThat(reader.hget("h:counter", "m")).isEqualTo(Integer.toString(2 * threads * perThread));
        }
    }

    @Test
    void lettuce_inResp3AndResp2_seesTheSameHash() {
        for (ProtocolVersion version : List.of(ProtocolVersion.RESP3, ProtocolVersion.RESP2)) {
            RedisClient client = RedisClient.create();
            client.setOptions(ClientOptions.builder().protocolVersion(version).build());
            try (StatefulRedisConnection<String, String> w = client.connect(uri(0));
                 StatefulRedisConnection<String, String> r = client.connect(uri(1))) {
                RedisCommands<String, String> writer = w.sync();
                RedisCommands<String, String> reader = r.sync();
                String key = "h:lettuce:" + version;
                assertThat(writer.hset(key, Map.of("a", "1", "b", "2"))).isEqualTo(2);
                assertThat(reader.hgetall(key)).isEqualTo(Map.of("a", "1", "b", "2"));
                assertThat(reader.hmget(key, "a", "zz")).containsExactly(KeyValue.just("a", "1"), KeyValue.empty("zz"));
                assertThat(writer.hincrbyfloat(key, "a", 1.5)).isEqualTo(2.5);
                assertThat(reader.hrandfieldWithvalues(key, 5)).hasSize(2);
                MapScanCursor<String, String> scan = reader.hscan(key, ScanCursor.INITIAL, ScanArgs.Builder.matches("b"));
                assertThat(scan.getMap()).isEqualTo(Map.of("b", "2"));
                assertThat(scan.isFinished()).isTrue();
                writer.set(key + ":s", "x");
                assertThatThrownBy(() -> reader.hget(key + ":s", "f"))
                        .isInstanceOf(RedisCommandExecutionException.class).hasMessage(WRONGTYPE);
            } finally {
                client.shutdown(0, 2, TimeUnit.SECONDS);
            }
        }
    }

    private static RedisURI uri(int member) {
        return RedisURI.create("127.0.0.1", cluster.port(member));
    }

    private static Map<String, String> toMap(List<Map.Entry<String, String>> entries) {
        Map<String, String> map = new HashMap<>();
        entries.forEach(e -> map.put(e.getKey(), e.getValue()));
        return map;
    }
}
