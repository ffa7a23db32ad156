package dev.hato.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hato.store.audit.AuthEvent;
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
import java.util.Map;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Sending limits of logged-in senders (docs/authentication.md, "Sending limits"; issue 20 item 3), over real
 * sockets into a real Hato with small limits: past an account's messages or recipients, and past a client address's
 * messages over all its accounts, MAIL or RCPT gets {@code 450 4.7.1}, which a real client (Angus Mail) reports as
 * a temporary failure; recipients refused for other reasons do not count; the first refusal of each limit is in the
 * audit log once, and every refusal is in the mail log with the auth ID.
 *
 * <p>All clients connect from 127.0.0.1, so the client address's count runs through the whole class: one test, in
 * the order the counts need.
 */
class SendLimitsTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    private static RunningHato hato;
    private static MailLogFile log;

    @BeforeAll
    static void start() throws Exception {
        Path dataDir = Files.createTempDirectory("hato-send-limits-test-");
        log = new MailLogFile(dataDir);
        hato = RunningHato.start(dataDir,
                "--hato.outbound.enabled=false",
                "--hato.smtp.send-limits.account-messages=2",
                "--hato.smtp.send-limits.account-recipients=3",
                "--hato.smtp.send-limits.client-messages=4",
                "--hato.smtp.send-limits.client-recipients=100",
                "--hato.smtp.send-limits.window=1h");
        hato.provisioning().addDomain(RunningHato.DOMAIN).block(WAIT);
    }

    @AfterAll
    static void stop() {
        if (hato != null) {
            hato.close();
        }
    }

    @Test
    void accountsAndClientAddressesShouldBeHeldToTheirLimitsWithATemporaryRefusalAndAnAuditRecord()
            throws Exception {
        RunningHato.User ann = hato.newUser("ann");
        RunningHato.User bob = hato.newUser("bob");
        RunningHato.User carol = hato.newUser("carol");
        RunningHato.User dave = hato.newUser("dave");
        RunningHato.User to = hato.newUser("to");

        // Recipients of one account: unknown users (550) are not counted; the 4th accepted one is refused. One
        // message so far from the client address.
        try (SocketTransport smtp = new SocketTransport(hato.port("submissions"), true)) {
            assertThat(smtp.readLine()).startsWith("220 ");
            assertThat(SmtpLines.command(smtp, "EHLO office.example")).startsWith("250 ");
            assertThat(SmtpLines.command(smtp, "AUTH PLAIN " + dave.plain())).startsWith("235 ");
            assertThat(SmtpLines.command(smtp, "MAIL FROM:<" + dave.address() + ">")).startsWith("250 ");
            assertThat(SmtpLines.command(smtp, "RCPT TO:<gone@" + RunningHato.DOMAIN + ">")).startsWith("550 5.1.1 ");
            for (RunningHato.User recipient : List.of(ann, bob, carol)) {
                assertThat(SmtpLines.command(smtp, "RCPT TO:<" + recipient.address() + ">")).startsWith("250 ");
            }
            assertThat(SmtpLines.command(smtp, "RCPT TO:<" + to.address() + ">"))
                    .isEqualTo("450 4.7.1 Sending limit reached: at most 3 recipients per hour from this account;"
                            + " try again in 60 minutes");
            assertThat(SmtpLines.command(smtp, "RCPT TO:<" + to.address() + ">")).startsWith("450 4.7.1 ");
            assertThat(SmtpLines.command(smtp, "DATA")).startsWith("354 ");
            assertThat(SmtpLines.command(smtp, "From: <" + dave.address() + ">\r\nSubject: three of four\r\n\r\nhello\r\n."))
                    .startsWith("250 ");
        }

        // Messages of one account, through a real client: two go, the third is a temporary failure.
        send(ann, to);
        send(ann, to);
        assertThatThrownBy(() -> send(ann, to))
                .isInstanceOfSatisfying(SMTPSendFailedException.class, failure -> {
                    assertThat(failure.getReturnCode()).isEqualTo(450);
                    assertThat(failure.getMessage()).contains("4.7.1 Sending limit reached: at most 2 messages per"
                            + " hour from this account");
                });
        assertThatThrownBy(() -> send(ann, to)).isInstanceOf(SMTPSendFailedException.class);

        // Messages of the client address over all accounts: dave 1, ann 2 (her refused ones not counted), bob 1;
        // the fifth, carol's first, is refused for the address.
        send(bob, to);
        assertThatThrownBy(() -> send(carol, to))
                .isInstanceOfSatisfying(SMTPSendFailedException.class, failure -> {
                    assertThat(failure.getReturnCode()).isEqualTo(450);
                    assertThat(failure.getMessage()).contains("at most 4 messages per hour from this client address");
                });
        assertThat(inbox(to)).as("the messages that were accepted were delivered (ann's two, bob's)").isEqualTo(3);

        // The audit log: one record per limit reached, however often it refused.
        Eventually.until(() -> sendLimited(ann).size() == 1 && sendLimited(dave).size() == 1
                && sendLimited(carol).size() == 1, "the audit records of the limits", WAIT);
        assertThat(sendLimited(bob)).isEmpty();
        AuthEvent annEvent = sendLimited(ann).get(0);
        assertThat(annEvent.protocol()).isEqualTo("smtp");
        assertThat(annEvent.clientIp()).isEqualTo("127.0.0.1");
        assertThat(annEvent.accountId()).isEqualTo(ann.accountId());

        // The mail log: each refusal, with its stage, reply and login.
        Map<String, Object> refusedMail = log.await(event -> "rejected".equals(event.get("event"))
                && "MAIL".equals(event.get("stage")) && ann.authId().equals(event.get("auth")));
        assertThat(refusedMail.get("code")).isEqualTo("450");
        assertThat((String) refusedMail.get("reply")).contains("Sending limit reached");
        Map<String, Object> refusedRcpt = log.await(event -> "rejected".equals(event.get("event"))
                && "RCPT".equals(event.get("stage")) && dave.authId().equals(event.get("auth"))
                && "450".equals(event.get("code")));
        assertThat(refusedRcpt.get("to")).isEqualTo(to.address());
        assertThat(log.events().stream().filter(event -> "rejected".equals(event.get("event"))
                && ann.authId().equals(event.get("auth"))).count()).isEqualTo(2);
    }

    private static void send(RunningHato.User from, RunningHato.User to) throws Exception {
        Session session = Session.getInstance(MailFlowTest.clientProperties());
        MimeMessage message = new MimeMessage(session);
        message.setFrom(from.address());
        message.setRecipient(Message.RecipientType.TO, new InternetAddress(to.address()));
        message.setSubject("from " + from.authId());
        message.setText("hello", StandardCharsets.UTF_8.name());
        try (Transport transport = session.getTransport("smtps")) {
            transport.connect("127.0.0.1", hato.port("submissions"), from.authId(), from.password());
            transport.sendMessage(message, message.getAllRecipients());
        }
    }

    private static int inbox(RunningHato.User user) throws Exception {
        try (var store = Session.getInstance(MailFlowTest.clientProperties()).getStore("pop3s")) {
            store.connect("127.0.0.1", hato.port("pop3s"), user.authId(), user.password());
            var folder = store.getFolder("INBOX");
            folder.open(jakarta.mail.Folder.READ_ONLY);
            try {
                return folder.getMessageCount();
            } finally {
                folder.close(false);
            }
        }
    }

    private static List<AuthEvent> sendLimited(RunningHato.User user) {
        return hato.store().auditLog().query(user.authId(), null, 100)
                .filter(event -> event.result() == AuthEvent.Result.SEND_LIMITED).collectList().block(WAIT);
    }
}
