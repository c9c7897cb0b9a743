package io.tessera.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.grid.Grid;
import io.tessera.redis.internal.command.ClientAddresses;
import io.tessera.redis.testing.RespCluster;
import io.tessera.redis.testing.TestCertificates;
import java.io.IOException;
import java.io.InputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collections;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Protected mode over real sockets: a server bound to this machine's non-loopback address, and clients whose source
 * address is that address (another host, as far as the server can tell) or 127.0.0.1. The one network test that leaves
 * 127.0.0.1, because protected mode is about nothing else; it binds that one address, not 0.0.0.0, for seconds.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProtectedModeTest {
    private static final String DENIED = "-" + ClientAddresses.PROTECTED_MODE_DENIED + "\r\n";
    @TempDir
    static Path certificates;
    private static InetAddress external;
    private static RespCluster cluster;

    @BeforeAll
    static void start() throws SocketException {
        external = nonLoopbackAddress();
        cluster = RespCluster.start(1);
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** This machine's first IPv4 address that is not loopback; every CI machine has one (it reaches registries). */
    private static InetAddress nonLoopbackAddress() throws SocketException {
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!nic.isUp() || nic.isLoopback()) {
                continue;
            }
            for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                if (address instanceof Inet4Address && !address.isLoopbackAddress() && !address.isLinkLocalAddress()) {
                    return address;
                }
            }
        }
        throw new AssertionError("protected mode is tested from a non-loopback address, and this machine has none"
                + " (hostname -I); a machine with a network interface is needed");
    }

    private static RespServer serverOnExternal(UnaryOperator<RespServerConfig.Builder> customizer) {
        Grid member = cluster.grid().members().get(0);
        return RespServer.start(member, customizer.apply(RespServerConfig.builder()
                .bindAddress(external.getHostAddress()).port(0)).build());
    }

    /** Connects from {@code source} to {@code server}, sends {@code request} and reads until the server closes or 2 s. */
    private static String exchange(InetAddress source, RespServer server, String request) throws IOException {
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(source, 0));
            socket.connect(new InetSocketAddress(external, server.port()), 5_000);
            socket.setSoTimeout(2_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            StringBuilder answer = new StringBuilder();
            byte[] buffer = new byte[4096];
            try {
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    answer.append(new String(buffer, 0, n, StandardCharsets.US_ASCII));
                    if (answer.toString().endsWith("+PONG\r\n")) {
                        break; // served: the connection stays open, as Redis keeps it
                    }
                }
            } catch (java.net.SocketTimeoutException e) {
                answer.append("(open)");
            } catch (IOException reset) {
                answer.append("(reset)");
            }
            return answer.toString();
        }
    }

    @Test
    void noPassword_clientFromAnotherAddress_getsRedisDeniedText_andIsClosed() throws IOException {
        try (RespServer server = serverOnExternal(b -> b)) {
            // Closed either way: an orderly close, or a reset because the server never read the PING.
            assertThat(exchange(external, server, "PING\r\n")).isIn(DENIED, DENIED + "(reset)");
            assertThat(exchange(InetAddress.getLoopbackAddress(), server, "PING\r\n"))
                    .as("the refusal harmed nobody else").isEqualTo("+PONG\r\n");
        }
    }

    @Test
    void noPassword_tlsClientFromAnotherAddress_getsTheDeniedTextOverTls() throws IOException {
        TestCertificates certs = TestCertificates.create(certificates);
        try (RespServer server = serverOnExternal(b -> b.tlsPort(0).tlsCertFile(certs.serverCert())
                .tlsKeyFile(certs.serverKey()).tlsAuthClients(RespServerConfig.TlsAuthClients.NO))) {
            SSLSocket socket = (SSLSocket) certs.clientContextWithoutCert().getSocketFactory()
                    .createSocket(external, server.tlsPort(), external, 0);
            try (socket) {
                socket.setSoTimeout(5_000);
                socket.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
                socket.getOutputStream().flush();
                byte[] answer = socket.getInputStream().readNBytes(DENIED.length());
                assertThat(new String(answer, StandardCharsets.US_ASCII)).isEqualTo(DENIED);
            }
        }
    }

    @Test
    void noPassword_loopbackClient_isServed() throws IOException {
        try (RespServer server = serverOnExternal(b -> b)) {
            assertThat(exchange(InetAddress.getLoopbackAddress(), server, "PING\r\n")).isEqualTo("+PONG\r\n");
        }
    }

    @Test
    void withPassword_clientFromAnotherAddress_isAskedToAuthenticate() throws IOException {
        try (RespServer server = serverOnExternal(b -> b.requirePass("pw"))) {
            assertThat(exchange(external, server, "GET k\r\nAUTH pw\r\nPING\r\n"))
                    .isEqualTo("-NOAUTH Authentication required.\r\n+OK\r\n+PONG\r\n");
        }
    }

    @Test
    void protectedModeOff_clientFromAnotherAddress_isServed() throws IOException {
        try (RespServer server = serverOnExternal(b -> b.protectedMode(false))) {
            assertThat(exchange(external, server, "PING\r\n")).isEqualTo("+PONG\r\n");
        }
    }

    @Test
    void configSetProtectedModeNo_fromLoopback_letsOtherAddressesIn() throws IOException {
        try (RespServer server = serverOnExternal(b -> b)) {
            InetAddress loopback = InetAddress.getLoopbackAddress();
            assertThat(exchange(loopback, server, "CONFIG GET protected-mode\r\nCONFIG SET protected-mode maybe\r\n"
                    + "CONFIG SET protected-mode no\r\nPING\r\n")).isEqualTo("*2\r\n$14\r\nprotected-mode\r\n$3\r\nyes"
                    + "\r\n-ERR CONFIG SET failed (possibly related to argument 'protected-mode') - argument must be"
                    + " 'yes' or 'no'\r\n+OK\r\n+PONG\r\n");
            assertThat(exchange(external, server, "PING\r\n")).isEqualTo("+PONG\r\n");
        }
    }
}
