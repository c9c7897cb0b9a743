package io.tessera.grid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tessera.grid.internal.GridNode;
import io.tessera.grid.testing.Dnsmasq;
import io.tessera.grid.testing.GridCluster;
import io.tessera.grid.testing.MemberProcesses;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
    private static final String HEADLESS = "tessera-headless.default.svc.cluster.local";
    /** The per-port SRV name Kubernetes serves for a headless Service's port named {@code grid}. */
    private static final String GRID_SRV = "_grid._tcp." + HEADLESS;
    private static final String WITHOUT_RECORDS = "nobody-headless.default.svc.cluster.local";
    private static final List<String> MEMBER_ADDRESSES = List.of("127.0.0.1", "127.0.0.2", "127.0.0.3");
    /** Not in DNS: the lone member's address. */
    private static final String LONE_ADDRESS = "127.0.0.4";
    private static final int PARTITIONS = 64;

    @TempDir
    static Path dir;
    private static Dnsmasq dns;
    /** SRV members bind base, base + 1, base + 2; A members and the lone member bind base + 3. */
    private static int base;

    @BeforeAll
    static void startDns() throws Exception {
        List<String> addresses = new ArrayList<>(MEMBER_ADDRESSES);
        addresses.add(LONE_ADDRESS);
        base = MemberProcesses.freePortBase(4, addresses);
        List<String> records = new ArrayList<>();
        for (int i = 0; i < MEMBER_ADDRESSES.size(); i++) {
            String host = "tessera-" + i + "." + HEADLESS;
            records.add("--host-record=" + HEADLESS + "," + MEMBER_ADDRESSES.get(i));
            records.add("--host-record=" + host + "," + MEMBER_ADDRESSES.get(i));
            records.add("--srv-host=" + GRID_SRV + "," + host + "," + (base + i));
        }
        dns = Dnsmasq.start(dir, records);
        assertThat(dns.lookup(HEADLESS, "A")).containsExactlyInAnyOrderElementsOf(MEMBER_ADDRESSES);
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
                .dnsAddress(dns.address()).dnsRecordType(type).partitionCount(PARTITIONS);
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
}
