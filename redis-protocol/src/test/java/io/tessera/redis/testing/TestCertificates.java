package io.tessera.redis.testing;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A test CA with a server certificate (for 127.0.0.1 and localhost) and a client certificate, made by the
 * {@code openssl} command in a directory of the test's (CI installs it: .ci/run). Keys are RSA 2048, unencrypted
 * PKCS#8 PEM, as {@code tls-key-file} wants; {@link #serverKeyPkcs1} is the same server key in OpenSSL's traditional
 * form (BEGIN RSA PRIVATE KEY). A second CA signs {@link #strangerCert}, a client certificate the server must refuse.
 */
public final class TestCertificates {
    private final Path dir;

    private TestCertificates(Path dir) {
        this.dir = dir;
    }

    /** Makes the CA and certificates in {@code dir}. */
    public static TestCertificates create(Path dir) {
        TestCertificates certs = new TestCertificates(dir);
        certs.make();
        return certs;
    }

    private void make() {
        write("server.ext", "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n");
        write("client.ext", "extendedKeyUsage=clientAuth\n");
        for (String ca : List.of("ca", "stranger-ca")) {
            openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", ca + ".key", "-out", ca + ".crt",
                    "-days", "2", "-subj", "/CN=Tessera test " + ca);
        }
        sign("server", "/CN=localhost", "ca", "server.ext");
        sign("client", "/CN=tessera-test-client", "ca", "client.ext");
        sign("stranger", "/CN=stranger", "stranger-ca", "client.ext");
        openssl("pkey", "-in", "server.key", "-traditional", "-out", "server-pkcs1.key");
    }

    private void sign(String name, String subject, String ca, String extensions) {
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key", "-out", name + ".csr", "-subj",
                subject);
        openssl("x509", "-req", "-in", name + ".csr", "-CA", ca + ".crt", "-CAkey", ca + ".key", "-CAcreateserial",
                "-out", name + ".crt", "-days", "2", "-extfile", extensions);
    }

    private void write(String name, String text) {
        try {
            Files.writeString(dir.resolve(name), text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void openssl(String... args) {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        try {
            Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: "
                        + new String(output, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run openssl (apt-get install openssl)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The test CA's certificate, PEM. */
    public Path caCert() {
        return dir.resolve("ca.crt");
    }

    /** The server certificate (127.0.0.1, localhost), PEM, signed by the CA. */
    public Path serverCert() {
        return dir.resolve("server.crt");
    }

    /** The server's key, unencrypted PKCS#8 PEM. */
    public Path serverKey() {
        return dir.resolve("server.key");
    }

    /** The server's key in OpenSSL's traditional form (BEGIN RSA PRIVATE KEY). */
    public Path serverKeyPkcs1() {
        return dir.resolve("server-pkcs1.key");
    }

    /** A client certificate the CA signed, PEM. */
    public Path clientCert() {
        return dir.resolve("client.crt");
    }

    /** The client certificate's key, PKCS#8 PEM. */
    public Path clientKey() {
        return dir.resolve("client.key");
    }

    /** A client certificate another CA signed, PEM. */
    public Path strangerCert() {
        return dir.resolve("stranger.crt");
    }

    /** The stranger certificate's key, PKCS#8 PEM. */
    public Path strangerKey() {
        return dir.resolve("stranger.key");
    }

    /** A client context that trusts the test CA and presents no certificate. */
    public SSLContext clientContextWithoutCert() {
        return clientContext(null, null);
    }

    /** A client context that trusts the test CA and presents {@code cert} with {@code key}. */
    public SSLContext clientContext(Path cert, Path key) {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("ca", certificates(caCert()).get(0));
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            KeyManagerFactory kmf = null;
            if (cert != null) {
                KeyStore keys = KeyStore.getInstance("PKCS12");
                keys.load(null, null);
                keys.setKeyEntry("client", privateKey(key), new char[0],
                        certificates(cert).toArray(Certificate[]::new));
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(keys, new char[0]);
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<Certificate> certificates(Path pem) throws IOException, GeneralSecurityException {
        return new ArrayList<>(CertificateFactory.getInstance("X.509")
                .generateCertificates(new ByteArrayInputStream(Files.readAllBytes(pem))));
    }

    private static PrivateKey privateKey(Path pkcs8Pem) throws IOException, GeneralSecurityException {
        String base64 = Files.readString(pkcs8Pem).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder()
                .decode(base64)));
    }
}
