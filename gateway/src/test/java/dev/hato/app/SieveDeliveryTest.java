package dev.hato.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hato.store.mail.MessageMeta;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 16: a person's active Sieve script is a step of delivery. Messages sent over real SMTP; what each script
 * decided is read back from the store: folders and flags, discards, refusals at the end of DATA and by notification,
 * redirects, vacation responses once per sender, and a failing script that keeps the message and tells its owner
 * once.
 */
class SieveDeliveryTest {

    private static final RunningHato HATO = RunningHato.shared();
    private static final Duration WAIT = Duration.ofSeconds(30);

    private static void activate(RunningHato.User user, String script) {
        HATO.scripts().put(user.accountId(), "main", script).block(WAIT);
        HATO.scripts().activate(user.accountId(), "main").block(WAIT);
    }

    private static List<String> send(RunningHato.User from, String message, RunningHato.User... to)
            throws Exception {
        List<String> commands = new java.util.ArrayList<>();
        commands.add("MAIL FROM:<" + from.address() + ">");
        for (RunningHato.User user : to) {
            commands.add("RCPT TO:<" + user.address() + ">");
        }
        commands.add("DATA");
        commands.add(message + "\r\n.");
        return SmtpLines.send(HATO.port("smtp"), commands.toArray(String[]::new));
    }

    private static List<MessageMeta> folder(RunningHato.User user, String name) {
        return HATO.store().mailboxes().find(user.accountId(), name)
                .flatMapMany(box -> HATO.store().mailboxes().messages(user.accountId(), box.id()))
                .collectList().block(WAIT);
    }

    private static String text(MessageMeta message) {
        return new String(HATO.content(message), StandardCharsets.UTF_8);
    }

    @Test
    void fileintoShouldFileWithFlagsAndCreateTheFolderWhileTheImplicitKeepIsCancelled() throws Exception {
        RunningHato.User ann = HATO.newUser("ann");
        RunningHato.User bob = HATO.newUser("bob");
        activate(bob, """
                require ["fileinto", "imap4flags", "mailbox"];
                if header :contains "subject" "report" {
                    fileinto :create :flags ["\\\\Flagged", "$Report"] "Reports/2026";
                } elsif header :contains "subject" "seen" {
                    addflag "\\\\Seen";
                }
                """);

        assertThat(send(ann, "Subject: weekly report\r\n\r\nnumbers", bob)).last().asString().startsWith("250");
        assertThat(send(ann, "Subject: already seen\r\n\r\nhi", bob)).last().asString().startsWith("250");

        assertThat(folder(bob, "Reports/2026")).singleElement()
                .satisfies(m -> assertThat(m.flags()).containsExactlyInAnyOrder("\\Flagged", "$Report"));
        assertThat(HATO.inbox(bob)).singleElement().satisfies(m -> {
            assertThat(m.flags()).containsExactly("\\Seen");
            assertThat(text(m)).contains("already seen");
        });
    }

    @Test
    void aDiscardedMessageShouldBeAcceptedAndStoredNowhere() throws Exception {
        RunningHato.User ann = HATO.newUser("ann");
        RunningHato.User bob = HATO.newUser("bob");
        activate(bob, "if header :is \"x-spam\" \"yes\" { discard; }");

        assertThat(send(ann, "X-Spam: yes\r\nSubject: buy\r\n\r\nnow", bob)).last().asString().startsWith("250");
        assertThat(send(ann, "Subject: fine\r\n\r\nhello", bob)).last().asString().startsWith("250");

        assertThat(HATO.inbox(bob)).singleElement().satisfies(m -> assertThat(text(m)).contains("Subject: fine"));
    }

    @Test
    void aMessageEveryRecipientRejectsShouldBeRefusedAtTheEndOfData() throws Exception {
        RunningHato.User ann = HATO.newUser("ann");
        RunningHato.User bob = HATO.newUser("bob");
        activate(bob, "require \"ereject\"; ereject \"I do not take mail from you\";");

        assertThat(send(ann, "Subject: hi\r\n\r\nhello", bob)).last().asString()
                .isEqualTo("550 5.7.1 I do not take mail from you");
        assertThat(HATO.inbox(bob)).isEmpty();
    }

    @Test
    void aRejectByOneOfTwoRecipientsShouldReachTheOtherAndTellTheSender() throws Exception {
        RunningHato.User ann = HATO.newUser("ann");
        RunningHato.User bob = HATO.newUser("bob");
        RunningHato.User cat = HATO.newUser("cat");
        activate(bob, "require \"reject\"; reject \"Not here, try cat\";");

        assertThat(send(ann, "Subject: for two\r\n\r\nhello", bob, cat)).last().asString().startsWith("250");

        assertThat(HATO.inbox(cat)).hasSize(1);
        assertThat(HATO.inbox(bob)).isEmpty();
        Eventually.until(() -> !HATO.inbox(ann).isEmpty(), "a failure report to " + ann.address(), WAIT);
        assertThat(text(HATO.inbox(ann).get(0))).contains("Final-Recipient: rfc822;" + bob.address())
                .contains("Status: 5.7.1").contains("Not here, try cat").doesNotContain("rfc822;" + cat.address());
    }

    @Test
    void aRedirectShouldMoveTheMessageAndARedirectWithCopyShouldKeepItToo() throws Exception {
        RunningHato.User ann = HATO.newUser("ann");
        RunningHato.User bob = HATO.newUser("bob");
        RunningHato.User cat = HATO.newUser("cat");
        RunningHato.User dan = HATO.newUser("dan");
        activate(bob, "redirect \"" + cat.address() + "\";");
        activate(dan, "require \"copy\"; redirect :copy \"" + cat.address() + "\";");

        assertThat(send(ann, "Subject: to bob\r\n\r\nhello", bob)).last().asString().startsWith("250");
        assertThat(send(ann, "Subject: to dan\r\n\r\nhello", dan)).last().asString().startsWith("250");

        assertThat(HATO.inbox(bob)).isEmpty();
        assertThat(HATO.inbox(dan)).hasSize(1);
        assertThat(HATO.inbox(cat)).extracting(SieveDeliveryTest::text)
                .satisfiesExactly(m -> assertThat(m).contains("Subject: to bob"),
                        m -> assertThat(m).contains("Subject: to dan"));
    }

    @Test
    void aVacationResponseShouldGoOncePerSenderAndNeverToBulkMail() throws Exception {
        RunningHato.User ann = HATO.newUser("ann");
        RunningHato.User bob = HATO.newUser("bob");
        activate(bob, """
                require "vacation";
                vacation :days 7 :subject "Away until Monday / 月曜まで不在" "I am away; 不在です。";
                """);

        String to = "To: Bob <" + bob.address() + ">\r\n";
        // RFC 5230 §4.5: a message not addressed to the recipient (a Bcc, a list) is not answered
        send(ann, "Subject: not to bob\r\n\r\nhello", bob);
        send(ann, to + "Subject: first\r\nMessage-ID: <first@example.org>\r\n\r\nhello", bob);
        Eventually.until(() -> !HATO.inbox(ann).isEmpty(), "a vacation response to " + ann.address(), WAIT);
        send(ann, to + "Subject: second\r\n\r\nhello again", bob);
        RunningHato.User carl = HATO.newUser("carl");
        send(carl, to + "Subject: news\r\nPrecedence: bulk\r\n\r\nnewsletter", bob);
        // the responses go after the commit; give a wrong second response time to arrive
        Thread.sleep(1500);

        assertThat(HATO.inbox(bob)).hasSize(4);
        assertThat(HATO.inbox(carl)).isEmpty();
        assertThat(HATO.inbox(ann)).singleElement().satisfies(m -> {
            jakarta.mail.internet.MimeMessage response = new jakarta.mail.internet.MimeMessage(
                    jakarta.mail.Session.getInstance(new java.util.Properties()),
                    new java.io.ByteArrayInputStream(HATO.content(m)));
            try {
                assertThat(response.getSubject()).isEqualTo("Away until Monday / 月曜まで不在");
                assertThat(response.getHeader("Auto-Submitted", null)).startsWith("auto-replied");
                assertThat(response.getHeader("In-Reply-To", null)).isEqualTo("<first@example.org>");
                assertThat(response.getFrom()[0].toString()).isEqualTo(bob.address());
                assertThat(response.getContent().toString()).contains("不在です");
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
    }

    @Test
    void aFailingScriptShouldKeepTheMessageAndTellItsOwnerOnce() throws Exception {
        RunningHato.User ann = HATO.newUser("ann");
        RunningHato.User bob = HATO.newUser("bob");
        activate(bob, "redirect \"a@example.org\"; redirect \"b@example.org\"; redirect \"c@example.org\";"
                + " redirect \"d@example.org\"; redirect \"e@example.org\";");

        send(ann, "Subject: one\r\n\r\nhello", bob);
        send(ann, "Subject: two\r\n\r\nhello", bob);

        Eventually.until(() -> HATO.inbox(bob).size() == 3, "two messages and one note for " + bob.address(), WAIT);
        Thread.sleep(1000);
        List<String> texts = HATO.inbox(bob).stream().map(SieveDeliveryTest::text).toList();
        assertThat(texts).filteredOn(t -> t.contains("Subject: Your mail filter \"main\" failed")).singleElement()
                .asString().contains("more than 4 redirects");
        assertThat(texts).filteredOn(t -> t.contains("Subject: one") || t.contains("Subject: two")).hasSize(2);
    }

    @Test
    void aMessageRedirectedElsewhereShouldLeaveWithAnSrsSenderWhoseBouncesFindTheirWayBack() throws Exception {
        RunningHato.User bob = HATO.newUser("bob");
        String target = "target" + System.nanoTime() + "@elsewhere.example";
        activate(bob, "redirect \"" + target + "\";");

        assertThat(SmtpLines.send(HATO.port("smtp"), "MAIL FROM:<jane@outside.example>",
                "RCPT TO:<" + bob.address() + ">", "DATA", "Subject: forwarded\r\n\r\nhello\r\n."))
                .last().asString().startsWith("250");
        String srs = queuedFor(target).message().envelope().sender();
        assertThat(srs).startsWith("SRS0=").endsWith("=outside.example=jane@" + bob.address().split("@")[1]);

        assertThat(SmtpLines.send(HATO.port("smtp"), "MAIL FROM:<>", "RCPT TO:<" + srs + ">", "DATA",
                "Subject: Undelivered Mail Returned to Sender\r\n\r\nno such user\r\n."))
                .last().asString().startsWith("250");
        dev.hato.store.queue.QueuedRecipient bounce = queuedFor("jane@outside.example");
        assertThat(bounce.message().envelope().sender()).isEmpty();

        String forged = srs.replace("=jane@", "=mallory@");
        assertThat(SmtpLines.send(HATO.port("smtp"), "MAIL FROM:<>", "RCPT TO:<" + forged + ">"))
                .last().asString().startsWith("550 5.1.1");
    }

    private static dev.hato.store.queue.QueuedRecipient queuedFor(String address) {
        return HATO.store().outboundQueue().list().filter(r -> r.recipient().address().equals(address))
                .blockFirst(WAIT);
    }
}
