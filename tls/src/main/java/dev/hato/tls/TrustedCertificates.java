package dev.hato.tls;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.jspecify.annotations.Nullable;

/**
 * The certificates a TLS client trusts: the JVM's CA certificates, the CERTIFICATE blocks of a PEM file, or both. For
 * the clients Hato opens itself (outbound SMTP, an old server's ManageSieve), where an operator names a private CA
 * or a self-signed server certificate.
 */
public final class TrustedCertificates {

    private TrustedCertificates() {
    }

    /**
     * @param pem        a PEM file of trusted certificates (other blocks skipped), or {@code null} for the JVM's
     * @param withSystem whether the JVM's CA certificates are trusted beside the file's
     * @throws TlsException when the file cannot be read or holds no certificate
     */
    public static TrustManagerFactory trustManagers(@Nullable Path pem, boolean withSystem) {
        return pem == null ? trusting(null, "the JVM", withSystem)
                : trusting(PemMaterial.readCertificates(pem), pem.toString(), withSystem);
    }

    /**
     * The same for certificates held as PEM text (kept in the store, so that every node has them).
     *
     * @param origin where the text comes from, for the message when it holds no certificate
     */
    public static TrustManagerFactory trustManagers(String pem, String origin, boolean withSystem) {
        return trusting(PemMaterial.parseCertificates(origin, pem.getBytes(StandardCharsets.US_ASCII)), origin,
                withSystem);
    }

    private static TrustManagerFactory trusting(@Nullable List<X509Certificate> certificates, String origin,
                                                boolean withSystem) {
        try {
            TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
            if (certificates == null) {
                factory.init((KeyStore) null);
                return factory;
            }
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            int n = 0;
            if (withSystem) {
                TrustManagerFactory system = TrustManagerFactory.getInstance("PKIX");
                system.init((KeyStore) null);
                for (TrustManager manager : system.getTrustManagers()) {
                    if (manager instanceof X509TrustManager x509) {
                        for (X509Certificate certificate : x509.getAcceptedIssuers()) {
                            store.setCertificateEntry("system-" + n++, certificate);
                        }
                    }
                }
            }
            for (X509Certificate certificate : certificates) {
                store.setCertificateEntry("trusted-" + n++, certificate);
            }
            factory.init(store);
            return factory;
        } catch (IOException | GeneralSecurityException e) {
            throw new TlsException("cannot trust the certificates of " + origin + ": " + PemMaterial.oneLine(e), e);
        }
    }
}
