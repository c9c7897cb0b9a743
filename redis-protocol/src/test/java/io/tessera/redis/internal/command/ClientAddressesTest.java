package io.tessera.redis.internal.command;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Inet6Address;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import org.junit.jupiter.api.Test;

/** Which client addresses protected mode counts as local: loopback only, in every form a socket reports it. */
class ClientAddressesTest {
    private static SocketAddress client(String ip) throws UnknownHostException {
        return new InetSocketAddress(InetAddress.getByName(ip), 50_000);
    }

    @Test
    void loopbackAddresses_areLocal() throws UnknownHostException {
        assertThat(ClientAddresses.isLocal(client("127.0.0.1"))).isTrue();
        assertThat(ClientAddresses.isLocal(client("127.20.30.40"))).isTrue();
        assertThat(ClientAddresses.isLocal(client("::1"))).isTrue();
    }

    @Test
    void ipv4MappedLoopback_keptAsIpv6_isLocal_butMappedOthersAreNot() throws UnknownHostException {
        byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 127, 0, 0, 1};
        assertThat(ClientAddresses.isLocal(new InetSocketAddress(Inet6Address.getByAddress(null, mapped, -1), 1)))
                .isTrue();
        byte[] mappedRemote = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 10, 0, 0, 1};
        assertThat(ClientAddresses.isLocal(new InetSocketAddress(Inet6Address.getByAddress(null, mappedRemote, -1),
                1))).isFalse();
    }

    @Test
    void otherAddresses_areNotLocal_evenThisMachinesOwn() throws UnknownHostException {
        assertThat(ClientAddresses.isLocal(client("192.0.2.2"))).isFalse();
        assertThat(ClientAddresses.isLocal(client("10.0.0.7"))).isFalse();
        assertThat(ClientAddresses.isLocal(client("0.0.0.0"))).isFalse();
        assertThat(ClientAddresses.isLocal(client("fe80::1"))).isFalse();
        assertThat(ClientAddresses.isLocal(client("2001:db8::1"))).isFalse();
        assertThat(ClientAddresses.isLocal(InetSocketAddress.createUnresolved("localhost", 1))).isFalse();
    }

    @Test
    void anInJvmChannelAddress_isLocal() {
        assertThat(ClientAddresses.isLocal(new SocketAddress() { })).isTrue();
    }
}
