package io.tessera.grid.internal.cluster;

import java.util.List;
import javax.naming.NamingException;
import org.jgroups.Address;
import org.jgroups.protocols.dns.AddressedDNSResolver;

/**
 * DNS_PING's resolver for a DNS server named by {@code dns_address}: every lookup goes to that server, the A records
 * of the names SRV records point to included.
 *
 * <p>JGroups 5.5.7's {@link AddressedDNSResolver} asks the given server for A and SRV records, but resolves an SRV
 * record's target with {@link java.net.InetAddress#getAllByName}, i.e. the system's resolver, which does not know the
 * names only that server serves (a Consul agent's {@code node.service.consul.}, a test's dnsmasq), nor finds a name of
 * {@code /etc/hosts} with the trailing dot every SRV target carries. Without {@code dns_address} (the Kubernetes
 * default, where the system's resolver is the cluster DNS) JGroups' own resolver is used unchanged.
 *
 * <p>Used by one DNS_PING, on the threads it discovers on; JNDI's DNS context is safe for that.
 */
final class ServerDnsResolver extends AddressedDNSResolver {

    /**
     * Creates a resolver asking {@code dns://<dnsAddress>} through {@code dnsContextFactory}.
     *
     * @throws NamingException if JNDI cannot create the context
     */
    ServerDnsResolver(String dnsContextFactory, String dnsAddress) throws NamingException {
        super(dnsContextFactory, dnsAddress);
    }

    /** Resolves an SRV record's target through the same server (A records), with the record's port. */
    @Override
    protected List<Address> resolveIPEntries(String name, String port) {
        return resolveAEntries(name, port);
    }
}
