package io.tessera.redis.chaos;

import io.tessera.grid.Grid;
import io.tessera.grid.internal.GridNode;
import io.tessera.redis.RespServer;
import io.tessera.redis.internal.launcher.Launcher;
import io.tessera.redis.internal.launcher.NodeSettings;
import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jgroups.Address;
import org.jgroups.protocols.DISCARD;
import org.jgroups.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One member process of a chaos run: the standalone server's own settings ({@link Launcher} and
 * {@link NodeSettings}, the same flags as {@code tessera-server}), a real grid member and the real RESP server, plus
 * a line-command channel on stdin through which the harness drives the member's JGroups {@code DISCARD}.
 *
 * <p>It builds the grid itself instead of calling {@code StandaloneNode.start}, because the launcher does not hand
 * out its {@link Grid}, and the harness needs the grid's channel (for DISCARD) and its partition engine (for
 * STATUS). What runs is what {@code StandaloneNode} runs: {@code settings.gridBuilder()} (with the chaos counter
 * processor registered besides the RESP server's types) and {@code RespServer.start(grid, settings.serverConfig())}.
 * It has no shutdown hook: the harness only ever kills it.
 *
 * <p>Commands, one per line, each prefixed by a request id; each answered with exactly one stdout line
 * {@code @@ <id> <reply>}:
 * <ul>
 *   <li>{@code CUT uuid,uuid,...}: drop every message from those members, until HEAL &rarr; {@code CUT n}
 *   <li>{@code HEAL}: drop nothing any more &rarr; {@code HEALED}
 *   <li>{@code STATUS}: {@code STATUS } and a {@link MemberStatus#format()} line
 *   <li>{@code PING} &rarr; {@code PONG}
 * </ul>
 * When stdin closes (the harness JVM died) the process halts at once, as after a crash.
 */
public final class ChaosMember {
    /** The prefix of every line the harness reads; everything else is log. */
    static final String REPLY = "@@ ";
    private static final long STATUS_SERVED_TIMEOUT_MILLIS = 3_000;

    private ChaosMember() {
    }

    public static void main(String[] args) throws Exception {
        setIfAbsent("org.slf4j.simpleLogger.showDateTime", "true");
        setIfAbsent("org.slf4j.simpleLogger.dateTimeFormat", "HH:mm:ss.SSS");
        setIfAbsent("org.slf4j.simpleLogger.showShortLogName", "true");
        Logger log = LoggerFactory.getLogger(ChaosMember.class);
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
        Launcher.Parsed parsed = Launcher.parse(args, System.getenv(), err, err);
        if (parsed.settings() == null) {
            out.println(REPLY + "0 FAILED bad arguments");
            System.exit(parsed.exitCode());
            return;
        }
        NodeSettings settings = parsed.settings();
        log.info("starting chaos member: {}", settings);
        Grid grid;
        RespServer server;
        DISCARD discard;
        try {
            grid = settings.gridBuilder().serialization(ChaosTypes.serialization()).start();
            server = RespServer.start(grid, settings.serverConfig());
            discard = ChaosStack.discardOf(grid);
        } catch (RuntimeException e) {
            log.error("cannot start", e);
            out.println(REPLY + "0 FAILED " + String.valueOf(e).replace('\n', ' '));
            System.exit(1);
            return;
        }
        GridNode node = (GridNode) grid;
        // The same line StandaloneNode logs, so the logs read alike.
        log.info("node {} ready: RESP on {}:{}, cluster '{}' with {} members", grid.localMember().name(),
                settings.bind(), server.port(), grid.clusterName(), grid.members().size());
        out.println(REPLY + "0 READY name=" + grid.localMember().name() + " address="
                + ((UUID) node.address()).toStringLong() + " pid=" + ProcessHandle.current().pid() + " resp="
                + server.port() + " view=" + node.cluster().view().size());
        serve(node, discard, out, log);
    }

    private static void serve(GridNode node, DISCARD discard, PrintStream out, Logger log) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        ExecutorService statusThread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "chaos-status");
            t.setDaemon(true);
            return t;
        });
        String line;
        while ((line = in.readLine()) != null) {
            String[] words = line.strip().split("\\s+", 3);
            if (words.length < 2) {
                continue;
            }
            String id = words[0];
            String command = words[1];
            String argument = words.length > 2 ? words[2] : "";
            if (command.equals("STATUS")) {
                // Waits for every partition thread: off the command thread, so a CUT or HEAL is never queued
                // behind it.
                statusThread.execute(() -> answer(out, id, command, argument, node, discard, log));
            } else {
                answer(out, id, command, argument, node, discard, log);
            }
        }
        log.info("stdin closed (the harness is gone); halting");
        Runtime.getRuntime().halt(3);
    }

    private static void answer(PrintStream out, String id, String command, String argument, GridNode node,
                               DISCARD discard, Logger log) {
        String reply;
        try {
            reply = execute(command, argument, node, discard, log);
        } catch (RuntimeException e) {
            log.warn("command {} {} failed", command, argument, e);
            reply = "ERR " + String.valueOf(e).replace('\n', ' ');
        }
        out.println(REPLY + id + " " + reply);
    }

    private static String execute(String command, String argument, GridNode node, DISCARD discard, Logger log) {
        switch (command) {
            case "CUT": {
                List<Address> cut = new ArrayList<>();
                for (String uuid : argument.split(",")) {
                    if (!uuid.isBlank()) {
                        cut.add(UUID.fromString(uuid.trim()));
                    }
                }
                discard.addIgnoredMembers(cut.toArray(new Address[0]));
                log.warn("chaos: CUT, dropping every message from {}", cut.stream().map(node.cluster()::nameOf)
                        .toList());
                return "CUT " + cut.size();
            }
            case "HEAL":
                discard.resetIgnoredMembers();
                log.warn("chaos: HEAL, dropping nothing");
                return "HEALED";
            case "STATUS":
                return "STATUS " + MemberStatus.of(node, STATUS_SERVED_TIMEOUT_MILLIS).format();
            case "PING":
                return "PONG";
            default:
                return "ERR unknown command " + command;
        }
    }

    private static void setIfAbsent(String property, String value) {
        if (System.getProperty(property) == null) {
            System.setProperty(property, value);
        }
    }
}
