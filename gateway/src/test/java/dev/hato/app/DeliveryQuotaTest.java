package dev.hato.app;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * Issue 4 §1: quotas are enforced on delivery. A recipient whose mailbox is already full is refused at RCPT
 * ({@code 452 4.2.2}); at the end of the message, recipients it would take over quota do not get it and are
 * reported to the sender in a failure notification, and when that is every recipient the message is refused
 * ({@code 552 5.2.2}).
 */
class DeliveryQuotaTest {

    private static final RunningHato HATO = RunningHato.shared();

    private static void limit(RunningHato.User user, Long octets, Long messages) {
        HATO.store().mailboxes().setQuota(user.accountId(), octets, messages).block(Duration.ofSeconds(30));
    }

    @Test
    void aRecipientWhoseMailboxIsFullIsRefusedAtRcptWithMailboxFull() throws Exception {
        RunningHato.User ann = HATO.newUser("ann");
        RunningHato.User full = HATO.newUser("full");
        limit(full, null, 1L);
        SmtpLines.send(HATO.port("smtp"), "MAIL FROM:<" + ann.address() + ">", "RCPT TO:<" + full.address() + ">",
                "DATA", "Subject: first\r\n\r\nfits\r\n.");

        List<String> replies = SmtpLines.send(HATO.port("smtp"), "MAIL FROM:<" + ann.address() + ">",
                "RCPT TO:<" + full.address() + ">");

        assertThat(replies).last().asString().startsWith("452 4.2.2");
        assertThat(HATO.inbox(full)).hasSize(1);
    }

    @Test
    void aMessageOverEveryRecipientsQuotaIsRefusedAtTheEndOfData() throws Exception {
        RunningHato.User ann = HATO.newUser("ann");
        RunningHato.User small = HATO.newUser("small");
        limit(small, 300L, null);

        List<String> replies = SmtpLines.send(HATO.port("smtp"), "MAIL FROM:<" + ann.address() + ">",
                "RCPT TO:<" + small.address() + ">", "DATA",
                "Subject: too big\r\n\r\n" + "0123456789".repeat(50) + "\r\n.");

        assertThat(replies).last().asString().startsWith("552 5.2.2");
        assertThat(HATO.inbox(small)).isEmpty();
        assertThat(HATO.inbox(ann)).isEmpty();
    }

    @Test
    void recipientsOverQuotaGetAFailureReportWhileTheOthersGetTheMessage() throws Exception {
        RunningHato.User ann = HATO.newUser("ann");
        RunningHato.User small = HATO.newUser("small");
        RunningHato.User roomy = HATO.newUser("roomy");
        limit(small, 300L, null);

        List<String> replies = SmtpLines.send(HATO.port("smtp"), "MAIL FROM:<" + ann.address() + ">",
                "RCPT TO:<" + small.address() + ">", "RCPT TO:<" + roomy.address() + ">", "DATA",
                "Subject: for two\r\n\r\n" + "0123456789".repeat(50) + "\r\n.");

        assertThat(replies).last().asString().startsWith("250 2.0.0");
        assertThat(HATO.inbox(roomy)).hasSize(1);
        assertThat(HATO.inbox(small)).isEmpty();
        Eventually.until(() -> !HATO.inbox(ann).isEmpty(), "a failure report to " + ann.address(),
                Duration.ofSeconds(30));
        MimeMessage report = new MimeMessage(Session.getInstance(new Properties()),
                new ByteArrayInputStream(HATO.content(HATO.inbox(ann).get(0))));
        assertThat(report.getSubject()).isEqualTo("Undelivered Mail Returned to Sender");
        String status = new String(((MimeMultipart) report.getContent()).getBodyPart(1).getInputStream()
                .readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(status).contains("Final-Recipient: rfc822;" + small.address()).contains("Action: failed")
                .contains("Status: 5.2.2").doesNotContain(roomy.address());
    }
}
