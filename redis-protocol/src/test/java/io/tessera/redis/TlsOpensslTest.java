package io.tessera.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.ssl.OpenSsl;
import io.tessera.redis.RespServerConfig.TlsAuthClients;
import io.tessera.redis.RespServerConfig.TlsProvider;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

/**
 * {@link TlsTest} with OpenSSL serving the TLS port ({@code tls-provider openssl}): netty-tcnative's BoringSSL, which
 * redis-protocol ships for Linux on x86_64 and aarch64, the machines these tests run on.
 */
class TlsOpensslTest extends TlsTest {
    @Override
    TlsProvider provider() {
        return TlsProvider.OPENSSL;
    }

    @Test
    void tlsProviderAuto_onAMachineWhereOpensslLoads_choosesOpenssl() {
        assertThat(OpenSsl.isAvailable()).as(String.valueOf(OpenSsl.unavailabilityCause())).isTrue();
        try (RespServer auto = RespServer.start(cluster.grid().members().get(0), tls(RespServerConfig.builder()
                .port(RespServerConfig.PORT_OFF)).tlsAuthClients(TlsAuthClients.NO).tlsProvider(TlsProvider.AUTO)
                .build());
             Jedis jedis = new Jedis(new HostAndPort("127.0.0.1", auto.tlsPort()), DefaultJedisClientConfig.builder()
                     .ssl(true).sslSocketFactory(certs.clientContextWithoutCert().getSocketFactory())
                     .timeoutMillis(5_000).build())) {
            assertThat(auto.tlsProvider()).isEqualTo(TlsProvider.OPENSSL);
            assertThat(jedis.ping()).isEqualTo("PONG");
        }
    }
}
