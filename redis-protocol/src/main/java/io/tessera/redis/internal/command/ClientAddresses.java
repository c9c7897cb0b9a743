package io.tessera.redis.internal.command;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/** Where a client connects from, as protected mode sees it. */
public final class ClientAddresses {
    /**
     * Redis's {@code -DENIED} reply of 7.0 to a client that protected mode refuses, word for word (its typo
     * included) so that users can search for it.
     */
    public static final String PROTECTED_MODE_DENIED = "DENIED Redis is running in protected mode because protected"
            + " mode is enabled and no password is set for the default user. In this mode connections are only"
            + " accepted from the loopback interface. If you want to connect from external computers to Redis you may"
            + " adopt one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG SET"
            + " protected-mode no' from the loopback interface by connecting to Redis from the same host the server is"
            + " running, however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG"
            + " REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode by"
            + " editing the Redis configuration file, and setting the protected mode option to 'no', and then"
            + " restarting the server. 3) If you started the server manually just for testing, restart it with the"
            + " '--protected-mode no' option. 4) Setup a an authentication password for the default user. NOTE: You"
            + " only need to do one of the above things in order for the server to start accepting connections from"
            + " the outside.";

    private ClientAddresses() {
    }

    /**
     * Whether {@code remote} is a loopback client: 127.0.0.0/8, {@code ::1}, or an IPv4-mapped IPv6 form of
     * 127.0.0.0/8 (a dual-stack socket reports IPv4 clients so). An address that is not an IP socket address (an
     * in-JVM channel) counts as local: it cannot come from another host.
     */
    public static boolean isLocal(SocketAddress remote) {
        if (!(remote instanceof InetSocketAddress inet)) {
            return true;
        }
        InetAddress address = inet.getAddress();
        if (address == null) {
            return false; // unresolved: not a connected peer, so not provably local
        }
        if (address.isLoopbackAddress()) {
            return true;
        }
        byte[] bytes = address.getAddress();
        return bytes.length == 16 && isIpv4Mapped(bytes) && bytes[12] == 127;
    }

    /** {@code ::ffff:a.b.c.d}; Java normally turns these into Inet4Address already, but not every path does. */
    private static boolean isIpv4Mapped(byte[] bytes) {
        for (int i = 0; i < 10; i++) {
            if (bytes[i] != 0) {
                return false;
            }
        }
        return bytes[10] == (byte) 0xff && bytes[11] == (byte) 0xff;
    }
}
