package io.tessera.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.redis.RespServerConfig.TlsAuthClients;
import io.tessera.redis.RespServerConfig.TlsProvider;
import io.tessera.redis.testing.RespCluster;
import io.tessera.redis.testing.TestCertificates;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

/**
 * 100,000 random and mutated RESP frames against a member: it stays up, answers PING on a fresh connection, and
 * every key written before the storm reads back unchanged. Frames go out in batches over fresh connections, each
 * half-closed after its batch, so the server also sees clients vanish mid-request. A shorter run does the same on the
 * members' TLS ports (one served by the JDK's TLS, one by OpenSSL), where every fifth connection sends its frames
 * without TLS (a garbage handshake).
 */
class FuzzTest {
    private static final long SEED = 0x7E55E4A;
    private static final int FRAMES = 100_000;
    private static final int TLS_FRAMES = 10_000;
    private static final int FRAMES_PER_CONNECTION = 200;
    private static final int KEPT_KEYS = 1_000;
    private static final List<String> VALID = List.of(
            "*1\r\n$4\r\nPING\r\n",
            "*2\r\n$4\r\nECHO\r\n$5\r\nhello\r\n",
            "*3\r\n$3\r\nSET\r\n$6\r\nfuzz:a\r\n$3\r\nabc\r\n",
            "*2\r\n$3\r\nGET\r\n$6\r\nfuzz:a\r\n",
            "*5\r\n$3\r\nSET\r\n$6\r\nfuzz:b\r\n$1\r\nv\r\n$2\r\nPX\r\n$3\r\n100\r\n",
            "*2\r\n$5\r\nHELLO\r\n$1\r\n3\r\n",
            "*2\r\n$9\r\nSUBSCRIBE\r\n$1\r\nc\r\n",
            "*3\r\n$7\r\nPUBLISH\r\n$1\r\nc\r\n$1\r\nm\r\n",
            "PING\r\n",
            "SET fuzz:c \"quoted value\"\r\n",
            "*2\r\n$6\r\nSELECT\r\n$1\r\n1\r\n");

    @TempDir
    static Path certificates;
    private static RespCluster cluster;
    private static SSLContext tlsClient;

    @BeforeAll
    static void start() {
        TestCertificates certs = TestCertificates.create(certificates);
        tlsClient = certs.clientContextWithoutCert();
        // Member 0 serves TLS with the JDK's, member 1 with OpenSSL: the TLS storm alternates between them.
        AtomicInteger members = new AtomicInteger();
        cluster = RespCluster.start(2, b -> b.tlsPort(0).tlsCertFile(certs.serverCert())
                .tlsKeyFile(certs.serverKey()).tlsAuthClients(TlsAuthClients.NO)
                .tlsProvider(members.getAndIncrement() == 0 ? TlsProvider.JDK : TlsProvider.OPENSSL));
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void randomAndMutatedFrames_neitherCrashTheMember_norLoseData() throws IOException {
        try (Jedis jedis = new Jedis("127.0.0.1", cluster.port(0))) {
            for (int i = 0; i < KEPT_KEYS; i++) {
                assertThat(jedis.set("keep:" + i, "value-" + i)).isEqualTo("OK");
            }
        }
        long repliesBytes = storm(FRAMES, new byte[0]);
        assertThat(repliesBytes).as("the member answered the fuzzed connections").isPositive();

        for (int member = 0; member < 2; member++) {
            try (Jedis fresh = new Jedis("127.0.0.1", cluster.port(member))) {
                assertThat(fresh.ping()).isEqualTo("PONG");
                for (int i = 0; i < KEPT_KEYS; i++) {
                    assertThat(fresh.get("keep:" + i)).isEqualTo("value-" + i);
                }
            }
        }
    }

    @Test
    void randomAndMutatedFrames_overTls_andGarbageHandshakes_neitherCrashTheMember_norLoseData() throws IOException {
        DefaultJedisClientConfig tls = DefaultJedisClientConfig.builder().ssl(true)
                .sslSocketFactory(tlsClient.getSocketFactory()).build();
        try (Jedis jedis = new Jedis(new HostAndPort("127.0.0.1", cluster.server(0).tlsPort()), tls)) {
            for (int i = 0; i < KEPT_KEYS; i++) {
                assertThat(jedis.set("keep-tls:" + i, "value-" + i)).isEqualTo("OK");
            }
        }
        Random random = new Random(SEED + 1);
        int sent = 0;
        int connections = 0;
        long[] repliesBytes = new long[2]; // by member: the JDK's TLS, OpenSSL
        while (sent < TLS_FRAMES) {
            ByteArrayOutputStream batch = new ByteArrayOutputStream();
            for (int i = 0; i < FRAMES_PER_CONNECTION && sent < TLS_FRAMES; i++, sent++) {
                batch.writeBytes(frame(random));
            }
            int member = connections % 2;
            int port = cluster.server(member).tlsPort();
            boolean plaintext = connections++ % 5 == 4;
            long answered = plaintext ? sendAndDrain(port, batch.toByteArray())
                    : sendAndDrainOverTls(port, batch.toByteArray());
            if (!plaintext) {
                repliesBytes[member] += answered;
            }
        }
        assertThat(repliesBytes[0]).as("the member with the JDK's TLS answered the fuzzed TLS connections")
                .isPositive();
        assertThat(repliesBytes[1]).as("the member with OpenSSL answered the fuzzed TLS connections").isPositive();

        for (int member = 0; member < 2; member++) {
            try (Jedis fresh = new Jedis(new HostAndPort("127.0.0.1", cluster.server(member).tlsPort()), tls)) {
                assertThat(fresh.ping()).isEqualTo("PONG");
                for (int i = 0; i < KEPT_KEYS; i++) {
                    assertThat(fresh.get("keep-tls:" + i)).isEqualTo("value-" + i);
                }
            }
        }
    }

    /**
     * The same storm, fewer frames, from connections that first AUTH as an ACL user limited to the fuzz keys: every
     * frame then goes through the permission checks, and the keys it may not touch stay as they were.
     */
    @Test
    void randomAndMutatedFrames_fromAnAuthenticatedAclUser_neitherCrashTheMember_norTouchOtherKeys()
            throws IOException {
        try (Jedis jedis = new Jedis("127.0.0.1", cluster.port(0))) {
            assertThat(jedis.aclSetUser("fuzzer", "on", ">fuzzpw", "~fuzz:*", "&*", "+@all", "-@dangerous",
                    "+acl|whoami"))
                    .isEqualTo("OK");
            for (int i = 0; i < KEPT_KEYS; i++) {
                assertThat(jedis.set("guarded:" + i, "value-" + i)).isEqualTo("OK");
            }
        }
        byte[] auth = "*3\r\n$4\r\nAUTH\r\n$6\r\nfuzzer\r\n$6\r\nfuzzpw\r\n".getBytes(StandardCharsets.UTF_8);
        assertThat(storm(FRAMES / 5, auth)).as("the member answered the fuzzed connections").isPositive();

        for (int member = 0; member < 2; member++) {
            try (Jedis fresh = new Jedis("127.0.0.1", cluster.port(member))) {
                fresh.auth("fuzzer", "fuzzpw");
                assertThat(fresh.ping()).isEqualTo("PONG");
                assertThat(fresh.aclWhoAmI()).isEqualTo("fuzzer");
            }
            try (Jedis admin = new Jedis("127.0.0.1", cluster.port(member))) {
                for (int i = 0; i < KEPT_KEYS; i++) {
                    assertThat(admin.get("guarded:" + i)).isEqualTo("value-" + i);
                }
            }
        }
    }

    /** Sends {@code frames} seeded frames in batches over fresh connections, each batch after {@code prefix}. */
    private static long storm(int frames, byte[] prefix) throws IOException {
        Random random = new Random(SEED);
        int sent = 0;
        long repliesBytes = 0;
        while (sent < frames) {
            ByteArrayOutputStream batch = new ByteArrayOutputStream();
            batch.writeBytes(prefix);
            for (int i = 0; i < FRAMES_PER_CONNECTION && sent < frames; i++, sent++) {
                batch.writeBytes(frame(random));
            }
            repliesBytes += sendAndDrain(cluster.port(sent % 2 == 0 ? 0 : 1), batch.toByteArray());
        }
        return repliesBytes;
    }

    private static byte[] frame(Random random) {
        int kind = random.nextInt(4);
        if (kind == 0) {
            byte[] noise = new byte[random.nextInt(64)];
            random.nextBytes(noise);
            return noise;
        }
        byte[] valid = VALID.get(random.nextInt(VALID.size())).getBytes(StandardCharsets.UTF_8);
        if (kind == 1) {
            return valid;
        }
        byte[] mutated = valid.clone();
        int mutations = 1 + random.nextInt(3);
        for (int m = 0; m < mutations; m++) {
            int at = random.nextInt(mutated.length);
            switch (random.nextInt(4)) {
                case 0 -> mutated[at] = (byte) random.nextInt(256);
                case 1 -> mutated[at] = (byte) "*$\r\n-0123456789".charAt(random.nextInt(15));
                case 2 -> mutated = java.util.Arrays.copyOf(mutated, at); // truncated
                default -> {
                    byte[] longer = new byte[mutated.length + 1];
                    System.arraycopy(mutated, 0, longer, 0, at);
                    longer[at] = (byte) random.nextInt(256);
                    System.arraycopy(mutated, at, longer, at + 1, mutated.length - at);
                    mutated = longer;
                }
            }
            if (mutated.length == 0) {
                break;
            }
        }
        return mutated;
    }

    /** Sends {@code bytes}, half-closes, and reads until the server closes; returns the bytes it answered. */
    private static long sendAndDrain(int port, byte[] bytes) throws IOException {
        return sendAndDrain(new Socket("127.0.0.1", port), bytes);
    }

    /**
     * {@link #sendAndDrain(Socket, byte[])} over TLS, half-closing the TCP connection under the TLS one as the plain
     * storm does, without a close_notify: after a client's close_notify OpenSSL sends nothing more, so the replies
     * still being made would be lost (the JDK's TLS 1.3 keeps the server's side open).
     */
    private static long sendAndDrainOverTls(int port, byte[] bytes) throws IOException {
        Socket tcp = new Socket("127.0.0.1", port);
        Socket tls = tlsClient.getSocketFactory().createSocket(tcp, "127.0.0.1", port, true);
        return sendAndDrain(tls, bytes, tcp::shutdownOutput);
    }

    /** Sends {@code bytes} on {@code connected}, half-closes, and reads until the server closes. */
    private static long sendAndDrain(Socket connected, byte[] bytes) throws IOException {
        return sendAndDrain(connected, bytes, connected::shutdownOutput);
    }

    private interface HalfClose {
        void run() throws IOException;
    }

    private static long sendAndDrain(Socket connected, byte[] bytes, HalfClose halfClose) throws IOException {
        try (Socket socket = connected) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            try {
                out.write(bytes);
                out.flush();
                halfClose.run();
            } catch (IOException closedEarly) {
                // a protocol error made the server close while we were still writing: expected
            }
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[8192];
            long total = 0;
            try {
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    total += n;
                }
            } catch (SocketTimeoutException e) {
                throw new AssertionError("the member neither answered nor closed a fuzzed connection in 10 s", e);
            } catch (IOException reset) {
                // connection reset after a protocol error: expected
            }
            return total;
        }
    }
}
