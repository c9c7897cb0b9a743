package io.tessera.examples.session;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The session demo's command line: one node, an embedded Jetty 12 (ee10) serving {@code /}, {@code /counter},
 * {@code /cart} and {@code /attrs}, with an embedded grid member that keeps the sessions ({@code --container tomcat}:
 * an embedded Tomcat 11 with {@code TesseraSessionFilter}). Start one per process:
 *
 * <pre>
 * java -cp examples/target/tessera-examples.jar io.tessera.examples.session.SessionDemo \
 *      --node-name node1 --http-port 8081 --grid-port 7800 --members 127.0.0.1:7800,127.0.0.1:7801
 * java -cp examples/target/tessera-examples.jar io.tessera.examples.session.SessionDemo \
 *      --node-name node2 --http-port 8082 --grid-port 7801 --members 127.0.0.1:7800,127.0.0.1:7801
 * </pre>
 *
 * <p>When the node serves, it prints {@code session demo <name> ready: http://<host>:<port>/ ...}. SIGTERM (Ctrl-C)
 * stops Jetty, then leaves the grid gracefully (its partitions are handed off first); {@code kill -9} is a crash,
 * which the other nodes survive with every session. Exit codes: 0 after a normal stop or {@code --help}, 1 when the
 * node cannot start, 2 on a bad option.
 */
@Command(name = "session-demo", mixinStandardHelpOptions = true, sortOptions = false,
        version = "Tessera session demo",
        description = "One node of the Tessera session demo: an embedded Jetty 12 (or Tomcat 11) whose HTTP"
                + " sessions live in an embedded grid member, so that any node can serve any request and a node may"
                + " crash.",
        footer = {"", "Pages: / (home), /counter (plain-text count), /cart (HTML cart), /attrs (ten attributes, one"
                + " changed per request). Every response names its node in the X-Tessera-Node header."})
public final class SessionDemo implements Callable<Integer> {

    /** The servlet container. */
    public enum Container {
        /** Jetty 12, ee10 (Servlet 6.0). */
        JETTY,
        /** Tomcat 11 (Servlet 6.1). */
        TOMCAT
    }

    /** Where sessions are kept. */
    public enum Sessions {
        /**
         * In the grid, through the container's own Tessera integration: on Jetty, Tessera's session data store under
         * Jetty's session handling; on Tomcat, which has none, the same as {@link #FILTER}.
         */
        TESSERA,
        /** In the grid, through Tessera's container-neutral {@code TesseraSessionFilter}. */
        FILTER,
        /** The container's default: in this node's memory only (no grid member is started). */
        MEMORY
    }

    /** Jetty's session cache in front of the grid (only with {@code --sessions tessera}). */
    public enum Cache {
        /**
         * {@code NullSessionCache}: every request loads the session from the grid; for load balancers that are not
         * sticky (the default).
         */
        NULL,
        /**
         * {@code DefaultSessionCache} with {@code EVICT_ON_SESSION_EXIT}: concurrent requests on one node share one
         * session object, which is dropped when the last of them leaves; also safe without stickiness.
         */
        EVICT,
        /**
         * {@code DefaultSessionCache} that keeps sessions (Jetty's default): only with a sticky load balancer, since a
         * node never learns of changes made by another.
         */
        KEEP
    }

    @Option(names = "--node-name", paramLabel = "NAME",
            description = "This node's name: the X-Tessera-Node header, Jetty's session worker name and the grid"
                    + " member's name (letters and digits). Default: node<http-port>.")
    String nodeName;

    @Option(names = "--http-host", paramLabel = "HOST", defaultValue = "127.0.0.1",
            description = "The address Jetty listens on. Default: ${DEFAULT-VALUE}.")
    String httpHost;

    @Option(names = "--http-port", paramLabel = "PORT", defaultValue = "8080",
            description = "The HTTP port (0: a free one, printed when ready). Default: ${DEFAULT-VALUE}.")
    int httpPort;

    @Option(names = "--container", paramLabel = "jetty|tomcat", defaultValue = "jetty",
            description = "The servlet container: jetty (Jetty 12 ee10) or tomcat (Tomcat 11)."
                    + " Default: ${DEFAULT-VALUE}.")
    Container container;

    @Option(names = "--sessions", paramLabel = "tessera|filter|memory", defaultValue = "tessera",
            description = "Where sessions are kept: tessera (the grid, through Tessera's Jetty session store on"
                    + " Jetty, through TesseraSessionFilter on Tomcat), filter (the grid, through"
                    + " TesseraSessionFilter) or memory (the container's default, this node only)."
                    + " Default: ${DEFAULT-VALUE}.")
    Sessions sessions;

    @Option(names = "--session-cache", paramLabel = "null|evict|keep", defaultValue = "null",
            description = "Jetty's session cache in front of Tessera's session store: null (reload every request),"
                    + " evict (share between concurrent requests, drop when the last leaves) or keep (sticky load"
                    + " balancers only). Default: ${DEFAULT-VALUE}.")
    Cache sessionCache;

    @Option(names = "--sticky",
            description = "TesseraSessionFilter only (--sessions filter, or tessera on Tomcat): behind a sticky load"
                    + " balancer, keep each session's copy between requests and check it with the grid only when"
                    + " another node changed it (SessionConfig.sticky). Without it, every request asks the grid.")
    boolean sticky;

    @Option(names = "--save-period", paramLabel = "SECONDS", defaultValue = "0",
            description = "Tessera's Jetty store only: how long a session whose attributes did not change may go"
                    + " without writing its access times (Jetty's savePeriod). 0 writes them at the end of every"
                    + " request, a second, metadata-only write after the one at response commit."
                    + " Default: ${DEFAULT-VALUE}.")
    int savePeriod;

    @Option(names = "--session-timeout", paramLabel = "SECONDS", defaultValue = "1800",
            description = "A session's max inactive interval (<= 0: never expires). Default: ${DEFAULT-VALUE}.")
    int sessionTimeout;

    @Option(names = "--cluster-name", paramLabel = "NAME", defaultValue = "tessera-sessions",
            description = "The grid cluster to join; only nodes with the same name share sessions."
                    + " Default: ${DEFAULT-VALUE}.")
    String clusterName;

    @Option(names = "--stack", paramLabel = "STACK", defaultValue = "tcp",
            description = "The JGroups stack: tcp, udp, kubernetes, local (one JVM) or an XML file."
                    + " Default: ${DEFAULT-VALUE}.")
    String stack;

    @Option(names = "--grid-bind", paramLabel = "HOST", defaultValue = "127.0.0.1",
            description = "The address the grid member binds. Default: ${DEFAULT-VALUE}.")
    String gridBind;

    @Option(names = "--grid-port", paramLabel = "PORT",
            description = "The grid member's port (default: the first free one of 7800..7810).")
    Integer gridPort;

    @Option(names = "--members", paramLabel = "HOST:PORT", split = ",",
            description = "The grid members to contact when joining, comma-separated (default 127.0.0.1:7800"
                    + " and the 10 ports after it).")
    List<String> members;

    private PrintWriter out;

    /**
     * Parses {@code args}, starts the node and serves until SIGTERM; exits with the code of the class comment.
     *
     * @param args the command line; {@code --help} lists the options
     */
    public static void main(String[] args) {
        System.exit(execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /** Runs the command line with {@code args}, printing to {@code out} and {@code err}; returns the exit code. */
    static int execute(PrintWriter out, PrintWriter err, String... args) {
        SessionDemo demo = new SessionDemo();
        demo.out = out;
        return commandLine(demo).setOut(out).setErr(err).execute(args);
    }

    /**
     * Returns the settings {@code args} give, for tests that start nodes in their own JVM.
     *
     * @param args the command line
     * @return the parsed settings
     * @throws picocli.CommandLine.ParameterException if {@code args} are malformed
     */
    public static SessionDemo parse(String... args) {
        SessionDemo demo = new SessionDemo();
        commandLine(demo).parseArgs(args);
        return demo;
    }

    private static CommandLine commandLine(SessionDemo demo) {
        return new CommandLine(demo).setCaseInsensitiveEnumValuesAllowed(true);
    }

    /**
     * Returns the node's name: {@code --node-name}, or {@code node<http-port>} (or {@code node<pid>} for port 0).
     *
     * @return the name, letters and digits only
     * @throws picocli.CommandLine.ParameterException if {@code --node-name} has other characters
     */
    public String nodeName() {
        String name = nodeName != null ? nodeName
                : "node" + (httpPort != 0 ? httpPort : ProcessHandle.current().pid());
        if (!name.matches("[A-Za-z0-9]+")) {
            throw new CommandLine.ParameterException(new CommandLine(this),
                    "--node-name: \"" + name + "\" (expected letters and digits only: it becomes part of the session"
                            + " cookie)");
        }
        return name;
    }

    @Override
    public Integer call() throws InterruptedException {
        SessionDemoNode node;
        try {
            node = SessionDemoNode.start(this);
        } catch (CommandLine.ParameterException e) {
            throw e;
        } catch (RuntimeException e) {
            out.println("session demo " + nodeName() + " cannot start: " + e);
            e.printStackTrace(out);
            return 1;
        }
        out.println("session demo " + node.name() + " ready: http://" + httpHost + ":" + node.httpPort()
                + "/ (" + node.description()
                + (node.grid() == null ? "" : "; grid member " + node.grid().localMember().name() + " of '"
                        + node.grid().clusterName() + "' with " + node.grid().members().size() + " member(s)")
                + ")");
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            out.println("session demo " + node.name() + " stopping");
            node.close();
            stopped.countDown();
        }, "session-demo-shutdown"));
        stopped.await();
        return 0;
    }
}
