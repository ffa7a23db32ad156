package dev.hato.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hato.auth.ldap.TestCertificate;
import dev.hato.store.legacy.LegacyBackend;
import dev.hato.store.legacy.LegacyBackend.Server;
import dev.hato.store.legacy.LegacyBackend.Tls;
import dev.hato.store.legacy.Route;
import dev.hato.store.queue.QueuedRecipient;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 17, mail for people still served by an old system: a Hato whose legacy system "old" has its MTA on a
 * loopback test SMTP server (STARTTLS with a certificate only the system's own trusted PEM vouches for). Mail from
 * outside (port 25) to a person routed {@code legacy:old} must reach that MTA once, through the outbound queue, and
 * never their Hato mailbox; {@code syncing} and {@code local} people get it in Hato.
 */
class LegacyRelayTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final AtomicInteger NEXT = new AtomicInteger();

    private static TestSmtpServer oldMta;
    private static RunningHato hato;

    @BeforeAll
    static void start() throws Exception {
        TestCertificate certificate = TestCertificate.forLoopback();
        // The old MTA refuses a "retry" recipient the first time (RFC 5321 §4.2.5: 451, try again later).
        oldMta = TestSmtpServer.on("127.0.0.1", 0)
                .tls(certificate.serverContext())
                .rcpt((address, attempt) -> address.startsWith("retry") && attempt == 1
                        ? "451 4.3.0 try again later" : "250 2.1.5 ok")
                .start();
        Path dataDir = Files.createTempDirectory("hato-legacy-relay-test-");
        String trustPem = Files.readString(certificate.writePem(dataDir.resolve("old-mta.pem")),
                StandardCharsets.US_ASCII);
        hato = RunningHato.start(dataDir,
                "--hato.outbound.dns-servers=" + RunningHato.quietDns().address(),
                "--hato.outbound.first-retry=300ms",
                "--hato.outbound.max-retry=600ms",
                "--hato.outbound.poll-interval=200ms");
        hato.provisioning().addDomain(RunningHato.DOMAIN).block(WAIT);
        Server imap = new Server("127.0.0.1", 993, Tls.IMPLICIT);
        hato.store().legacyBackends().put(new LegacyBackend("old", imap, null,
                new Server("127.0.0.1", oldMta.port(), Tls.STARTTLS), null, trustPem, null, null), false).block(WAIT);
        // The same MTA, but without its certificate: the system CAs do not vouch for it.
        hato.store().legacyBackends().put(new LegacyBackend("untrusted", imap, null,
                new Server("127.0.0.1", oldMta.port(), Tls.STARTTLS), null, null, null, null), false).block(WAIT);
        hato.store().legacyBackends().put(new LegacyBackend("nosmtp", imap, null, null, null, null, null, null), false)
                .block(WAIT);
    }

    @AfterAll
    static void stop() throws Exception {
        if (hato != null) {
            hato.close();
        }
        if (oldMta != null) {
            oldMta.close();
        }
    }

    @Test
    void mailFromOutsideToALegacyPersonShouldReachTheOldMtaOnceAndNotHato() throws Exception {
        RunningHato.User person = route(hato.newUser("legacy"), Route.legacy("old"));
        String sender = "someone" + NEXT.incrementAndGet() + "@remote.example";

        send(sender, "for the old system", person.address());

        TestSmtpServer.Transaction relayed = awaitTransaction(person.address());
        assertThat(relayed.mailFrom()).startsWithIgnoringCase("MAIL FROM:<" + sender + ">");
        assertThat(relayed.accepted()).containsExactly(person.address());
        assertThat(relayed.tls()).as("STARTTLS, with the system's own trusted certificate").isTrue();
        assertThat(relayed.text()).contains("Subject: for the old system").contains("Received: from ");
        awaitQueueWithout(person.address());
        assertThat(transactionsFor(person.address())).isEqualTo(1);
        assertThat(hato.inbox(person)).isEmpty();
    }

    @Test
    void oneMessageToALocalAndALegacyPersonShouldBeSplit() throws Exception {
        RunningHato.User local = hato.newUser("local");
        RunningHato.User legacy = route(hato.newUser("legacy"), Route.legacy("old"));

        send("split" + NEXT.incrementAndGet() + "@remote.example", "split", local.address(), legacy.address());

        TestSmtpServer.Transaction relayed = awaitTransaction(legacy.address());
        assertThat(relayed.accepted()).containsExactly(legacy.address());
        await(() -> hato.inbox(local).size() == 1, "the local copy");
        awaitQueueWithout(legacy.address());
        assertThat(hato.inbox(legacy)).isEmpty();
        assertThat(transactionsFor(local.address())).isZero();
        assertThat(transactionsFor(legacy.address())).isEqualTo(1);
    }

    @Test
    void aSyncingPersonShouldGetTheMessageInHatoAtOnce() throws Exception {
        RunningHato.User person = route(hato.newUser("syncing"), Route.SYNCING);

        send("sync" + NEXT.incrementAndGet() + "@remote.example", "while syncing", person.address());

        // The 250 to DATA means committed: the copy is there when the client is told.
        assertThat(hato.inbox(person)).hasSize(1);
        assertThat(transactionsFor(person.address())).isZero();
        assertThat(queued(person.address())).isEmpty();
    }

    @Test
    void afterTheRouteTurnsLocalNewMailShouldLandInHato() throws Exception {
        RunningHato.User person = route(hato.newUser("moving"), Route.legacy("old"));
        send("before" + NEXT.incrementAndGet() + "@remote.example", "before the move", person.address());
        awaitTransaction(person.address());

        route(person, Route.LOCAL);
        send("after" + NEXT.incrementAndGet() + "@remote.example", "after the move", person.address());

        assertThat(hato.inbox(person)).hasSize(1);
        assertThat(new String(hato.content(hato.inbox(person).get(0)), StandardCharsets.UTF_8))
                .contains("Subject: after the move");
        awaitQueueWithout(person.address());
        assertThat(transactionsFor(person.address())).isEqualTo(1);
    }

    @Test
    void aTemporaryRefusalByTheOldMtaShouldBeRetriedAndDeliveredExactlyOnce() throws Exception {
        RunningHato.User person = route(hato.newUser("retry"), Route.legacy("old"));

        send("retried" + NEXT.incrementAndGet() + "@remote.example", "retried", person.address());

        awaitTransaction(person.address());
        awaitQueueWithout(person.address());
        assertThat(oldMta.commands()).filteredOn(c -> c.equalsIgnoreCase("RCPT TO:<" + person.address() + ">"))
                .hasSize(2);
        assertThat(transactionsFor(person.address())).isEqualTo(1);
        assertThat(hato.inbox(person)).isEmpty();
    }

    @Test
    void anAliasOfALegacyPersonShouldRelayToTheOldMta() throws Exception {
        RunningHato.User person = route(hato.newUser("aliased"), Route.legacy("old"));
        RunningHato.User colleague = hato.newUser("colleague");
        String alias = "team" + NEXT.incrementAndGet() + "@" + RunningHato.DOMAIN;
        hato.store().addresses().addAlias(alias, List.of(person.address(), colleague.address())).block(WAIT);

        send("list" + NEXT.incrementAndGet() + "@remote.example", "to the team", alias);

        TestSmtpServer.Transaction relayed = awaitTransaction(person.address());
        assertThat(relayed.accepted()).containsExactly(person.address());
        assertThat(hato.inbox(colleague)).hasSize(1);
        awaitQueueWithout(person.address());
        assertThat(hato.inbox(person)).isEmpty();
    }

    @Test
    void submissionByALegacyPersonShouldWorkOnHato() throws Exception {
        RunningHato.User person = route(hato.newUser("sender"), Route.legacy("old"));
        RunningHato.User local = hato.newUser("reader");

        Session session = Session.getInstance(MailFlowTest.clientProperties());
        MimeMessage message = message(session, person.address(), "submitted", local.address());
        try (Transport transport = session.getTransport("smtps")) {
            transport.connect("127.0.0.1", hato.port("submissions"), person.authId(), person.password());
            transport.sendMessage(message, new InternetAddress[] {new InternetAddress(local.address())});
        }

        assertThat(hato.inbox(local)).hasSize(1);
    }

    @Test
    void aPersonOfALegacySystemWithoutSmtpShouldBeRefusedTemporarily() throws Exception {
        RunningHato.User person = route(hato.newUser("nosmtp"), Route.legacy("nosmtp"));

        List<String> replies = SmtpLines.send(hato.port("smtp"), "MAIL FROM:<x@remote.example>",
                "RCPT TO:<" + person.address() + ">");

        assertThat(replies.get(1)).startsWith("451 4.3.5 ").contains("legacy system nosmtp");
        assertThat(queued(person.address())).isEmpty();
    }

    @Test
    void anOldMtaWhoseCertificateIsNotTrustedShouldGetNothingNotEvenInPlainText() throws Exception {
        RunningHato.User person = route(hato.newUser("untrusted"), Route.legacy("untrusted"));

        send("tls" + NEXT.incrementAndGet() + "@remote.example", "not in the clear", person.address());

        await(() -> queued(person.address()).stream().anyMatch(r -> r.attempts() >= 2), "two failed attempts");
        QueuedRecipient waiting = queued(person.address()).get(0);
        assertThat(waiting.destination()).isEqualTo("legacy:untrusted");
        assertThat(waiting.lastError()).isNotNull();
        assertThat(oldMta.commands()).noneMatch(c -> c.equalsIgnoreCase("RCPT TO:<" + person.address() + ">"));
        assertThat(transactionsFor(person.address())).isZero();
        assertThat(hato.inbox(person)).isEmpty();
        hato.store().outboundQueue().delete(waiting.message().id()).block(WAIT);
    }

    @Test
    void aLegacySystemWithQueuedMailShouldNotBeRemovable() {
        hato.store().legacyBackends().put(new LegacyBackend("held", new Server("127.0.0.1", 993, Tls.IMPLICIT), null,
                new Server("127.0.0.1", 9, Tls.NONE), null, null, null, null), false).block(WAIT);
        RunningHato.User person = route(hato.newUser("held"), Route.legacy("held"));
        hato.store().deliveries().deliver(new dev.hato.store.mail.Delivery(
                OutboundDeliveryTest.Bytes.of("Subject: held\r\n\r\nHi.\r\n"), List.of(), java.time.Instant.now(),
                dev.hato.store.queue.Envelope.NONE, List.of(new dev.hato.store.queue.OutboundRecipient(
                        person.address()).viaLegacy("held")))).block(WAIT);
        route(person, Route.LOCAL);

        assertThat(queued(person.address())).singleElement()
                .satisfies(r -> assertThat(r.destination()).isEqualTo("legacy:held"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> hato.store().legacyBackends().remove("held")
                        .block(WAIT))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("queue");
        assertThat(hato.store().legacyBackends().find("held").blockOptional(WAIT)).isPresent();
    }

    // ---------------------------------------------------------------------------------------------------------

    private static RunningHato.User route(RunningHato.User user, Route route) {
        hato.store().legacyBackends().setRoute(user.accountId(), route).block(WAIT);
        return user;
    }

    private static MimeMessage message(Session session, String from, String subject, String... to)
            throws Exception {
        MimeMessage message = new MimeMessage(session);
        message.setFrom(from);
        for (String address : to) {
            message.addRecipients(Message.RecipientType.TO, address);
        }
        message.setSubject(subject);
        message.setText("hello from another MTA\n", "UTF-8");
        message.saveChanges();
        return message;
    }

    /** Sends from another MTA to port 25; returns once Hato answered DATA with 250. */
    private static void send(String from, String subject, String... to) throws Exception {
        Session session = Session.getInstance(MailFlowTest.clientProperties());
        MimeMessage message = message(session, from, subject, to);
        try (Transport transport = session.getTransport("smtp")) {
            transport.connect("127.0.0.1", hato.port("smtp"), null, null);
            InternetAddress[] recipients = new InternetAddress[to.length];
            for (int i = 0; i < to.length; i++) {
                recipients[i] = new InternetAddress(to[i]);
            }
            transport.sendMessage(message, recipients);
        }
    }

    private static long transactionsFor(String address) {
        return oldMta.transactions().stream().filter(t -> t.accepted().contains(address)).count();
    }

    private static List<QueuedRecipient> queued(String address) {
        return hato.store().outboundQueue().list().filter(r -> r.recipient().address().equals(address))
                .collectList().block(WAIT);
    }

    private static void awaitQueueWithout(String address) {
        await(() -> queued(address).isEmpty(), address + " to leave the queue");
    }

    private static TestSmtpServer.Transaction awaitTransaction(String address) {
        await(() -> transactionsFor(address) > 0, "a transaction for " + address + " at the old MTA");
        return oldMta.transactions().stream().filter(t -> t.accepted().contains(address)).findFirst().orElseThrow();
    }

    private static void await(BooleanSupplier condition, String what) {
        Eventually.until(condition, what, WAIT);
    }
}
