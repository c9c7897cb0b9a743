package io.tessera.redis;

import static io.tessera.redis.testing.ServerProcesses.redisCli;
import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.grid.testing.MemberProcesses;
import io.tessera.redis.testing.ServerProcessesTestBase;
import io.tessera.redis.testing.ServerProcesses.ServerNode;
import io.tessera.redis.testing.ServerProcesses.ToolResult;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The launcher as a user meets it: the shaded {@code tessera-server.jar}, {@code --requirepass}, {@code --help} and
 * bad flags, each as a real process.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class TesseraServerIT extends ServerProcessesTestBase {
    /** Built by the package phase, which runs before failsafe's integration-test phase. */
    private static final Path SHADED_JAR = Path.of("target", "tessera-server.jar");

    @Test
    void shadedJar_servesRedisCliAndTheAdminPort_andLeavesOnSigterm() throws Exception {
        assertThat(SHADED_JAR).as("run 'mvn package' first").exists();
        int gridPort = MemberProcesses.freePortBase(1);
        ServerNode node = processes.startJar(SHADED_JAR, "jar-node", "--name", "jar-node", "--port", "0",
                "--cluster-name",
                "jar-it-" + ProcessHandle.current().pid(), "--grid-port", Integer.toString(gridPort), "--members",
                "127.0.0.1:" + gridPort, "--admin-port", "0");

        assertThat(redisCli(node.port(), "set", "jar:k", "v").stdout()).isEqualTo("OK\n");
        assertThat(redisCli(node.port(), "get", "jar:k").stdout()).isEqualTo("v\n");
        // The Prometheus client and the page's resources made it into the jar.
        HttpClient http = HttpClient.newHttpClient();
        String admin = "http://127.0.0.1:" + node.adminPort();
        assertThat(http.send(HttpRequest.newBuilder(URI.create(admin + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body())
                .contains("jvm_memory_used_bytes{")
                .contains("tessera_redis_commands_total{command=\"set\",member=\"jar-node\"} 1.0");
        assertThat(http.send(HttpRequest.newBuilder(URI.create(admin + "/status.js")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        // slf4j-simple is in the jar: its lines carry the logger's short name.
        assertThat(node.output()).contains("INFO StandaloneNode - node jar-node ready: RESP on 127.0.0.1:");

        assertThat(node.sigterm(Duration.ofSeconds(60))).isIn(0, 143);
        assertThat(node.output()).contains("node jar-node left the cluster");
    }

    @Test
    void requirepass_withoutAuth_NOAUTH_withAuth_works() {
        int gridPort = MemberProcesses.freePortBase(1);
        ServerNode node = processes.start("auth-node", "--port", "0", "--cluster-name",
                "auth-it-" + ProcessHandle.current().pid(), "--grid-port", Integer.toString(gridPort), "--members",
                "127.0.0.1:" + gridPort, "--requirepass", "s3cret");

        assertThat(redisCli(node.port(), "set", "auth:k", "v").output())
                .startsWith("NOAUTH Authentication required.\n");
        assertThat(redisCli(node.port(), "-a", "wrong", "--no-auth-warning", "get", "auth:k").output())
                .contains("WRONGPASS invalid username-password pair or user is disabled.");
        assertThat(redisCli(node.port(), "-a", "s3cret", "--no-auth-warning", "set", "auth:k", "v").stdout())
                .isEqualTo("OK\n");
        assertThat(redisCli(node.port(), "-a", "s3cret", "--no-auth-warning", "get", "auth:k").stdout())
                .isEqualTo("v\n");
        assertThat(node.output()).contains("requirepass=(set)").doesNotContain("s3cret");
    }

    @Test
    void badPort_exits2_namingPort() {
        ToolResult result = processes.runLauncher(Duration.ofSeconds(60), "--port", "abc");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.stderr()).contains("--port: \"abc\" (expected an integer 0..65535)")
                .contains("--help");
    }

    @Test
    void badEnvironmentValue_exits2_namingVariable() {
        ToolResult result = processes.runLauncher(Map.of("TESSERA_BACKUPS", "9"), Duration.ofSeconds(60));

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.stderr()).contains("--backups: \"9\" from TESSERA_BACKUPS (expected an integer 0..6)");
    }

    @Test
    void unknownOption_exits2() {
        ToolResult result = processes.runLauncher(Duration.ofSeconds(60), "--prot", "6379");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.stderr()).contains("Unknown option").contains("'--prot'");
    }

    @Test
    void help_printsUsage_exits0() {
        ToolResult result = processes.runLauncher(Duration.ofSeconds(60), "--help");

        assertThat(result.exitCode()).isZero();
        assertThat(result.stdout()).startsWith("Usage: tessera-server")
                .contains("--port=PORT", "--cluster-name=NAME", "--members=HOST:PORT", "--grid-port=PORT",
                        "--requirepass=PASSWORD", "--config=FILE", "TESSERA_CLUSTER_NAME", "--admin-port=PORT",
                        "TESSERA_ADMIN_BIND");
    }

    @Test
    void version_printsVersion_exits0() {
        ToolResult result = processes.runLauncher(Duration.ofSeconds(60), "--version");

        assertThat(result.exitCode()).isZero();
        assertThat(result.stdout()).startsWith("tessera-server ").doesNotContain("unknown");
    }
}
