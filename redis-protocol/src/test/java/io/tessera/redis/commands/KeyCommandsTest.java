package io.tessera.redis.commands;

import static io.tessera.redis.commands.Clients.assertError;
import static io.tessera.redis.commands.Clients.jedis;
import static io.tessera.redis.commands.Clients.putStored;
import static io.tessera.redis.commands.Clients.raw;
import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.CopyArgs;
import io.lettuce.core.ExpireArgs;
import io.lettuce.core.KeyScanArgs;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.protocol.ProtocolVersion;
import io.tessera.redis.internal.store.Bytes;
import io.tessera.redis.internal.store.StoredValue;
import io.tessera.redis.testing.RespCluster;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.args.ExpiryOption;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.params.SetParams;
import redis.clients.jedis.resps.ScanResult;

/** The generic key family through real clients, writing through one member and reading through another. */
@Timeout(90)
class KeyCommandsTest {
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

    private static void putSet(String key) {
        putStored(cluster, key, StoredValue.encodeSet(List.of(Bytes.of("m"))));
    }

    @Test
    void del_unlink_exists_touch_countKeysAcrossSlots() {
        try (Jedis one = jedis(cluster, 0, RedisProtocol.RESP2); Jedis two = jedis(cluster, 1, RedisProtocol.RESP3)) {
            one.mset("k1:a", "1", "k1:b", "2", "k1:c", "3", "k1:d", "4");
            putSet("k1:set");
            assertThat(two.exists("k1:a", "k1:a", "k1:missing", "k1:set")).isEqualTo(3); // repeats count
            assertThat(two.touch("k1:a", "k1:b", "k1:missing")).isEqualTo(2);
            assertThat(two.del("k1:a", "k1:b", "k1:missing", "k1:a")).isEqualTo(2);
            assertThat(one.unlink("k1:c", "k1:set")).isEqualTo(2);
            assertThat(one.exists("k1:a", "k1:b", "k1:c", "k1:set")).isZero();
            assertThat(two.exists("k1:d")).isTrue();
            assertError(() -> raw(one, "DEL"), "ERR wrong number of arguments for 'del' command");
            assertError(() -> raw(one, "EXISTS"), "ERR wrong number of arguments for 'exists' command");
        }
    }

    @Test
    void type_namesEachType() {
        try (Jedis one = jedis(cluster, 2, RedisProtocol.RESP3)) {
            one.set("k2:s", "v");
            putSet("k2:set");
            putStored(cluster, "k2:list", StoredValue.encodeList(List.of("x".getBytes(StandardCharsets.UTF_8))));
            assertThat(one.type("k2:s")).isEqualTo("string");
            assertThat(one.type("k2:set")).isEqualTo("set");
            assertThat(one.type("k2:list")).isEqualTo("list");
            assertThat(one.type("k2:missing")).isEqualTo("none");
        }
    }

    @Test
    void expire_withNxXxGtLt_followsRedis7() {
        try (Jedis one = jedis(cluster, 0, RedisProtocol.RESP3); Jedis two = jedis(cluster, 2, RedisProtocol.RESP2)) {
            assertThat(one.expire("k3:missing", 100)).isZero();
            one.set("k3:k", "v");
            assertThat(two.expire("k3:k", 100, ExpiryOption.XX)).isZero(); // no expiry yet
            assertThat(two.expire("k3:k", 100, ExpiryOption.GT)).isZero(); // none counts as infinite
            assertThat(two.expire("k3:k", 100, ExpiryOption.NX)).isEqualTo(1);
            assertThat(two.expire("k3:k", 200, ExpiryOption.NX)).isZero();
            assertThat(two.expire("k3:k", 50, ExpiryOption.GT)).isZero();
            assertThat(two.expire("k3:k", 200, ExpiryOption.GT)).isEqualTo(1);
            assertThat(one.ttl("k3:k")).isBetween(199L, 200L);
            assertThat(two.expire("k3:k", 300, ExpiryOption.LT)).isZero();
            assertThat(two.pexpire("k3:k", 150_000, ExpiryOption.LT)).isEqualTo(1);
            assertThat(one.pttl("k3:k")).isBetween(140_000L, 150_000L);
            assertThat(two.expire("k3:k", 500, ExpiryOption.XX)).isEqualTo(1);
            one.set("k3:lt", "v");
            assertThat(two.expire("k3:lt", 500, ExpiryOption.LT)).isEqualTo(1); // none counts as infinite

            long at = System.currentTimeMillis() / 1000 + 1000;
            assertThat(one.expireAt("k3:k", at)).isEqualTo(1);
            assertThat(two.expireTime("k3:k")).isEqualTo(at);
            assertThat(two.pexpireTime("k3:k")).isEqualTo(at * 1000);
            assertThat(one.pexpireAt("k3:k", at * 1000 + 1234)).isEqualTo(1);
            assertThat(two.pexpireTime("k3:k")).isEqualTo(at * 1000 + 1234);

            assertError(() -> raw(one, "EXPIRE", "k3:k", "10", "NX", "XX"),
                    "ERR NX and XX, GT or LT options at the same time are not compatible");
            assertError(() -> raw(one, "EXPIRE", "k3:k", "10", "NX", "GT"),
                    "ERR NX and XX, GT or LT options at the same time are not compatible");
            assertError(() -> raw(one, "PEXPIRE", "k3:k", "10", "GT", "LT"),
                    "ERR GT and LT options at the same time are not compatible");
            assertError(() -> raw(one, "EXPIRE", "k3:k", "10", "FOO"), "ERR Unsupported option FOO");
            assertError(() -> raw(one, "EXPIRE", "k3:k", "ten"), "ERR value is not an integer or out of range");
            assertError(() -> raw(one, "EXPIRE", "k3:k", "9223372036854775807"),
                    "ERR invalid expire time in 'expire' command");
            assertError(() -> raw(one, "PEXPIRE", "k3:k", "9223372036854775807"),
                    "ERR invalid expire time in 'pexpire' command");
            assertError(() -> raw(one, "EXPIREAT", "k3:k", "-9223372036854775807"),
                    "ERR invalid expire time in 'expireat' command");
            assertThat(two.pexpireTime("k3:k")).isEqualTo(at * 1000 + 1234); // errors change nothing
        }
    }

    @Test
    void expire_inThePast_deletesTheKey() {
        try (Jedis one = jedis(cluster, 1, RedisProtocol.RESP2); Jedis two = jedis(cluster, 0, RedisProtocol.RESP3)) {
            one.set("k4:a", "v");
            assertThat(two.expire("k4:a", -1)).isEqualTo(1);
            assertThat(one.exists("k4:a")).isFalse();
            one.set("k4:b", "v");
            assertThat(two.expireAt("k4:b", 1)).isEqualTo(1);
            assertThat(one.get("k4:b")).isNull();
            one.set("k4:c", "v");
            assertThat(two.pexpire("k4:c", 0)).isEqualTo(1);
            assertThat(one.exists("k4:c")).isFalse();
        }
    }

    @Test
    void ttl_pttl_expiretime_persist_missingAndPersistentKeys() {
        try (Jedis one = jedis(cluster, 2, RedisProtocol.RESP3); Jedis two = jedis(cluster, 1, RedisProtocol.RESP2)) {
            assertThat(one.ttl("k5:missing")).isEqualTo(-2);
            assertThat(one.pttl("k5:missing")).isEqualTo(-2);
            assertThat(one.expireTime("k5:missing")).isEqualTo(-2);
            assertThat(one.pexpireTime("k5:missing")).isEqualTo(-2);
            two.set("k5:k", "v");
            assertThat(one.ttl("k5:k")).isEqualTo(-1);
            assertThat(one.pttl("k5:k")).isEqualTo(-1);
            assertThat(one.expireTime("k5:k")).isEqualTo(-1);
            assertThat(one.persist("k5:k")).isZero();
            assertThat(one.persist("k5:missing")).isZero();
            two.set("k5:k", "v", SetParams.setParams().ex(100));
            assertThat(one.persist("k5:k")).isEqualTo(1);
            assertThat(two.ttl("k5:k")).isEqualTo(-1);
            assertThat(two.get("k5:k")).isEqualTo("v");
        }
    }

    @Test
    void expiry_isVisibleAcrossMembers() {
        try (Jedis one = jedis(cluster, 0, RedisProtocol.RESP2); Jedis three = jedis(cluster, 2, RedisProtocol.RESP3)) {
            assertThat(one.set("k6:short", "v", SetParams.setParams().px(300))).isEqualTo("OK");
            assertThat(three.pttl("k6:short")).isBetween(1L, 300L);
            Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
                    .until(() -> three.get("k6:short") == null);
            assertThat(three.exists("k6:short")).isFalse();
            assertThat(three.ttl("k6:short")).isEqualTo(-2);
        }
    }

    @Test
    void keys_matchesGlobPatterns() {
        try (Jedis one = jedis(cluster, 0, RedisProtocol.RESP2); Jedis two = jedis(cluster, 1, RedisProtocol.RESP3)) {
            one.mset("k7:hello", "1", "k7:hallo", "2", "k7:hxllo", "3", "k7:hllo", "4", "k7:heeeello", "5",
                    "k7:a*b", "6");
            assertThat(two.keys("k7:h?llo")).containsExactlyInAnyOrder("k7:hello", "k7:hallo", "k7:hxllo");
            assertThat(two.keys("k7:h*llo")).containsExactlyInAnyOrder("k7:hello", "k7:hallo", "k7:hxllo",
                    "k7:hllo", "k7:heeeello");
            assertThat(two.keys("k7:h[ae]llo")).containsExactlyInAnyOrder("k7:hello", "k7:hallo");
            assertThat(two.keys("k7:h[^e]llo")).containsExactlyInAnyOrder("k7:hallo", "k7:hxllo");
            assertThat(two.keys("k7:h[a-b]llo")).containsExactly("k7:hallo");
            assertThat(two.keys("k7:a\\*b")).containsExactly("k7:a*b");
            assertThat(two.keys("k7:nothing*")).isEmpty();
        }
    }

    @Test
    void scan_visitsEveryKeyExactlyOnce_withCountMatchAndType() {
        try (Jedis one = jedis(cluster, 0, RedisProtocol.RESP2, 2);
             Jedis two = jedis(cluster, 1, RedisProtocol.RESP3, 2);
             Jedis three = jedis(cluster, 2, RedisProtocol.RESP2, 2)) {
            one.flushDB();
            Set<String> expected = new HashSet<>();
            List<String> batch = new ArrayList<>();
            for (int i = 0; i < 2000; i++) {
                String key = "k8:" + i;
                expected.add(key);
                batch.add(key);
                batch.add("v" + i);
                if (batch.size() == 200) {
                    one.mset(batch.toArray(String[]::new));
                    batch.clear();
                }
            }
            assertThat(two.dbSize()).isEqualTo(2000);

            // every call through another member: the cursor means the same everywhere
            List<String> seen = new ArrayList<>();
            String cursor = "0";
            Jedis[] members = {one, two, three};
            int calls = 0;
            do {
                ScanResult<String> page = members[calls++ % 3].scan(cursor, new ScanParams().count(10));
                seen.addAll(page.getResult());
                cursor = page.getCursor();
            } while (!cursor.equals("0"));
            assertThat(seen).hasSize(2000).doesNotHaveDuplicates();
            assertThat(new HashSet<>(seen)).isEqualTo(expected);
            assertThat(calls).isGreaterThan(50);

            seen.clear();
            cursor = "0";
            do {
                ScanResult<String> page = two.scan(cursor, new ScanParams().match("k8:1*").count(50));
                seen.addAll(page.getResult());
                cursor = page.getCursor();
            } while (!cursor.equals("0"));
            assertThat(seen).doesNotHaveDuplicates().hasSize(1111)
                    .allMatch(key -> key.startsWith("k8:1"));

            try (Jedis direct = jedis(cluster, 2, RedisProtocol.RESP3)) {
                direct.select(2);
                for (int i = 0; i < 20; i++) {
                    raw(direct, "COPY", "k8:" + i, "k8:copy" + i); // keep db 2 the only one used
                }
            }
            seen.clear();
            cursor = "0";
            do {
                ScanResult<String> page = three.scan(cursor, new ScanParams().count(100), "string");
                seen.addAll(page.getResult());
                cursor = page.getCursor();
            } while (!cursor.equals("0"));
            assertThat(seen).hasSize(2020).doesNotHaveDuplicates();
            assertThat(three.scan("0", new ScanParams().count(10_000), "hash").getResult()).isEmpty();
            assertThat(three.scan("0", new ScanParams().count(10_000), "nosuchtype").getResult()).isEmpty();

            assertError(() -> raw(one, "SCAN", "abc"), "ERR invalid cursor");
            assertError(() -> raw(one, "SCAN", "-1"), "ERR invalid cursor");
            assertError(() -> raw(one, "SCAN", "0", "COUNT", "0"), "ERR syntax error");
            assertError(() -> raw(one, "SCAN", "0", "COUNT", "x"), "ERR value is not an integer or out of range");
            assertError(() -> raw(one, "SCAN", "0", "MATCH"), "ERR syntax error");
            assertError(() -> raw(one, "SCAN", "0", "FOO", "bar"), "ERR syntax error");
            assertThat(raw(one, "SCAN", "18446744073709551615")).isEqualTo(List.of("0", List.of()));
            one.flushDB();
        }
    }

    @Test
    void rename_renamenx_carryValueAndExpiry_acrossSlots() {
        try (Jedis one = jedis(cluster, 0, RedisProtocol.RESP3); Jedis two = jedis(cluster, 2, RedisProtocol.RESP2)) {
            one.set("k9:src", "v", SetParams.setParams().ex(100));
            one.set("k9:dst", "old");
            assertThat(two.rename("k9:src", "k9:dst")).isEqualTo("OK");
            assertThat(one.get("k9:dst")).isEqualTo("v");
            assertThat(one.ttl("k9:dst")).isBetween(99L, 100L);
            assertThat(one.exists("k9:src")).isFalse();
            assertError(() -> two.rename("k9:src", "k9:dst"), "ERR no such key");
            assertError(() -> two.renamenx("k9:src", "k9:dst"), "ERR no such key");
            assertError(() -> two.rename("k9:src", "k9:src"), "ERR no such key");
            assertThat(two.rename("k9:dst", "k9:dst")).isEqualTo("OK");
            assertThat(two.renamenx("k9:dst", "k9:dst")).isZero();

            one.set("k9:taken", "t");
            assertThat(two.renamenx("k9:dst", "k9:taken")).isZero();
            assertThat(one.get("k9:taken")).isEqualTo("t");
            assertThat(one.get("k9:dst")).isEqualTo("v");
            assertThat(two.renamenx("k9:dst", "k9:free")).isEqualTo(1);
            assertThat(one.get("k9:free")).isEqualTo("v");
            assertThat(one.exists("k9:dst")).isFalse();

            putSet("k9:set");
            assertThat(two.rename("k9:set", "k9:set2")).isEqualTo("OK");
            assertThat(one.type("k9:set2")).isEqualTo("set");
            // the building blocks of RENAME and COPY are not for clients
            assertError(() -> raw(one, "tessera.write", "k9:x", "junk", "-1", "REPLACE"),
                    "ERR unknown command 'tessera.write', with args beginning with: 'k9:x' 'junk' '-1' 'REPLACE' ");
            assertThat(one.exists("k9:x")).isFalse();
        }
    }

    @Test
    void copy_withReplaceAndDb() {
        try (Jedis one = jedis(cluster, 1, RedisProtocol.RESP2); Jedis two = jedis(cluster, 2, RedisProtocol.RESP3);
             Jedis db4 = jedis(cluster, 0, RedisProtocol.RESP2, 4)) {
            one.set("k10:src", "v", SetParams.setParams().ex(100));
            assertThat(two.copy("k10:src", "k10:dst", false)).isTrue();
            assertThat(one.get("k10:dst")).isEqualTo("v");
            assertThat(one.ttl("k10:dst")).isBetween(99L, 100L);
            assertThat(one.get("k10:src")).isEqualTo("v");
            one.set("k10:src", "w");
            assertThat(two.copy("k10:src", "k10:dst", false)).isFalse();
            assertThat(one.get("k10:dst")).isEqualTo("v");
            assertThat(two.copy("k10:src", "k10:dst", true)).isTrue();
            assertThat(one.get("k10:dst")).isEqualTo("w");
            assertThat(two.copy("k10:missing", "k10:dst", true)).isFalse();

            assertThat(two.copy("k10:src", "k10:src", 4, false)).isTrue();
            assertThat(db4.get("k10:src")).isEqualTo("w");
            assertError(() -> raw(two, "COPY", "k10:src", "k10:src"),
                    "ERR source and destination objects are the same");
            assertError(() -> raw(two, "COPY", "k10:src", "k10:x", "DB", "99"), "ERR DB index is out of range");
            assertError(() -> raw(two, "COPY", "k10:src", "k10:x", "DB", "-1"), "ERR DB index is out of range");
            assertError(() -> raw(two, "COPY", "k10:src", "k10:x", "DB", "one"),
                    "ERR value is not an integer or out of range");
            assertError(() -> raw(two, "COPY", "k10:src", "k10:x", "DB"), "ERR syntax error");
            assertError(() -> raw(two, "COPY", "k10:src", "k10:x", "NOW"), "ERR syntax error");
            db4.flushDB();
        }
    }

    @Test
    void randomkey_dbsize_flushdb_flushall() {
        try (Jedis one = jedis(cluster, 0, RedisProtocol.RESP3, 3);
             Jedis two = jedis(cluster, 2, RedisProtocol.RESP2, 3);
             Jedis db5 = jedis(cluster, 1, RedisProtocol.RESP2, 5)) {
            one.flushDB();
            assertThat(two.randomKey()).isNull();
            assertThat(two.dbSize()).isZero();
            one.set("k11:only", "v");
            assertThat(two.randomKey()).isEqualTo("k11:only");
            one.mset("k11:a", "1", "k11:b", "2");
            assertThat(two.randomKey()).isIn("k11:only", "k11:a", "k11:b");
            assertThat(two.dbSize()).isEqualTo(3);
            db5.set("k11:elsewhere", "v");

            assertThat(raw(two, "FLUSHDB", "ASYNC")).isEqualTo("OK");
            assertThat(one.dbSize()).isZero();
            assertThat(db5.dbSize()).isEqualTo(1);
            assertError(() -> raw(two, "FLUSHDB", "NOW"), "ERR syntax error");
            assertError(() -> raw(two, "FLUSHALL", "SYNC", "ASYNC"), "ERR syntax error");
            assertThat(raw(two, "FLUSHALL", "sync")).isEqualTo("OK");
            assertThat(db5.dbSize()).isZero();
            assertThat(db5.randomKey()).isNull();
        }
    }

    @Test
    void lettuce_resp2AndResp3_throughDifferentMembers() {
        RedisClient resp2 = Clients.lettuce(cluster, 1, ProtocolVersion.RESP2);
        RedisClient resp3 = Clients.lettuce(cluster, 0, ProtocolVersion.RESP3);
        try (StatefulRedisConnection<String, String> c2 = resp2.connect();
             StatefulRedisConnection<String, String> c3 = resp3.connect()) {
            RedisCommands<String, String> one = c2.sync();
            RedisCommands<String, String> two = c3.sync();
            for (int i = 0; i < 30; i++) {
                one.set("k12:" + i, "v");
            }
            assertThat(two.exists("k12:0", "k12:1", "k12:0")).isEqualTo(3);
            assertThat(two.expire("k12:0", 100, ExpireArgs.Builder.nx())).isTrue();
            assertThat(one.expire("k12:0", 100, ExpireArgs.Builder.nx())).isFalse();
            assertThat(one.ttl("k12:0")).isBetween(99L, 100L);
            assertThat(two.copy("k12:1", "k12:copy", CopyArgs.Builder.replace(true))).isTrue();
            assertThat(one.type("k12:copy")).isEqualTo("string");
            assertThat(one.rename("k12:copy", "k12:renamed")).isEqualTo("OK");
            assertThat(two.keys("k12:re*")).containsExactly("k12:renamed");

            Set<String> seen = new HashSet<>();
            int total = 0;
            KeyScanCursor<String> cursor = two.scan(KeyScanArgs.Builder.matches("k12:*").limit(5));
            while (true) {
                seen.addAll(cursor.getKeys());
                total += cursor.getKeys().size();
                if (cursor.isFinished()) {
                    break;
                }
                cursor = (total % 2 == 0 ? one : two).scan(ScanCursor.of(cursor.getCursor()),
                        KeyScanArgs.Builder.matches("k12:*").limit(5));
            }
            assertThat(total).isEqualTo(31);
            assertThat(seen).hasSize(31);
            assertThat(one.del("k12:0", "k12:renamed")).isEqualTo(2);
        } finally {
            resp2.shutdown();
            resp3.shutdown();
        }
    }
}
