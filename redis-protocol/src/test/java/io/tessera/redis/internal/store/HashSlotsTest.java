package io.tessera.redis.internal.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.util.JedisClusterCRC16;

@Timeout(10)
class HashSlotsTest {
    private static int slot(String key) {
        return HashSlots.slot(key.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void slot_matchesTheValuesRedisDocuments() {
        // redis.io/commands/cluster-keyslot and the cluster tutorial ("Redirected to slot [12182]" for foo)
        assertThat(slot("somekey")).isEqualTo(11058);
        assertThat(slot("foo{hash_tag}")).isEqualTo(2515);
        assertThat(slot("bar{hash_tag}")).isEqualTo(2515);
        assertThat(slot("foo")).isEqualTo(12182);
        assertThat(slot("{user1}.following")).isEqualTo(8106);
        // a published table of one key per slot (Lettuce's author): slot 0 and slot 1
        assertThat(slot("fyimk7v1CgnBo")).isEqualTo(0);
        assertThat(slot("8HMdi")).isEqualTo(1);
    }

    @Test
    void slot_hashesOnlyTheFirstNonEmptyTag() {
        assertThat(slot("{user1000}.following")).isEqualTo(slot("{user1000}.followers")).isEqualTo(slot("user1000"))
                .isEqualTo(3443);
        assertThat(slot("foo{}{bar}")).isEqualTo(JedisClusterCRC16.getSlot("foo{}{bar}"));
        assertThat(slot("foo{{bar}}zap")).isEqualTo(slot("{bar"));
        assertThat(slot("foo{bar}{zap}")).isEqualTo(slot("bar"));
        assertThat(slot("")).isZero();
    }

    @Test
    void slot_agreesWithJedisOnRandomKeys() {
        Random random = new Random(42);
        for (int i = 0; i < 10_000; i++) {
            byte[] key = new byte[random.nextInt(24)];
            random.nextBytes(key);
            if (random.nextInt(4) == 0 && key.length > 3) {
                key[random.nextInt(key.length)] = '{';
                key[random.nextInt(key.length)] = '}';
            }
            assertThat(HashSlots.slot(key)).as("key %d", i).isEqualTo(JedisClusterCRC16.getSlot(key));
        }
    }
}
