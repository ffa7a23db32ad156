package dev.hato.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Slow clients through real sockets, with small limits: a client that trickles a byte now and then (each byte resets
 * the idle timer) is still sent away when its time to log in (IMAP, POP3, submission) or its session time (the MTA
 * port) is over, with the protocol's farewell. (The cap on all connections is in ConnectionLimitTest.) The assertions
 * are on what the client receives, never on durations: where a test must be past a deadline, it waits for a second
 * connection, opened later, to be sent away by the same deadline.
 */
class ConnectionDeadlineTest {

    @TempDir
    static Path dataDir;

    private static RunningHato hato;

    @BeforeAll
    static void start() {
        hato = RunningHato.start(dataDir, "--hato.outbound.enabled=false", "--hato.login-deadline=2s",
                "--hato.smtp.max-session-time=4s");
        hato.provisioning().addDomain(RunningHato.DOMAIN).block();
    }

    @AfterAll
    static void stop() {
        hato.close();
    }

    /** A plain connection that can trickle; reads give up after a quarter of a second. */
    private static final class Trickler implements AutoCloseable {
        final Socket socket;
        final InputStream in;
        final ByteArrayOutputStream received = new ByteArrayOutputStream();

        Trickler(int port) throws IOException {
            socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(250);
            in = socket.getInputStream();
        }

        /** Reads whatever arrives within a quarter of a second; false when the server closed the connection. */
        boolean poll() throws IOException {
            byte[] buffer = new byte[1024];
            try {
                int n = in.read(buffer);
                if (n < 0) {
                    return false;
                }
                received.write(buffer, 0, n);
            } catch (SocketTimeoutException e) {
                // nothing yet
            } catch (IOException reset) {
                return false;
            }
            return true;
        }

        void send(String text) throws IOException {
            socket.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
        }

        List<String> lines() {
            return List.of(received.toString(StandardCharsets.US_ASCII).split("\r\n"));
        }

        /**
         * Sends one byte of {@code line} after every two polls (never a whole line) until the server closes the
         * connection, at most {@code bytes} of them; true when the server closed it.
         */
        boolean trickle(String line, int bytes) throws IOException {
            for (int i = 0; i < bytes; i++) {
                try {
                    send(String.valueOf(line.charAt(i % line.length())));
                } catch (IOException closed) {
                    return true;
                }
                if (!poll() || !poll()) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    private static void assertSentAway(String listener, String farewellPrefix) throws Exception {
        try (Trickler client = new Trickler(hato.port(listener))) {
            // 200 bytes are 100 s of trickling: far beyond the deadlines here, and still shorter than a line limit.
            assertThat(client.trickle("NOOP NOOP NOOP ", 200)).as("%s: the server closed the connection", listener)
                    .isTrue();

            assertThat(client.lines()).as(listener).hasSize(2);
            assertThat(client.lines().get(1)).as(listener).startsWith(farewellPrefix);
        }
    }

    @Test
    void aTricklingClientShouldBeSentAwayWhenItsTimeToLogInIsOver() throws Exception {
        assertSentAway("imap", "* BYE ");
        assertSentAway("pop3", "-ERR ");
        assertSentAway("submission", "421 4.4.2 ");
    }

    @Test
    void aTricklingClientOnTheMtaPortShouldBeSentAwayWhenTheSessionTimeIsOver() throws Exception {
        assertSentAway("smtp", "421 4.4.2 ");
    }

    @Test
    void aClientThatLoggedInShouldOutliveTheLoginDeadline() throws Exception {
        RunningHato.User user = hato.newUser("prompt");
        try (SocketTransport imap = new SocketTransport(hato.port("imaps"), true)) {
            assertThat(imap.readLine()).startsWith("* OK");
            imap.send(("a1 LOGIN \"" + user.authId() + "\" \"" + user.password() + "\"\r\n")
                    .getBytes(StandardCharsets.UTF_8));
            assertThat(imap.readLine()).startsWith("a1 OK");

            // Opened after the first, so its deadline passes after the first one's.
            try (SocketTransport later = new SocketTransport(hato.port("imap"), false)) {
                assertThat(later.readLine()).startsWith("* OK");
                assertThat(later.readLine()).as("the later connection's deadline").startsWith("* BYE ")
                        .contains("Time to log in is over");
            }
            imap.send("a2 NOOP\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(imap.readLine()).as("past the deadline, still served").startsWith("a2 OK");
            imap.send("a3 NOOP\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(imap.readLine()).startsWith("a3 OK");
        }
    }

    @Test
    void aMessageStillStreamingWhenTheSessionTimeIsOverShouldGetIts250AndThenThe421() throws Exception {
        RunningHato.User user = hato.newUser("slow-sender");
        try (Socket socket = new Socket("127.0.0.1", hato.port("smtp"))) {
            socket.setSoTimeout(30_000);
            InputStream in = socket.getInputStream();
            assertThat(line(in)).startsWith("220 ");
            assertThat(command(socket, "EHLO slow.example")).startsWith("250 ");
            assertThat(command(socket, "MAIL FROM:<sender@slow.example>")).startsWith("250 ");
            assertThat(command(socket, "RCPT TO:<" + user.address() + ">")).startsWith("250 ");
            assertThat(command(socket, "DATA")).startsWith("354 ");
            write(socket, "Subject: slowly\r\n\r\nThe first part of a slow message.\r\n");

            // Opened after the first, so its session time is over after the first one's.
            try (SocketTransport later = new SocketTransport(hato.port("smtp"), false)) {
                assertThat(later.readLine()).startsWith("220 ");
                assertThat(later.readLine()).as("the later connection's session time").startsWith("421 4.4.2 ")
                        .contains("Session time limit");
            }
            write(socket, "More of it, past the session time.\r\n");
            socket.setSoTimeout(500);
            assertThatThrownBy(() -> line(in)).as("nothing in the middle of the message")
                    .isInstanceOf(SocketTimeoutException.class);
            socket.setSoTimeout(30_000);

            write(socket, "The end.\r\n.\r\n");
            assertThat(line(in)).startsWith("250 ");
            assertThat(line(in)).startsWith("421 4.4.2 ").contains("Session time limit");
            assertThat(in.read()).as("closed after the farewell").isEqualTo(-1);
        }
        assertThat(hato.inbox(user)).hasSize(1);
    }

    @Test
    void aMessageTrickledForAsLongAgainAsTheSessionTimeShouldBeCutOffAndNotKept() throws Exception {
        RunningHato.User user = hato.newUser("trickled-to");
        try (Trickler client = new Trickler(hato.port("smtp"))) {
            client.send("EHLO trickle.example\r\nMAIL FROM:<sender@trickle.example>\r\nRCPT TO:<" + user.address()
                    + ">\r\nDATA\r\n");
            while (client.lines().stream().noneMatch(line -> line.startsWith("354 "))) {
                assertThat(client.poll()).as("open until DATA is answered").isTrue();
            }

            // Message content, a byte at a time: the data timeout never runs out, and the message never ends.
            assertThat(client.trickle("Subject: slow\r\n\r\nslower\r\n", 200)).as("the server closed the connection")
                    .isTrue();

            List<String> lines = client.lines();
            List<String> afterData = lines.subList(lines.indexOf(lines.stream()
                    .filter(line -> line.startsWith("354 ")).findFirst().orElseThrow()) + 1, lines.size());
            assertThat(afterData).as("only the farewell, in the middle of the message").hasSize(1);
            assertThat(afterData.get(0)).startsWith("421 4.4.2 ").contains("Session time limit");
        }
        assertThat(hato.inbox(user)).as("nothing unacknowledged is kept").isEmpty();
    }

    private static void write(Socket socket, String text) throws IOException {
        socket.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
    }

    /** Sends one command and returns the last line of its reply. */
    private static String command(Socket socket, String command) throws IOException {
        write(socket, command + "\r\n");
        String reply;
        do {
            reply = line(socket.getInputStream());
        } while (reply.length() > 3 && reply.charAt(3) == '-');
        return reply;
    }

    /** One line without its CRLF; an IOException at the end of the stream. */
    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int previous = -1;
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed by the server after: " + line.toString(StandardCharsets.US_ASCII));
            }
            if (previous == '\r' && b == '\n') {
                byte[] bytes = line.toByteArray();
                return new String(bytes, 0, bytes.length - 1, StandardCharsets.US_ASCII);
            }
            line.write(b);
            previous = b;
        }
    }
}
