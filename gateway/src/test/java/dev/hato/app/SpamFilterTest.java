package dev.hato.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.hato.store.mail.MessageMeta;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The spam filter on the MTA port with a real rspamd from Debian (docs/inbound-authentication.md, "Spam filter";
 * issue 20 item 2): rspamd's reject refuses the message before the 250 with 554 5.7.1, "add header" files it into
 * Junk with X-Spam-Status and X-Spam-Flag, ham goes to the INBOX with X-Spam-Status: No under our
 * Authentication-Results; logged-in submission is not scanned; and when rspamd is gone the message is accepted
 * unscanned (the default) without waiting for more than the timeout; a message moved into Junk over IMAP is learnt by
 * rspamd's classifier. .ci/run installs rspamd and redis-server; where they are not installed the test is skipped.
 */
class SpamFilterTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private static TestRspamd rspamd;
    private static RunningHato hato;
    private static MailLogFile log;

    @BeforeAll
    static void start() throws Exception {
        assumeThat(Files.isExecutable(TestRspamd.BINARY) && Files.isExecutable(TestRspamd.REDIS))
                .as("rspamd and redis-server installed (apt-get install rspamd redis-server)").isTrue();
        Path work = Files.createTempDirectory("hato-spam-filter-test-");
        rspamd = TestRspamd.start(work.resolve("rspamd"));
        log = new MailLogFile(work.resolve("data"));
        hato = RunningHato.start(work.resolve("data"), "--hato.outbound.enabled=false",
                "--hato.inbound.spam-filter.url=" + rspamd.url(),
                "--hato.inbound.spam-filter.timeout=5s",
                "--hato.inbound.spam-filter.learn-url=" + rspamd.controllerUrl(),
                "--hato.inbound.spam-filter.learn-password=" + TestRspamd.PASSWORD);
        hato.provisioning().addDomain(RunningHato.DOMAIN).block(WAIT);
    }

    @AfterAll
    static void stop() throws Exception {
        if (hato != null) {
            hato.close();
        }
        if (rspamd != null) {
            rspamd.close();
        }
    }

    @Test
    void rspamdsVerdictsShouldRefuseFileIntoJunkOrDeliverBeforeThe250() throws Exception {
        RunningHato.User rcpt = hato.newUser("spam-rcpt");

        String ham = deliver(rcpt, "Subject: lunch\r\n\r\nShall we have lunch at noon?\r\n");
        assertThat(ham).startsWith("250 ");
        String stored = only(hato.inbox(rcpt));
        assertThat(stored).startsWith("Return-Path: <sender@remote.example>\r\nAuthentication-Results: "
                + RunningHato.HOST);
        assertThat(header(stored, "X-Spam-Status")).startsWith("No, score=").endsWith("action=no_action");
        assertThat(stored).doesNotContain("X-Spam-Flag");

        String rejected = deliver(rcpt, "Subject: offer\r\n\r\n" + TestRspamd.GTUBE_REJECT + "\r\n");
        assertThat(rejected).isEqualTo("554 5.7.1 Message refused as spam: Gtube pattern");
        assertThat(hato.inbox(rcpt)).hasSize(1);
        Map<String, Object> refusal = log.await(event -> "rejected".equals(event.get("event"))
                && "554".equals(event.get("code")));
        assertThat((String) refusal.get("reply")).contains("refused as spam");

        String junked = deliver(rcpt, "Subject: maybe\r\n\r\n" + TestRspamd.GTUBE_ADD_HEADER + "\r\n");
        assertThat(junked).startsWith("250 ");
        assertThat(hato.inbox(rcpt)).hasSize(1);
        var junk = hato.store().mailboxes().find(rcpt.accountId(), "Junk").block(WAIT);
        assertThat(junk).isNotNull();
        List<MessageMeta> inJunk = hato.store().mailboxes().messages(rcpt.accountId(), junk.id()).collectList()
                .block(WAIT);
        String spam = only(inJunk);
        assertThat(header(spam, "X-Spam-Status")).startsWith("Yes, score=").endsWith("action=add_header");
        assertThat(header(spam, "X-Spam-Flag")).isEqualTo("YES");
        Map<String, Object> received = log.await(event -> "received".equals(event.get("event"))
                && String.valueOf(event.get("spam")).startsWith("add header"));
        assertThat(received.get("to")).isEqualTo(List.of(rcpt.address()));
    }

    @Test
    void aMessageMovedIntoJunkOverImapShouldBeLearntByRspamd() throws Exception {
        RunningHato.User rcpt = hato.newUser("spam-learner");
        String words = String.join(" ", java.util.Collections.nCopies(8,
                "exclusive replica watches discount offer limited time only today click here"));
        assertThat(deliver(rcpt, "Subject: watches\r\nMessage-ID: <learn-1@remote.example>\r\n\r\n" + words + "\r\n"))
                .startsWith("250 ");
        long before = rspamd.learned();
        java.util.Properties properties = MailFlowTest.clientProperties();
        properties.put("mail.imaps.ssl.trust", "*");
        properties.put("mail.imaps.ssl.checkserveridentity", "false");
        try (jakarta.mail.Store store = jakarta.mail.Session.getInstance(properties).getStore("imaps")) {
            store.connect("127.0.0.1", hato.port("imaps"), rcpt.authId(), rcpt.password());
            var inbox = (org.eclipse.angus.mail.imap.IMAPFolder) store.getFolder("INBOX");
            inbox.open(jakarta.mail.Folder.READ_WRITE);
            inbox.moveMessages(inbox.getMessages(), store.getFolder("Junk"));
            inbox.close(false);
        }
        Eventually.until(() -> {
            try {
                return rspamd.learned() == before + 1;
            } catch (Exception e) {
                return false;
            }
        }, "rspamd learnt the message", WAIT);
    }

    @Test
    void loggedInSubmissionShouldNotBeScanned() throws Exception {
        RunningHato.User sender = hato.newUser("spam-sender");
        RunningHato.User rcpt = hato.newUser("spam-colleague");
        try (SocketTransport smtp = new SocketTransport(hato.port("submissions"), true)) {
            assertThat(smtp.readLine()).startsWith("220 ");
            assertThat(SmtpLines.command(smtp, "EHLO office.example")).startsWith("250 ");
            assertThat(SmtpLines.command(smtp, "AUTH PLAIN " + sender.plain())).startsWith("235 ");
            assertThat(SmtpLines.command(smtp, "MAIL FROM:<" + sender.address() + ">")).startsWith("250 ");
            assertThat(SmtpLines.command(smtp, "RCPT TO:<" + rcpt.address() + ">")).startsWith("250 ");
            assertThat(SmtpLines.command(smtp, "DATA")).startsWith("354 ");
            assertThat(SmtpLines.command(smtp, "From: <" + sender.address() + ">\r\nSubject: test pattern\r\n\r\n"
                    + TestRspamd.GTUBE_REJECT + "\r\n.")).startsWith("250 ");
        }
        assertThat(only(hato.inbox(rcpt))).doesNotContain("X-Spam-Status");
    }

    @Test
    void anRspamdThatIsGoneShouldCostAtMostTheTimeoutAndAcceptUnscanned() throws Exception {
        Path work = Files.createTempDirectory("hato-spam-filter-down-");
        try (RunningHato alone = RunningHato.start(work, "--hato.outbound.enabled=false",
                "--hato.inbound.spam-filter.url=http://127.0.0.1:" + RunningHato.freePort(),
                "--hato.inbound.spam-filter.timeout=2s")) {
            alone.provisioning().addDomain(RunningHato.DOMAIN).block(WAIT);
            RunningHato.User rcpt = alone.newUser("spam-down");
            List<String> replies = SmtpLines.send(alone.port("smtp"), "MAIL FROM:<sender@remote.example>",
                    "RCPT TO:<" + rcpt.address() + ">", "DATA",
                    "Subject: hello\r\n\r\n" + TestRspamd.GTUBE_REJECT + "\r\n.");
            assertThat(replies.get(replies.size() - 1)).startsWith("250 ");
            String stored = only(alone.inbox(rcpt), alone);
            assertThat(stored).doesNotContain("X-Spam-Status");
        }
    }

    private static String deliver(RunningHato.User rcpt, String message) throws Exception {
        List<String> replies = SmtpLines.send(hato.port("smtp"), "MAIL FROM:<sender@remote.example>",
                "RCPT TO:<" + rcpt.address() + ">", "DATA", "From: <sender@remote.example>\r\nTo: <" + rcpt.address()
                        + ">\r\n" + message + ".");
        return replies.get(replies.size() - 1);
    }

    private static String only(List<MessageMeta> messages) {
        return only(messages, hato);
    }

    private static String only(List<MessageMeta> messages, RunningHato server) {
        assertThat(messages).hasSize(1);
        return new String(server.content(messages.get(0)), StandardCharsets.UTF_8);
    }

    /** The value of the first {@code name} field of the message's header section. */
    private static String header(String message, String name) {
        String head = message.substring(0, message.indexOf("\r\n\r\n") + 2);
        for (String line : head.split("\r\n")) {
            if (line.regionMatches(true, 0, name + ":", 0, name.length() + 1)) {
                return line.substring(name.length() + 1).strip();
            }
        }
        return "";
    }
}
