package io.tessera.grid.internal.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.util.ArrayList;
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
import org.jgroups.protocols.FD_SOCK2;
import org.jgroups.protocols.SHARED_LOOPBACK;
import org.jgroups.protocols.TCPPING;
import org.jgroups.protocols.TP;
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
 *   <li>{@code kubernetes}: TCP with DNS discovery of a headless Service
 *       ({@code -Dtessera.kubernetes.dns_query=<service>.<namespace>.svc.cluster.local}).
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
     *       {@code port_range} 0, so each entry names exactly one member.
     * </ul>
     * Bind address and port do not apply to an in-JVM transport (SHARED_LOOPBACK, stack {@code local}) and are
     * ignored there.
     *
     * @param stack a bundled stack name ({@link #BUNDLED_STACKS}, any letter case), or the file system path, class
     *     path resource or URL of a JGroups XML configuration
     * @param settings the per-channel settings; {@link StackSettings#defaults()} keeps the stack's own values
     * @return a new channel, not connected; the caller closes it
     * @throws IllegalArgumentException if {@code stack} is neither a bundled name nor a readable JGroups XML, if
     *     {@code settings} name initial members but the stack has no TCPPING, or if JGroups rejects the resulting
     *     configuration; the message names the offending value
     */
    public static JChannel createChannel(String stack, StackSettings settings) {
        Objects.requireNonNull(settings, "settings");
        List<ProtocolConfiguration> protocols = parse(stack);
        InetAddress bindAddress = applySettings(stack, protocols, settings);
        JChannel channel;
        try {
            channel = new JChannel(new PreparedStack(protocols, bindAddress));
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

    /** One parsed {@code host:port} entry. */
    record Member(String host, int port) {
    }

    /**
     * Hands the rewritten protocol configurations to {@link JChannel#JChannel(ProtocolStackConfigurator)}, and sets
     * {@code bindAddress} (unless null) on the transport and FD_SOCK2 once their attributes are assigned.
     */
    private record PreparedStack(List<ProtocolConfiguration> protocols, InetAddress bindAddress)
            implements ProtocolStackConfigurator {

        @Override
        public void afterCreation(Protocol protocol) {
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
     */
    public record StackSettings(String bindAddress, int bindPort, List<String> initialMembers) {

        private static final StackSettings DEFAULTS = new StackSettings(null, 0, List.of());

        /**
         * Validates and copies the settings.
         *
         * @param bindAddress see {@link StackSettings}; {@code null} for the stack's
         * @param bindPort see {@link StackSettings}; {@code 0} for the stack's
         * @param initialMembers see {@link StackSettings}; {@code null} or empty for the stack's
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
