package io.tessera.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SslOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.tessera.grid.Grid;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslHandler;
import io.tessera.redis.RespServerConfig.TlsAuthClients;
import io.tessera.redis.RespServerConfig.TlsProvider;
import io.tessera.redis.testing.RespCluster;
import io.tessera.redis.testing.TestCertificates;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisConnectionException;

/**
 * TLS for clients with a CA made by openssl in the test: Jedis, Lettuce and redis-cli over TLS; client certificates
 * required, optional or not asked for; the plain port beside the TLS port; a plaintext client on the TLS port; and
 * the certificate and key files' errors. Written once, run for each TLS library of the server ({@link #provider()}):
 * {@link TlsJdkTest} and {@link TlsOpensslTest}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class TlsTest {
    Path dir;
    TestCertificates certs;
    /** One member whose server has the plain port and a TLS port that requires client certificates (the default). */
    RespCluster cluster;

    /** The TLS library every server of this run is started with. */
    abstract TlsProvider provider();

    @BeforeAll
    void start(@TempDir Path tempDir) {
        dir = tempDir;
        certs = TestCertificates.create(dir);
        cluster = RespCluster.start(1, b -> tls(b));
    }

    @AfterAll
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    RespServerConfig.Builder tls(RespServerConfig.Builder builder) {
        return builder.tlsPort(0).tlsCertFile(certs.serverCert()).tlsKeyFile(certs.serverKey())
                .tlsCaCertFile(certs.caCert()).tlsProvider(provider());
    }

    private int tlsPort() {
        return cluster.server(0).tlsPort();
    }

    private static Jedis jedis(int port, SSLContext context) {
        return new Jedis(new HostAndPort("127.0.0.1", port), DefaultJedisClientConfig.builder().ssl(true)
                .sslSocketFactory(context.getSocketFactory()).timeoutMillis(5_000).build());
    }

    /** A second server on the same member, with the TLS port's client certificate policy {@code auth}. */
    private RespServer serverWith(TlsAuthClients auth) {
        Grid member = cluster.grid().members().get(0);
        return RespServer.start(member, tls(RespServerConfig.builder().port(RespServerConfig.PORT_OFF))
                .tlsAuthClients(auth).build());
    }

    @Test
    void tlsConnections_areServedByTheProviderAskedFor() {
        RespServer server = cluster.server(0);
        assertThat(server.tlsProvider()).isEqualTo(provider());
        try (Jedis jedis = jedis(tlsPort(), certs.clientContext(certs.clientCert(), certs.clientKey()))) {
            SSLEngine engine = server.client(jedis.clientId()).channel().pipeline().get(SslHandler.class).engine();
            assertThat(engine instanceof ReferenceCountedOpenSslEngine).as(engine.getClass().getName())
                    .isEqualTo(provider() == TlsProvider.OPENSSL);
        }
    }

    @Test
    void jedis_withClientCertificate_setsOverTls_andThePlainPortSeesTheSameData() {
        try (Jedis jedis = jedis(tlsPort(), certs.clientContext(certs.clientCert(), certs.clientKey()))) {
            assertThat(jedis.set("tls:jedis", "secret")).isEqualTo("OK");
            assertThat(jedis.get("tls:jedis")).isEqualTo("secret");
        }
        try (Jedis plain = new Jedis("127.0.0.1", cluster.port(0))) {
            assertThat(plain.get("tls:jedis")).isEqualTo("secret");
        }
    }

    @Test
    void lettuce_withClientCertificate_verifiesTheServer_andSetsOverTls() {
        RedisClient client = RedisClient.create(RedisURI.builder().withHost("127.0.0.1").withPort(tlsPort())
                .withSsl(true).withVerifyPeer(true).withTimeout(Duration.ofSeconds(5)).build());
        client.setOptions(ClientOptions.builder().sslOptions(SslOptions.builder().jdkSslProvider()
                .trustManager(certs.caCert().toFile())
                .keyManager(certs.clientCert().toFile(), certs.clientKey().toFile(), null).build()).build());
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            assertThat(connection.sync().set("tls:lettuce", "v")).isEqualTo("OK");
            assertThat(connection.sync().get("tls:lettuce")).isEqualTo("v");
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }

    @Test
    void redisCli_withClientCertificate_isServed_andWithoutOne_isRefused() throws Exception {
        String port = Integer.toString(tlsPort());
        assertThat(redisCli("--tls", "--cacert", certs.caCert().toString(), "--cert", certs.clientCert().toString(),
                "--key", certs.clientKey().toString(), "-h", "127.0.0.1", "-p", port, "set", "tls:cli", "1"))
                .isEqualTo("OK");
        assertThat(redisCli("--tls", "--cacert", certs.caCert().toString(), "-h", "127.0.0.1", "-p", port, "get",
                "tls:cli")).doesNotContain("1").containsIgnoringCase("error");
        assertThat(redisCli("--tls", "--cacert", certs.caCert().toString(), "--cert", certs.strangerCert().toString(),
                "--key", certs.strangerKey().toString(), "-h", "127.0.0.1", "-p", port, "get", "tls:cli"))
                .doesNotContain("1").containsIgnoringCase("error");
    }

    @Test
    void withoutClientCertificate_tlsAuthClientsYes_refusesTheClient() {
        assertThatThrownBy(() -> {
            try (Jedis jedis = jedis(tlsPort(), certs.clientContextWithoutCert())) {
                jedis.ping();
            }
        }).isInstanceOf(JedisConnectionException.class);
    }

    @Test
    void withoutClientCertificate_tlsAuthClientsOptional_isServed_butAStrangerCertificateIsRefused()
            throws Exception {
        try (RespServer optional = serverWith(TlsAuthClients.OPTIONAL)) {
            try (Jedis jedis = jedis(optional.tlsPort(), certs.clientContextWithoutCert())) {
                assertThat(jedis.ping()).isEqualTo("PONG");
            }
            try (Jedis jedis = jedis(optional.tlsPort(), certs.clientContext(certs.clientCert(), certs.clientKey()))) {
                assertThat(jedis.ping()).isEqualTo("PONG");
            }
            // Java's client withholds a certificate the server's CA list does not name; OpenSSL's sends it anyway.
            assertThat(redisCli("--tls", "--cacert", certs.caCert().toString(), "--cert",
                    certs.strangerCert().toString(), "--key", certs.strangerKey().toString(), "-h", "127.0.0.1", "-p",
                    Integer.toString(optional.tlsPort()), "ping")).doesNotContain("PONG");
            assertThat(optional.port()).isEqualTo(RespServerConfig.PORT_OFF);
        }
    }

    @Test
    void withoutClientCertificate_tlsAuthClientsNo_isServed() {
        try (RespServer none = serverWith(TlsAuthClients.NO);
             Jedis jedis = jedis(none.tlsPort(), certs.clientContextWithoutCert())) {
            assertThat(jedis.ping()).isEqualTo("PONG");
        }
    }

    @Test
    void tlsProtocols_tls13Only_refusesATls12Client() throws IOException {
        try (RespServer only13 = RespServer.start(cluster.grid().members().get(0), tls(RespServerConfig.builder()
                .port(RespServerConfig.PORT_OFF)).tlsAuthClients(TlsAuthClients.NO)
                .tlsProtocols(List.of("TLSv1.3")).build())) {
            SSLContext context = certs.clientContextWithoutCert();
            try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1",
                    only13.tlsPort())) {
                socket.setSoTimeout(5_000);
                socket.setEnabledProtocols(new String[] {"TLSv1.2"});
                assertThatThrownBy(socket::startHandshake).isInstanceOf(IOException.class);
            }
            try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1",
                    only13.tlsPort())) {
                socket.setSoTimeout(5_000);
                socket.startHandshake();
                assertThat(socket.getSession().getProtocol()).isEqualTo("TLSv1.3");
            }
        }
    }

    @Test
    void plaintextClient_onTheTlsPort_isClosed_andTheServerKeepsServing() throws IOException {
        try (Socket plain = new Socket("127.0.0.1", tlsPort())) {
            plain.setSoTimeout(5_000);
            OutputStream out = plain.getOutputStream();
            out.write("*1\r\n$4\r\nPING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = plain.getInputStream();
            byte[] buffer = new byte[1024];
            int read;
            try {
                read = in.read(buffer);
                while (read > 0) { // any bytes are a TLS alert, never a RESP reply
                    assertThat(new String(buffer, 0, read, StandardCharsets.ISO_8859_1)).doesNotContain("PONG");
                    read = in.read(buffer);
                }
            } catch (IOException reset) {
                read = -1;
            }
            assertThat(read).as("the server closed the plaintext connection").isEqualTo(-1);
        }
        try (Jedis jedis = jedis(tlsPort(), certs.clientContext(certs.clientCert(), certs.clientKey()))) {
            assertThat(jedis.ping()).isEqualTo("PONG");
        }
    }

    @Test
    void pkcs1Key_isRefused_namingTheFileAndTheOpensslFix() {
        RespServerConfig config = tls(RespServerConfig.builder()).tlsKeyFile(certs.serverKeyPkcs1()).build();
        assertThatThrownBy(() -> RespServer.start(cluster.grid().members().get(0), config))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tls-key-file \"" + certs.serverKeyPkcs1() + "\"")
                .hasMessageContaining("BEGIN RSA or EC PRIVATE KEY")
                .hasMessageContaining("openssl pkcs8 -topk8 -nocrypt -in " + certs.serverKeyPkcs1());
    }

    @Test
    void missingCertificate_isRefused_namingTheSetting() {
        Path missing = dir.resolve("nowhere.crt");
        RespServerConfig config = tls(RespServerConfig.builder()).tlsCertFile(missing).build();
        assertThatThrownBy(() -> RespServer.start(cluster.grid().members().get(0), config))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("tls-cert-file \"" + missing + "\" does not exist or cannot be read");
    }

    @Test
    void config_tlsPortWithoutCaAndClientAuth_isRefused_andNoPortAtAllToo() {
        assertThatThrownBy(() -> RespServerConfig.builder().tlsPort(0).tlsCertFile(certs.serverCert())
                .tlsKeyFile(certs.serverKey()).build()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tls-auth-clients yes needs tls-ca-cert-file");
        assertThatThrownBy(() -> RespServerConfig.builder().port(RespServerConfig.PORT_OFF).build())
                .hasMessage("port is off and there is no tls-port: set one of them");
        assertThatThrownBy(() -> RespServerConfig.builder().tlsProtocols(List.of("TLSv1")).build())
                .hasMessageContaining("tls-protocols must name TLSv1.2 and/or TLSv1.3, got TLSv1");
    }

    /** Runs redis-cli; returns its output, trimmed. */
    static String redisCli(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("redis-cli"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] output = process.getInputStream().readAllBytes();
        assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
        return new String(output, StandardCharsets.UTF_8).trim();
    }
}
