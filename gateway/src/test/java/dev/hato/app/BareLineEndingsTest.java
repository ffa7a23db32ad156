package dev.hato.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hato.store.mail.Delivery;
import dev.hato.store.queue.Envelope;
import dev.hato.store.queue.OutboundRecipient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * RFC 5321 §2.3.8 end to end: a bare CR or LF that comes in (forwarded from port 25, or already stored) never reaches
 * the next server, which might end the data at {@code <CR>.<CR>} and run what follows as commands (SMTP smuggling).
 * One Hato normalizes ({@code hato.smtp.bare-line-endings=normalize}, the default) and sends everything through a
 * smarthost, a test SMTP server recording what it receives; another refuses bare line endings at the door
 * ({@code reject}), in DATA and in BDAT alike.
 */
class BareLineEndingsTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String SMUGGLING = "Subject: smuggling\r\n\r\nline one\r.\rMAIL FROM:<evil@remote.example>\r"
            + "RCPT TO:<victim@remote.example>\rDATA\rline two\nend\r\n";

    private static TestSmtpServer relay;
    private static RunningHato hato;
    private static RunningHato strict;

    @BeforeAll
    static void start() throws Exception {
        relay = TestSmtpServer.on("127.0.0.1", 0).start();
        hato = RunningHato.start(Files.createTempDirectory("hato-bare-test-"),
                "--hato.outbound.smarthost.host=127.0.0.1",
                "--hato.outbound.smarthost.port=" + relay.port(),
                "--hato.outbound.smarthost.tls=none",
                "--hato.outbound.poll-interval=200ms");
        hato.provisioning().addDomain(RunningHato.DOMAIN).block(WAIT);
        strict = RunningHato.start(Files.createTempDirectory("hato-bare-strict-test-"),
                "--hato.outbound.enabled=false", "--hato.smtp.bare-line-endings=reject");
        strict.provisioning().addDomain(RunningHato.DOMAIN).block(WAIT);
    }

    @AfterAll
    static void stop() throws Exception {
        if (hato != null) {
            hato.close();
        }
        if (strict != null) {
            strict.close();
        }
        if (relay != null) {
            relay.close();
        }
    }

    @Test
    void aForwardedMessageWithCrDotCrShouldReachTheNextServerWithOnlyCrlfLineEndings() throws Exception {
        RunningHato.User ann = hato.newUser("ann");
        String target = "far-data-" + System.nanoTime() + "@remote.example";
        hato.store().addresses().setForwarding(ann.address(), List.of(target), false).block(WAIT);

        List<String> replies = SmtpLines.send(hato.port("smtp"), "MAIL FROM:<someone@remote.example>",
                "RCPT TO:<" + ann.address() + ">", "DATA", SMUGGLING + ".");

        assertThat(replies).last().asString().startsWith("250 2.0.0");
        String content = received(target);
        assertOnlyCrlf(content);
        assertThat(content).endsWith("Subject: smuggling\r\n\r\nline one\r\n.\r\nMAIL FROM:<evil@remote.example>\r\n"
                + "RCPT TO:<victim@remote.example>\r\nDATA\r\nline two\r\nend\r\n");
        assertThat(relay.transactions()).noneMatch(t -> t.mailFrom().contains("evil@"));
    }

    @Test
    void aForwardedBdatMessageWithBareCarriageReturnsShouldLeaveWithOnlyCrlfLineEndings() throws Exception {
        RunningHato.User bob = hato.newUser("bob");
        String target = "far-bdat-" + System.nanoTime() + "@remote.example";
        hato.store().addresses().setForwarding(bob.address(), List.of(target), false).block(WAIT);
        String chunk = "Subject: chunked\rX: 1\r\n\r\nchunk\r.\rlast\r";

        // SmtpLines ends each command with CRLF: the chunk's size counts those two octets as content.
        List<String> replies = SmtpLines.send(hato.port("smtp"), "MAIL FROM:<someone@remote.example>",
                "RCPT TO:<" + bob.address() + ">", "BDAT " + (chunk.length() + 2) + " LAST\r\n" + chunk);

        assertThat(replies).last().asString().startsWith("250 2.0.0");
        String content = received(target);
        assertOnlyCrlf(content);
        assertThat(content).endsWith("Subject: chunked\r\nX: 1\r\n\r\nchunk\r\n.\r\nlast\r\n\r\n");
    }

    @Test
    void aStoredMessageWithBareLineEndingsShouldStillLeaveWithOnlyCrlf() {
        // Mail stored before bare CRs were repaired at the door, or by a path that does not repair them.
        String target = "far-stored-" + System.nanoTime() + "@remote.example";
        hato.store().deliveries().deliver(new Delivery(OutboundDeliveryTest.Bytes.of(
                        "Subject: stored\r\n\r\na\r.\rb\n.\nc\r"), List.of(), Instant.now(),
                new Envelope("sender@remote.example", null, null, false, Envelope.Body.SEVEN_BIT),
                List.of(new OutboundRecipient(target)))).block(WAIT);

        String content = received(target);
        assertOnlyCrlf(content);
        assertThat(content).isEqualTo("Subject: stored\r\n\r\na\r\n.\r\nb\r\n.\r\nc\r\n");
    }

    @Test
    void rejectModeShouldRefuseABareCarriageReturnInDataAndInBdat() throws Exception {
        RunningHato.User carol = strict.newUser("carol");
        String chunk = "Subject: chunked\r\n\r\nchunk\r.\rlast";

        List<String> data = SmtpLines.send(strict.port("smtp"), "MAIL FROM:<someone@remote.example>",
                "RCPT TO:<" + carol.address() + ">", "DATA", "Subject: x\r\n\r\na\r.\rb\r\n.");
        List<String> bdat = SmtpLines.send(strict.port("smtp"), "MAIL FROM:<someone@remote.example>",
                "RCPT TO:<" + carol.address() + ">", "BDAT " + (chunk.length() + 2) + " LAST\r\n" + chunk);
        List<String> fine = SmtpLines.send(strict.port("smtp"), "MAIL FROM:<someone@remote.example>",
                "RCPT TO:<" + carol.address() + ">", "DATA", "Subject: fine\r\n\r\nonly CRLF\r\n.");

        assertThat(data).last().asString().startsWith("554 5.6.0").contains("bare CR or LF");
        assertThat(bdat.get(2)).startsWith("554 5.6.0").contains("bare CR or LF");
        assertThat(fine).last().asString().startsWith("250 2.0.0");
        assertThat(strict.inbox(carol)).hasSize(1);
    }

    /** The content the relay received for {@code address}, dot-unstuffed. */
    private static String received(String address) {
        Eventually.until(() -> relay.transactions().stream().anyMatch(t -> t.accepted().contains(address)),
                "a message for " + address, WAIT);
        byte[] content = relay.transactions().stream().filter(t -> t.accepted().contains(address)).findFirst()
                .orElseThrow().content();
        return new String(content, StandardCharsets.ISO_8859_1);
    }

    private static void assertOnlyCrlf(String content) {
        for (int i = 0; i < content.length(); i++) {
            char c = content.charAt(i);
            if (c == '\r') {
                assertThat(i + 1 < content.length() && content.charAt(i + 1) == '\n')
                        .as("CR at %d is followed by LF in %s", i, show(content)).isTrue();
            } else if (c == '\n') {
                assertThat(i > 0 && content.charAt(i - 1) == '\r')
                        .as("LF at %d follows a CR in %s", i, show(content)).isTrue();
            }
        }
    }

    private static String show(String content) {
        return content.replace("\r", "\\r").replace("\n", "\\n");
    }
}
