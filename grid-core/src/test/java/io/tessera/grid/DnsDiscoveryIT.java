package io.tessera.grid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tessera.grid.internal.GridNode;
import io.tessera.grid.testing.GridCluster;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import javax.naming.Context;
import javax.naming.NamingException;
import javax.naming.directory.Attribute;
import javax.naming.directory.DirContext;
import javax.naming.directory.InitialDirContext;
import org.jgroups.Event;
import org.jgroups.JChannel;
import org.jgroups.PhysicalAddress;
import org.jgroups.stack.IpAddress;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code kubernetes} stack as deployed, without Kubernetes: a dnsmasq child process on a free loopback port plays
 * the cluster DNS and serves a headless Service's records, and members bound to 127.0.0.1, 127.0.0.2 and 127.0.0.3
 * (Linux routes all of 127/8 to the loopback interface) find each other through DNS alone (no initial member list)
 * and settle one partition table. Each member's DNS settings are its own (per channel): no system property is set.
 *
 * <p>A records: the Service's name resolves to the three addresses and DNS_PING probes each on the member's own grid
 * port, as in a StatefulSet where every pod binds 7800. SRV records: each record names a member's host and its port,
 * and here every member has a different port, which only the records' ports can find. A name without records makes a
 * member that finds nobody, which JGroups turns into a cluster of its own.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class DnsDiscoveryIT {
    private static final String DNSMASQ = "/usr/sbin/dnsmasq";
    private static final String HEADLESS = "tessera-headless.default.svc.cluster.local";
    /** The per-port SRV name Kubernetes serves for a headless Service's port named {@code grid}. */
    private static final String GRID_SRV = "_grid._tcp." + HEADLESS;
    private static final String WITHOUT_RECORDS = "nobody-headless.default.svc.cluster.local";
    private static final List<String> MEMBER_ADDRESSES = List.of("127.0.0.1", "127.0.0.2", "127.0.0.3");
    /** Not in DNS: the lone member's address. */
    private static final String LONE_ADDRESS = "127.0.0.4";
    /** FD_SOCK2 listens on the grid port + 100 in the kubernetes stack. */
    private static final int FD_SOCK2_OFFSET = 100;
    private static final int PARTITIONS = 64;

    @TempDir
    static Path dir;
    private static Dnsmasq dns;
    /** SRV members bind base, base + 1, base + 2; A members and the lone member bind base + 3. */
    private static int base;

    @BeforeAll
    static void startDns() throws Exception {
        base = freeGridPortBase();
        List<String> records = new ArrayList<>();
        for (int i = 0; i < MEMBER_ADDRESSES.size(); i++) {
            String host = "tessera-" + i + "." + HEADLESS;
            records.add("--host-record=" + HEADLESS + "," + MEMBER_ADDRESSES.get(i));
            records.add("--host-record=" + host + "," + MEMBER_ADDRESSES.get(i));
            records.add("--srv-host=" + GRID_SRV + "," + host + "," + (base + i));
        }
        dns = Dnsmasq.start(dir, records);
    }

    @AfterAll
    static void stopDns() {
        if (dns != null) {
            dns.close();
        }
    }

    @Test
    void aRecords_threeMembersOnOnePort_findEachOtherThroughDnsOnly_andSettle() {
        AtomicInteger next = new AtomicInteger();
        try (GridCluster cluster = GridCluster.start(3, b -> dnsMember(b, MEMBER_ADDRESSES.get(next.getAndIncrement()),
                base + 3, HEADLESS, "A"))) {
            assertOneCluster(cluster, List.of(base + 3, base + 3, base + 3));
        }
    }

    @Test
    void srvRecords_threeMembersOnThreePorts_findEachOtherThroughTheRecordsPorts_andSettle() {
        AtomicInteger next = new AtomicInteger();
        try (GridCluster cluster = GridCluster.start(3, b -> {
            int i = next.getAndIncrement();
            return dnsMember(b, MEMBER_ADDRESSES.get(i), base + i, GRID_SRV, "srv");
        })) {
            assertOneCluster(cluster, List.of(base, base + 1, base + 2));
        }
    }

    @Test
    void nameWithoutRecords_memberFindsNobody_andFormsAClusterAlone() {
        String clusterName = "dns-alone-" + UUID.randomUUID();
        try (Grid alone = dnsMember(Grid.builder().clusterName(clusterName).memberName("alone"), LONE_ADDRESS,
                base + 3, WITHOUT_RECORDS, "A").start()) {
            assertThat(alone.members()).extracting(Member::name).containsExactly("alone");
            GridNode node = (GridNode) alone;
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(node.table().primaryCounts())
                    .isEqualTo(Map.of(node.address(), PARTITIONS)));
        }
    }

    private static GridBuilder dnsMember(GridBuilder builder, String address, int port, String query, String type) {
        return builder.stack("kubernetes").bindAddress(address).bindPort(port).dnsQuery(query)
                .dnsAddress("127.0.0.1:" + dns.port()).dnsRecordType(type).partitionCount(PARTITIONS);
    }

    /** Every member sees all three, on the expected addresses and ports, in one settled table (start waited). */
    private static void assertOneCluster(GridCluster cluster, List<Integer> ports) {
        assertThat(cluster.settled()).isTrue();
        List<String> bound = new ArrayList<>();
        for (Grid grid : cluster.members()) {
            assertThat(grid.members()).hasSize(3);
            IpAddress physical = physicalAddress(grid);
            bound.add(physical.getIpAddress().getHostAddress() + ":" + physical.getPort());
        }
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            expected.add(MEMBER_ADDRESSES.get(i) + ":" + ports.get(i));
        }
        Collections.sort(bound);
        assertThat(bound).containsExactlyElementsOf(expected);
    }

    private static IpAddress physicalAddress(Grid grid) {
        GridNode node = (GridNode) grid;
        JChannel channel = node.cluster().channel();
        return (IpAddress) (PhysicalAddress) channel.down(new Event(Event.GET_PHYSICAL_ADDRESS, node.address()));
    }

    /**
     * A base port whose four ports, and their FD_SOCK2 ports, are free on 127.0.0.1..127.0.0.4 now. Another process
     * may still take one before a member binds it; the range is random to make that rare.
     */
    private static int freeGridPortBase() {
        List<String> addresses = new ArrayList<>(MEMBER_ADDRESSES);
        addresses.add(LONE_ADDRESS);
        for (int attempt = 0; attempt < 200; attempt++) {
            int candidate = ThreadLocalRandom.current().nextInt(20000, 40000);
            boolean free = true;
            for (int port = candidate; free && port < candidate + 4; port++) {
                for (String address : addresses) {
                    free &= tcpFree(address, port) && tcpFree(address, port + FD_SOCK2_OFFSET);
                }
            }
            if (free) {
                return candidate;
            }
        }
        throw new IllegalStateException("no free range of 4 grid ports found in 20000..40000 on 127.0.0.1..4");
    }

    private static boolean tcpFree(String address, int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(address, port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * dnsmasq as a plain child process of the test, as the current user, answering on 127.0.0.1 and a free port only
     * (UDP and TCP): no daemon, no system configuration, no upstream servers, no {@code /etc/hosts}. Names under
     * {@code cluster.local} it has no record for get NXDOMAIN, as from a cluster DNS.
     */
    private static final class Dnsmasq implements AutoCloseable {
        private final Process process;
        private final int port;
        private final Path log;

        private Dnsmasq(Process process, int port, Path log) {
            this.process = process;
            this.port = port;
            this.log = log;
        }

        static Dnsmasq start(Path dir, List<String> records) throws IOException {
            int port = freeUdpAndTcpPort();
            Path log = dir.resolve("dnsmasq.log");
            List<String> command = new ArrayList<>(List.of(DNSMASQ, "--keep-in-foreground",
                    "--port=" + port, "--listen-address=127.0.0.1", "--bind-interfaces", "--no-resolv", "--no-hosts",
                    "--conf-file=/dev/null", "--pid-file=" + dir.resolve("dnsmasq.pid"),
                    // Without it dnsmasq started as root switches to "nobody"; this keeps it the test's user.
                    "--user=" + System.getProperty("user.name"),
                    "--local=/cluster.local/", "--log-queries", "--log-facility=-"));
            command.addAll(records);
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            Dnsmasq dns = new Dnsmasq(process, port, log);
            try {
                await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
                    assertThat(process.isAlive()).as("dnsmasq is running; its output: %s", dns.output()).isTrue();
                    assertThat(dns.lookup(HEADLESS, "A")).hasSize(MEMBER_ADDRESSES.size());
                });
            } catch (RuntimeException | AssertionError e) {
                dns.close();
                throw e;
            }
            return dns;
        }

        int port() {
            return port;
        }

        /** The values of {@code name}'s records of {@code type}, asked as DNS_PING asks (JNDI), or none. */
        List<String> lookup(String name, String type) throws NamingException {
            Properties env = new Properties();
            env.put(Context.INITIAL_CONTEXT_FACTORY, "com.sun.jndi.dns.DnsContextFactory");
            env.put(Context.PROVIDER_URL, "dns://127.0.0.1:" + port);
            DirContext context = new InitialDirContext(env);
            try {
                Attribute attribute = context.getAttributes(name, new String[] {type}).get(type);
                List<String> values = new ArrayList<>();
                for (int i = 0; attribute != null && i < attribute.size(); i++) {
                    values.add(attribute.get(i).toString());
                }
                return values;
            } finally {
                context.close();
            }
        }

        String output() {
            try {
                return Files.readString(log, StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "(unreadable: " + e + ")";
            }
        }

        @Override
        public void close() {
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }

        /** A port free for both UDP and TCP on 127.0.0.1 now (dnsmasq listens on both). */
        private static int freeUdpAndTcpPort() throws IOException {
            InetAddress loopback = InetAddress.getByName("127.0.0.1");
            for (int attempt = 0; attempt < 50; attempt++) {
                try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(loopback, 0))) {
                    int port = udp.getLocalPort();
                    try (ServerSocket tcp = new ServerSocket()) {
                        tcp.bind(new InetSocketAddress(loopback, port));
                        return port;
                    } catch (IOException e) {
                        // taken for TCP: try another
                    }
                }
            }
            throw new IllegalStateException("no port free for both UDP and TCP on 127.0.0.1");
        }
    }
}
