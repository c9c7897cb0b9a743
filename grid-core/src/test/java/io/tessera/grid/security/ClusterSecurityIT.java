package io.tessera.grid.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tessera.grid.Grid;
import io.tessera.grid.GridBuilder;
import io.tessera.grid.GridException;
import io.tessera.grid.GridMap;
import io.tessera.grid.testing.MemberProcesses;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Member authentication and encryption over the real {@code tcp} stack, members in this JVM on 127.0.0.1: a member
 * with a wrong secret or none is refused with an exception that says why, while the rightful members keep serving
 * and log nothing but the refusals; and with a secret the traffic between members carries no stored value in
 * plaintext, which without one it does (captured by a relay the test puts in front of one member).
 */
class ClusterSecurityIT {
    private static final String SECRET = "correct horse battery staple 42";
    private static final String OTHER_SECRET = "incorrect horse battery staple 7";
    private static final int PARTITIONS = 16;

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @TempDir
    Path dir;

    @AfterEach
    void closeAll() {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            try {
                toClose.get(i).close();
            } catch (Exception e) {
                // keep closing the rest
            }
        }
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void wrongSecretAndNoSecret_areRefused_whileTheMembersKeepServing_loggingOnlyTheRefusals() throws Exception {
        String cluster = "secured-" + UUID.randomUUID();
        int base = MemberProcesses.freePortBase(3);
        String[] initial = MemberProcesses.initialMembers(base, 3);
        LogCapture log = LogCapture.start();
        try {
            Grid a = start(member(cluster, "a", base, initial).clusterSecret(SECRET));
            Grid b = start(member(cluster, "b", base + 1, initial).clusterSecret(SECRET));
            awaitMembers(a, 2);
            GridMap<String, String> map = a.map("data");
            map.put("k0", "v0");
            for (int attempt = 1; attempt <= 2; attempt++) {
                assertThatThrownBy(() -> start(member(cluster, "intruder", base + 2, initial)
                        .clusterSecret(OTHER_SECRET)))
                        .isInstanceOf(GridException.class)
                        .hasMessageContaining("cluster '" + cluster + "' refused this member: authentication failed"
                                + " (its cluster secret or keystore key differs from the members'");
                map.put("k" + attempt, "v" + attempt);
                assertThat(b.<String, String>map("data").get("k" + attempt)).isEqualTo("v" + attempt);

                assertThatThrownBy(() -> start(member(cluster, "intruder", base + 2, initial)))
                        .isInstanceOf(GridException.class)
                        .hasMessageContaining("cluster '" + cluster + "' refused this member: authentication failed"
                                + " (it has no cluster secret and the members require one");
                b.<String, String>map("data").put("n" + attempt, "w" + attempt);
                assertThat(map.get("n" + attempt)).isEqualTo("w" + attempt);
            }
            assertThat(a.members()).extracting(m -> m.name()).containsExactlyInAnyOrder("a", "b");
            assertThat(b.members()).extracting(m -> m.name()).containsExactlyInAnyOrder("a", "b");
            assertThat(map.size()).isEqualTo(5);
        } finally {
            log.stop();
        }
        List<String> warnings = log.lines().stream().filter(l -> l.contains(" WARN ") || l.contains(" ERROR "))
                .toList();
        System.out.println("WARN/ERROR lines since the members started:\n" + String.join("\n", warnings));
        // The members log one line per refused attempt and nothing else; the intruder's own lines (its refusal, and
        // what JGroups says while it closes its channel at once) do not count against them.
        assertThat(warnings).filteredOn(l -> l.contains("refused the join of intruder at 127.0.0.1:" + (base + 2)))
                .hasSize(4);
        assertThat(warnings).filteredOn(l -> l.contains("refused this member")).hasSize(4);
        assertThat(warnings).allMatch(l -> l.contains("refused the join of intruder") || l.contains(",intruder]")
                || l.contains("[main] ERROR io.tessera.grid.internal.cluster.ClusterService - cluster '" + cluster
                + "' refused this member"), "every WARN/ERROR line is a refusal or the intruder's");
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void withASecret_trafficBetweenMembers_carriesNoStoredValueInPlaintext() throws Exception {
        Capture capture = replicateThroughRelay(builder -> builder.clusterSecret(SECRET));
        assertThat(capture.bytes().length).as("bytes relayed between the members").isGreaterThan(10_000);
        assertThat(indexOf(capture.bytes(), capture.marker())).as("offset of a stored value in the traffic")
                .isEqualTo(-1);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void withoutSecurity_trafficBetweenMembers_carriesStoredValuesInPlaintext() throws Exception {
        // The control: the same capture finds the values when nothing encrypts them, so the test above can fail.
        Capture capture = replicateThroughRelay(UnaryOperator.identity());
        assertThat(indexOf(capture.bytes(), capture.marker())).as("offset of a stored value in the traffic")
                .isNotEqualTo(-1);
    }

    /**
     * Starts members a and b with {@code security}, a advertising a relay's port as its address (JGroups TCP
     * {@code external_port}) so that everything b sends to a passes the relay; b stores values carrying a marker.
     */
    private Capture replicateThroughRelay(UnaryOperator<GridBuilder> security) throws Exception {
        String cluster = "captured-" + UUID.randomUUID();
        int base = MemberProcesses.freePortBase(2);
        int relayPort = MemberProcesses.freePortBase(1);
        Relay relay = new Relay(relayPort, base);
        toClose.add(relay);
        // FD_SOCK2 reaches a at its advertised port + 100.
        toClose.add(new Relay(relayPort + MemberProcesses.FD_SOCK_OFFSET, base + MemberProcesses.FD_SOCK_OFFSET));
        String stack;
        try (InputStream in = ClusterSecurityIT.class.getResourceAsStream("/io/tessera/grid/stacks/tcp.xml")) {
            stack = new String(in.readAllBytes(), StandardCharsets.UTF_8)
                    .replace("<TCP ", "<TCP external_addr=\"127.0.0.1\" external_port=\"" + relayPort + "\" ");
        }
        Path stackFile = dir.resolve("tcp-behind-relay.xml");
        Files.writeString(stackFile, stack);
        String[] initial = {"127.0.0.1:" + relayPort, "127.0.0.1:" + (base + 1)};
        byte[] marker = ("stored-value-marker-" + UUID.randomUUID()).getBytes(StandardCharsets.US_ASCII);
        LogCapture log = LogCapture.start();
        try {
            Grid a = start(security.apply(member(cluster, "a", base, initial).stack(stackFile.toString())));
            Grid b = start(security.apply(member(cluster, "b", base + 1, initial)));
            awaitMembers(a, 2);
            awaitMembers(b, 2);
            GridMap<String, byte[]> map = b.map("data");
            for (int i = 0; i < 50; i++) {
                map.put("k" + i, marker);
            }
            // Every value was written by b: half went to a as an operation for a primary there, the other half as
            // the backup of a primary on b. Both cross the relay.
            for (int i = 0; i < 50; i++) {
                assertThat(a.<String, byte[]>map("data").get("k" + i)).isEqualTo(marker);
            }
        } finally {
            log.stop();
        }
        assertThat(log.lines()).as("WARN/ERROR lines of the members").noneMatch(l -> l.contains(" WARN ")
                || l.contains(" ERROR "));
        return new Capture(relay.recorded(), marker);
    }

    private record Capture(byte[] bytes, byte[] marker) {
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private GridBuilder member(String cluster, String name, int port, String[] initial) {
        return Grid.builder().clusterName(cluster).memberName(name).bindAddress("127.0.0.1").bindPort(port)
                .initialMembers(initial).partitionCount(PARTITIONS);
    }

    private Grid start(GridBuilder builder) {
        Grid grid = builder.start();
        toClose.add(grid);
        return grid;
    }

    private static void awaitMembers(Grid grid, int count) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (grid.members().size() != count && System.nanoTime() < end) {
            Thread.sleep(50);
        }
        assertThat(grid.members()).hasSize(count);
    }

    /** Forwards every connection to 127.0.0.1:{@code listenPort} to 127.0.0.1:{@code targetPort}, recording both ways. */
    static final class Relay implements AutoCloseable {
        private final ServerSocket server;
        private final int targetPort;
        private final ByteArrayOutputStream recorded = new ByteArrayOutputStream();
        private final List<Socket> sockets = new CopyOnWriteArrayList<>();

        Relay(int listenPort, int targetPort) throws IOException {
            this.server = new ServerSocket(listenPort, 50, InetAddress.getByName("127.0.0.1"));
            this.targetPort = targetPort;
            Thread acceptor = new Thread(this::accept, "relay-" + listenPort);
            acceptor.setDaemon(true);
            acceptor.start();
        }

        private void accept() {
            while (!server.isClosed()) {
                try {
                    Socket client = server.accept();
                    Socket target = new Socket();
                    sockets.add(client);
                    sockets.add(target);
                    target.connect(new InetSocketAddress("127.0.0.1", targetPort), 2_000);
                    pump(client, target);
                    pump(target, client);
                } catch (IOException e) {
                    // closed, or the target refused: the member retries
                }
            }
        }

        private void pump(Socket from, Socket to) {
            Thread pump = new Thread(() -> {
                byte[] buffer = new byte[16 * 1024];
                try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                    for (int n; (n = in.read(buffer)) > 0; ) {
                        synchronized (recorded) {
                            recorded.write(buffer, 0, n);
                        }
                        out.write(buffer, 0, n);
                    }
                } catch (IOException e) {
                    // a side closed
                } finally {
                    closeQuietly(from);
                    closeQuietly(to);
                }
            }, "relay-pump");
            pump.setDaemon(true);
            pump.start();
        }

        byte[] recorded() {
            synchronized (recorded) {
                return recorded.toByteArray();
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
            sockets.forEach(Relay::closeQuietly);
        }

        private static void closeQuietly(Socket socket) {
            try {
                socket.close();
            } catch (IOException e) {
                // already closed
            }
        }
    }

    /** Tees System.err, where slf4j-simple writes (it looks the stream up on every line), into a buffer. */
    static final class LogCapture {
        private final PrintStream original;
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();

        private LogCapture(PrintStream original) {
            this.original = original;
        }

        static LogCapture start() {
            LogCapture capture = new LogCapture(System.err);
            OutputStream tee = new OutputStream() {
                @Override
                public void write(int b) {
                    synchronized (capture.buffer) {
                        capture.buffer.write(b);
                    }
                    capture.original.write(b);
                }

                @Override
                public void write(byte[] b, int off, int len) {
                    synchronized (capture.buffer) {
                        capture.buffer.write(b, off, len);
                    }
                    capture.original.write(b, off, len);
                }
            };
            System.setErr(new PrintStream(tee, true, StandardCharsets.UTF_8));
            return capture;
        }

        void stop() {
            System.setErr(original);
        }

        List<String> lines() {
            synchronized (buffer) {
                return Arrays.asList(buffer.toString(StandardCharsets.UTF_8).split("\n"));
            }
        }
    }
}
