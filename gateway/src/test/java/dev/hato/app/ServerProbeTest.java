package dev.hato.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hato.legacy.ServerProbe;
import dev.hato.legacy.ServerProbe.Credentials;
import dev.hato.legacy.ServerProbe.Result;
import dev.hato.legacy.ServerProbe.Tls;
import dev.hato.tls.TrustedCertificates;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;

/**
 * {@code hato legacy check}'s probes against a server that is not Dovecot: Hato's own SMTP, IMAP and POP3 listeners
 * (STARTTLS and implicit TLS, its self-signed certificate naming 127.0.0.1), trusted or not, with a login that works
 * and one that does not.
 */
class ServerProbeTest {

    private static final RunningHato HATO = RunningHato.shared();
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private static SSLContext trusting(boolean hatosCertificate) throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, TrustedCertificates.trustManagers(hatosCertificate
                ? HATO.dataDir().resolve("tls").resolve("selfsigned-cert.pem") : null, true).getTrustManagers(), null);
        return context;
    }

    @Test
    void everyProtocolShouldBeProbedOverTlsWithALogin() throws Exception {
        RunningHato.User ann = HATO.newUser("probe");
        SSLContext trust = trusting(true);
        Credentials own = new Credentials(ann.authId(), null, ann.password());

        Result imap = ServerProbe.imap("127.0.0.1", HATO.port("imap"), Tls.STARTTLS, trust, TIMEOUT, own);
        Result imaps = ServerProbe.imap("127.0.0.1", HATO.port("imaps"), Tls.IMPLICIT, trust, TIMEOUT, own);
        Result pop3 = ServerProbe.pop3("127.0.0.1", HATO.port("pop3"), Tls.STARTTLS, trust, TIMEOUT, own);
        Result smtp = ServerProbe.smtp("127.0.0.1", HATO.port("smtp"), "probe.example", trust, TIMEOUT);

        for (Result result : new Result[] {imap, imaps, pop3}) {
            assertThat(result.ok()).as(result.detail()).isTrue();
            assertThat(result.detail()).startsWith("ok, TLS")
                    .endsWith("certificate trusted for 127.0.0.1; logged in as " + ann.authId());
        }
        assertThat(smtp.ok()).as(smtp.detail()).isTrue();
        assertThat(smtp.detail()).startsWith("ok, TLS").endsWith("certificate trusted for 127.0.0.1");
    }

    @Test
    void anUntrustedCertificateAWrongPasswordAndNoServerShouldEachFailWithTheReason() throws Exception {
        RunningHato.User ann = HATO.newUser("probebad");
        Credentials wrong = new Credentials(ann.authId(), null, "not-the-password");

        Result untrusted = ServerProbe.imap("127.0.0.1", HATO.port("imaps"), Tls.IMPLICIT, trusting(false),
                TIMEOUT, null);
        Result refused = ServerProbe.pop3("127.0.0.1", HATO.port("pop3s"), Tls.IMPLICIT, trusting(true), TIMEOUT,
                wrong);
        Result nobody = ServerProbe.smtp("127.0.0.1", RunningHato.freePort(), "probe.example", trusting(true),
                TIMEOUT);

        assertThat(untrusted.ok()).isFalse();
        assertThat(untrusted.detail()).startsWith("failed: ").containsIgnoringCase("certification path");
        assertThat(refused.ok()).isFalse();
        assertThat(refused.detail()).startsWith("failed: AUTH PLAIN: -ERR");
        assertThat(nobody.ok()).isFalse();
        assertThat(nobody.detail()).startsWith("failed: ").containsIgnoringCase("refused");
    }
}
