package io.tessera.grid.internal.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

import org.jgroups.JChannel;
import org.jgroups.conf.ConfiguratorFactory;
import org.jgroups.conf.ProtocolConfiguration;
import org.jgroups.conf.ProtocolStackConfigurator;
import org.jgroups.conf.XmlConfigurator;
import org.jgroups.protocols.AUTH;
import org.jgroups.protocols.Encrypt;
import org.jgroups.protocols.FD_SOCK2;
import org.jgroups.protocols.SHARED_LOOPBACK;
import org.jgroups.protocols.TCPPING;
import org.jgroups.protocols.TP;
import org.jgroups.protocols.UNICAST3;
import org.jgroups.protocols.ReliableMulticast;
import org.jgroups.protocols.ReliableUnicast;
import org.jgroups.protocols.dns.DNS_PING;
import org.jgroups.protocols.pbcast.NAKACK2;
import org.jgroups.stack.DiagnosticsHandler;
import org.jgroups.stack.Protocol;
import org.jgroups.util.StackType;
import org.jgroups.util.Util;

/**
 * Creates unconnected {@link JChannel}s from Tessera's bundled JGroups stacks or from a user's JGroups XML, with
 * per-channel {@link StackSettings} applied.
 *
 * <p>The bundled stacks live in {@code io/tessera/grid/stacks/} on the class path:
 * <ul>
 *   <li>{@code tcp}: TCP with a static member list (TCPPING); binds {@code 127.0.0.1:7800..7810} unless told
 *       otherwise (by {@link StackSettings} or {@code -Djgroups.bind_addr} / {@code -Djgroups.bind_port});
 *   <li>{@code local}: SHARED_LOOPBACK for many members in one JVM (tests), with a DISCARD protocol right above the
 *       transport to simulate partitions;
 *   <li>{@code udp}: IP multicast;
 *   <li>{@code kubernetes}: TCP with DNS discovery (DNS_PING) of a headless Service; the query, DNS server and
 *       record type come from {@link StackSettings} or {@code -Dtessera.kubernetes.dns_query},
 *       {@code -Dtessera.kubernetes.dns_address}, {@code -Dtessera.kubernetes.dns_record_type}.
 * </ul>
 *
 * <p>Settings are applied per channel, never through system properties, because tests run many members in one
 * JVM. The XML is parsed into {@link ProtocolConfiguration}s and their attribute maps are rewritten before the
 * channel is built from them. In JGroups 5.5.7 an attribute in the map wins over the system property JGroups
 * associates with it ({@code jgroups.bind_port}, {@code jgroups.tcpping.initial_hosts}, FD_SOCK2's
 * {@code jgroups.bind_addr}), with one exception: the transport's {@code bind_addr} is assigned twice while the stack
 * is built, the second time without the XML value, so {@code -Djgroups.bind_addr} silently beats it. A bind address
 * from {@link StackSettings} is therefore also set directly on the transport (and on FD_SOCK2) from the
 * {@link org.jgroups.stack.ProtocolHook} that runs after attribute assignment and before {@code init()}.
 *
 * <p>Stateless and thread-safe.
 */
public final class JGroupsStacks {

    /** The names of the bundled stacks, accepted by {@link #createChannel} in any letter case. */
    public static final List<String> BUNDLED_STACKS = List.of("tcp", "local", "udp", "kubernetes");
    /** The record types DNS_PING can ask for, as {@link #checkDnsRecordType} accepts them. */
    public static final List<String> DNS_RECORD_TYPES = List.of("A", "AAAA", "SRV");

    private static final String STACK_RESOURCE_DIR = "/io/tessera/grid/stacks/";

    private JGroupsStacks() {
    }

    /**
     * Creates an unconnected channel from a bundled stack or a JGroups XML configuration, with diagnostics disabled
     * and {@code settings} applied to this channel only.
     *
     * <p>What the settings change:
     * <ul>
     *   <li>{@link StackSettings#bindAddress()}: the transport's {@code bind_addr} and every FD_SOCK2's
     *       {@code bind_addr};
     *   <li>{@link StackSettings#bindPort()}: the transport's {@code bind_port}, with {@code port_range} 0, so the
     *       channel binds exactly that port and {@link JChannel#connect(String)} fails if it is taken;
     *   <li>{@link StackSettings#initialMembers()}: TCPPING's {@code initial_hosts} ({@code h[port],h2[port2]}), with
     *       {@code port_range} 0, so each entry names exactly one member;
     *   <li>{@link StackSettings#dnsQuery()}, {@link StackSettings#dnsAddress()} and
     *       {@link StackSettings#dnsRecordType()}: DNS_PING's {@code dns_query}, {@code dns_address} and
     *       {@code dns_record_type}.
     * </ul>
     * Whenever DNS_PING has a {@code dns_address} (from the settings, the XML or a system property), the names its
     * SRV records point to are resolved through that server too, not the system's resolver as JGroups 5.5.7's own
     * resolver does ({@link ServerDnsResolver}).
     * Bind address and port do not apply to an in-JVM transport (SHARED_LOOPBACK, stack {@code local}) and are
     * ignored there.
     *
     * @param stack a bundled stack name ({@link #BUNDLED_STACKS}, any letter case), or the file system path, class
     *     path resource or URL of a JGroups XML configuration
     * @param settings the per-channel settings; {@link StackSettings#defaults()} keeps the stack's own values
     * @return a new channel, not connected; the caller closes it
     * @throws IllegalArgumentException if {@code stack} is neither a bundled name nor a readable JGroups XML, if
     *     {@code settings} name initial members but the stack has no TCPPING, or DNS values but it has no DNS_PING,
     *     or if JGroups rejects the resulting configuration; the message names the offending value
     */
    public static JChannel createChannel(String stack, StackSettings settings) {
        return createChannel(stack, settings, null, null);
    }

    /**
     * Creates an unconnected channel as {@link #createChannel(String, StackSettings)} does, which, given
     * {@code keys}, also authenticates joins and merges ({@link JoinAuth}) and encrypts its traffic
     * ({@link RefusalPassingSymEncrypt}).
     *
     * <p>Both go right below the lowest of the reliable-delivery protocols (NAKACK2/NAKACK4/UNICAST3/UNICAST4), the
     * encryption directly under it and the authentication under the encryption, so that everything those
     * protocols and the ones above send is encrypted, while discovery, MERGE3 and failure detection below stay
     * readable to a member that has not joined yet (they carry addresses and the cluster name, no data).
     *
     * @param stack see {@link #createChannel(String, StackSettings)}
     * @param settings see {@link #createChannel(String, StackSettings)}
     * @param keys the keys of a secured member, or {@code null} for none
     * @param clusterName the cluster's name, for the log of refused joins; may be {@code null} without keys
     * @return the channel, not yet connected
     * @throws IllegalArgumentException as {@link #createChannel(String, StackSettings)} does, or if {@code keys}
     *     is given and the stack has no NAKACK/UNICAST protocol to place the security below, or already has
     *     encryption or authentication of its own
     */
    public static JChannel createChannel(String stack, StackSettings settings, ClusterKeys keys, String clusterName) {
        Objects.requireNonNull(settings, "settings");
        List<ProtocolConfiguration> protocols = parse(stack);
        InetAddress bindAddress = applySettings(stack, protocols, settings);
        if (keys != null) {
            insertSecurity(stack, protocols);
        }
        JChannel channel;
        try {
            channel = new JChannel(new PreparedStack(protocols, bindAddress, keys, clusterName));
        } catch (Exception e) {
            throw new IllegalArgumentException(
                    "stack: \"" + stack + "\" (JGroups cannot build a channel from it: " + e.getMessage() + ")", e);
        }
        // The map already says diag.enabled=false, but only if the transport class was recognised above; this is
        // the documented programmatic switch, effective until connect().
        DiagnosticsHandler diagnostics = channel.getProtocolStack().getTransport().getDiagnosticsHandler();
        if (diagnostics != null) {
            diagnostics.setEnabled(false);
        }
        return channel;
    }

    /** Inserts the authentication and encryption protocols; see {@link #createChannel(String, StackSettings,
     * ClusterKeys, String)}. */
    private static void insertSecurity(String stack, List<ProtocolConfiguration> protocols) {
        int reliable = -1;
        for (int i = 0; i < protocols.size(); i++) {
            Class<? extends Protocol> type = protocolClass(protocols.get(i));
            if (type == null) {
                continue;
            }
            if (Encrypt.class.isAssignableFrom(type) || AUTH.class.isAssignableFrom(type)) {
                throw new IllegalArgumentException("stack: \"" + stack + "\" already has "
                        + type.getSimpleName() + " (expected a stack without encryption or authentication of its own"
                        + " when a cluster secret or keystore is set: Tessera adds them)");
            }
            if (reliable < 0 && (NAKACK2.class.isAssignableFrom(type) || ReliableMulticast.class.isAssignableFrom(type)
                    || UNICAST3.class.isAssignableFrom(type) || ReliableUnicast.class.isAssignableFrom(type))) {
                reliable = i;
            }
        }
        if (reliable < 0) {
            throw new IllegalArgumentException("stack: \"" + stack + "\" has no NAKACK2, NAKACK4, UNICAST3 or"
                    + " UNICAST4 (expected one when a cluster secret or keystore is set: encryption goes right below"
                    + " it)");
        }
        // The list runs from the transport up: inserting at an index puts the protocol below the one there.
        protocols.add(reliable, new ProtocolConfiguration(RefusalPassingSymEncrypt.class.getName(), new HashMap<>()));
        protocols.add(reliable, new ProtocolConfiguration(JoinAuth.class.getName(), new HashMap<>()));
    }

    private static List<ProtocolConfiguration> parse(String stack) {
        if (stack == null || stack.isBlank()) {
            throw unknownStack(stack, null);
        }
        String bundled = stack.trim().toLowerCase(Locale.ROOT);
        if (BUNDLED_STACKS.contains(bundled)) {
            String resource = STACK_RESOURCE_DIR + bundled + ".xml";
            try (InputStream in = JGroupsStacks.class.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException("bundled stack " + bundled + " is missing: " + resource);
                }
                return new ArrayList<>(XmlConfigurator.getInstance(in).getProtocolStack());
            } catch (IOException e) {
                throw new IllegalStateException("bundled stack " + bundled + " is unreadable: " + resource, e);
            }
        }
        InputStream in;
        try {
            // A file, then a URL, then a class path resource; null when none of them exists.
            in = ConfiguratorFactory.getConfigStream(stack);
        } catch (IOException e) {
            throw unknownStack(stack, e);
        }
        if (in == null) {
            throw unknownStack(stack, null);
        }
        try (in) {
            return new ArrayList<>(XmlConfigurator.getInstance(in).getProtocolStack());
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "stack: \"" + stack + "\" (expected a JGroups XML configuration: " + e.getMessage() + ")", e);
        }
    }

    private static IllegalArgumentException unknownStack(String stack, Exception cause) {
        String value = stack == null ? "null" : "\"" + stack + "\"";
        String reason = cause == null ? "" : "; reading it failed: " + cause;
        return new IllegalArgumentException("stack: " + value + " (expected one of " + String.join(", ", BUNDLED_STACKS)
                + ", or the path, class path resource or URL of a readable JGroups XML file" + reason + ")", cause);
    }

    /**
     * Rewrites the attribute maps for {@code settings}; returns the resolved bind address the hook must also set, or
     * {@code null} if the stack keeps its own.
     */
    private static InetAddress applySettings(String stack, List<ProtocolConfiguration> protocols,
            StackSettings settings) {
        ProtocolConfiguration transport = null;
        Class<? extends Protocol> transportClass = null;
        ProtocolConfiguration tcpPing = null;
        ProtocolConfiguration dnsPing = null;
        List<ProtocolConfiguration> fdSocks = new ArrayList<>();
        for (ProtocolConfiguration protocol : protocols) {
            Class<? extends Protocol> type = protocolClass(protocol);
            if (type == null) {
                continue;
            }
            if (transport == null && TP.class.isAssignableFrom(type)) {
                transport = protocol;
                transportClass = type;
            } else if (tcpPing == null && TCPPING.class.isAssignableFrom(type)) {
                tcpPing = protocol;
            } else if (dnsPing == null && DNS_PING.class.isAssignableFrom(type)) {
                dnsPing = protocol;
            } else if (FD_SOCK2.class.isAssignableFrom(type)) {
                fdSocks.add(protocol);
            }
        }
        if (transport == null) {
            // No transport is JGroups' own configuration error; let it report that with its own words.
            return null;
        }
        Map<String, String> transportProps = transport.getProperties();
        transportProps.put("diag.enabled", "false");
        InetAddress bindAddress = null;
        if (!SHARED_LOOPBACK.class.isAssignableFrom(transportClass)) {
            if (settings.bindAddress() != null) {
                bindAddress = resolveBindAddress(settings.bindAddress());
                // Also in the maps: JGroups derives the IP version of the stack from the transport's value.
                transportProps.put("bind_addr", settings.bindAddress());
                fdSocks.forEach(fd -> fd.getProperties().put("bind_addr", settings.bindAddress()));
            }
            if (settings.bindPort() != 0) {
                transportProps.put("bind_port", Integer.toString(settings.bindPort()));
                transportProps.put("port_range", "0");
            }
        }
        if (!settings.initialMembers().isEmpty()) {
            if (tcpPing == null) {
                throw new IllegalArgumentException("initialMembers: " + settings.initialMembers() + " (stack \""
                        + stack + "\" has no TCPPING to use them; expected an empty list)");
            }
            tcpPing.getProperties().put("initial_hosts", toInitialHosts(settings.initialMembers()));
            tcpPing.getProperties().put("port_range", "0");
        }
        if (settings.hasDns()) {
            if (dnsPing == null) {
                throw new IllegalArgumentException("dnsQuery, dnsAddress, dnsRecordType: " + settings.dnsQuery() + ", "
                        + settings.dnsAddress() + ", " + settings.dnsRecordType() + " (stack \"" + stack
                        + "\" has no DNS_PING to use them; expected none, or the kubernetes stack)");
            }
            Map<String, String> dnsProps = dnsPing.getProperties();
            if (settings.dnsQuery() != null) {
                dnsProps.put("dns_query", settings.dnsQuery());
            }
            if (settings.dnsAddress() != null) {
                dnsProps.put("dns_address", settings.dnsAddress());
            }
            if (settings.dnsRecordType() != null) {
                dnsProps.put("dns_record_type", settings.dnsRecordType());
            }
        }
        return bindAddress;
    }

    /**
     * Resolves a bind address as JGroups' attribute converter does: a comma-separated list of IP addresses, host
     * names or symbolic values ({@code site_local}, {@code match-interface:eth0}, ...), the first that resolves wins.
     */
    private static InetAddress resolveBindAddress(String value) {
        StackType ipVersion = Util.getIpStackType();
        Exception failure = null;
        for (String candidate : value.split(",")) {
            try {
                InetAddress address = Util.getAddress(candidate.trim(), ipVersion);
                if (address != null) {
                    return address;
                }
            } catch (Exception e) {
                failure = e;
            }
        }
        throw new IllegalArgumentException("bindAddress: \"" + value + "\" (expected an IP address, host name or"
                + " JGroups symbolic address that resolves to an address of this machine"
                + (failure == null ? "" : "; " + failure) + ")", failure);
    }

    private static Class<? extends Protocol> protocolClass(ProtocolConfiguration protocol) {
        try {
            return protocol.loadProtocolClass(JGroupsStacks.class);
        } catch (Exception | LinkageError e) {
            // An unknown protocol: JGroups names it when it builds the stack.
            return null;
        }
    }

    /** Converts validated {@code host:port} entries to TCPPING's {@code host[port],host2[port2]}. */
    static String toInitialHosts(List<String> members) {
        return members.stream().map(JGroupsStacks::parseMember).map(m -> m.host() + "[" + m.port() + "]")
                .collect(Collectors.joining(","));
    }

    /**
     * Parses one {@code host:port} entry of {@link StackSettings#initialMembers()}; an IPv6 address is written in
     * brackets ({@code [::1]:7800}) and returned without them.
     */
    static Member parseMember(String entry) {
        if (entry == null) {
            throw badMember(null, "host:port");
        }
        String trimmed = entry.trim();
        int colon = trimmed.lastIndexOf(':');
        if (colon <= 0 || colon == trimmed.length() - 1) {
            throw badMember(entry, "host:port");
        }
        String host = trimmed.substring(0, colon);
        String port = trimmed.substring(colon + 1);
        if (host.startsWith("[")) {
            if (host.length() < 3 || !host.endsWith("]")) {
                throw badMember(entry, "host:port");
            }
            host = host.substring(1, host.length() - 1);
        } else if (host.indexOf(':') >= 0) {
            throw badMember(entry, "host:port, with an IPv6 address in brackets: [addr]:port");
        }
        if (host.chars().anyMatch(c -> Character.isWhitespace(c) || c == ',' || c == '[' || c == ']')) {
            throw badMember(entry, "host:port");
        }
        if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw badMember(entry, "host:port");
        }
        int number = Integer.parseInt(port);
        if (number < 1 || number > 65535) {
            throw badMember(entry, "host:port with a port in 1..65535");
        }
        return new Member(host, number);
    }

    private static IllegalArgumentException badMember(String entry, String expected) {
        String value = entry == null ? "null" : "\"" + entry + "\"";
        return new IllegalArgumentException("initialMembers: " + value + " (expected " + expected + ")");
    }

    /**
     * Checks a DNS query: one DNS name, or several separated by commas (DNS_PING asks for each).
     *
     * @return {@code query} without spaces around its names
     * @throws IllegalArgumentException naming the value and what was expected
     */
    public static String checkDnsQuery(String query) {
        String expected = "expected a DNS name such as tessera-headless.default.svc.cluster.local, or several"
                + " separated by commas";
        if (query == null) {
            throw new IllegalArgumentException("dnsQuery: null (" + expected + ")");
        }
        List<String> names = new ArrayList<>();
        for (String part : query.split(",", -1)) {
            String name = part.strip();
            if (name.isEmpty() || !name.chars().allMatch(c -> c < 128 && (Character.isLetterOrDigit(c)
                    || c == '.' || c == '-' || c == '_'))) {
                throw new IllegalArgumentException("dnsQuery: \"" + query + "\" (" + expected + ")");
            }
            names.add(name);
        }
        return String.join(",", names);
    }

    /**
     * Checks the address of a DNS server as DNS_PING's {@code dns_address} takes it: {@code host} or
     * {@code host:port} ({@code [addr]:port} for IPv6), which it asks through JNDI as {@code dns://<address>}.
     *
     * @throws IllegalArgumentException naming the value and what was expected
     */
    public static String checkDnsAddress(String address) {
        String expected = "expected host or host:port of a DNS server, such as 10.96.0.10 or 127.0.0.1:5353,"
                + " without dns://";
        if (address == null || address.isBlank() || address.contains("/")
                || address.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("dnsAddress: " + (address == null ? "null" : "\"" + address + "\"")
                    + " (" + expected + ")");
        }
        boolean bracketed = address.startsWith("[");
        int colon = bracketed ? address.indexOf("]:") + 1 : address.lastIndexOf(':');
        if (bracketed && !address.endsWith("]") && colon <= 0) {
            throw new IllegalArgumentException("dnsAddress: \"" + address + "\" (" + expected + ")");
        }
        if (!bracketed && address.indexOf(':') != colon) {
            throw new IllegalArgumentException("dnsAddress: \"" + address + "\" (" + expected
                    + "; an IPv6 address in brackets: [addr]:port)");
        }
        if (colon > 0) {
            String port = address.substring(colon + 1);
            if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(c -> c >= '0' && c <= '9')
                    || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
                throw new IllegalArgumentException("dnsAddress: \"" + address + "\" (" + expected
                        + ", with a port in 1..65535)");
            }
        }
        return address;
    }

    /**
     * Checks a DNS record type DNS_PING asks for: {@code A} (or {@code AAAA}), whose addresses it probes on the
     * transport's own port, or {@code SRV}, whose records also carry each member's port.
     *
     * @return the type in upper case
     * @throws IllegalArgumentException naming the value and what was expected
     */
    public static String checkDnsRecordType(String type) {
        String upper = type == null ? null : type.strip().toUpperCase(Locale.ROOT);
        if (!DNS_RECORD_TYPES.contains(upper)) {
            throw new IllegalArgumentException("dnsRecordType: " + (type == null ? "null" : "\"" + type + "\"")
                    + " (expected one of " + String.join(", ", DNS_RECORD_TYPES) + ")");
        }
        return upper;
    }

    /** One parsed {@code host:port} entry. */
    record Member(String host, int port) {
    }

    /**
     * Hands the rewritten protocol configurations to {@link JChannel#JChannel(ProtocolStackConfigurator)}; once the
     * attributes are assigned (and before {@code init()}), sets {@code bindAddress} (unless null) on the transport and
     * FD_SOCK2, and gives a DNS_PING that has a {@code dns_address} a {@link ServerDnsResolver}.
     */
    private record PreparedStack(List<ProtocolConfiguration> protocols, InetAddress bindAddress, ClusterKeys keys,
                                 String clusterName) implements ProtocolStackConfigurator {

        @Override
        public void afterCreation(Protocol protocol) throws Exception {
            if (protocol instanceof RefusalPassingSymEncrypt encrypt) {
                encrypt.keys(keys);
            } else if (protocol instanceof JoinAuth auth) {
                auth.keys(keys, clusterName);
            }
            if (protocol instanceof DNS_PING dnsPing) {
                String address = dnsPing.dnsAddress();
                if (address != null && !address.isEmpty() && dnsPing.dnsResolver() == null) {
                    dnsPing.dnsResolver(new ServerDnsResolver(dnsPing.dnsContextFactory(), address));
                }
            }
            if (bindAddress == null) {
                return;
            }
            if (protocol instanceof TP transport) {
                transport.setBindAddress(bindAddress);
            } else if (protocol instanceof FD_SOCK2 failureDetection) {
                failureDetection.setBindAddress(bindAddress);
            }
        }

        @Override
        public String getProtocolStackString() {
            return protocols.stream().map(ProtocolConfiguration::getProtocolString).collect(Collectors.joining(":"));
        }

        @Override
        public List<ProtocolConfiguration> getProtocolStack() {
            return protocols;
        }
    }

    /**
     * Per-channel settings for {@link JGroupsStacks#createChannel}; a {@code null}, {@code 0} or empty component
     * keeps the stack's own value.
     *
     * <p>To run several TCP members in one JVM or on one machine without clashes, a test picks a free port range
     * at run time (for example a random base in 20000..40000 whose ports it has checked with a
     * {@link java.net.ServerSocket}), gives member {@code i} the bind port {@code base + i} (each binds exactly
     * that port), and lists {@code 127.0.0.1:base .. 127.0.0.1:base+n-1} as initial members. With the bundled TCP
     * stacks, FD_SOCK2 also listens on the bind port + 100.
     *
     * @param bindAddress the address the transport and FD_SOCK2 bind to: an IP address, a host name or a JGroups
     *     symbolic value ({@code site_local}, {@code match-interface:eth0}, ...); {@code null} keeps the stack's
     *     ({@code tcp}: {@code -Djgroups.bind_addr}, else {@code 127.0.0.1}); ignored by {@code local}
     * @param bindPort the port the transport binds, exactly (its port range becomes 0), in {@code 1..65535}; {@code 0}
     *     keeps the stack's ({@code tcp}: the first free one of 7800..7810); ignored by {@code local}
     * @param initialMembers the members TCPPING contacts, as {@code host:port} (IPv6 as {@code [addr]:port}), each
     *     exactly that port; empty keeps the stack's ({@code tcp}: {@code 127.0.0.1:7800} and the 10 ports after
     *     it); must be empty for a stack without TCPPING; {@code null} means empty
     * @param dnsQuery the DNS name(s) DNS_PING asks, comma-separated ({@link #checkDnsQuery}); {@code null} keeps the
     *     stack's ({@code kubernetes}: {@code -Dtessera.kubernetes.dns_query}, else
     *     {@code tessera-headless.default.svc.cluster.local}); must be {@code null} for a stack without DNS_PING
     * @param dnsAddress the DNS server DNS_PING asks, {@code host[:port]} ({@link #checkDnsAddress}); {@code null}
     *     keeps the stack's ({@code kubernetes}: {@code -Dtessera.kubernetes.dns_address}, else none: the system's
     *     resolver, which in a pod is the cluster DNS); must be {@code null} for a stack without DNS_PING
     * @param dnsRecordType {@code A}, {@code AAAA} or {@code SRV} ({@link #checkDnsRecordType}); {@code null} keeps
     *     the stack's ({@code kubernetes}: {@code -Dtessera.kubernetes.dns_record_type}, else {@code A}); must be
     *     {@code null} for a stack without DNS_PING
     */
    public record StackSettings(String bindAddress, int bindPort, List<String> initialMembers, String dnsQuery,
                                String dnsAddress, String dnsRecordType) {

        private static final StackSettings DEFAULTS = new StackSettings(null, 0, List.of());

        /**
         * Validates and copies the settings.
         *
         * @param bindAddress see {@link StackSettings}; {@code null} for the stack's
         * @param bindPort see {@link StackSettings}; {@code 0} for the stack's
         * @param initialMembers see {@link StackSettings}; {@code null} or empty for the stack's
         * @param dnsQuery see {@link StackSettings}; {@code null} for the stack's
         * @param dnsAddress see {@link StackSettings}; {@code null} for the stack's
         * @param dnsRecordType see {@link StackSettings}; {@code null} for the stack's
         * @throws IllegalArgumentException naming the parameter, its value and what was expected
         */
        public StackSettings {
            if (bindAddress != null && (bindAddress.isBlank() || !bindAddress.strip().equals(bindAddress))) {
                throw new IllegalArgumentException("bindAddress: \"" + bindAddress + "\" (expected null for the"
                        + " stack's default, or an IP address, host name or JGroups symbolic address such as"
                        + " site_local, without surrounding spaces)");
            }
            if (bindPort < 0 || bindPort > 65535) {
                throw new IllegalArgumentException(
                        "bindPort: " + bindPort + " (expected 1..65535, or 0 for the stack's default)");
            }
            if (initialMembers == null) {
                initialMembers = List.of();
            } else {
                initialMembers.forEach(JGroupsStacks::parseMember);
                initialMembers = List.copyOf(initialMembers);
            }
            dnsQuery = dnsQuery == null ? null : checkDnsQuery(dnsQuery);
            dnsAddress = dnsAddress == null ? null : checkDnsAddress(dnsAddress);
            dnsRecordType = dnsRecordType == null ? null : checkDnsRecordType(dnsRecordType);
        }

        /**
         * Settings without DNS discovery values; see {@link StackSettings}.
         *
         * @param bindAddress see {@link StackSettings}; {@code null} for the stack's
         * @param bindPort see {@link StackSettings}; {@code 0} for the stack's
         * @param initialMembers see {@link StackSettings}; {@code null} or empty for the stack's
         * @throws IllegalArgumentException naming the parameter, its value and what was expected
         */
        public StackSettings(String bindAddress, int bindPort, List<String> initialMembers) {
            this(bindAddress, bindPort, initialMembers, null, null, null);
        }

        /** Whether any DNS discovery value is set. */
        boolean hasDns() {
            return dnsQuery != null || dnsAddress != null || dnsRecordType != null;
        }

        /**
         * Returns settings that keep every value of the stack.
         *
         * @return the settings {@code (null, 0, [])}
         */
        public static StackSettings defaults() {
            return DEFAULTS;
        }
    }
}
