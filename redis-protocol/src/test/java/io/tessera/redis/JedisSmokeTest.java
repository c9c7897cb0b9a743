package io.tessera.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tessera.redis.testing.ThreeMemberRespTest;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.SetParams;

class JedisSmokeTest extends ThreeMemberRespTest {

    @Test
    void writesThroughOneMember_readThroughAnother_inBothProtocols() {
        try (Jedis one = jedis(0, RedisProtocol.RESP2); Jedis two = jedis(1, RedisProtocol.RESP3)) {
            assertThat(one.ping()).isEqualTo("PONG");
            for (int i = 0; i < 200; i++) {
                assertThat(one.set("smoke:" + i, "v" + i)).isEqualTo("OK");
            }
            for (int i = 0; i < 200; i++) {
                assertThat(two.get("smoke:" + i)).isEqualTo("v" + i);
            }
            assertThat(two.get("smoke:missing")).isNull();
            assertThat(two.set("smoke:0", "new", SetParams.setParams().nx())).isNull();
            assertThat(two.setGet("smoke:0", "newer")).isEqualTo("v0");
            assertThat(one.get("smoke:0")).isEqualTo("newer");
            assertThatThrownBy(() -> one.sendCommand(() -> "NOSUCH".getBytes(), "a"))
                    .isInstanceOf(JedisDataException.class)
                    .hasMessage("ERR unknown command 'NOSUCH', with args beginning with: 'a' ");
        }
    }
}
