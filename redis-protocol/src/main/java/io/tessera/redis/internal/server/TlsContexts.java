package io.tessera.redis.internal.server;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.ReferenceCountedOpenSslContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.tessera.redis.RespServerConfig;
import io.tessera.redis.RespServerConfig.TlsProvider;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;

/**
 * Builds the TLS port's {@link SslContext} from a {@link RespServerConfig}, with the TLS library its
 * {@code tls-provider} names: OpenSSL (netty-tcnative's BoringSSL, a native library shipped for Linux x86_64 and
 * aarch64) or the JDK's. Every failure is an {@link IllegalArgumentException} that names the setting, the file and the
 * fix, so the standalone node can report it as a bad setting.
 */
public final class TlsContexts {
    private static final String PKCS8_FIX = "convert it to unencrypted PKCS#8 (BEGIN PRIVATE KEY): openssl pkcs8 -topk8"
            + " -nocrypt -in %s -out server-pkcs8.key";

    private TlsContexts() {
    }

    /**
     * The server context of {@code config}'s TLS port.
     *
     * @throws IllegalArgumentException naming the setting and file if a file is missing or unreadable, or the key is
     *     not an unencrypted PKCS#8 PEM key
     */
    public static SslContext forServer(RespServerConfig config) {
        Path cert = readable("tls-cert-file", config.tlsCertFile());
        Path key = readable("tls-key-file", config.tlsKeyFile());
        checkKeyFormat(key);
        Path ca = config.tlsCaCertFile() == null ? null : readable("tls-ca-cert-file", config.tlsCaCertFile());
        SslContextBuilder builder;
        try {
            builder = SslContextBuilder.forServer(cert.toFile(), key.toFile());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("tls-cert-file \"" + cert + "\" or tls-key-file \"" + key
                    + "\" cannot be read as PEM: " + rootMessage(e), e);
        }
        checkKeyMatchesCertificate(cert, key);
        if (ca != null) {
            try {
                builder.trustManager(ca.toFile());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("tls-ca-cert-file \"" + ca + "\" cannot be read as PEM certificates: "
                        + rootMessage(e), e);
            }
        }
        builder.sslProvider(provider(config.tlsProvider())).clientAuth(switch (config.tlsAuthClients()) {
            case YES -> ClientAuth.REQUIRE;
            case OPTIONAL -> ClientAuth.OPTIONAL;
            case NO -> ClientAuth.NONE;
        });
        if (!config.tlsProtocols().isEmpty()) {
            builder.protocols(config.tlsProtocols());
        }
        try {
            return builder.build();
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("tls-cert-file \"" + cert + "\", tls-key-file \"" + key + "\""
                    + (ca == null ? "" : ", tls-ca-cert-file \"" + ca + "\"") + " do not make a TLS context: "
                    + rootMessage(e), e);
        }
    }

    /**
     * The Netty provider that {@code tlsProvider} names on this machine.
     *
     * @throws IllegalArgumentException for {@link TlsProvider#OPENSSL} where OpenSSL does not load, naming why
     */
    static SslProvider provider(TlsProvider tlsProvider) {
        return switch (tlsProvider) {
            case JDK -> SslProvider.JDK;
            case AUTO -> OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
            case OPENSSL -> {
                if (!OpenSsl.isAvailable()) {
                    throw new IllegalArgumentException("tls-provider openssl: OpenSSL does not load on this machine ("
                            + rootMessage(OpenSsl.unavailabilityCause()) + "); tessera-server.jar carries"
                            + " netty-tcnative-boringssl-static for Linux on x86_64 and aarch64 only, an embedding"
                            + " application adds it for its platform. Use tls-provider jdk (or auto, which falls back"
                            + " to the JDK's TLS)");
                }
                yield SslProvider.OPENSSL;
            }
        };
    }

    /**
     * The TLS library that serves connections of {@code context}: {@link TlsProvider#OPENSSL} or
     * {@link TlsProvider#JDK}, never {@link TlsProvider#AUTO}.
     */
    public static TlsProvider servedBy(SslContext context) {
        return context instanceof ReferenceCountedOpenSslContext ? TlsProvider.OPENSSL : TlsProvider.JDK;
    }

    /** How the log names the library of {@code context}: {@code OpenSSL (BoringSSL)} or {@code the JDK (SunJSSE)}. */
    public static String describe(SslContext context) {
        if (context instanceof JdkSslContext jdk) {
            return "the JDK (" + jdk.context().getProvider().getName() + ")";
        }
        return "OpenSSL (" + OpenSsl.versionString() + ")";
    }

    private static Path readable(String setting, Path file) {
        if (file == null) {
            throw new IllegalArgumentException(setting + " is not set (the TLS port needs it)");
        }
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new IllegalArgumentException(setting + " \"" + file + "\" does not exist or cannot be read");
        }
        return file;
    }

    /** Java reads only PKCS#8; Redis users often have OpenSSL's traditional forms, which get a fix, not a stack. */
    private static void checkKeyFormat(Path key) {
        String pem;
        try {
            pem = Files.readString(key, StandardCharsets.US_ASCII);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("tls-key-file \"" + key + "\" cannot be read: " + e.getMessage(), e);
        }
        if (pem.contains("-----BEGIN RSA PRIVATE KEY-----") || pem.contains("-----BEGIN EC PRIVATE KEY-----")) {
            throw new IllegalArgumentException("tls-key-file \"" + key + "\" holds a traditional OpenSSL key (BEGIN RSA"
                    + " or EC PRIVATE KEY), which Java cannot read; " + PKCS8_FIX.formatted(key));
        }
        if (pem.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") || pem.contains("Proc-Type: 4,ENCRYPTED")) {
            throw new IllegalArgumentException("tls-key-file \"" + key + "\" holds an encrypted key, and no passphrase"
                    + " setting exists; " + PKCS8_FIX.formatted(key));
        }
        if (!pem.contains("-----BEGIN PRIVATE KEY-----")) {
            throw new IllegalArgumentException("tls-key-file \"" + key + "\" holds no PEM private key (expected"
                    + " -----BEGIN PRIVATE KEY-----)");
        }
    }

    /**
     * A key that is not the certificate's would be accepted here and fail every handshake later, seen only as
     * debug-level handshake failures: sign with the key and verify with the certificate's public key now. Keys of
     * an algorithm this cannot sign with are left to the handshake.
     */
    private static void checkKeyMatchesCertificate(Path cert, Path key) {
        X509Certificate certificate;
        PrivateKey privateKey;
        try (InputStream in = Files.newInputStream(cert)) {
            certificate = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            throw new IllegalArgumentException("tls-cert-file \"" + cert + "\" holds no PEM certificate: "
                    + e.getMessage(), e);
        }
        try {
            String base64 = Files.readString(key, StandardCharsets.US_ASCII)
                    .replaceAll("-----(BEGIN|END) PRIVATE KEY-----", "").replaceAll("\\s", "");
            privateKey = privateKey(Base64.getDecoder().decode(base64));
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("tls-key-file \"" + key + "\" cannot be read as a PKCS#8 PEM key: "
                    + e.getMessage(), e);
        }
        String algorithm = switch (privateKey.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "Ed448", "EdDSA" -> privateKey.getAlgorithm();
            default -> null;
        };
        if (algorithm == null) {
            return;
        }
        try {
            byte[] probe = "tessera tls key check".getBytes(StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(privateKey);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(probe);
            if (verifier.verify(signature)) {
                return;
            }
        } catch (GeneralSecurityException e) {
            // a key of another algorithm than the certificate's: the mismatch reported below
        }
        throw new IllegalArgumentException("tls-key-file \"" + key + "\" is not the key of the certificate in"
                + " tls-cert-file \"" + cert + "\" (" + certificate.getSubjectX500Principal().getName()
                + "); give the key the certificate was made for");
    }

    private static PrivateKey privateKey(byte[] pkcs8) {
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(pkcs8);
        for (String algorithm : new String[] {"RSA", "EC", "Ed25519", "Ed448"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw new IllegalArgumentException("not an RSA, EC or EdDSA key");
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == e ? String.valueOf(e.getMessage()) : e.getMessage() + " (" + root + ")";
    }
}
