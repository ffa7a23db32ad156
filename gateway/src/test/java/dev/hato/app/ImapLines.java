package dev.hato.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Line-level IMAP over a {@link SocketTransport}, for tests that drive sessions by hand (implicit TLS), and the
 * plain SMTP delivery such tests wait for.
 */
final class ImapLines {

    private ImapLines() {
    }

    /** A session on the node's IMAPS port, greeted and logged in with LOGIN. */
    static SocketTransport login(RunningHato node, RunningHato.User user) throws IOException {
        SocketTransport imap = new SocketTransport(node.port("imaps"), true);
        assertThat(imap.readLine()).startsWith("* OK");
        command(imap, "l1 LOGIN " + user.authId() + " \"" + user.password() + "\"");
        return imap;
    }

    /** Sends one command and returns every line up to and including its tagged reply, which must be OK. */
    static List<String> command(SocketTransport imap, String line) throws IOException {
        imap.send((line + "\r\n").getBytes(StandardCharsets.UTF_8));
        String tag = line.substring(0, line.indexOf(' '));
        List<String> lines = untilTagged(imap, tag);
        assertThat(lines).last().asString().startsWith(tag + " OK");
        return lines;
    }

    /** Every line up to and including the one tagged {@code tag}. */
    static List<String> untilTagged(SocketTransport imap, String tag) throws IOException {
        List<String> lines = new ArrayList<>();
        String next;
        do {
            next = imap.readLine();
            lines.add(next);
        } while (!next.startsWith(tag + " "));
        return lines;
    }

    /** One message to {@code to} over the node's SMTP port (no TLS, no AUTH: inbound mail), accepted with 250. */
    static void deliver(RunningHato node, RunningHato.User to, String subject) throws IOException {
        try (SocketTransport smtp = new SocketTransport(node.port("smtp"), false)) {
            smtp.readLine();
            smtp.send(("HELO client.test\r\nMAIL FROM:<x@remote.test>\r\nRCPT TO:<" + to.address() + ">\r\nDATA\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            for (int i = 0; i < 4; i++) {
                smtp.readLine();
            }
            smtp.send(("Subject: " + subject + "\r\n\r\nhello\r\n.\r\nQUIT\r\n").getBytes(StandardCharsets.US_ASCII));
            assertThat(smtp.readLine()).startsWith("250 2.0.0");
        }
    }
}
