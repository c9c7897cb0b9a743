package io.tessera.grid.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import javax.naming.Context;
import javax.naming.NamingException;
import javax.naming.directory.Attribute;
import javax.naming.directory.DirContext;
import javax.naming.directory.InitialDirContext;

/**
 * dnsmasq ({@code /usr/sbin/dnsmasq}, Debian's {@code dnsmasq-base}) as a plain child process of a test, serving
 * records the test gives, for the DNS discovery tests: as the current user, in the foreground, answering on
 * 127.0.0.1 and a free port only (UDP and TCP), with no system configuration, no upstream servers and no
 * {@code /etc/hosts}. Names under {@code cluster.local} it has no record for get NXDOMAIN, as from a cluster DNS.
 * Its log (every query) goes to {@code dnsmasq.log} in the test's directory.
 */
public final class Dnsmasq implements AutoCloseable {
    /** Where {@code .ci/run} installs it. */
    public static final String BINARY = "/usr/sbin/dnsmasq";
    /** A record of its own, answered once it is up. */
    private static final String PROBE = "dnsmasq.probe.test";

    private final Process process;
    private final int port;
    private final Path log;

    private Dnsmasq(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /**
     * Starts dnsmasq with {@code records} (its options, such as {@code --host-record=name,10.0.0.1} or
     * {@code --srv-host=_grid._tcp.name,target,7800}) and waits until it answers.
     *
     * @param dir a directory of the test's for its pid file and log
     */
    public static Dnsmasq start(Path dir, List<String> records) throws IOException {
        int port = freeUdpAndTcpPort();
        Path log = dir.resolve("dnsmasq.log");
        List<String> command = new ArrayList<>(List.of(BINARY, "--keep-in-foreground",
                "--port=" + port, "--listen-address=127.0.0.1", "--bind-interfaces", "--no-resolv", "--no-hosts",
                "--conf-file=/dev/null", "--pid-file=" + dir.resolve("dnsmasq.pid"),
                // Without it dnsmasq started as root (as on CI) switches to "nobody"; this keeps the test's user.
                "--user=" + System.getProperty("user.name"),
                "--local=/cluster.local/", "--log-queries", "--log-facility=-",
                "--host-record=" + PROBE + ",127.0.0.1"));
        command.addAll(records);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Dnsmasq dns = new Dnsmasq(process, port, log);
        try {
            await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
                assertThat(process.isAlive()).as("dnsmasq is running; its output: %s", dns.output()).isTrue();
                assertThat(dns.lookup(PROBE, "A")).containsExactly("127.0.0.1");
            });
        } catch (RuntimeException | AssertionError e) {
            dns.close();
            throw e;
        }
        return dns;
    }

    /** The port it answers on, at 127.0.0.1. */
    public int port() {
        return port;
    }

    /** Its address as DNS_PING's {@code dns_address} (and {@code --dns-address}) takes it. */
    public String address() {
        return "127.0.0.1:" + port;
    }

    /** The values of {@code name}'s records of {@code type}, asked as DNS_PING asks (JNDI). */
    public List<String> lookup(String name, String type) throws NamingException {
        Properties env = new Properties();
        env.put(Context.INITIAL_CONTEXT_FACTORY, "com.sun.jndi.dns.DnsContextFactory");
        env.put(Context.PROVIDER_URL, "dns://" + address());
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

    /** What it logged so far. */
    public String output() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    /** Stops it (SIGTERM, then SIGKILL after 10 s) and waits for it to exit. */
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
