package io.tessera.redis.internal.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class HashSlotsTest {

    private static int slot(String key) {
        return HashSlots.slot(key.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void slot_isRedisClusterKeyslot() {
        assertThat(HashSlots.crc16("123456789".getBytes(StandardCharsets.US_ASCII), 0, 9)).isEqualTo(0x31C3);
        assertThat(slot("foo")).isEqualTo(12182);
        assertThat(slot("bar")).isEqualTo(5061);
    }

    @Test
    void slot_honoursTheFirstNonEmptyHashTag() {
        assertThat(slot("{user1000}.following")).isEqualTo(slot("user1000"));
        assertThat(slot("foo{}{bar}")).isEqualTo(slot("foo{}{bar}")).isNotEqualTo(slot("bar"));
        assertThat(slot("foo{{bar}}zap")).isEqualTo(slot("{bar"));
        assertThat(slot("foo{bar}{zap}")).isEqualTo(slot("bar"));
    }
}
