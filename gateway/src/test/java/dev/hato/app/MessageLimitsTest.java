package dev.hato.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Messages FETCH could not serve are refused at the door, on port 25 without authentication as at IMAP APPEND, after
 * their last octet, with a permanent reply; the connection keeps serving and nothing is stored. The messages are the
 * shapes of the hostile-input probe, generated here at sizes within the test server's 2 MB message limit.
 */
class MessageLimitsTest {

    private static final RunningHato HATO = RunningHato.shared();

    static Stream<Arguments> poison() {
        StringBuilder parts = new StringBuilder("Subject: parts\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n");
        parts.append("--b\r\n\r\nx\r\n".repeat(10_001)).append("--b--\r\n");
        String fields = "Subject: fields\r\n" + "X-Field: 1\r\n".repeat(2_000) + "\r\nbody\r\n";
        String folded = "Subject: folded\r\n" + " f\r\n".repeat(100_000) + "\r\nbody\r\n";
        String longPartLine = "Subject: long line\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nX-Long: "
                + "h".repeat(1_500_000) + "\r\n\r\npart\r\n--b--\r\n";
        String deep = "Subject: deep\r\n" + "Content-Type: message/rfc822\r\n\r\n".repeat(101) + "body\r\n";
        return Stream.of(
                Arguments.of("10,001 MIME parts", parts.toString(), "554 5.6.0 ", "more than 10000 MIME parts"),
                Arguments.of("2,000 header fields", fields, "554 5.6.0 ", "more than 1000 fields"),
                Arguments.of("a field folded over 100,000 lines", folded, "552 5.3.4 ", "larger than 262144 octets"),
                Arguments.of("a 1.5 MB header line in a MIME part", longPartLine, "554 5.6.0 ", "998 octets"),
                Arguments.of("101 nested message/rfc822 parts", deep, "554 5.6.0 ", "deeper than 100 levels"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("poison")
    void poisonMessagesShouldBeRefusedOnPort25WithDataAndBdatAndTheConnectionShouldKeepServing(String name,
            String message, String code, String why) throws Exception {
        RunningHato.User bob = HATO.newUser("bob");
        try (SocketTransport smtp = greeted()) {
            envelope(smtp, bob);
            assertThat(data(smtp, message)).startsWith(code).contains(why);

            envelope(smtp, bob);
            byte[] octets = message.getBytes(StandardCharsets.US_ASCII);
            smtp.send(("BDAT " + octets.length + " LAST\r\n").getBytes(StandardCharsets.US_ASCII));
            smtp.send(octets);
            assertThat(smtp.readLine()).startsWith(code).contains(why);

            envelope(smtp, bob);
            assertThat(data(smtp, "Subject: fine\r\n\r\nhello\r\n")).startsWith("250 2.0.0");
        }
        assertThat(HATO.inbox(bob)).hasSize(1);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("poison")
    void poisonMessagesShouldBeRefusedAtAppendWithLimitAndTheSessionShouldKeepServing(String name, String message,
            String code, String why) throws Exception {
        RunningHato.User bob = HATO.newUser("bob");
        byte[] octets = message.getBytes(StandardCharsets.US_ASCII);
        try (SocketTransport imap = ImapLines.login(HATO, bob)) {
            // a synchronizing literal: LITERAL- (RFC 7888) allows non-synchronizing ones up to 4096 octets only
            imap.send(("a1 APPEND INBOX {" + octets.length + "}\r\n").getBytes(StandardCharsets.US_ASCII));
            assertThat(imap.readLine()).startsWith("+ ");
            imap.send(octets);
            imap.send("\r\n".getBytes(StandardCharsets.US_ASCII));
            List<String> lines = ImapLines.untilTagged(imap, "a1");
            assertThat(lines).last().asString().startsWith("a1 NO [LIMIT] ").contains(why);
            byte[] fine = "Subject: fine\r\n\r\nhello\r\n".getBytes(StandardCharsets.US_ASCII);
            imap.send(("a2 APPEND INBOX {" + fine.length + "+}\r\n").getBytes(StandardCharsets.US_ASCII));
            imap.send(fine);
            imap.send("\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(ImapLines.untilTagged(imap, "a2")).last().asString().startsWith("a2 OK [APPENDUID ");
        }
        assertThat(HATO.inbox(bob)).hasSize(1);
    }

    @Test
    void aMessageAtTheFieldLimitShouldBeAcceptedThoughTheServerPutsItsTraceFieldsBeforeIt() throws Exception {
        // 1,000 fields of the client's; Return-Path and Received are Hato's and do not count against its limits
        RunningHato.User bob = HATO.newUser("bob");
        String message = "Subject: at the limit\r\n" + "X-Field: 1\r\n".repeat(999) + "\r\nbody\r\n";
        try (SocketTransport smtp = greeted()) {
            envelope(smtp, bob);
            assertThat(data(smtp, message)).startsWith("250 2.0.0");

            envelope(smtp, bob);
            String oneMore = message.replace("\r\n\r\n", "\r\nX-One-More: 1\r\n\r\n");
            assertThat(data(smtp, oneMore)).startsWith("554 5.6.0 ").contains("more than 1000 fields");
        }
        assertThat(HATO.inbox(bob)).hasSize(1);
    }

    /** An SMTP connection to port 25 after its greeting and EHLO. */
    private static SocketTransport greeted() throws Exception {
        SocketTransport smtp = new SocketTransport(HATO.port("smtp"), false);
        assertThat(smtp.readLine()).startsWith("220");
        smtp.send("EHLO client.test\r\n".getBytes(StandardCharsets.US_ASCII));
        String line = smtp.readLine();
        while (line.startsWith("250-")) { // the EHLO keywords, up to the last line "250 "
            line = smtp.readLine();
        }
        assertThat(line).startsWith("250 ");
        return smtp;
    }

    /** Sends {@code message} with DATA after a 354 and returns the reply to its end. */
    private static String data(SocketTransport smtp, String message) throws Exception {
        smtp.send("DATA\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(smtp.readLine()).startsWith("354");
        smtp.send((message + ".\r\n").getBytes(StandardCharsets.US_ASCII));
        return smtp.readLine();
    }

    private static void envelope(SocketTransport smtp, RunningHato.User to) throws Exception {
        smtp.send(("MAIL FROM:<x@remote.test>\r\nRCPT TO:<" + to.address() + ">\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        assertThat(smtp.readLine()).startsWith("250");
        assertThat(smtp.readLine()).startsWith("250");
    }
}
