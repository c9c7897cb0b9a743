package io.tessera.redis;

import io.tessera.redis.internal.launcher.Launcher;
import io.tessera.redis.internal.launcher.StandaloneNode;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import org.slf4j.LoggerFactory;

/**
 * The standalone Redis-compatible node: {@code java -jar tessera-server.jar --port 6379}. It joins the grid named
 * by {@code --cluster-name} and serves RESP; every node serves every key.
 *
 * <p>Settings ({@code --help} lists them) come from a config file ({@code --config}, {@code .properties} or
 * {@code .yml}), then {@code TESSERA_*} environment variables, then flags; the later wins. A bad setting prints a
 * message naming it and exits with 2. SIGTERM and the {@code SHUTDOWN} command leave the cluster gracefully: the
 * node hands its partitions off before it exits. On SIGTERM the JVM reports exit code 143 (128 + 15), as every JVM
 * does after running its shutdown hooks; {@code SHUTDOWN} exits with 0.
 */
public final class TesseraServer {
    private TesseraServer() {
    }

    /**
     * Parses the settings, starts the node, and returns only once it has stopped; exits the JVM with 0 after
     * {@code --help}/{@code --version}, 2 on a bad setting and 1 if the node cannot start.
     *
     * @param args the command-line flags; {@code --help} lists them
     */
    public static void main(String[] args) {
        configureSimpleLogger();
        Charset console = Charset.defaultCharset();
        PrintWriter out = new PrintWriter(new java.io.OutputStreamWriter(System.out, console), true);
        PrintWriter err = new PrintWriter(new java.io.OutputStreamWriter(System.err, console), true);
        Launcher.Parsed parsed = Launcher.parse(args, System.getenv(), out, err);
        if (parsed.settings() == null) {
            System.exit(parsed.exitCode());
            return;
        }
        StandaloneNode node;
        try {
            node = StandaloneNode.start(parsed.settings());
        } catch (RuntimeException e) {
            LoggerFactory.getLogger(TesseraServer.class).error("cannot start: {}", e.getMessage(), e);
            System.exit(Launcher.EXIT_FAILURE);
            return;
        }
        node.awaitStopped();
    }

    /** slf4j-simple reads these once, at its first logger: timestamps and short names unless the user chose. */
    private static void configureSimpleLogger() {
        setIfAbsent("org.slf4j.simpleLogger.showDateTime", "true");
        setIfAbsent("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd HH:mm:ss.SSS");
        setIfAbsent("org.slf4j.simpleLogger.showShortLogName", "true");
    }

    private static void setIfAbsent(String property, String value) {
        if (System.getProperty(property) == null) {
            System.setProperty(property, value);
        }
    }
}
