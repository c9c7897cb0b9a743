package io.tessera.redis;

import io.tessera.redis.RespServerConfig.TlsProvider;

/** {@link TlsTest} with the JDK's TLS serving the TLS port ({@code tls-provider jdk}). */
class TlsJdkTest extends TlsTest {
    @Override
    TlsProvider provider() {
        return TlsProvider.JDK;
    }
}
