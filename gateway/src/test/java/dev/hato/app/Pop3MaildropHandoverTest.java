package dev.hato.app;

import static dev.hato.app.Pop3Lines.b64;
import static dev.hato.app.Pop3Lines.challenge;
import static dev.hato.app.Pop3Lines.open;
import static dev.hato.app.Pop3Lines.send;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hato.auth.scram.RfcScramClient;
import java.time.Duration;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/**
 * RFC 1939 §8 / RFC 2449 §8.1.1: one session per maildrop, but a client that drops its connection and reconnects at
 * once (fetchmail, poplib and phones after a timeout) must not be told {@code [IN-USE]} by its own dead session; a
 * live second session still is, promptly.
 */
class Pop3MaildropHandoverTest {

    private static final RunningHato HATO = RunningHato.shared();

    /**
     * Repeated because the old behaviour was a race (the lock outlived the connection by 0.1 to 0.3 s): a few rounds
     * made it lose at least once. The second connection has done everything but the last step of a SCRAM login
     * before the first one is dropped, so the login completes a moment after the drop, as a client retrying at once
     * would; SCRAM's last step costs the server no password hashing, so nothing slows the login down.
     */
    @RepeatedTest(8)
    void aReconnectRightAfterADroppedConnectionShouldLogInInsteadOfInUse() throws Exception {
        RunningHato.User ann = HATO.newUser("ann");
        SocketTransport first = open();
        logIn(first, ann);
        assertThat(first.readLine()).startsWith("+OK Logged in");
        try (SocketTransport second = open()) {
            RfcScramClient client = new RfcScramClient("n,,", ann.authId(), ann.password(), "handover-nonce-1");
            send(second, "AUTH SCRAM-SHA-256 " + b64(client.first()));
            String serverFirst = challenge(second.readLine());
            send(second, b64(client.finalMessage(serverFirst)));
            String serverFinal = challenge(second.readLine());
            assertThat(client.acceptsServerFinal(serverFinal)).isTrue();
            first.close(); // no QUIT
            send(second, "");
            assertThat(second.readLine()).startsWith("+OK Logged in");
            send(second, "QUIT");
            assertThat(second.readLine()).startsWith("+OK");
        }
    }

    @Test
    void aLiveSecondSessionShouldGetInUsePromptly() throws Exception {
        RunningHato.User bob = HATO.newUser("bob");
        try (SocketTransport first = open(); SocketTransport second = open()) {
            logIn(first, bob);
            assertThat(first.readLine()).startsWith("+OK Logged in");
            long start = System.nanoTime();
            logIn(second, bob);
            assertThat(second.readLine()).startsWith("-ERR [IN-USE] ");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
            // The first session is untouched and can still work and quit.
            send(first, "STAT");
            assertThat(first.readLine()).isEqualTo("+OK 0 0");
            send(first, "QUIT");
            assertThat(first.readLine()).startsWith("+OK");
        }
    }

    private static void logIn(SocketTransport pop3, RunningHato.User user) throws Exception {
        send(pop3, "AUTH PLAIN " + user.plain());
    }
}
