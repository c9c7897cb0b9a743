package io.tessera.redis.internal.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.redis.RespServerConfig;
import io.tessera.redis.TesseraServer;
import io.tessera.redis.testing.TestCertificates;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The TLS and protected-mode settings of tessera-server: from flags, environment and config file; bad files stop the
 * node as bad settings (exit code 2) naming the setting; and a TLS-only node that redis-cli reaches with
 * {@code --tls}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TlsSettingsTest {
    @TempDir
    static Path dir;
    private static TestCertificates certs;
    private final StringWriter err = new StringWriter();

    @BeforeAll
    static void makeCertificates() {
        certs = TestCertificates.create(dir);
    }

    private Launcher.Parsed parse(Map<String, String> env, String... args) {
        return Launcher.parse(args, env, new PrintWriter(new StringWriter()), new PrintWriter(err));
    }

    /** The flags of a TLS port with the test's certificates; {@code overrides} (option, value, ...) replace them. */
    private String[] tlsArgs(String... overrides) {
        Map<String, String> options = new LinkedHashMap<>();
        options.put("--tls-port", "0");
        options.put("--tls-cert-file", certs.serverCert().toString());
        options.put("--tls-key-file", certs.serverKey().toString());
        options.put("--tls-ca-cert-file", certs.caCert().toString());
        for (int i = 0; i < overrides.length; i += 2) {
            options.put(overrides[i], overrides[i + 1]);
        }
        List<String> args = new ArrayList<>();
        options.forEach((option, value) -> {
            args.add(option);
            args.add(value);
        });
        return args.toArray(String[]::new);
    }

    @Test
    void tlsSettings_comeFromTheFileTheEnvironmentAndFlags_andPort0BesideATlsPortTurnsThePlainPortOff()
            throws IOException {
        Path yaml = dir.resolve("node.yml");
        Files.writeString(yaml, "tls-cert-file: " + certs.serverCert() + "\ntls-key-file: " + certs.serverKey()
                + "\ntls-ca-cert-file: " + certs.caCert() + "\ntls-protocols: TLSv1.2 TLSv1.3\n");
        Launcher.Parsed parsed = parse(Map.of("TESSERA_TLS_AUTH_CLIENTS", "optional", "TESSERA_PROTECTED_MODE", "no",
                "TESSERA_TLS_PROVIDER", "jdk"), "--config", yaml.toString(), "--tls-port", "6380", "--port", "0");
        assertThat(parsed.settings()).as(err.toString()).isNotNull();

        RespServerConfig config = parsed.settings().serverConfig();
        assertThat(config.port()).isEqualTo(RespServerConfig.PORT_OFF);
        assertThat(config.tlsPort()).isEqualTo(6380);
        assertThat(config.tlsCertFile()).isEqualTo(certs.serverCert());
        assertThat(config.tlsKeyFile()).isEqualTo(certs.serverKey());
        assertThat(config.tlsCaCertFile()).isEqualTo(certs.caCert());
        assertThat(config.tlsAuthClients()).isEqualTo(RespServerConfig.TlsAuthClients.OPTIONAL);
        assertThat(config.tlsProtocols()).containsExactly("TLSv1.2", "TLSv1.3");
        assertThat(config.tlsProvider()).isEqualTo(RespServerConfig.TlsProvider.JDK);
        assertThat(config.protectedMode()).isFalse();
        assertThat(parsed.settings().toString()).contains("protected-mode=no", "tls-port=6380",
                "tls-auth-clients=optional", "tls-protocols=TLSv1.2 TLSv1.3", "tls-provider=jdk");
        assertThat(parse(Map.of(), tlsArgs()).settings().serverConfig().tlsProvider())
                .isEqualTo(RespServerConfig.TlsProvider.AUTO);
        assertThat(parse(Map.of(), tlsArgs("--tls-provider", "OpenSSL")).settings().serverConfig().tlsProvider())
                .isEqualTo(RespServerConfig.TlsProvider.OPENSSL);
    }

    @Test
    void withoutTls_port0_stillPicksAFreePort_andProtectedModeIsOn() {
        RespServerConfig config = parse(Map.of(), "--port", "0").settings().serverConfig();
        assertThat(config.port()).isZero();
        assertThat(config.tlsEnabled()).isFalse();
        assertThat(config.protectedMode()).isTrue();
    }

    @Test
    void missingCertificateFile_exits2_namingTheSetting() {
        Path missing = dir.resolve("missing.crt");
        Launcher.Parsed parsed = parse(Map.of(), tlsArgs("--tls-cert-file", missing.toString()));

        assertThat(parsed.exitCode()).isEqualTo(2);
        assertThat(err.toString()).startsWith("tessera-server: --tls-cert-file \"" + missing
                + "\" does not exist or cannot be read\n");
    }

    @Test
    void pkcs1Key_exits2_withTheOpensslCommandThatConvertsIt() {
        Launcher.Parsed parsed = parse(Map.of(), tlsArgs("--tls-key-file", certs.serverKeyPkcs1().toString()));

        assertThat(parsed.exitCode()).isEqualTo(2);
        assertThat(err.toString()).contains("--tls-key-file \"" + certs.serverKeyPkcs1() + "\" holds a traditional"
                + " OpenSSL key").contains("openssl pkcs8 -topk8 -nocrypt -in " + certs.serverKeyPkcs1());
    }

    @Test
    void certificateAsKey_exits2_namingTheKeyFile() {
        Launcher.Parsed parsed = parse(Map.of(), tlsArgs("--tls-key-file", certs.serverCert().toString()));

        assertThat(parsed.exitCode()).isEqualTo(2);
        assertThat(err.toString()).contains("--tls-key-file \"" + certs.serverCert() + "\" holds no PEM private key");
    }

    @Test
    void keyOfAnotherCertificate_exits2_namingBothFiles() {
        Launcher.Parsed parsed = parse(Map.of(), tlsArgs("--tls-key-file", certs.clientKey().toString()));

        assertThat(parsed.exitCode()).isEqualTo(2);
        assertThat(err.toString()).contains("--tls-key-file \"" + certs.clientKey() + "\" is not the key of the"
                + " certificate in tls-cert-file \"" + certs.serverCert() + "\" (CN=localhost); give the key the"
                + " certificate was made for");
    }

    @Test
    void tlsFileWithoutTlsPort_badAuthClients_badProtocols_badProvider_exit2() {
        assertThat(parse(Map.of(), "--tls-cert-file", certs.serverCert().toString()).exitCode()).isEqualTo(2);
        assertThat(parse(Map.of(), "--tls-provider", "jdk").exitCode()).isEqualTo(2);
        assertThat(parse(Map.of(), tlsArgs("--tls-provider", "fast")).exitCode()).isEqualTo(2);
        assertThat(parse(Map.of(), tlsArgs("--tls-auth-clients", "maybe")).exitCode()).isEqualTo(2);
        assertThat(parse(Map.of(), tlsArgs("--tls-protocols", "TLSv1.1")).exitCode()).isEqualTo(2);
        assertThat(parse(Map.of(), tlsArgs("--tls-auth-clients", "yes", "--tls-ca-cert-file", "")).exitCode())
                .isEqualTo(2);
        assertThat(parse(Map.of(), "--protected-mode", "sometimes").exitCode()).isEqualTo(2);
        assertThat(err.toString())
                .contains("--tls-cert-file: \"" + certs.serverCert() + "\" applies to the TLS port only; set"
                        + " --tls-port too, or remove it")
                .contains("--tls-auth-clients: \"maybe\" (expected yes, no or optional)")
                .contains("--tls-protocols: \"TLSv1.1\" (expected TLSv1.2 and/or TLSv1.3, separated by spaces)")
                .contains("--tls-provider: \"jdk\" applies to the TLS port only; set --tls-port too, or remove it")
                .contains("--tls-provider: \"fast\" (expected auto, jdk or openssl)")
                .contains("--protected-mode: \"sometimes\" (expected true or false)");
    }

    @Test
    void tlsOnlyNode_servesRedisCliOverTls_andHasNoPlainPort() throws Exception {
        Launcher.Parsed parsed = parse(Map.of(), tlsArgs("--stack", "local", "--port", "0", "--cluster-name",
                "tls-test-" + System.nanoTime(), "--name", "tls-solo"));
        assertThat(parsed.settings()).as(err.toString()).isNotNull();
        StandaloneNode node = StandaloneNode.start(parsed.settings());
        try {
            assertThat(node.port()).isEqualTo(RespServerConfig.PORT_OFF);
            Process cli = new ProcessBuilder("redis-cli", "--tls", "--cacert", certs.caCert().toString(), "--cert",
                    certs.clientCert().toString(), "--key", certs.clientKey().toString(), "-h", "127.0.0.1", "-p",
                    Integer.toString(node.tlsPort()), "ping").redirectErrorStream(true).start();
            String output = new String(cli.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            assertThat(cli.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(output).isEqualTo("PONG");
        } finally {
            node.stop("test end");
        }
    }

    @Test
    void tlsProviderOpenssl_whereOpensslDoesNotLoad_exits2_namingTheCauseAndTheFix() throws Exception {
        Process node = withoutOpenssl(tlsArgs("--tls-provider", "openssl", "--stack", "local", "--port", "0"));
        String output = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(node.waitFor(30, TimeUnit.SECONDS)).isTrue();

        assertThat(node.exitValue()).as(output).isEqualTo(2);
        assertThat(output).contains("tessera-server: --tls-provider openssl: OpenSSL does not load on this machine (")
                .contains("io.netty.handler.ssl.noOpenSsl")
                .contains("Use tls-provider jdk (or auto, which falls back to the JDK's TLS)");
    }

    @Test
    void tlsProviderAuto_whereOpensslDoesNotLoad_servesTlsWithTheJdk_andLogsIt() throws Exception {
        Process node = withoutOpenssl(tlsArgs("--stack", "local", "--port", "0", "--tls-auth-clients", "no",
                "--cluster-name", "tls-auto-" + System.nanoTime()));
        try {
            BufferedReader log = new BufferedReader(new InputStreamReader(node.getInputStream(),
                    StandardCharsets.UTF_8));
            Pattern served = Pattern.compile("TLS port (\\d+) served by (.+) \\(tls-provider auto\\)");
            Matcher line = null;
            StringBuilder seen = new StringBuilder();
            for (String text = log.readLine(); text != null; text = log.readLine()) {
                seen.append(text).append('\n');
                Matcher matcher = served.matcher(text);
                if (matcher.find()) {
                    line = matcher;
                    break;
                }
            }
            assertThat(line).as(seen.toString()).isNotNull();
            assertThat(line.group(2)).isEqualTo("the JDK (SunJSSE)");
            Process cli = new ProcessBuilder("redis-cli", "--tls", "--cacert", certs.caCert().toString(), "-h",
                    "127.0.0.1", "-p", line.group(1), "ping").redirectErrorStream(true).start();
            String output = new String(cli.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            assertThat(cli.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(output).isEqualTo("PONG");
        } finally {
            node.destroy();
            node.waitFor(20, TimeUnit.SECONDS);
        }
    }

    /**
     * tessera-server in a JVM of its own where Netty's OpenSSL does not load, as on a machine without the native
     * library (Netty's {@code io.netty.handler.ssl.noOpenSsl}); its log and errors on its standard output.
     */
    private static Process withoutOpenssl(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Dio.netty.handler.ssl.noOpenSsl=true", "-cp", System.getProperty("java.class.path"),
                TesseraServer.class.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }
}
