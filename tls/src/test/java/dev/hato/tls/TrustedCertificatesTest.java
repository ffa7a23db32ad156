package dev.hato.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hato.tls.TlsSettings.KeyType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Trust anchors for Hato's own TLS clients: a PEM file's certificates, with or without the JVM's. */
class TrustedCertificatesTest {

    @TempDir
    Path temporary;

    @Test
    void aFileAloneShouldTrustItsCertificatesAndNothingElse() throws Exception {
        X509Certificate own = certificate("old.example");
        Path pem = temporary.resolve("ca.pem");
        PemMaterial.writeCertificates(List.of(own), pem);

        List<X509Certificate> anchors = anchors(TrustedCertificates.trustManagers(pem, false));

        assertThat(anchors).containsExactly(own);
        X509TrustManager manager = (X509TrustManager) TrustedCertificates.trustManagers(pem, false)
                .getTrustManagers()[0];
        manager.checkServerTrusted(new X509Certificate[] {own}, "ECDHE_RSA");
    }

    @Test
    void theFileBesideTheSystemShouldTrustBoth() throws Exception {
        X509Certificate own = certificate("old.example");
        Path pem = temporary.resolve("ca.pem");
        PemMaterial.writeCertificates(List.of(own), pem);
        List<X509Certificate> system = anchors(TrustedCertificates.trustManagers(null, false));

        List<X509Certificate> anchors = anchors(TrustedCertificates.trustManagers(pem, true));

        assertThat(system).isNotEmpty().doesNotContain(own);
        assertThat(anchors).contains(own).containsAll(system).hasSize(system.size() + 1);
    }

    @Test
    void pemTextShouldBeTrustedAsItsFileIs() throws Exception {
        X509Certificate own = certificate("old.example");
        Path pem = temporary.resolve("ca.pem");
        PemMaterial.writeCertificates(List.of(own), pem);

        assertThat(anchors(TrustedCertificates.trustManagers(Files.readString(pem), "the store", false)))
                .containsExactly(own);
        assertThatThrownBy(() -> TrustedCertificates.trustManagers("no PEM here", "legacy system old", false))
                .isInstanceOf(TlsException.class).hasMessageContaining("legacy system old");
    }

    @Test
    void aFileWithoutCertificatesShouldBeRefusedByName() throws Exception {
        Path pem = temporary.resolve("empty.pem");
        Files.writeString(pem, "not a certificate\n");

        assertThatThrownBy(() -> TrustedCertificates.trustManagers(pem, true))
                .isInstanceOf(TlsException.class).hasMessageContaining(pem.toString());
        assertThatThrownBy(() -> TrustedCertificates.trustManagers(temporary.resolve("missing.pem"), false))
                .isInstanceOf(TlsException.class).hasMessageContaining("missing.pem");
    }

    private static X509Certificate certificate(String host) {
        Instant now = Instant.now();
        return SelfSignedCertificates.generate(host, KeyType.EC, now, now.plusSeconds(3600)).leaf();
    }

    private static List<X509Certificate> anchors(TrustManagerFactory factory) {
        return Arrays.stream(factory.getTrustManagers()).filter(X509TrustManager.class::isInstance)
                .flatMap(m -> Arrays.stream(((X509TrustManager) m).getAcceptedIssuers())).toList();
    }
}
