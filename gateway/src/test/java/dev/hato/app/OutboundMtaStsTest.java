package dev.hato.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.hato.auth.ldap.TestCertificate;
import dev.hato.outbound.MxRecord;
import dev.hato.store.mail.Delivery;
import dev.hato.store.mail.MessageMeta;
import dev.hato.store.queue.Envelope;
import dev.hato.store.queue.OutboundRecipient;
import dev.hato.store.queue.QueuedRecipient;
import dev.hato.store.queue.TlsSession;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/**
 * Outbound MTA-STS (RFC 8461) and TLS reporting (RFC 8460) against loopback stand-ins for the world: a DNS server,
 * HTTPS policy hosts (one trusted certificate for every {@code mta-sts.*} name, one host with an untrusted one), and
 * SMTP servers on 127.0.0.40 and up that play the destinations' MX hosts, all on one port each.
 */
class OutboundMtaStsTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final AtomicInteger NEXT = new AtomicInteger();
    private static final ObjectMapper JSON = new ObjectMapper();

    private static TestDnsServer dns;
    private static RunningHato hato;
    private static HttpsServer policyHost;
    private static HttpsServer untrustedPolicyHost;
    private static final Map<String, String> POLICIES = new ConcurrentHashMap<>();
    private static final List<byte[]> POSTED = new CopyOnWriteArrayList<>();
    private static final List<TestSmtpServer> SERVERS = new CopyOnWriteArrayList<>();
    private static TestSmtpServer enforced;
    private static TestSmtpServer wrongMx;
    private static TestSmtpServer untrusted;
    private static TestSmtpServer noTls;
    private static TestSmtpServer testing;
    private static TestSmtpServer noPolicy;
    private static TestSmtpServer badPolicyCert;
    private static TestSmtpServer cached;
    private static TestSmtpServer evil;
    private static int httpsPort;

    @BeforeAll
    static void start() throws Exception {
        dns = new TestDnsServer();
        Path dataDir = Files.createTempDirectory("hato-mta-sts-test-");
        TestCertificate web = TestCertificate.forHosts("mta-sts.enforced.test", "mta-sts.wrongmx.test",
                "mta-sts.untrusted.test", "mta-sts.notls.test", "mta-sts.testing.test", "mta-sts.cached.test",
                "reports.test");
        TestCertificate mxCertificate = TestCertificate.forHosts("mx.enforced.test", "mx.wrongmx.test",
                "mx.notls.test", "mx.cached.test", "mx.evil.test", "mx.nopolicy.test", "mx.badpolicycert.test");
        TestCertificate stranger = TestCertificate.forHosts("mx.untrusted.test", "mx.testing.test",
                "mta-sts.badpolicycert.test");
        Path trusted = dataDir.resolve("trusted.pem");
        Files.writeString(trusted, Files.readString(web.writePem(dataDir.resolve("web.pem")))
                + Files.readString(mxCertificate.writePem(dataDir.resolve("mx.pem"))));

        httpsPort = LoopbackPorts.freeOnAll("127.0.0.30", "127.0.0.31");
        policyHost = https("127.0.0.30", httpsPort, web);
        untrustedPolicyHost = https("127.0.0.31", httpsPort, stranger);

        int port = LoopbackPorts.freeOnAll("127.0.0.40", "127.0.0.41", "127.0.0.42", "127.0.0.43", "127.0.0.44",
                "127.0.0.45", "127.0.0.46", "127.0.0.47", "127.0.0.48");
        enforced = destination("127.0.0.40", port, "enforced.test", mxCertificate, "enforce", "mx.enforced.test");
        wrongMx = destination("127.0.0.41", port, "wrongmx.test", mxCertificate, "enforce", "mx.other.test");
        untrusted = destination("127.0.0.42", port, "untrusted.test", stranger, "enforce", "mx.untrusted.test");
        noTls = destination("127.0.0.43", port, "notls.test", null, "enforce", "*.notls.test");
        testing = destination("127.0.0.44", port, "testing.test", stranger, "testing", "mx.testing.test");
        noPolicy = destination("127.0.0.45", port, "nopolicy.test", mxCertificate, null, null);
        badPolicyCert = destination("127.0.0.46", port, "badpolicycert.test", mxCertificate, "enforce",
                "mx.other.test");
        dns.a("mta-sts.badpolicycert.test", "127.0.0.31");
        cached = destination("127.0.0.47", port, "cached.test", mxCertificate, "enforce", "mx.cached.test");
        evil = server("127.0.0.48", port, mxCertificate);
        dns.a("mx.evil.test", "127.0.0.48");
        dns.a("reports.test", "127.0.0.30");

        hato = RunningHato.start(dataDir,
                "--hato.outbound.dns-servers=" + dns.address(),
                "--hato.outbound.remote-port=" + port,
                "--hato.outbound.mta-sts.port=" + httpsPort,
                "--hato.outbound.mta-sts.fetch-timeout=10s",
                "--hato.outbound.tls-reports.interval=1s",
                "--hato.outbound.tls-reports.organization=Hato Test University",
                "--hato.outbound.first-retry=300ms",
                "--hato.outbound.max-retry=600ms",
                "--hato.outbound.poll-interval=200ms",
                "--hato.outbound.connect-timeout=5s",
                "--hato.outbound.reply-timeout=20s",
                "--hato.outbound.trusted-certificates=" + trusted);
        hato.provisioning().addDomain(RunningHato.DOMAIN).block(WAIT);
    }

    /** A destination {@code domain} with its MX host {@code mx.DOMAIN} and, unless {@code mode} is null, a policy. */
    private static TestSmtpServer destination(String address, int port, String domain,
                                              TestCertificate certificate, String mode, String mx) throws Exception {
        TestSmtpServer server = server(address, port, certificate);
        dns.mx(domain, new MxRecord(10, "mx." + domain));
        dns.a("mx." + domain, address);
        if (mode != null) {
            dns.txt("_mta-sts." + domain, "v=STSv1; id=20261206a;");
            dns.a("mta-sts." + domain, "127.0.0.30");
            POLICIES.put("mta-sts." + domain, "version: STSv1\r\nmode: " + mode + "\r\nmx: " + mx
                    + "\r\nmax_age: 86400\r\n");
        }
        return server;
    }

    private static TestSmtpServer server(String address, int port, TestCertificate certificate) throws Exception {
        TestSmtpServer.Builder builder = TestSmtpServer.on(address, port).extensions("8BITMIME");
        if (certificate != null) {
            builder.tls(certificate.serverContext());
        }
        TestSmtpServer server = builder.start();
        SERVERS.add(server);
        return server;
    }

    private static HttpsServer https(String address, int port, TestCertificate certificate) throws IOException {
        HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getByName(address), port), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(certificate.serverContext()));
        server.createContext("/.well-known/mta-sts.txt", exchange -> {
            String host = exchange.getRequestHeaders().getFirst("Host");
            String policy = host == null ? null : POLICIES.get(host.replaceFirst(":\\d+$", ""));
            byte[] body = (policy == null ? "no policy here\n" : policy).getBytes(StandardCharsets.US_ASCII);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=us-ascii");
            exchange.sendResponseHeaders(policy == null ? 404 : 200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.createContext("/tlsrpt", exchange -> {
            try (InputStream in = exchange.getRequestBody()) {
                if ("application/tlsrpt+gzip".equals(exchange.getRequestHeaders().getFirst("Content-Type"))) {
                    POSTED.add(in.readAllBytes());
                }
            }
            exchange.sendResponseHeaders(201, -1);
            exchange.close();
        });
        server.start();
        return server;
    }

    @AfterAll
    static void stop() throws Exception {
        if (hato != null) {
            hato.close();
        }
        for (TestSmtpServer server : SERVERS) {
            server.close();
        }
        for (HttpsServer server : new HttpsServer[] {policyHost, untrustedPolicyHost}) {
            if (server != null) {
                server.stop(0);
            }
        }
        if (dns != null) {
            dns.close();
        }
    }

    // ---------------------------------------------------------------------------------------------------------

    @Test
    void anEnforcedPolicyShouldDeliverOverVerifiedTlsToANamedMxAndCountTheSession() {
        String to = "e" + NEXT.incrementAndGet() + "@enforced.test";
        queue(to);

        assertThat(awaitTransaction(enforced, to).tls()).isTrue();
        assertThat(hato.store().stsPolicies().get("enforced.test").block(WAIT).id()).isEqualTo("20261206a");
        awaitCounted("enforced.test", "");
    }

    @Test
    void anMxHostThePolicyDoesNotNameShouldNeverBeContactedAndTheMessageShouldWait() {
        String to = "w" + NEXT.incrementAndGet() + "@wrongmx.test";
        queue(to);

        awaitDeferred(to, "not an MX host that the MTA-STS policy of wrongmx.test names");
        assertThat(wrongMx.connections()).isZero();
        awaitCounted("wrongmx.test", "validation-failure");
        delete(to);
    }

    @Test
    void anUntrustedCertificateOrNoStarttlsUnderEnforceShouldDeferWhereOpportunisticTlsWouldHaveDelivered() {
        String first = "u" + NEXT.incrementAndGet() + "@untrusted.test";
        String second = "n" + NEXT.incrementAndGet() + "@notls.test";
        queue(first);
        queue(second);

        awaitDeferred(first, "mx.untrusted.test");
        awaitDeferred(second, "does not offer STARTTLS");
        assertThat(untrusted.transactions()).isEmpty();
        assertThat(noTls.transactions()).isEmpty();
        awaitCounted("untrusted.test", "certificate-not-trusted");
        awaitCounted("notls.test", "starttls-not-supported");
        delete(first);
        delete(second);
    }

    @Test
    void aTestingPolicyShouldReportTheFailureAndStillDeliver() {
        String to = "t" + NEXT.incrementAndGet() + "@testing.test";
        queue(to);

        assertThat(awaitTransaction(testing, to).tls()).isTrue(); // opportunistic TLS, any certificate
        awaitCounted("testing.test", "certificate-not-trusted");
    }

    @Test
    void withoutAPolicyOrWithAnUnverifiablePolicyHostMailShouldGoAsBefore() {
        String plain = "p" + NEXT.incrementAndGet() + "@nopolicy.test";
        String badHost = "b" + NEXT.incrementAndGet() + "@badpolicycert.test";
        queue(plain);
        queue(badHost);

        assertThat(awaitTransaction(noPolicy, plain).tls()).isTrue();
        // The policy (which names another MX) could not be fetched with a valid certificate: RFC 8461 §3.3
        // says to deliver as though the domain had none, and RFC 8460 to report why.
        assertThat(awaitTransaction(badPolicyCert, badHost).tls()).isTrue();
        assertThat(hato.store().stsPolicies().get("badpolicycert.test").blockOptional(WAIT)).isEmpty();
        awaitCounted("nopolicy.test", "");
        awaitCounted("badpolicycert.test", "sts-webpki-invalid");
    }

    @Test
    void aCachedPolicyShouldStillApplyWhenTheTxtRecordAndPolicyHostAreGone() {
        String first = "c" + NEXT.incrementAndGet() + "@cached.test";
        queue(first);
        assertThat(awaitTransaction(cached, first).tls()).isTrue();

        // An attacker on the path suppresses the TXT record and the policy host, and points MX at a host of theirs.
        dns.remove("_mta-sts.cached.test");
        POLICIES.remove("mta-sts.cached.test");
        dns.mx("cached.test", new MxRecord(10, "mx.evil.test"));
        String second = "c" + NEXT.incrementAndGet() + "@cached.test";
        queue(second);

        awaitDeferred(second, "not an MX host that the MTA-STS policy of cached.test names");
        assertThat(evil.connections()).isZero();
        delete(second);
    }

    @Test
    void finishedDaysShouldBeReportedByMailAndHttpsAsRfc8460JsonAndThenForgotten() throws Exception {
        RunningHato.User postmaster = hato.newUser("tlsrpt");
        String domain = "reported" + NEXT.incrementAndGet() + ".test";
        dns.txt("_smtp._tls." + domain, "v=TLSRPTv1; rua=mailto:" + postmaster.address()
                + ",https://reports.test:" + httpsPort + "/tlsrpt");
        LocalDate yesterday = LocalDate.now(ZoneOffset.UTC).minusDays(1);
        String policy = "version: STSv1\nmode: enforce\nmx: mx." + domain + "\nmax_age: 86400\n";
        var sessions = hato.store().tlsSessions();
        // Both counts at once: the reporter (every second here) sends whatever a finished day holds when it looks,
        // so counts written one after another could go out in two reports.
        Mono.when(sessions.add(yesterday, new TlsSession(domain, "sts", "abc", policy, "mx." + domain, "192.0.2.7",
                        "", 3)),
                sessions.add(yesterday, new TlsSession(domain, "sts", "abc", policy, "mx." + domain, "192.0.2.7",
                        "certificate-expired", 2))).block(WAIT);

        Eventually.until(() -> !hato.inbox(postmaster).isEmpty() && !POSTED.isEmpty(), "the reports", WAIT);

        MessageMeta meta = hato.inbox(postmaster).get(0);
        MimeMessage mail = new MimeMessage(Session.getInstance(new Properties()),
                new ByteArrayInputStream(hato.content(meta)));
        assertThat(mail.getContentType()).contains("multipart/report").contains("report-type=\"tlsrpt\"");
        assertThat(mail.getHeader("TLS-Report-Domain", null)).isEqualTo(domain);
        assertThat(mail.getSubject()).startsWith("Report Domain: " + domain + " Submitter: ");
        MimeMultipart parts = (MimeMultipart) mail.getContent();
        assertThat(parts.getBodyPart(1).getContentType()).startsWith("application/tlsrpt+gzip");
        JsonNode mailed = gunzipJson(parts.getBodyPart(1).getInputStream().readAllBytes());
        JsonNode posted = gunzipJson(POSTED.get(0));

        for (JsonNode report : List.of(mailed, posted)) {
            assertThat(report.get("organization-name").asText()).isEqualTo("Hato Test University");
            assertThat(report.get("date-range").get("start-datetime").asText()).isEqualTo(yesterday + "T00:00:00Z");
            assertThat(report.get("date-range").get("end-datetime").asText()).isEqualTo(yesterday + "T23:59:59Z");
            assertThat(report.get("report-id").asText()).isNotBlank();
            JsonNode entry = report.get("policies").get(0);
            assertThat(entry.get("policy").get("policy-type").asText()).isEqualTo("sts");
            assertThat(entry.get("policy").get("policy-domain").asText()).isEqualTo(domain);
            assertThat(entry.get("policy").get("policy-string").toString()).contains("mode: enforce");
            assertThat(entry.get("policy").get("mx-host").get(0).asText()).isEqualTo("mx." + domain);
            assertThat(entry.get("summary").get("total-successful-session-count").asLong()).isEqualTo(3);
            assertThat(entry.get("summary").get("total-failure-session-count").asLong()).isEqualTo(2);
            JsonNode failure = entry.get("failure-details").get(0);
            assertThat(failure.get("result-type").asText()).isEqualTo("certificate-expired");
            assertThat(failure.get("receiving-mx-hostname").asText()).isEqualTo("mx." + domain);
            assertThat(failure.get("receiving-ip").asText()).isEqualTo("192.0.2.7");
            assertThat(failure.get("failed-session-count").asLong()).isEqualTo(2);
        }
        assertThat(sessions.due(LocalDate.now(ZoneOffset.UTC)).filter(due -> due.policyDomain().equals(domain))
                .collectList().block(WAIT)).isEmpty();
    }

    @Test
    void aReportMailedToADestinationWhoseTlsFailsShouldStillGoOut() {
        String domain = "reported" + NEXT.incrementAndGet() + ".test";
        String to = "rua" + NEXT.incrementAndGet() + "@wrongmx.test";
        dns.txt("_smtp._tls." + domain, "v=TLSRPTv1; rua=mailto:" + to);
        hato.store().tlsSessions().add(LocalDate.now(ZoneOffset.UTC).minusDays(1),
                new TlsSession(domain, "no-policy-found", "", "", "mx." + domain, "192.0.2.8", "", 1)).block(WAIT);

        // wrongmx.test enforces a policy that names none of its MX hosts: other mail to it waits, a report goes.
        TestSmtpServer.Transaction delivered = awaitTransaction(wrongMx, to);
        assertThat(new String(delivered.content(), StandardCharsets.US_ASCII))
                .contains("TLS-Report-Domain: " + domain);
    }

    // ---------------------------------------------------------------------------------------------------------

    private static void queue(String to) {
        hato.store().deliveries().deliver(new Delivery(OutboundDeliveryTest.Bytes.of("Subject: sts\r\n\r\nHello.\r\n"), List.of(),
                Instant.now(), Envelope.NONE, List.of(new OutboundRecipient(to)))).block(WAIT);
    }

    private static List<QueuedRecipient> queued(String address) {
        return hato.store().outboundQueue().list().filter(r -> r.recipient().address().equals(address))
                .collectList().block(WAIT);
    }

    private static void awaitDeferred(String to, String reason) {
        Eventually.until(() -> queued(to).stream().anyMatch(r -> r.attempts() > 0 && r.lastError() != null
                && r.lastError().contains(reason)), to + " to be deferred with '" + reason + "'", WAIT);
    }

    private static void delete(String to) {
        queued(to).forEach(r -> hato.store().outboundQueue().delete(r.message().id()).block(WAIT));
    }

    private static void awaitCounted(String domain, String resultType) {
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        Eventually.until(() -> {
            List<TlsSession> taken = hato.store().tlsSessions().take(today, domain).collectList().block(WAIT);
            boolean found = taken.stream().anyMatch(session -> session.resultType().equals(resultType));
            // give back what was taken, so that a later check (or report) still sees it
            taken.forEach(session -> hato.store().tlsSessions().add(today, session).block(WAIT));
            return found;
        }, "a " + (resultType.isEmpty() ? "successful" : resultType) + " session counted for " + domain, WAIT);
    }

    private static TestSmtpServer.Transaction awaitTransaction(TestSmtpServer server, String recipient) {
        Eventually.until(() -> server.transactions().stream()
                .anyMatch(t -> t.accepted().contains(recipient.toLowerCase())), "a transaction for " + recipient, WAIT);
        return server.transactions().stream().filter(t -> t.accepted().contains(recipient.toLowerCase()))
                .findFirst().orElseThrow();
    }

    private static JsonNode gunzipJson(byte[] gzipped) throws IOException {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gzipped))) {
            return JSON.readTree(in);
        }
    }
}
