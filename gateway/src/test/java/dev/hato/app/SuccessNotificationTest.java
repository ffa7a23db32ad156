package dev.hato.app;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * RFC 3461 NOTIFY=SUCCESS for local recipients: a "delivered" or "expanded" report reaches a local sender. On port 25
 * the sender is whoever the client claims to be, so the report quotes nothing of the original (no reflection of a
 * forger's text to a victim); after authenticated submission it returns the header section as before.
 */
class SuccessNotificationTest {

    private static final RunningHato HATO = RunningHato.shared();

    @Test
    void aLocalDeliveryWithNotifySuccessOnPort25ShouldSendADeliveredReportWithoutTheOriginal() throws Exception {
        RunningHato.User ann = HATO.newUser("ann");
        RunningHato.User bob = HATO.newUser("bob");

        List<String> replies = SmtpLines.send(HATO.port("smtp"), "MAIL FROM:<" + ann.address() + "> ENVID=env+2B1",
                "RCPT TO:<" + bob.address() + "> NOTIFY=SUCCESS ORCPT=rfc822;" + bob.address(), "DATA",
                "Subject: please confirm\r\n\r\nhello\r\n.");
        assertThat(replies).last().asString().startsWith("250 2.0.0");

        MimeMessage report = awaitOnly(ann);
        assertThat(report.getFrom()[0].toString()).contains("MAILER-DAEMON@" + RunningHato.HOST);
        assertThat(report.getContentType()).contains("multipart/report").contains("delivery-status");
        String status = part(report, 1);
        assertThat(status).contains("Original-Envelope-Id: env+2B1")
                .contains("Final-Recipient: rfc822;" + bob.address())
                .contains("Original-Recipient: rfc822;" + bob.address())
                .containsPattern("Action: delivered")
                .contains("Status: 2.0.0");
        // RFC 3464 §2: the third part is optional; a forged sender must not be sent the forger's header section.
        assertThat(((MimeMultipart) report.getContent()).getCount()).isEqualTo(2);
        assertThat(new String(HATO.content(HATO.inbox(ann).get(0)), StandardCharsets.UTF_8))
                .doesNotContain("please confirm").doesNotContain("hello");
        assertThat(report.getHeader("Auto-Submitted")[0]).isEqualTo("auto-replied");
    }

    @Test
    void anAuthenticatedSubmissionWithNotifySuccessShouldStillGetTheHeaderSectionBack() throws Exception {
        RunningHato.User ann = HATO.newUser("ann");
        RunningHato.User bob = HATO.newUser("bob");
        Properties properties = MailFlowTest.clientProperties();
        properties.put("mail.smtps.dsn.notify", "SUCCESS");
        properties.put("mail.smtps.dsn.ret", "FULL");
        Session session = Session.getInstance(properties);
        MimeMessage message = new MimeMessage(session);
        message.setFrom(ann.address());
        message.setRecipients(jakarta.mail.Message.RecipientType.TO, bob.address());
        message.setSubject("submitted, please confirm");
        message.setText("the body stays home");
        try (jakarta.mail.Transport transport = session.getTransport("smtps")) {
            transport.connect("127.0.0.1", HATO.port("submissions"), ann.authId(), ann.password());
            transport.sendMessage(message, new jakarta.mail.Address[] {new jakarta.mail.internet.InternetAddress(
                    bob.address())});
        }

        MimeMessage report = awaitOnly(ann);
        assertThat(part(report, 1)).contains("Action: delivered");
        // RFC 3461 §4.3: RET is about failure reports; a success report returns the header section at most.
        assertThat(part(report, 2)).contains("Subject: submitted, please confirm")
                .doesNotContain("the body stays home");
    }

    @Test
    void anAliasWithNotifySuccessShouldBeReportedExpandedAndNothingWithoutNotify() throws Exception {
        RunningHato.User ann = HATO.newUser("ann");
        RunningHato.User bob = HATO.newUser("bob");
        RunningHato.User carol = HATO.newUser("carol");
        String team = "team-" + System.nanoTime() + "@" + RunningHato.DOMAIN;
        HATO.store().addresses().addAlias(team, List.of(bob.address(), carol.address())).block();

        SmtpLines.send(HATO.port("smtp"), "MAIL FROM:<" + ann.address() + ">", "RCPT TO:<" + team + ">",
                "DATA", "Subject: no report wanted\r\n\r\nhello\r\n.");
        SmtpLines.send(HATO.port("smtp"), "MAIL FROM:<" + ann.address() + ">",
                "RCPT TO:<" + team + "> NOTIFY=SUCCESS,FAILURE", "DATA", "Subject: to the team\r\n\r\nhello\r\n.");

        MimeMessage report = awaitOnly(ann);
        assertThat(part(report, 1)).contains("Final-Recipient: rfc822;" + team).contains("Action: expanded");
        assertThat(((MimeMultipart) report.getContent()).getCount()).as("nothing of the original").isEqualTo(2);
        assertThat(HATO.inbox(bob)).hasSize(2);
        assertThat(HATO.inbox(carol)).hasSize(2);
    }

    @Test
    void aNullSenderShouldNeverGetAReport() throws Exception {
        RunningHato.User bob = HATO.newUser("bob");
        List<String> replies = SmtpLines.send(HATO.port("smtp"), "MAIL FROM:<>",
                "RCPT TO:<" + bob.address() + "> NOTIFY=SUCCESS", "DATA", "Subject: bounce\r\n\r\nx\r\n.");
        assertThat(replies).last().asString().startsWith("250 2.0.0");
        assertThat(HATO.inbox(bob)).hasSize(1);
    }

    private static MimeMessage awaitOnly(RunningHato.User user) throws Exception {
        Eventually.until(() -> !HATO.inbox(user).isEmpty(), "a report to " + user.address(), Duration.ofSeconds(30));
        assertThat(HATO.inbox(user)).hasSize(1);
        return new MimeMessage(Session.getInstance(new Properties()),
                new ByteArrayInputStream(HATO.content(HATO.inbox(user).get(0))));
    }

    private static String part(MimeMessage message, int index) throws Exception {
        MimeMultipart parts = (MimeMultipart) message.getContent();
        var part = parts.getBodyPart(index);
        return new String(part.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
}
