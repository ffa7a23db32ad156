package dev.hato.outbound.transport;

import dev.hato.tls.TlsException;
import dev.hato.tls.TrustedCertificates;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.nio.file.Path;
import java.security.Provider;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.jsse.provider.BouncyCastleJsseProvider;
import org.jspecify.annotations.Nullable;

/**
 * The client-side TLS contexts: BC JSSE on the BC JCA provider, as the servers use (ARCHITECTURE.md, "TLS with
 * BouncyCastle"), TLS 1.2 and 1.3 only. {@link #opportunistic()} accepts any certificate (RFC 7435: opportunistic
 * security still beats plain text); {@link #verifying()} checks the chain against the trusted certificates and the
 * server's host name (RFC 6125, the "HTTPS" identification rules).
 */
public final class ClientTls {

    private static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");
    private static final Provider JSSE = new BouncyCastleJsseProvider(new BouncyCastleProvider());

    private final SslContext opportunistic;
    private final SslContext verifying;

    private ClientTls(SslContext opportunistic, SslContext verifying) {
        this.opportunistic = opportunistic;
        this.verifying = verifying;
    }

    /**
     * @param trustedCertificates PEM certificates to trust for {@code verify}, or null for the JVM's default trust
     *                            store
     */
    public static ClientTls create(@Nullable Path trustedCertificates) {
        initialiseCertificateChecks();
        try {
            SslContext opportunistic = builder()
                    .trustManager(InsecureTrustManagerFactory.INSTANCE)
                    .endpointIdentificationAlgorithm(null)
                    .build();
            SslContextBuilder verifying = builder().endpointIdentificationAlgorithm("HTTPS");
            verifying.trustManager(trustManagers(trustedCertificates));
            return new ClientTls(opportunistic, verifying.build());
        } catch (SSLException e) {
            throw new IllegalStateException("cannot build the client TLS context: " + e.getMessage(), e);
        }
    }

    /*
     * The JDK's PKIX validator reads the cacerts file and its blocklist the first time a chain is checked, in
     * static initialisers. That first check would run on an event loop during a handshake; running the initialisers
     * here, at start-up, keeps the file reads off it (BlockHound caught them).
     */
    private static void initialiseCertificateChecks() {
        for (String name : List.of("sun.security.util.AnchorCertificates", "sun.security.util.UntrustedCertificates")) {
            try {
                Class.forName(name, true, ClassLoader.getSystemClassLoader());
            } catch (ClassNotFoundException | LinkageError e) {
                // another JDK: nothing to prepare, or nothing we can
            }
        }
    }

    private static SslContextBuilder builder() {
        return SslContextBuilder.forClient()
                .sslProvider(SslProvider.JDK)
                .sslContextProvider(JSSE)
                .protocols(PROTOCOLS);
    }

    private static TrustManagerFactory trustManagers(@Nullable Path pem) {
        try {
            return warmedUp(TrustedCertificates.trustManagers(pem, false));
        } catch (TlsException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /*
     * The JDK trust manager builds its validator on first use under a lock; two first handshakes on two event
     * loops would wait for each other there. One check here, at start-up, builds it (the outcome does not matter).
     */
    private static TrustManagerFactory warmedUp(TrustManagerFactory factory) {
        for (var manager : factory.getTrustManagers()) {
            if (manager instanceof X509TrustManager x509 && x509.getAcceptedIssuers().length > 0) {
                try {
                    x509.checkServerTrusted(new X509Certificate[] {x509.getAcceptedIssuers()[0]}, "ECDHE_RSA");
                } catch (CertificateException | RuntimeException e) {
                    // only the validator's construction was wanted
                }
            }
        }
        return factory;
    }

    /**
     * These contexts, verifying against {@code pem}'s certificates and the system CAs instead (a legacy system's
     * own, issue 17). Reads the JVM's CA file: call it off the event loops.
     */
    ClientTls trusting(String pem, String origin) {
        try {
            SslContext trusted = builder().endpointIdentificationAlgorithm("HTTPS")
                    .trustManager(warmedUp(TrustedCertificates.trustManagers(pem, origin, true))).build();
            return new ClientTls(opportunistic, trusted);
        } catch (SSLException | TlsException e) {
            throw new IllegalArgumentException("cannot trust the certificates of " + origin + ": " + e.getMessage(), e);
        }
    }

    SslContext context(boolean verify) {
        return verify ? verifying : opportunistic;
    }

    SslContext opportunistic() {
        return opportunistic;
    }

    SslContext verifying() {
        return verifying;
    }
}
