package io.tessera.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.ScoredValueScanCursor;
import io.lettuce.core.ZAddArgs;
import io.lettuce.core.ZAggregateArgs;
import io.lettuce.core.ZPopArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.protocol.ProtocolVersion;
import io.tessera.redis.testing.ThreeMemberRespTest;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.args.SortedSetOption;
import redis.clients.jedis.params.ZAddParams;
import redis.clients.jedis.params.ZParams;
import redis.clients.jedis.params.ZRangeParams;
import redis.clients.jedis.resps.ScanResult;
import redis.clients.jedis.resps.Tuple;
import redis.clients.jedis.util.KeyValue;

/**
 * Sorted sets through real clients on a three-member cluster: Jedis and Lettuce write through one member and read
 * through another, in RESP2 and RESP3 (whose doubles and nested pairs both clients parse); commands on several keys
 * need one hash slot; other types are refused and left alone.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SortedSetCommandsTest extends ThreeMemberRespTest {
    private static final String WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value";
    private static final String CROSSSLOT = "CROSSSLOT Keys in request don't hash to the same slot";

    private static List<String> withScores(List<Tuple> tuples) {
        return tuples.stream().map(t -> t.getElement() + "=" + t.getScore()).toList();
    }

    @Test
    void jedis_writesThroughOneMember_andReadsThroughAnother_inResp2AndResp3() {
        for (RedisProtocol protocol : List.of(RedisProtocol.RESP2, RedisProtocol.RESP3)) {
            String key = "{board}" + protocol;
            try (Jedis writer = jedis(0, protocol); Jedis reader = jedis(2, protocol)) {
                writer.del(key, key + ":other", key + ":dst");
                assertThat(writer.zadd(key, Map.of("ann", 3.0, "bob", 1.5, "cid", 7.0, "dee", 1.5))).isEqualTo(4);
                assertThat(writer.zadd(key, 10, "ann", ZAddParams.zAddParams().xx().ch())).isEqualTo(1);
                assertThat(writer.zincrby(key, 0.25, "bob")).isEqualTo(1.75);
                assertThat(reader.zcard(key)).isEqualTo(4);
                assertThat(reader.zscore(key, "ann")).isEqualTo(10.0);
                assertThat(reader.zmscore(key, "cid", "nobody")).containsExactly(7.0, null);
                assertThat(reader.zrank(key, "dee")).isZero();
                assertThat(reader.zrevrank(key, "dee")).isEqualTo(3);
                assertThat(reader.zrank(key, "nobody")).isNull();
                assertThat(withScores(reader.zrangeWithScores(key, 0, -1)))
                        .containsExactly("dee=1.5", "bob=1.75", "cid=7.0", "ann=10.0");
                assertThat(reader.zrevrangeByScore(key, 100, 2, 0, 1)).containsExactly("ann");
                assertThat(reader.zcount(key, "(1.5", "+inf")).isEqualTo(3);
                assertThat(reader.zrangeByScore(key, "-inf", "(7")).containsExactly("dee", "bob");

                writer.zadd(key + ":other", Map.of("ann", 1.0, "eve", 2.0));
                assertThat(withScores(reader.zunionWithScores(new ZParams().weights(1, 2)
                        .aggregate(ZParams.Aggregate.SUM), key, key + ":other")))
                        .containsExactly("dee=1.5", "bob=1.75", "eve=4.0", "cid=7.0", "ann=12.0");
                assertThat(reader.zintercard(key, key + ":other")).isEqualTo(1);
                assertThat(writer.zinterstore(key + ":dst", key, key + ":other")).isEqualTo(1);
                assertThat(reader.zrangestore(key + ":dst", key, ZRangeParams.zrangeParams(0, 1))).isEqualTo(2);
                assertThat(reader.zrange(key + ":dst", 0, -1)).containsExactly("dee", "bob");

                Tuple min = writer.zpopmin(key);
                assertThat(min.getElement()).isEqualTo("dee");
                assertThat(withScores(writer.zpopmax(key, 2))).containsExactly("ann=10.0", "cid=7.0");
                KeyValue<String, List<Tuple>> popped = writer.zmpop(SortedSetOption.MIN, key + ":none", key);
                assertThat(popped.getKey()).isEqualTo(key);
                assertThat(withScores(popped.getValue())).containsExactly("bob=1.75");
                assertThat(reader.exists(key)).isFalse();

                writer.zadd(key, Map.of("x", 1.0, "y", 2.0));
                assertThat(reader.zrandmember(key, 5)).containsExactlyInAnyOrder("x", "y");
                ScanResult<Tuple> scan = reader.zscan(key, "0");
                assertThat(scan.getCursor()).isEqualTo("0");
                assertThat(withScores(scan.getResult())).containsExactly("x=1.0", "y=2.0");
                assertThat(reader.type(key)).isEqualTo("zset");
            }
        }
    }

    @Test
    void lettuce_writesThroughOneMember_andReadsThroughAnother_inResp3AndResp2() {
        for (ProtocolVersion version : List.of(ProtocolVersion.RESP3, ProtocolVersion.RESP2)) {
            RedisClient client = RedisClient.create();
            client.setOptions(ClientOptions.builder().protocolVersion(version).build());
            try (StatefulRedisConnection<String, String> w = client.connect(uri(1));
                 StatefulRedisConnection<String, String> r = client.connect(uri(0))) {
                RedisCommands<String, String> writer = w.sync();
                RedisCommands<String, String> reader = r.sync();
                String key = "{lb}" + version;
                writer.del(key, key + ":2", key + ":dst");
                assertThat(writer.zadd(key, ScoredValue.just(1, "a"), ScoredValue.just(2, "b"),
                        ScoredValue.just(3, "c"))).isEqualTo(3);
                assertThat(writer.zadd(key, ZAddArgs.Builder.gt(), 0.5, "a")).isZero();
                assertThat(writer.zaddincr(key, 0.5, "a")).isEqualTo(1.5);
                assertThat(reader.zrangeWithScores(key, 0, -1)).containsExactly(ScoredValue.just(1.5, "a"),
                        ScoredValue.just(2, "b"), ScoredValue.just(3, "c"));
                assertThat(reader.zrangebyscoreWithScores(key, Range.create(2, 3), Limit.create(1, 1)))
                        .containsExactly(ScoredValue.just(3, "c"));
                assertThat(reader.zrevrangebyscore(key, Range.unbounded())).containsExactly("c", "b", "a");
                assertThat(reader.zscore(key, "b")).isEqualTo(2.0);
                assertThat(reader.zmscore(key, "a", "zz")).containsExactly(1.5, null);
                assertThat(reader.zlexcount(key, Range.unbounded())).isEqualTo(3);
                writer.zadd(key + ":2", 10, "b");
                assertThat(reader.zunionWithScores(ZAggregateArgs.Builder.max(), key, key + ":2"))
                        .containsExactly(ScoredValue.just(1.5, "a"), ScoredValue.just(3, "c"),
                                ScoredValue.just(10, "b"));
                assertThat(reader.zdiff(key, key + ":2")).containsExactly("a", "c");
                assertThat(writer.zrangestore(key + ":dst", key, Range.create(0L, 0L))).isEqualTo(1);
                assertThat(reader.zrange(key + ":dst", 0, -1)).containsExactly("a");
                assertThat(writer.zpopmin(key)).isEqualTo(ScoredValue.just(1.5, "a"));
                assertThat(writer.zpopmax(key, 1)).containsExactly(ScoredValue.just(3, "c"));
                io.lettuce.core.KeyValue<String, ScoredValue<String>> popped =
                        writer.zmpop(ZPopArgs.Builder.max(), key + ":none", key);
                assertThat(popped.getKey()).isEqualTo(key);
                assertThat(popped.getValue()).isEqualTo(ScoredValue.just(2, "b"));
                assertThat(reader.exists(key)).isZero();
                writer.zadd(key, 5, "z");
                ScoredValueScanCursor<String> cursor = reader.zscan(key);
                assertThat(cursor.getValues()).containsExactly(ScoredValue.just(5, "z"));
                assertThat(reader.zrandmemberWithScores(key)).isEqualTo(ScoredValue.just(5, "z"));
                writer.set(key + ":s", "x");
                assertThatThrownBy(() -> reader.zcard(key + ":s"))
                        .isInstanceOf(RedisCommandExecutionException.class).hasMessage(WRONGTYPE);
            } finally {
                client.shutdown(0, 2, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void commandsOnSeveralKeys_inDifferentSlots_answerCrossslot_andChangeNothing() {
        try (Jedis one = jedis(0, RedisProtocol.RESP2); Jedis two = jedis(1, RedisProtocol.RESP3)) {
            one.del("zx:a", "zx:b", "zx:dst");
            one.zadd("zx:a", 1, "m");
            one.zadd("zx:b", 2, "m");
            one.zadd("zx:dst", 9, "keep");
            for (String[] command : List.of(new String[] {"ZUNIONSTORE", "zx:dst", "2", "zx:a", "zx:b"},
                    new String[] {"ZUNION", "2", "zx:a", "zx:b"}, new String[] {"ZINTERCARD", "2", "zx:a", "zx:b"},
                    new String[] {"ZDIFFSTORE", "zx:dst", "1", "zx:a"}, new String[] {"ZRANGESTORE", "zx:dst", "zx:a",
                        "0", "-1"}, new String[] {"ZMPOP", "2", "zx:a", "zx:b", "MIN"})) {
                assertError(two, CROSSSLOT, command);
            }
            assertThat(one.zrangeWithScores("zx:dst", 0, -1)).extracting(Tuple::getElement).containsExactly("keep");
            assertThat(one.zcard("zx:a")).isEqualTo(1);
            // a bad numkeys is reported before any slot is looked at, as Redis Cluster can find no keys then
            assertError(two, "ERR at least 1 input key is needed for 'zunion' command", "ZUNION", "0", "zx:a");
            assertError(two, "ERR syntax error", "ZUNION", "3", "zx:a", "zx:b");
            assertError(two, "ERR numkeys should be greater than 0", "ZMPOP", "0", "zx:a", "MIN");
            // one key, or keys sharing a tag, are one step
            assertThat(two.zunionstore("zx:a", "zx:a")).isEqualTo(1);
        }
    }

    @Test
    void sortedSetCommands_againstOtherTypes_replyWrongType_andLeaveThemAlone() {
        try (Jedis one = jedis(0, RedisProtocol.RESP2); Jedis two = jedis(2, RedisProtocol.RESP2)) {
            one.set("{wt}str", "x");
            one.rpush("{wt}list", "a");
            one.zadd("{wt}z", 1, "a");
            for (String[] command : List.of(new String[] {"ZADD", "{wt}str", "1", "a"},
                    new String[] {"ZINCRBY", "{wt}list", "1", "a"}, new String[] {"ZREM", "{wt}str", "a"},
                    new String[] {"ZRANGE", "{wt}str", "0", "-1"}, new String[] {"ZPOPMIN", "{wt}list"},
                    new String[] {"ZUNION", "2", "{wt}z", "{wt}list"}, new String[] {"ZSCAN", "{wt}str", "0"},
                    new String[] {"ZRANDMEMBER", "{wt}str"}, new String[] {"ZREMRANGEBYRANK", "{wt}list", "0", "1"},
                    new String[] {"ZMPOP", "2", "{wt}none", "{wt}str", "MAX"}, new String[] {"LPUSH", "{wt}z", "x"},
                    new String[] {"GET", "{wt}z"}, new String[] {"HSET", "{wt}z", "f", "v"})) {
                assertError(two, WRONGTYPE, command);
            }
            assertThat(one.get("{wt}str")).isEqualTo("x");
            assertThat(one.lrange("{wt}list", 0, -1)).containsExactly("a");
            assertThat(one.zrange("{wt}z", 0, -1)).containsExactly("a");
            // a bad score changes nothing either, even after good ones
            assertError(two, "ERR value is not a valid float", "ZADD", "{wt}z", "5", "b", "oops", "c");
            assertThat(one.zcard("{wt}z")).isEqualTo(1);
        }
    }

    private static RedisURI uri(int member) {
        return RedisURI.create("127.0.0.1", cluster.port(member));
    }
}
