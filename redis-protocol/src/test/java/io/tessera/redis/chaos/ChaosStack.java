package io.tessera.redis.chaos;

import io.tessera.grid.Grid;
import io.tessera.grid.internal.GridNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jgroups.protocols.DISCARD;
import org.jgroups.protocols.TP;
import org.jgroups.stack.Protocol;

/**
 * The JGroups stack of a chaos cluster: the bundled {@code tcp} stack, read from grid-core's jar at run time so it
 * never drifts from what users run, with a {@code DISCARD} protocol inserted right above the transport. DISCARD
 * passes everything until told to drop the messages from some members ({@code CUT}), which is how a network
 * partition is made between processes on one machine without touching the host's network. FD_SOCK2's own sockets
 * stay connected during a cut, so a cut is detected by FD_ALL3 (6 s), as a real partition would be.
 */
final class ChaosStack {
    private static final String BUNDLED_TCP = "/io/tessera/grid/stacks/tcp.xml";

    private ChaosStack() {
    }

    /** Writes {@code chaos-tcp.xml} into {@code dir} and returns its absolute path (for {@code --stack}). */
    static Path write(Path dir) {
        String xml;
        try (InputStream in = Grid.class.getResourceAsStream(BUNDLED_TCP)) {
            if (in == null) {
                throw new IllegalStateException("the bundled stack " + BUNDLED_TCP + " is not on the class path");
            }
            xml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int tcp = xml.indexOf("<TCP ");
        if (tcp < 0 || xml.indexOf("<TCP ", tcp + 1) >= 0) {
            throw new IllegalStateException("expected exactly one <TCP .../> element in " + BUNDLED_TCP);
        }
        int end = xml.indexOf("/>", tcp);
        if (end < 0 || xml.substring(tcp, end).contains(">")) {
            throw new IllegalStateException("the <TCP> element of " + BUNDLED_TCP + " is not an empty element");
        }
        String withDiscard = xml.substring(0, end + 2)
                + "\n    <!-- chaos harness: drops messages from the members CUT names, until HEAL -->\n    <DISCARD/>"
                + xml.substring(end + 2);
        Path file = dir.resolve("chaos-tcp.xml").toAbsolutePath();
        try {
            Files.writeString(file, withDiscard, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    /** The DISCARD protocol of {@code grid}'s channel; fails unless it sits right above the transport. */
    static DISCARD discardOf(Grid grid) {
        Protocol transport = ((GridNode) grid).cluster().channel().getProtocolStack().getTransport();
        Protocol above = transport.getUpProtocol();
        if (!(above instanceof DISCARD discard)) {
            throw new IllegalStateException("expected DISCARD right above " + transport.getName() + ", found "
                    + (above == null ? "nothing" : above.getName()) + ": start the member with the chaos stack");
        }
        if (!(transport instanceof TP)) {
            throw new IllegalStateException("unexpected transport " + transport);
        }
        return discard;
    }
}
