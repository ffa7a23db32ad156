package dev.hato.app;

import static org.assertj.core.api.Assertions.assertThat;

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
 * port) is over, with the protocol's farewell. (The cap on all connections is in ConnectionLimitTest.)
 */
class ConnectionDeadlineTest {

    @TempDir
    static Path dataDir;

    private static RunningHato hato;

    @BeforeAll
    static void start() {
        hato = RunningHato.start(dataDir, "--hato.outbound.enabled=false", "--hato.login-deadline=2s",
                "--hato.smtp.max-session-time=3s");
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
         * Sends one byte of {@code line} every half second (never a whole line) until the server closes, giving up
         * after {@code seconds}; returns how many seconds it took.
         */
        double trickle(String line, int seconds) throws IOException {
            long start = System.nanoTime();
            int i = 0;
            while (System.nanoTime() - start < seconds * 1_000_000_000L) {
                try {
                    send(String.valueOf(line.charAt(i++ % line.length())));
                } catch (IOException closed) {
                    break;
                }
                if (!poll() || !poll()) {
                    break;
                }
            }
            return (System.nanoTime() - start) / 1e9;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    private static void assertSentAwayAtTheDeadline(String listener, String farewellPrefix, int deadlineSeconds)
            throws Exception {
        try (Trickler client = new Trickler(hato.port(listener))) {
            double took = client.trickle("NOOP NOOP NOOP ", 20);

            assertThat(took).as("%s: closed at the deadline, not before and not much later", listener)
                    .isBetween(deadlineSeconds - 0.5, deadlineSeconds + 4.0);
            assertThat(client.lines()).as(listener).hasSize(2);
            assertThat(client.lines().get(1)).as(listener).startsWith(farewellPrefix);
        }
    }

    @Test
    void aTricklingClientShouldBeSentAwayWhenItsTimeToLogInIsOver() throws Exception {
        assertSentAwayAtTheDeadline("imap", "* BYE ", 2);
        assertSentAwayAtTheDeadline("pop3", "-ERR ", 2);
        assertSentAwayAtTheDeadline("submission", "421 4.4.2 ", 2);
    }

    @Test
    void aTricklingClientOnTheMtaPortShouldBeSentAwayWhenTheSessionTimeIsOver() throws Exception {
        assertSentAwayAtTheDeadline("smtp", "421 4.4.2 ", 3);
    }

    @Test
    void aClientThatLoggedInShouldOutliveTheLoginDeadline() throws Exception {
        RunningHato.User user = hato.newUser("prompt");
        try (SocketTransport imap = new SocketTransport(hato.port("imaps"), true)) {
            assertThat(imap.readLine()).startsWith("* OK");
            imap.send(("a1 LOGIN \"" + user.authId() + "\" \"" + user.password() + "\"\r\n")
                    .getBytes(StandardCharsets.UTF_8));
            assertThat(imap.readLine()).startsWith("a1 OK");
            Thread.sleep(3_000);
            imap.send("a2 NOOP\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(imap.readLine()).startsWith("a2 OK");
        }
    }
}
