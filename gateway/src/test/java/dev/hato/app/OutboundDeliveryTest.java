package dev.hato.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hato.auth.ldap.TestCertificate;
import dev.hato.dkim.DkimAlgorithm;
import dev.hato.dkim.DkimKeyGenerator;
import dev.hato.outbound.MxRecord;
import dev.hato.store.keys.DkimKey;
import dev.hato.store.mail.Delivery;
import dev.hato.store.mail.DeliveryReceipt;
import dev.hato.store.mail.MessageContent;
import dev.hato.store.mail.MessageMeta;
import dev.hato.store.queue.Envelope;
import dev.hato.store.queue.OutboundRecipient.Notify;
import dev.hato.store.queue.OutboundRecipient;
import dev.hato.store.queue.QueuedRecipient;
import jakarta.mail.BodyPart;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

/**
 * Outbound delivery end to end: a Hato with a loopback DNS server for its MX lookups and test SMTP servers on
 * 127.0.0.2 and up (all on one port, which {@code hato.outbound.remote-port} names), each behaving as one kind of
 * remote server. Messages are queued through the DeliveryWriter as the SMTP server queues them; the test then
 * watches what the remote servers received and what came back to the sender's INBOX.
 */
class OutboundDeliveryTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final AtomicInteger NEXT = new AtomicInteger();

    private static TestDnsServer dns;
    private static final List<TestSmtpServer> SERVERS = new ArrayList<>();
    private static TestSmtpServer tempfail;
    private static TestSmtpServer reject;
    private static TestSmtpServer features;
    private static TestSmtpServer plain;
    private static TestSmtpServer mixed;
    private static TestSmtpServer slow;
    private static TestSmtpServer verified;
    private static TestSmtpServer held;
    private static TestSmtpServer brokenTls;
    private static final CountDownLatch HOLD = new CountDownLatch(1);
    private static RunningHato hato;

    @BeforeAll
    static void start() throws Exception {
        dns = new TestDnsServer();
        int port = LoopbackPorts.freeOnAll("127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5", "127.0.0.6",
                "127.0.0.7", "127.0.0.8", "127.0.0.9", "127.0.0.10", "127.0.0.11");
        tempfail = server("127.0.0.2", port, "tempfail.test", TestSmtpServer.on("127.0.0.2", port)
                .rcpt((address, attempt) -> attempt == 1 ? "451 4.3.0 try again later" : "250 2.1.5 ok"));
        reject = server("127.0.0.3", port, "reject.test", TestSmtpServer.on("127.0.0.3", port)
                .rcpt((address, attempt) -> "550 5.1.1 <" + address + ">: no such user"));
        TestCertificate featuresCertificate = TestCertificate.forHost("mx.features.test");
        features = server("127.0.0.4", port, "features.test", TestSmtpServer.on("127.0.0.4", port)
                .extensions("PIPELINING", "8BITMIME", "SIZE 10000000", "DSN", "SMTPUTF8", "CHUNKING", "BINARYMIME",
                        "ENHANCEDSTATUSCODES")
                .tls(featuresCertificate.serverContext()));
        plain = server("127.0.0.5", port, "plain.test", TestSmtpServer.on("127.0.0.5", port).extensions("8BITMIME"));
        mixed = server("127.0.0.6", port, "mixed.test", TestSmtpServer.on("127.0.0.6", port)
                .rcpt((address, attempt) -> address.startsWith("ok") ? "250 2.1.5 ok"
                        : address.startsWith("later") && attempt > 1 ? "250 2.1.5 ok"
                        : address.startsWith("later") ? "452 4.2.2 mailbox full"
                        : "550 5.1.1 no such user"));
        slow = server("127.0.0.7", port, "slow.test", TestSmtpServer.on("127.0.0.7", port)
                .rcpt((address, attempt) -> "451 4.7.1 greylisted, try again later"));
        TestCertificate verifiedCertificate = TestCertificate.forHost("mx.verified.test");
        verified = server("127.0.0.8", port, "verified.test", TestSmtpServer.on("127.0.0.8", port)
                .tls(verifiedCertificate.serverContext()));
        server("127.0.0.9", port, "untrusted.test", TestSmtpServer.on("127.0.0.9", port)
                .tls(TestCertificate.forHost("mx.untrusted.test").serverContext()));
        held = server("127.0.0.10", port, "held.test", TestSmtpServer.on("127.0.0.10", port).holdGreeting(HOLD));
        brokenTls = server("127.0.0.11", port, "brokentls.test", TestSmtpServer.on("127.0.0.11", port).brokenTls());
        dns.a("nomx.test", "127.0.0.5");
        dns.mx("nullmx.test", new MxRecord(0, ""));
        // The better MX has no address: delivery goes on to the next one.
        dns.mx("backup.test", new MxRecord(5, "gone.backup.test"), new MxRecord(10, "mx.plain.test"));

        Path dataDir = Files.createTempDirectory("hato-outbound-test-");
        Path trusted = verifiedCertificate.writePem(dataDir.resolve("trusted.pem"));
        hato = RunningHato.start(dataDir,
                "--hato.outbound.dns-servers=" + dns.address(),
                "--hato.outbound.remote-port=" + port,
                "--hato.outbound.first-retry=300ms",
                "--hato.outbound.max-retry=600ms",
                "--hato.outbound.poll-interval=200ms",
                "--hato.outbound.delay-notice=1500ms",
                "--hato.outbound.max-age=6s",
                "--hato.outbound.connect-timeout=5s",
                "--hato.outbound.reply-timeout=20s",
                "--hato.outbound.trusted-certificates=" + trusted,
                "--hato.outbound.tls-policies[verified.test]=verify",
                "--hato.outbound.tls-policies[untrusted.test]=verify");
        hato.provisioning().addDomain(RunningHato.DOMAIN).block(WAIT);
    }

    private static TestSmtpServer server(String address, int port, String domain, TestSmtpServer.Builder builder)
            throws Exception {
        TestSmtpServer server = builder.start();
        SERVERS.add(server);
        dns.mx(domain, new MxRecord(10, "mx." + domain));
        dns.a("mx." + domain, address);
        return server;
    }

    @AfterAll
    static void stop() throws Exception {
        HOLD.countDown();
        if (hato != null) {
            hato.close();
        }
        for (TestSmtpServer server : SERVERS) {
            server.close();
        }
        if (dns != null) {
            dns.close();
        }
    }

    // ---------------------------------------------------------------------------------------------------------

    @Test
    void aMessageRefusedWith4xxShouldBeRetriedAndThenDelivered() {
        String to = "first" + NEXT.incrementAndGet() + "@tempfail.test";
        String body = "Subject: retried\r\nMessage-ID: <" + NEXT.incrementAndGet() + "@t>\r\n\r\nline one\r\n"
                + ".a line that starts with a dot\r\n.\r\nlast\r\n";

        queue(body, new Envelope("someone@" + RunningHato.DOMAIN, null, null, false, Envelope.Body.SEVEN_BIT),
                new OutboundRecipient(to));

        TestSmtpServer.Transaction delivered = awaitTransaction(tempfail, to);
        assertThat(delivered.text()).isEqualTo(body);
        assertThat(tempfail.commands()).filteredOn(c -> c.equalsIgnoreCase("RCPT TO:<" + to + ">")).hasSize(2);
        awaitQueueWithout(to);
    }

    @Test
    void aPermanentRefusalShouldBounceToTheLocalSenderAsAMultipartReport() throws Exception {
        RunningHato.User sender = hato.newUser("bounced");
        String to = "nobody" + NEXT.incrementAndGet() + "@reject.test";

        queue("Subject: will bounce\r\n\r\nHello.\r\n", new Envelope(sender.address(), "envelope-77", Envelope.Ret.HDRS,
                false, Envelope.Body.SEVEN_BIT), new OutboundRecipient(to, Set.of(), "rfc822;" + to));

        Report report = awaitReports(sender, 1).get(0);
        assertThat(report.subject()).contains("Undelivered");
        assertThat(report.from()).startsWith("Mail Delivery System <MAILER-DAEMON@");
        assertThat(report.status()).contains("Original-Envelope-Id: envelope-77")
                .contains("Final-Recipient: rfc822;" + to)
                .contains("Original-Recipient: rfc822;" + to)
                .contains("Action: failed")
                .contains("Status: 5.1.1")
                .contains("Remote-MTA: dns; mx.reject.test")
                .contains("Diagnostic-Code: smtp; 550 5.1.1");
        // RET=HDRS: the original's header, not its body.
        assertThat(report.originalType()).isEqualTo("text/rfc822-headers");
        assertThat(report.original()).contains("Subject: will bounce").doesNotContain("Hello.");
        awaitQueueWithout(to);
    }

    @Test
    void aBounceToARemoteSenderShouldGoOutWithTheNullSender() {
        String sender = "remote" + NEXT.incrementAndGet() + "@plain.test";
        String to = "nobody" + NEXT.incrementAndGet() + "@reject.test";

        queue("Subject: bounce me\r\n\r\nHello.\r\n", new Envelope(sender, null, null, false, Envelope.Body.SEVEN_BIT),
                new OutboundRecipient(to));

        TestSmtpServer.Transaction bounce = awaitTransaction(plain, sender);
        assertThat(bounce.mailFrom()).isEqualToIgnoringCase("MAIL FROM:<>");
        assertThat(bounce.text()).contains("multipart/report").contains("Action: failed").contains(to)
                .contains("Subject: bounce me");
    }

    @Test
    void aMessageFromTheNullSenderShouldNeverGetAReport() {
        RunningHato.User watcher = hato.newUser("watcher");
        String to = "nobody" + NEXT.incrementAndGet() + "@reject.test";
        int plainBefore = plain.transactions().size();

        DeliveryReceipt receipt = queue("Subject: a bounce itself\r\n\r\nReport.\r\n", Envelope.NONE,
                new OutboundRecipient(to), new OutboundRecipient("x" + NEXT.incrementAndGet() + "@nowhere.test"));

        awaitQueueWithout(to);
        // A report would have been queued or stored before the message left the queue: there is none.
        assertThat(hato.store().outboundQueue().list().filter(r -> r.message().id() > receipt.queuedMessageId())
                .filter(r -> r.message().envelope().nullSender()).collectList().block(WAIT)).isEmpty();
        assertThat(plain.transactions()).hasSize(plainBefore);
        assertThat(inbox(watcher)).isEmpty();
        assertThat(reject.commands()).anyMatch(c -> c.equalsIgnoreCase("RCPT TO:<" + to + ">"));
    }

    @Test
    void mailSubmittedOverSmtpShouldLeaveThroughTheQueueDkimSignedAndVerifiedByDkimpy() throws Exception {
        int n = NEXT.incrementAndGet();
        String domain = "signed" + n + ".test";
        hato.provisioning().addDomain(domain).block(WAIT);
        RunningHato.User sender = hato.newUser("dkim", domain);
        DkimKey key = new DkimKeyGenerator(new SecureRandom()).generate(domain, "s" + n,
                DkimAlgorithm.ED25519_SHA256, 0, Instant.now(), true);
        hato.store().dkimKeys().add(key).block(WAIT);
        String to = "signed" + n + "@features.test";

        Properties properties = new Properties();
        properties.put("mail.smtps.ssl.trust", "*");
        properties.put("mail.smtps.ssl.checkserveridentity", "false");
        properties.put("mail.smtps.auth", "true");
        Session session = Session.getInstance(properties);
        MimeMessage message = new MimeMessage(session);
        message.setFrom(sender.address());
        message.setRecipients(jakarta.mail.Message.RecipientType.TO, to);
        message.setSubject("signed on the way out", "UTF-8");
        message.setText("Grüße, signed by Hato.\n", "UTF-8");
        try (jakarta.mail.Transport transport = session.getTransport("smtps")) {
            transport.connect("127.0.0.1", hato.port("submissions"), sender.authId(), sender.password());
            transport.sendMessage(message, message.getAllRecipients());
        }

        TestSmtpServer.Transaction delivered = awaitTransaction(features, to);
        assertThat(delivered.mailFrom()).startsWith("MAIL FROM:<" + sender.address() + ">");
        assertThat(delivered.text()).startsWith("DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed; d="
                + domain + ";").contains("s=s" + n + ";").contains("\r\nReceived: from ")
                .contains("Subject: signed on the way out").doesNotContain("Return-Path:");
        var dkimpy = dev.hato.dkim.Dkimpy.find();
        org.junit.jupiter.api.Assumptions.assumeTrue(dkimpy.isPresent(),
                "dkimpy (Debian python3-dkim) is not installed; .ci/run installs it");
        var verdict = dkimpy.get().verify(delivered.content(), List.of(key));
        assertThat(verdict.passed()).as(verdict.output()).isTrue();
    }

    @Test
    void pipeliningStartTlsAndDsnParametersShouldBeUsedWhenOffered() {
        RunningHato.User sender = hato.newUser("dsn");
        String to = "fancy" + NEXT.incrementAndGet() + "@features.test";
        String body = "Subject: =?utf-8?q?caf=C3=A9?=\r\n\r\nUTF-8 everywhere: caf\u00e9 <h\u00e9@features.test>\r\n";

        queue(body, new Envelope(sender.address(), "id+2Bwith+3Dspecials", Envelope.Ret.FULL, true,
                        Envelope.Body.EIGHT_BIT_MIME),
                new OutboundRecipient(to, Set.of(Notify.SUCCESS, Notify.FAILURE), "rfc822;" + to));

        TestSmtpServer.Transaction delivered = awaitTransaction(features, to);
        assertThat(delivered.tls()).isTrue();
        assertThat(delivered.pipelined()).isTrue();
        assertThat(delivered.mailFrom()).isEqualTo("MAIL FROM:<" + sender.address() + "> SIZE="
                + body.getBytes(StandardCharsets.UTF_8).length + " BODY=8BITMIME SMTPUTF8 RET=FULL"
                + " ENVID=id+2Bwith+3Dspecials");
        assertThat(delivered.rcptTo()).containsExactly("RCPT TO:<" + to + "> NOTIFY=FAILURE,SUCCESS ORCPT=rfc822;"
                + to);
        assertThat(delivered.text()).isEqualTo(body);
        awaitQueueWithout(to);
        // The server offered DSN and took NOTIFY=SUCCESS along: it reports success, not Hato.
        assertThat(inbox(sender)).isEmpty();
    }

    @Test
    void aBinaryMimeMessageShouldGoInBdatChunksWhereOffered() {
        String to = "binary" + NEXT.incrementAndGet() + "@features.test";
        String body = "Subject: binary\r\nContent-Type: application/octet-stream\r\n\r\n\u0000\u0001 no dot-stuffing\r\n.\r\n";

        queue(body, new Envelope("", null, null, false, Envelope.Body.BINARY_MIME), new OutboundRecipient(to));

        TestSmtpServer.Transaction delivered = awaitTransaction(features, to);
        assertThat(delivered.mailFrom()).contains("BODY=BINARYMIME");
        assertThat(delivered.text()).isEqualTo(body);
        assertThat(features.commands()).anyMatch(c -> c.equals("BDAT 0 LAST"));
    }

    @Test
    void notifySuccessToAServerWithoutDsnShouldBeReportedAsRelayed() throws Exception {
        RunningHato.User sender = hato.newUser("relayed");
        String to = "simple" + NEXT.incrementAndGet() + "@plain.test";

        queue("Subject: tell me\r\n\r\nHello.\r\n", new Envelope(sender.address(), null, null, false,
                Envelope.Body.SEVEN_BIT), new OutboundRecipient(to, Set.of(Notify.SUCCESS), null));

        TestSmtpServer.Transaction delivered = awaitTransaction(plain, to);
        assertThat(delivered.rcptTo()).containsExactly("RCPT TO:<" + to + ">");
        assertThat(delivered.pipelined()).isFalse();
        Report report = awaitReports(sender, 1).get(0);
        assertThat(report.status()).contains("Action: relayed").contains("Final-Recipient: rfc822;" + to)
                .contains("Status: 2.");
        // The queue does not know whether the sender was authenticated (the message may have come in on port 25 and
        // been forwarded), so a success report quotes nothing of the original (DeliveryReports.Origin).
        assertThat(report.originalType()).isEmpty();
        assertThat(report.original()).isEmpty();
    }

    @Test
    void aUtf8MessageToAServerWithoutSmtputf8ShouldFailWith567() throws Exception {
        RunningHato.User sender = hato.newUser("utf");
        String to = "u" + NEXT.incrementAndGet() + "@plain.test";

        queue("Subject: utf8\r\n\r\ncaf\u00e9\r\n", new Envelope(sender.address(), null, null, true,
                Envelope.Body.EIGHT_BIT_MIME), new OutboundRecipient(to));

        Report report = awaitReports(sender, 1).get(0);
        assertThat(report.status()).contains("Action: failed").contains("Status: 5.6.7").contains("SMTPUTF8");
        assertThat(plain.commands()).noneMatch(c -> c.contains(to));
    }

    @Test
    void eachRecipientOfOneMessageShouldGetItsOwnOutcome() throws Exception {
        RunningHato.User sender = hato.newUser("mixed");
        int n = NEXT.incrementAndGet();
        String ok = "ok" + n + "@mixed.test";
        String later = "later" + n + "@mixed.test";
        String bad = "bad" + n + "@mixed.test";

        queue("Subject: three recipients\r\n\r\nHello.\r\n", new Envelope(sender.address(), null, null, false,
                        Envelope.Body.SEVEN_BIT), new OutboundRecipient(ok), new OutboundRecipient(later),
                new OutboundRecipient(bad, Set.of(Notify.FAILURE), null));

        assertThat(awaitTransaction(mixed, ok).accepted()).containsExactly(ok);
        assertThat(awaitTransaction(mixed, later).accepted()).containsExactly(later);
        Report report = awaitReports(sender, 1).get(0);
        assertThat(report.status()).contains("Final-Recipient: rfc822;" + bad).doesNotContain(ok)
                .doesNotContain(later);
        awaitQueueWithout(later);
    }

    @Test
    void aDestinationThatKeepsDeferringShouldGetOneDelayNoticeAndThenABounce() throws Exception {
        RunningHato.User sender = hato.newUser("delayed");
        String to = "grey" + NEXT.incrementAndGet() + "@slow.test";

        queue("Subject: slow\r\n\r\nHello.\r\n", new Envelope(sender.address(), null, null, false,
                Envelope.Body.SEVEN_BIT), new OutboundRecipient(to));

        List<Report> reports = awaitReports(sender, 2);
        assertThat(reports.get(0).status()).contains("Action: delayed").contains("Status: 4.7.1")
                .contains("Will-Retry-Until:");
        assertThat(reports.get(1).status()).contains("Action: failed").contains("Status: 4.4.7")
                .contains("greylisted");
        awaitQueueWithout(to);
        assertThat(slow.commands()).filteredOn(c -> c.equalsIgnoreCase("RCPT TO:<" + to + ">")).hasSizeGreaterThan(2);
    }

    @Test
    void domainsWithoutMxShouldUseTheirAddressAndMissingOrNullMxDomainsShouldBounce() throws Exception {
        RunningHato.User sender = hato.newUser("dnsfail");
        int n = NEXT.incrementAndGet();

        queue("Subject: dns\r\n\r\nHello.\r\n", new Envelope(sender.address(), null, null, false,
                        Envelope.Body.SEVEN_BIT), new OutboundRecipient("a" + n + "@nomx.test"),
                new OutboundRecipient("b" + n + "@nowhere.test"), new OutboundRecipient("c" + n + "@nullmx.test"),
                new OutboundRecipient("d" + n + "@backup.test"));

        assertThat(awaitTransaction(plain, "a" + n + "@nomx.test").accepted()).containsExactly("a" + n + "@nomx.test");
        assertThat(awaitTransaction(plain, "d" + n + "@backup.test").accepted()).hasSize(1);
        List<Report> reports = awaitReports(sender, 2);
        String both = reports.get(0).status() + reports.get(1).status();
        assertThat(both).contains("Final-Recipient: rfc822;b" + n + "@nowhere.test").contains("Status: 5.1.2")
                .contains("Final-Recipient: rfc822;c" + n + "@nullmx.test").contains("Status: 5.1.10");
    }

    @Test
    void aVerifyPolicyShouldDeliverOverTrustedTlsAndDeferAnUntrustedCertificate() {
        String good = "v" + NEXT.incrementAndGet() + "@verified.test";
        String bad = "v" + NEXT.incrementAndGet() + "@untrusted.test";

        DeliveryReceipt receipt = queue("Subject: verify\r\n\r\nHello.\r\n", Envelope.NONE,
                new OutboundRecipient(good), new OutboundRecipient(bad));

        assertThat(awaitTransaction(verified, good).tls()).isTrue();
        await(() -> queued(bad).stream().anyMatch(r -> r.attempts() > 0 && r.lastError() != null),
                "the untrusted destination to be deferred");
        assertThat(queued(bad).get(0).lastError()).contains("mx.untrusted.test");
        hato.store().outboundQueue().delete(receipt.queuedMessageId()).block(WAIT);
    }

    @Test
    void aFailedOpportunisticHandshakeShouldFallBackToPlainText() {
        String to = "t" + NEXT.incrementAndGet() + "@brokentls.test";

        queue("Subject: plain after all\r\n\r\nHello.\r\n", Envelope.NONE, new OutboundRecipient(to));

        TestSmtpServer.Transaction delivered = awaitTransaction(brokenTls, to);
        assertThat(delivered.tls()).isFalse();
        assertThat(brokenTls.commands()).contains("STARTTLS");
        assertThat(brokenTls.connections()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void severalMessagesToOneDestinationShouldShareAConnectionWithRsetBetween() {
        String first = "h" + NEXT.incrementAndGet() + "@held.test";
        queue("Subject: first\r\n\r\nHello.\r\n", Envelope.NONE, new OutboundRecipient(first));
        // The first connection waits for its greeting, so the destination is busy while four more are queued.
        await(() -> held.connections() > 0, "the first connection");
        List<String> more = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            more.add("h" + NEXT.incrementAndGet() + "@held.test");
            queue("Subject: more " + i + "\r\n\r\nHello.\r\n", Envelope.NONE, new OutboundRecipient(more.get(i)));
        }
        HOLD.countDown();

        more.forEach(to -> awaitTransaction(held, to));
        List<Integer> connectionsOfMore = more.stream().map(to -> awaitTransaction(held, to).connection()).toList();
        // Two connections per destination at most: four messages share them.
        assertThat(connectionsOfMore.stream().distinct().count()).isLessThanOrEqualTo(2);
        assertThat(held.commands()).contains("RSET");
    }

    // ---------------------------------------------------------------------------------------------------------

    private static DeliveryReceipt queue(String message, Envelope envelope, OutboundRecipient... recipients) {
        return hato.store().deliveries().deliver(new Delivery(Bytes.of(message), List.of(), Instant.now(), envelope,
                List.of(recipients))).block(WAIT);
    }

    private static List<QueuedRecipient> queued(String address) {
        return hato.store().outboundQueue().list().filter(r -> r.recipient().address().equals(address))
                .collectList().block(WAIT);
    }

    private static void awaitQueueWithout(String address) {
        await(() -> queued(address).isEmpty(), address + " to leave the queue");
    }

    private static TestSmtpServer.Transaction awaitTransaction(TestSmtpServer server, String recipient) {
        await(() -> server.transactions().stream().anyMatch(t -> t.accepted().contains(recipient.toLowerCase())),
                "a transaction for " + recipient);
        return server.transactions().stream().filter(t -> t.accepted().contains(recipient.toLowerCase())).findFirst()
                .orElseThrow();
    }

    private static void await(BooleanSupplier condition, String what) {
        Eventually.until(condition, what, WAIT);
    }

    private static List<MessageMeta> inbox(RunningHato.User user) {
        return hato.inbox(user);
    }

    /** Waits for {@code count} messages in the user's INBOX and parses them as reports, oldest first. */
    private static List<Report> awaitReports(RunningHato.User user, int count) throws Exception {
        await(() -> inbox(user).size() >= count, count + " report(s) for " + user.address());
        List<Report> reports = new ArrayList<>();
        for (MessageMeta meta : inbox(user)) {
            reports.add(Report.parse(hato.content(meta)));
        }
        return reports;
    }

    /** A delivery status notification as a mail client sees it (Angus Mail). */
    record Report(String from, String subject, String status, String originalType, String original) {
        static Report parse(byte[] message) throws Exception {
            MimeMessage mime = new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(message));
            // RFC 6533: a report about an SMTPUTF8 message is a global-delivery-status report.
            boolean global = mime.getContentType().contains("report-type=global-delivery-status");
            assertThat(mime.getContentType()).startsWith("multipart/report").contains(global
                    ? "report-type=global-delivery-status" : "report-type=delivery-status");
            MimeMultipart parts = (MimeMultipart) mime.getContent();
            // RFC 3464 §2: the returned original is optional (a success report about queued mail has none).
            assertThat(parts.getCount()).isBetween(2, 3);
            assertThat(parts.getBodyPart(0).isMimeType("text/plain")).isTrue();
            assertThat(parts.getBodyPart(1).isMimeType(global ? "message/global-delivery-status"
                    : "message/delivery-status")).isTrue();
            if (parts.getCount() == 2) {
                return new Report(mime.getHeader("From", null), mime.getSubject(), text(parts.getBodyPart(1)), "",
                        "");
            }
            BodyPart original = parts.getBodyPart(2);
            return new Report(mime.getHeader("From", null), mime.getSubject(), text(parts.getBodyPart(1)),
                    original.getContentType().split(";")[0].trim().toLowerCase(), text(original));
        }

        private static String text(BodyPart part) throws Exception {
            try (var in = part.getInputStream()) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        }
    }

    /** Message bytes in memory, as the SMTP server's spool would hand them over. */
    record Bytes(byte[] bytes, byte[] sha256) implements MessageContent {
        static Bytes of(String message) {
            byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
            try {
                return new Bytes(bytes, MessageDigest.getInstance("SHA-256").digest(bytes));
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public long size() {
            return bytes.length;
        }

        @Override
        public Flux<ByteBuffer> chunks() {
            return Flux.just(ByteBuffer.wrap(bytes).asReadOnlyBuffer());
        }
    }
}
