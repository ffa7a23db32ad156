package dev.hato.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hato.outbound.client.SmtpFailure;
import dev.hato.outbound.client.TlsFailure;
import java.net.ConnectException;
import java.net.URI;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/** How a failed session is named in the TLS reports (RFC 8460 §4.3.1), and mailto addresses of their URIs. */
class TlsProblemTest {

    private static TlsFailure handshake(Throwable cause) {
        SSLHandshakeException handshake = new SSLHandshakeException("handshake failed");
        handshake.initCause(cause);
        return new TlsFailure("mx.example.org", handshake);
    }

    @Test
    void anExpiredCertificateInsideAPathValidationFailureShouldBeReportedAsExpired() {
        CertPathValidatorException path = new CertPathValidatorException("validity check failed",
                new CertificateExpiredException("NotAfter: 2020"), null, -1,
                CertPathValidatorException.BasicReason.EXPIRED);
        assertThat(QueueRunner.tlsProblem(handshake(new CertificateException(path))))
                .isEqualTo("certificate-expired");
    }

    @Test
    void anUntrustedChainAHostMismatchAndOtherFailuresShouldEachHaveTheirType() {
        assertThat(QueueRunner.tlsProblem(handshake(new CertificateException(
                new CertPathValidatorException("Trust anchor for certification path not found.")))))
                .isEqualTo("certificate-not-trusted");
        assertThat(QueueRunner.tlsProblem(handshake(new CertificateException(
                "No subject alternative DNS name matching mx.example.org found."))))
                .isEqualTo("certificate-host-mismatch");
        assertThat(QueueRunner.tlsProblem(handshake(new IllegalStateException("bad record MAC"))))
                .isEqualTo("validation-failure");
    }

    @Test
    void noStarttlsIsItsOwnTypeAndFailuresThatAreNotAboutTlsHaveNone() {
        assertThat(QueueRunner.tlsProblem(new SmtpFailure(false, "4.7.4", "x"))).isNull();
        assertThat(QueueRunner.tlsProblem(new ConnectException("refused"))).isNull();
        assertThat(QueueRunner.tlsProblem(new SmtpFailure(true, "5.7.1", "smtp; 554 go away (EHLO)"))).isNull();
    }

    @Test
    void aMailtoAddressShouldBeDecodedOnceAndKeepItsPlus() {
        assertThat(TlsReporting.mailtoAddress(URI.create("mailto:tls+rpt@example.org"))).isEqualTo("tls+rpt@example.org");
        assertThat(TlsReporting.mailtoAddress(URI.create("mailto:a%2525b@example.org?subject=x")))
                .isEqualTo("a%25b@example.org");
    }
}
