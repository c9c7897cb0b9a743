package io.tessera.grid.internal.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import io.tessera.grid.internal.cluster.JGroupsStacks.StackSettings;
import org.jgroups.Address;
import org.jgroups.Event;
import org.jgroups.JChannel;
import org.jgroups.MergeView;
import org.jgroups.PhysicalAddress;
import org.jgroups.Receiver;
import org.jgroups.View;
import org.jgroups.protocols.DISCARD;
import org.jgroups.protocols.FD_SOCK2;
import org.jgroups.protocols.TCPPING;
import org.jgroups.protocols.TP;
import org.jgroups.protocols.dns.DNS_PING;
import org.jgroups.protocols.dns.DefaultDNSResolver;
import org.jgroups.stack.IpAddress;
import org.jgroups.stack.Protocol;
import org.jgroups.util.Util;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class JGroupsStacksTest {

    private static final String LOOPBACK = "127.0.0.1";
    /** FD_SOCK2 offset and port range in the bundled TCP stacks. */
    private static final int FD_SOCK2_OFFSET = 100;
    private static final int FD_SOCK2_PORT_RANGE = 3;
    /** Generous for a loaded 2-core CI machine; typical runs take a fraction. */
    private static final Duration VIEW_TIMEOUT = Duration.ofSeconds(15);

    private final List<JChannel> channels = new ArrayList<>();
    private String clusterPrefix;

    @BeforeEach
    void nameClusters(TestInfo test) {
        // SHARED_LOOPBACK keeps static per-cluster-name maps: every test gets its own names.
        clusterPrefix = test.getTestMethod().orElseThrow().getName() + "-" + UUID.randomUUID();
    }

    @AfterEach
    void closeChannels() {
        List<JChannel> newestFirst = new ArrayList<>(channels);
        Collections.reverse(newestFirst);
        newestFirst.forEach(Util::close);
    }

    @Test
    void local_threeMembersFormOneView_andACloseShrinksIt() throws Exception {
        String cluster = cluster("a");
        JChannel a = connect("local", StackSettings.defaults(), cluster);
        JChannel b = connect("local", StackSettings.defaults(), cluster);
        JChannel c = connect("local", StackSettings.defaults(), cluster);

        awaitOneView(3, a, b, c);

        Address leaving = c.getAddress();
        c.close();
        awaitOneView(2, a, b);
        assertThat(a.getView().getMembers()).containsExactly(a.getAddress(), b.getAddress()).doesNotContain(leaving);
    }

    @Test
    void tcp_twoMembersOnExplicitPorts_eachListingTheOther_formOneView() throws Exception {
        int base = freePortBase(2);
        String cluster = cluster("tcp");
        JChannel a = connect("tcp", new StackSettings(LOOPBACK, base, List.of(LOOPBACK + ":" + (base + 1))), cluster);
        JChannel b = connect("tcp", new StackSettings(LOOPBACK, base + 1, List.of(LOOPBACK + ":" + base)), cluster);

        awaitOneView(2, a, b);
        assertThat(physicalPort(a)).isEqualTo(base);
        assertThat(physicalPort(b)).isEqualTo(base + 1);
    }

    @Test
    void local_differentClusterNames_neverSeeEachOther() throws Exception {
        String x = cluster("x");
        String y = cluster("y");
        JChannel x1 = connect("local", StackSettings.defaults(), x);
        JChannel y1 = connect("local", StackSettings.defaults(), y);
        JChannel x2 = connect("local", StackSettings.defaults(), x);
        JChannel y2 = connect("local", StackSettings.defaults(), y);

        awaitSeparateViews(List.of(x1, x2), List.of(y1, y2), Duration.ofSeconds(2));
    }

    @Test
    void tcp_differentClusterNames_onTheSamePorts_neverSeeEachOther() throws Exception {
        int base = freePortBase(4);
        List<String> everyone = IntStream.range(base, base + 4).mapToObj(p -> LOOPBACK + ":" + p).toList();
        String x = cluster("x");
        String y = cluster("y");
        JChannel x1 = connect("tcp", new StackSettings(LOOPBACK, base, everyone), x);
        JChannel y1 = connect("tcp", new StackSettings(LOOPBACK, base + 1, everyone), y);
        JChannel x2 = connect("tcp", new StackSettings(LOOPBACK, base + 2, everyone), x);
        JChannel y2 = connect("tcp", new StackSettings(LOOPBACK, base + 3, everyone), y);

        // Discovery reaches the other cluster's members; they drop messages of a foreign cluster name.
        awaitSeparateViews(List.of(x1, x2), List.of(y1, y2), Duration.ofSeconds(3));
    }

    @Test
    void unknownStackName_isRejected_listingTheBundledNames() {
        assertThatThrownBy(() -> JGroupsStacks.createChannel("tcpp", StackSettings.defaults()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("stack: \"tcpp\" (expected one of tcp, local, udp, kubernetes, or the path");
        assertThatThrownBy(() -> JGroupsStacks.createChannel(null, StackSettings.defaults()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("stack: null (expected one of tcp, local, udp, kubernetes");
    }

    @Test
    void missingOrInvalidStackFile_isRejected_namingIt(@TempDir Path dir) throws IOException {
        String missing = dir.resolve("missing.xml").toString();
        assertThatThrownBy(() -> JGroupsStacks.createChannel(missing, StackSettings.defaults()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("stack: \"" + missing + "\" (expected one of tcp, local, udp, kubernetes");

        Path notXml = Files.writeString(dir.resolve("stack.xml"), "not a stack");
        assertThatThrownBy(() -> JGroupsStacks.createChannel(notXml.toString(), StackSettings.defaults()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("stack: \"" + notXml + "\" (expected a JGroups XML configuration");

        Path badAttribute = Files.writeString(dir.resolve("bad.xml"),
                "<config><SHARED_LOOPBACK/><SHARED_LOOPBACK_PING no_such_attribute=\"1\"/><pbcast.GMS/></config>");
        assertThatThrownBy(() -> JGroupsStacks.createChannel(badAttribute.toString(), StackSettings.defaults()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("stack: \"" + badAttribute + "\" (JGroups cannot build a channel from it")
                .hasMessageContaining("no_such_attribute");
    }

    @Test
    void badInitialMembers_areRejected_withTheExpectedForm() {
        for (String entry : List.of("abc", "abc:", ":7800", "host:port", "host:-1", "::1:7800", "[::1:7800",
                "a b:7800", "h1:7800,h2:7800", "host:123456")) {
            assertThatThrownBy(() -> new StackSettings(null, 0, List.of(entry)))
                    .as(entry)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("initialMembers: \"" + entry + "\" (expected host:port");
        }
        assertThatThrownBy(() -> new StackSettings(null, 0, List.of("abc")))
                .hasMessage("initialMembers: \"abc\" (expected host:port)");
        assertThatThrownBy(() -> new StackSettings(null, 0, List.of("host:0")))
                .hasMessage("initialMembers: \"host:0\" (expected host:port with a port in 1..65535)");
        assertThatThrownBy(() -> new StackSettings(null, 0, Arrays.asList("host:7800", null)))
                .hasMessage("initialMembers: null (expected host:port)");
        assertThat(new StackSettings(null, 0, List.of("h:1", " [::1]:7800 ")).initialMembers()).hasSize(2);
    }

    @Test
    void badBindSettings_areRejected_namingTheParameter() {
        assertThatThrownBy(() -> new StackSettings(null, -1, List.of()))
                .hasMessage("bindPort: -1 (expected 1..65535, or 0 for the stack's default)");
        assertThatThrownBy(() -> new StackSettings(null, 65536, List.of()))
                .hasMessageStartingWith("bindPort: 65536 (expected");
        assertThatThrownBy(() -> new StackSettings(" ", 0, List.of()))
                .hasMessageStartingWith("bindAddress: \" \" (expected");
        StackSettings noSuchInterface = new StackSettings("match-interface:nosuchnic9", 0, List.of());
        assertThatThrownBy(() -> JGroupsStacks.createChannel("tcp", noSuchInterface))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("bindAddress: \"match-interface:nosuchnic9\" (expected");
    }

    @Test
    void initialMembers_onAStackWithoutTcpping_areRejected() {
        StackSettings settings = new StackSettings(null, 0, List.of("127.0.0.1:7800"));
        assertThatThrownBy(() -> JGroupsStacks.createChannel("local", settings))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("initialMembers: [127.0.0.1:7800] (stack \"local\" has no TCPPING to use them;"
                        + " expected an empty list)");
    }

    @Test
    void everyBundledStack_buildsAnUnconnectedChannel_withDiagnosticsDisabled() throws Exception {
        for (String stack : JGroupsStacks.BUNDLED_STACKS) {
            // Explicit loopback: udp and kubernetes default to LAN interfaces a CI machine may not have.
            JChannel channel = track(JGroupsStacks.createChannel(stack.toUpperCase(),
                    new StackSettings(LOOPBACK, 0, List.of())));
            TP transport = channel.getProtocolStack().getTransport();
            assertThat(channel.isConnected()).as(stack).isFalse();
            assertThat(transport.getDiagnosticsHandler() == null || !transport.getDiagnosticsHandler().isEnabled())
                    .as(stack + " diagnostics").isTrue();
        }
        DISCARD discard = track(JGroupsStacks.createChannel("local", StackSettings.defaults()))
                .getProtocolStack().findProtocol(DISCARD.class);
        assertThat(discard).isNotNull();
        Protocol belowDiscard = discard.getDownProtocol();
        assertThat(belowDiscard).isInstanceOf(TP.class);
    }

    @Test
    void tcpDefaults_bind7800WithItsRange_andDiscover127001Range() throws Exception {
        JChannel channel = track(JGroupsStacks.createChannel("tcp", StackSettings.defaults()));
        TP transport = channel.getProtocolStack().getTransport();
        assertThat(transport.getBindAddress()).isEqualTo(InetAddress.getByName(LOOPBACK));
        assertThat(transport.getBindPort()).isEqualTo(7800);
        assertThat(transport.getPortRange()).isEqualTo(10);
        TCPPING ping = channel.getProtocolStack().findProtocol(TCPPING.class);
        assertThat(ping.getInitialHosts()).hasSize(11).contains(new IpAddress(LOOPBACK, 7800), new IpAddress(LOOPBACK, 7810));
    }

    @Test
    void settings_areAppliedPerChannel_toTransportTcppingAndFdSock2() throws Exception {
        // 127.0.0.2 is a loopback address too; surefire passes -Djgroups.bind_addr=127.0.0.1, which must not win.
        InetAddress own = InetAddress.getByName("127.0.0.2");
        StackSettings settings = new StackSettings("127.0.0.2", 23456, List.of("127.0.0.1:23457", "localhost:23458"));
        JChannel channel = track(JGroupsStacks.createChannel("tcp", settings));
        JChannel other = track(JGroupsStacks.createChannel("tcp", StackSettings.defaults()));

        TP transport = channel.getProtocolStack().getTransport();
        assertThat(transport.getBindAddress()).isEqualTo(own);
        assertThat(transport.getBindPort()).isEqualTo(23456);
        assertThat(transport.getPortRange()).isZero();
        TCPPING ping = channel.getProtocolStack().findProtocol(TCPPING.class);
        assertThat(ping.getPortRange()).isZero();
        // Exactly the listed ports (no range). TCPPING itself adds the bind address with each loopback entry's port.
        assertThat(ping.getInitialHosts()).contains(new IpAddress(LOOPBACK, 23457), new IpAddress(LOOPBACK, 23458));
        assertThat(ping.getInitialHosts()).extracting(host -> ((IpAddress) host).getPort())
                .containsOnly(23457, 23458);
        FD_SOCK2 fd = channel.getProtocolStack().findProtocol(FD_SOCK2.class);
        assertThat(fd.getBindAddress()).isEqualTo(own);

        assertThat(other.getProtocolStack().getTransport().getBindPort()).isEqualTo(7800);
    }

    @Test
    void kubernetesDefaults_askTheSystemResolverForTheDefaultServiceARecords_onPort7800Exactly() throws Exception {
        // The bind address only keeps the channel off the LAN interfaces a CI machine may not have.
        JChannel channel = track(JGroupsStacks.createChannel("kubernetes", new StackSettings(LOOPBACK, 0, List.of())));
        DNS_PING ping = channel.getProtocolStack().findProtocol(DNS_PING.class);
        assertThat(ping.dnsQuery()).isEqualTo("tessera-headless.default.svc.cluster.local");
        assertThat(ping.dnsRecordType()).isEqualTo("A");
        assertThat(ping.dnsAddress()).isEmpty();
        // No server of its own: JGroups' resolver, which asks the system's resolver for A records.
        assertThat(ping.dnsResolver()).isExactlyInstanceOf(DefaultDNSResolver.class);
        TP transport = channel.getProtocolStack().getTransport();
        assertThat(transport.getBindPort()).isEqualTo(7800);
        assertThat(transport.getPortRange()).isZero();
    }

    @Test
    void dnsSettings_areAppliedPerChannel_andADnsServerResolvesSrvTargetsToo() throws Exception {
        StackSettings settings = new StackSettings(LOOPBACK, 0, List.of(), " a.ns.svc.cluster.local , b.example ",
                "127.0.0.1:5353", "srv");
        JChannel channel = track(JGroupsStacks.createChannel("kubernetes", settings));
        JChannel other = track(JGroupsStacks.createChannel("kubernetes", new StackSettings(LOOPBACK, 0, List.of())));

        DNS_PING ping = channel.getProtocolStack().findProtocol(DNS_PING.class);
        assertThat(ping.dnsQuery()).isEqualTo("a.ns.svc.cluster.local,b.example");
        assertThat(ping.dnsAddress()).isEqualTo("127.0.0.1:5353");
        assertThat(ping.dnsRecordType()).isEqualTo("SRV");
        assertThat(ping.dnsResolver()).isInstanceOf(ServerDnsResolver.class);
        DNS_PING otherPing = other.getProtocolStack().findProtocol(DNS_PING.class);
        assertThat(otherPing.dnsQuery()).isEqualTo("tessera-headless.default.svc.cluster.local");
        assertThat(otherPing.dnsAddress()).isEmpty();
    }

    @Test
    void dnsSettings_onAStackWithoutDnsPing_areRejected() {
        StackSettings settings = new StackSettings(null, 0, List.of(), "a.ns.svc.cluster.local", null, null);
        assertThatThrownBy(() -> JGroupsStacks.createChannel("tcp", settings))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("dnsQuery, dnsAddress, dnsRecordType: a.ns.svc.cluster.local, null, null (stack \"tcp\""
                        + " has no DNS_PING to use them; expected none, or the kubernetes stack)");
    }

    @Test
    void badDnsSettings_areRejected_namingTheParameter() {
        for (String query : List.of("", " ", "a,,b", "a b.c", "dns://a.b", "a.b/c")) {
            assertThatThrownBy(() -> JGroupsStacks.checkDnsQuery(query)).as(query)
                    .hasMessage("dnsQuery: \"" + query + "\" (expected a DNS name such as"
                            + " tessera-headless.default.svc.cluster.local, or several separated by commas)");
        }
        for (String address : List.of("", "dns://10.0.0.1", "10.0.0.1:0", "10.0.0.1:65536", "10.0.0.1:x", "h:",
                "::1:53", "[::1]53", "a b")) {
            assertThatThrownBy(() -> JGroupsStacks.checkDnsAddress(address)).as(address)
                    .hasMessageStartingWith("dnsAddress: \"" + address + "\" (expected host or host:port of a DNS"
                            + " server, such as 10.96.0.10 or 127.0.0.1:5353, without dns://");
        }
        assertThat(List.of("10.96.0.10", "127.0.0.1:5353", "dns.local", "[::1]:53", "[::1]"))
                .allSatisfy(address -> assertThat(JGroupsStacks.checkDnsAddress(address)).isEqualTo(address));
        assertThatThrownBy(() -> JGroupsStacks.checkDnsRecordType("CNAME"))
                .hasMessage("dnsRecordType: \"CNAME\" (expected one of A, AAAA, SRV)");
        assertThat(JGroupsStacks.checkDnsRecordType(" aaaa")).isEqualTo("AAAA");
    }

    @Test
    void stacks_areFoundByPathAndClassPathResource() throws Exception {
        Path copy = Files.createTempFile("tessera-local", ".xml");
        try (InputStream in = JGroupsStacks.class.getResourceAsStream("/io/tessera/grid/stacks/local.xml")) {
            Files.copy(in, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        try {
            String cluster = cluster("paths");
            JChannel a = connect(copy.toString(), StackSettings.defaults(), cluster);
            JChannel b = connect("io/tessera/grid/stacks/local.xml", StackSettings.defaults(), cluster);
            awaitOneView(2, a, b);
        } finally {
            Files.deleteIfExists(copy);
        }
    }

    @Test
    void local_discardSplitsTwoMembers_andMerge3HealsThem() throws Exception {
        String cluster = cluster("split");
        JChannel a = connect("local", StackSettings.defaults(), cluster);
        JChannel b = connect("local", StackSettings.defaults(), cluster);
        List<View> viewsOfA = new CopyOnWriteArrayList<>();
        a.setReceiver(new Receiver() {
            @Override
            public void viewAccepted(View view) {
                viewsOfA.add(view);
            }
        });
        awaitOneView(2, a, b);

        DISCARD discardA = a.getProtocolStack().findProtocol(DISCARD.class);
        DISCARD discardB = b.getProtocolStack().findProtocol(DISCARD.class);
        discardA.addIgnoredMembers(b.getAddress());
        discardB.addIgnoredMembers(a.getAddress());
        // FD_ALL3 (3 s) + VERIFY_SUSPECT2 (0.5 s): about 4 s; bounded generously for a loaded machine.
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(a.getView().getMembers()).containsExactly(a.getAddress());
            assertThat(b.getView().getMembers()).containsExactly(b.getAddress());
        });

        discardA.resetIgnoredMembers();
        discardB.resetIgnoredMembers();
        // MERGE3 checks every 3.2 s; typically merged within 3-7 s.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(a.getView().getViewId()).isEqualTo(b.getView().getViewId());
            assertThat(a.getView().getMembers()).containsExactlyInAnyOrder(a.getAddress(), b.getAddress());
        });
        assertThat(viewsOfA).last().isInstanceOf(MergeView.class);
    }

    // ---------------------------------------------------------------------------------------------------------

    private String cluster(String suffix) {
        return clusterPrefix + "-" + suffix;
    }

    private JChannel track(JChannel channel) {
        channels.add(channel);
        return channel;
    }

    private JChannel connect(String stack, StackSettings settings, String cluster) throws Exception {
        JChannel channel = track(JGroupsStacks.createChannel(stack, settings));
        channel.connect(cluster);
        return channel;
    }

    /** Waits until all channels share one view (same ViewId) of {@code size} members. */
    private static void awaitOneView(int size, JChannel... members) {
        await().atMost(VIEW_TIMEOUT).untilAsserted(() -> {
            View first = members[0].getView();
            assertThat(first.size()).isEqualTo(size);
            for (JChannel member : members) {
                assertThat(member.getView().getViewId()).isEqualTo(first.getViewId());
                assertThat(first.getMembers()).contains(member.getAddress());
            }
        });
    }

    /** Waits until each group forms its own view, then checks that neither absorbs the other for a while. */
    private static void awaitSeparateViews(List<JChannel> x, List<JChannel> y, Duration stable) {
        awaitOneView(x.size(), x.toArray(JChannel[]::new));
        awaitOneView(y.size(), y.toArray(JChannel[]::new));
        List<Address> xMembers = x.stream().map(JChannel::getAddress).toList();
        List<Address> yMembers = y.stream().map(JChannel::getAddress).toList();
        await().during(stable).atMost(stable.plusSeconds(5)).untilAsserted(() -> {
            x.forEach(ch -> assertThat(ch.getView().getMembers()).containsExactlyInAnyOrderElementsOf(xMembers));
            y.forEach(ch -> assertThat(ch.getView().getMembers()).containsExactlyInAnyOrderElementsOf(yMembers));
        });
    }

    private static int physicalPort(JChannel channel) {
        PhysicalAddress address = (PhysicalAddress) channel.down(
                new Event(Event.GET_PHYSICAL_ADDRESS, channel.getAddress()));
        return ((IpAddress) address).getPort();
    }

    /**
     * Returns a base port such that {@code base .. base+count-1} and their FD_SOCK2 ports are free on loopback
     * now. Another process may still take one before the test binds it; the range is random to make that rare.
     */
    static int freePortBase(int count) {
        for (int attempt = 0; attempt < 200; attempt++) {
            int base = ThreadLocalRandom.current().nextInt(20000, 40000 - count);
            if (allFree(base, count) && allFree(base + FD_SOCK2_OFFSET, count + FD_SOCK2_PORT_RANGE)) {
                return base;
            }
        }
        throw new IllegalStateException("no free range of " + count + " ports found in 20000..40000");
    }

    private static boolean allFree(int from, int count) {
        for (int port = from; port < from + count; port++) {
            try (ServerSocket socket = new ServerSocket()) {
                socket.bind(new InetSocketAddress(LOOPBACK, port));
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }
}
