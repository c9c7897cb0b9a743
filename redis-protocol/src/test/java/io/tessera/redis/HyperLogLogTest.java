package io.tessera.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.redis.testing.RedisParityTestBase;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisProtocol;

/**
 * PFADD, PFCOUNT and PFMERGE answer exactly what a real {@code redis-server} answers for the same elements (same
 * hash, same registers, same estimator), and the two servers read each other's HyperLogLog strings.
 */
class HyperLogLogTest extends RedisParityTestBase {
    private static byte[][] command(String name, String key, List<byte[]> elements) {
        List<byte[]> args = new ArrayList<>();
        args.add(name.getBytes(StandardCharsets.UTF_8));
        args.add(key.getBytes(StandardCharsets.UTF_8));
        args.addAll(elements);
        return args.toArray(byte[][]::new);
    }

    @Test
    void addsAndCounts_matchRedisServer_fromEmptyToTensOfThousandsOfElements() {
        SplittableRandom random = new SplittableRandom(42);
        String[] keys = {"{h}1", "{h}2", "{h}3", "elsewhere"};
        try (Jedis tessera = jedis(2, RedisProtocol.RESP2); Jedis real = redis.client()) {
            real.del(keys);
            for (int batch = 0; batch < 400; batch++) {
                String key = keys[batch % keys.length];
                List<byte[]> elements = new ArrayList<>();
                int size = batch % 7 == 0 ? 0 : 1 + random.nextInt(batch < 50 ? 3 : 250);
                for (int i = 0; i < size; i++) {
                    byte[] element = new byte[random.nextInt(21)];
                    random.nextBytes(element);
                    elements.add(element);
                }
                byte[][] add = command("PFADD", key, elements);
                assertThat(reply(tessera, add)).as("batch %d", batch).isEqualTo(reply(real, add));
                for (String[] count : List.of(new String[] {"PFCOUNT", key},
                        new String[] {"PFCOUNT", "{h}1", "{h}2", "{h}3"}, new String[] {"PFCOUNT", "{h}1", "elsewhere"},
                        new String[] {"PFCOUNT", "missing"})) {
                    assertThat(reply(tessera, count)).as("batch %d: %s", batch, String.join(" ", count))
                            .isEqualTo(reply(real, count));
                }
            }
            assertThat(Long.parseLong(reply(real, "PFCOUNT", "{h}1", "{h}2", "{h}3", "elsewhere")))
                    .as("the script reached large cardinalities").isGreaterThan(30_000);

            for (String[] merge : List.of(new String[] {"PFMERGE", "{h}m", "{h}1", "{h}2"},
                    new String[] {"PFCOUNT", "{h}m"}, new String[] {"PFMERGE", "{h}m", "elsewhere", "{h}3"},
                    new String[] {"PFCOUNT", "{h}m"}, new String[] {"PFMERGE", "{h}empty"},
                    new String[] {"PFCOUNT", "{h}empty"}, new String[] {"EXISTS", "{h}empty"},
                    new String[] {"PFADD", "{h}new"}, new String[] {"PFADD", "{h}new"},
                    new String[] {"SET", "plain", "not an hll"}, new String[] {"PFADD", "plain", "a"},
                    new String[] {"PFCOUNT", "plain"}, new String[] {"PFMERGE", "{h}m", "plain"},
                    new String[] {"RPUSH", "alist", "x"}, new String[] {"PFCOUNT", "alist"},
                    new String[] {"PFADD", "alist", "x"})) {
                assertThat(reply(tessera, merge)).as(String.join(" ", merge)).isEqualTo(reply(real, merge));
            }
        }
    }

    @Test
    void eachServerReadsTheOthersStrings_sparseAndDense() {
        try (Jedis tessera = jedis(0, RedisProtocol.RESP2); Jedis real = redis.client()) {
            for (int n : new int[] {5, 300, 20_000}) {
                List<byte[]> elements = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    elements.add(("element-" + n + "-" + i).getBytes(StandardCharsets.UTF_8));
                }
                real.del("hll");
                tessera.del("hll", "copy");
                reply(real, command("PFADD", "hll", elements));
                reply(tessera, command("PFADD", "hll", elements));
                String expected = reply(real, "PFCOUNT", "hll");

                byte[] redisString = real.get("hll".getBytes(StandardCharsets.UTF_8)); // sparse for small n
                tessera.set("copy".getBytes(StandardCharsets.UTF_8), redisString);
                assertThat(reply(tessera, "PFCOUNT", "copy")).as("Redis's string, n=%d", n).isEqualTo(expected);

                byte[] tesseraString = tessera.get("hll".getBytes(StandardCharsets.UTF_8)); // dense
                real.set("copy".getBytes(StandardCharsets.UTF_8), tesseraString);
                assertThat(reply(real, "PFCOUNT", "copy")).as("Tessera's string, n=%d", n).isEqualTo(expected);
                assertThat(reply(tessera, "PFCOUNT", "hll")).isEqualTo(expected);
            }
        }
    }
}
