package dev.hato.app;

import static dev.hato.app.Pop3Lines.open;
import static dev.hato.app.Pop3Lines.send;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * RFC 6856 over real TLS sockets: CAPA announces UTF8 (without USER: USER and PASS make no UTF-8 promise), the UTF8
 * command is taken in the AUTHORIZATION state only, and a message with UTF-8 header fields (RFC 6532) is sent as
 * stored after UTF8 and downgraded to ASCII header fields without it, in the headers of its MIME parts too.
 */
class Pop3Utf8Test {

    private static final RunningHato HATO = RunningHato.shared();
    private static final String SUBJECT = "Gr\u00fc\u00dfe \u65e5\u672c";
    private static final String BODY = "K\u00f6rper bleibt";
    /** A part's header field with a raw UTF-8 parameter (RFC 6532 allows it in MIME part headers too). */
    private static final String ATTACHMENT_DISPOSITION = "Content-Disposition: attachment; filename=Gr\u00fc\u00dfe.txt";

    @Test
    void capaShouldAnnounceUtf8WithoutTheUserArgumentBeforeAndAfterLogin() throws Exception {
        RunningHato.User ann = HATO.newUser("ann");
        try (SocketTransport pop3 = open()) {
            assertThat(capabilities(pop3)).contains("UTF8").noneMatch(line -> line.startsWith("UTF8 "))
                    .noneMatch(line -> line.startsWith("LANG"));
            send(pop3, "AUTH PLAIN " + ann.plain());
            assertThat(pop3.readLine()).startsWith("+OK Logged in");
            assertThat(capabilities(pop3)).contains("UTF8");
        }
    }

    @Test
    void utf8ShouldBeTakenBeforeLoginOnlyAndWithoutArguments() throws Exception {
        RunningHato.User bob = HATO.newUser("bob");
        try (SocketTransport pop3 = open()) {
            send(pop3, "UTF8 now");
            assertThat(pop3.readLine()).startsWith("-ERR");
            send(pop3, "utf8");
            assertThat(pop3.readLine()).startsWith("+OK");
            send(pop3, "AUTH PLAIN " + bob.plain());
            assertThat(pop3.readLine()).startsWith("+OK Logged in");
            send(pop3, "UTF8");
            assertThat(pop3.readLine()).startsWith("-ERR");
            send(pop3, "STAT");
            assertThat(pop3.readLine()).isEqualTo("+OK 0 0");
        }
    }

    @Test
    void aClientInUtf8ModeShouldGetUtf8HeadersAsStoredAndAnyOtherClientAsciiHeaders() throws Exception {
        RunningHato.User carol = HATO.newUser("carol");
        deliver(carol);

        List<String> raw;
        try (SocketTransport pop3 = open()) {
            send(pop3, "UTF8");
            assertThat(pop3.readLine()).startsWith("+OK");
            raw = retrieve(pop3, carol);
        }
        assertThat(raw).contains("Subject: " + SUBJECT, "From: J\u00f6rg <joerg@remote.test>", BODY,
                ATTACHMENT_DISPOSITION);

        List<String> downgraded;
        try (SocketTransport pop3 = open()) {
            downgraded = retrieve(pop3, carol);
        }
        List<String> header = downgraded.subList(0, downgraded.indexOf(""));
        assertThat(header).allMatch(line -> line.chars().allMatch(c -> c < 0x80), "ASCII only");
        assertThat(header).anyMatch(line -> line.matches("Subject: =\\?UTF-8\\?B\\?[A-Za-z0-9+/=]+\\?="))
                .anyMatch(line -> line.matches("From: =\\?UTF-8\\?B\\?[A-Za-z0-9+/=]+\\?= <joerg@remote\\.test>"));
        assertThat(downgraded).contains(BODY);
        // the part's header too: every line but the 8-bit body text is ASCII, the filename an RFC 2231 value
        assertThat(downgraded).filteredOn(line -> !line.equals(BODY))
                .allMatch(line -> line.chars().allMatch(c -> c < 0x80), "ASCII only")
                .anyMatch(line -> line.contains("filename*=UTF-8''Gr%C3%BC%C3%9Fe.txt"));
    }

    private static void deliver(RunningHato.User user) throws Exception {
        try (SocketTransport smtp = new SocketTransport(HATO.port("smtp"), false)) {
            assertThat(smtp.readLine()).startsWith("220");
            smtp.send("EHLO client.remote.test\r\n".getBytes(StandardCharsets.US_ASCII));
            for (String line = smtp.readLine(); !line.startsWith("250 "); line = smtp.readLine()) {
                assertThat(line).startsWith("250-");
            }
            smtp.send(("MAIL FROM:<joerg@remote.test> SMTPUTF8 BODY=8BITMIME\r\nRCPT TO:<" + user.address()
                    + ">\r\nDATA\r\n").getBytes(StandardCharsets.US_ASCII));
            assertThat(smtp.readLine()).startsWith("250");
            assertThat(smtp.readLine()).startsWith("250");
            assertThat(smtp.readLine()).startsWith("354");
            smtp.send(("From: J\u00f6rg <joerg@remote.test>\r\nTo: <" + user.address() + ">\r\nSubject: " + SUBJECT
                    + "\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
                    + "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
                    + BODY + "\r\n--b\r\n" + ATTACHMENT_DISPOSITION + "\r\n\r\nx\r\n--b--\r\n.\r\n")
                    .getBytes(StandardCharsets.UTF_8));
            assertThat(smtp.readLine()).startsWith("250");
        }
    }

    /** Logs in and returns RETR 1's lines (unstuffed, without the terminator); the session then quits. */
    private static List<String> retrieve(SocketTransport pop3, RunningHato.User user) throws Exception {
        send(pop3, "AUTH PLAIN " + user.plain());
        assertThat(pop3.readLine()).startsWith("+OK Logged in; maildrop has 1 messages");
        send(pop3, "RETR 1");
        assertThat(pop3.readLine()).startsWith("+OK");
        List<String> lines = new ArrayList<>();
        for (String line = pop3.readLine(); !line.equals("."); line = pop3.readLine()) {
            lines.add(line.startsWith(".") ? line.substring(1) : line);
        }
        send(pop3, "QUIT");
        assertThat(pop3.readLine()).startsWith("+OK");
        return lines;
    }

    private static List<String> capabilities(SocketTransport pop3) throws Exception {
        send(pop3, "CAPA");
        assertThat(pop3.readLine()).startsWith("+OK");
        List<String> capabilities = new ArrayList<>();
        for (String line = pop3.readLine(); !line.equals("."); line = pop3.readLine()) {
            capabilities.add(line);
        }
        return capabilities;
    }
}
