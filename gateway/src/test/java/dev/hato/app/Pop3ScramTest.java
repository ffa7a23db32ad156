package dev.hato.app;

import static dev.hato.app.Pop3Lines.b64;
import static dev.hato.app.Pop3Lines.challenge;
import static dev.hato.app.Pop3Lines.open;
import static dev.hato.app.Pop3Lines.send;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hato.auth.scram.RfcScramClient;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * POP3 AUTH SCRAM-SHA-256 (RFC 5034 + RFC 5802/7677) over real TLS, driven by a client written from the RFC's
 * formulas: offered in CAPA's SASL line, the server-final-message travels as one more {@code +} challenge that the
 * client checks and answers with an empty line before {@code +OK}.
 */
class Pop3ScramTest {

    private static final RunningHato HATO = RunningHato.shared();

    @Test
    void capaShouldOfferScramFirstAndScramShouldLogInAndProveTheServerKnowsTheKeys() throws Exception {
        RunningHato.User ann = HATO.newUser("ann");
        try (SocketTransport pop3 = open()) {
            send(pop3, "CAPA");
            assertThat(pop3.readLine()).startsWith("+OK");
            List<String> capabilities = new ArrayList<>();
            for (String line = pop3.readLine(); !line.equals("."); line = pop3.readLine()) {
                capabilities.add(line);
            }
            assertThat(capabilities).anyMatch(line -> line.matches("SASL SCRAM-SHA-256 PLAIN( .*)?"));

            RfcScramClient client = new RfcScramClient("n,,", ann.authId(), ann.password(), "fyko+d2lbbFgONRv9qkxdawL");
            send(pop3, "AUTH SCRAM-SHA-256 " + b64(client.first()));
            String serverFirst = challenge(pop3.readLine());
            assertThat(serverFirst).matches("r=fyko\\+d2lbbFgONRv9qkxdawL.+,s=.+,i=4096");
            send(pop3, b64(client.finalMessage(serverFirst)));
            String serverFinal = challenge(pop3.readLine());
            assertThat(client.acceptsServerFinal(serverFinal)).as(serverFinal).isTrue();
            send(pop3, "");
            assertThat(pop3.readLine()).matches("\\+OK Logged in; maildrop has 0 messages \\(0 octets\\)");
            send(pop3, "STAT");
            assertThat(pop3.readLine()).isEqualTo("+OK 0 0");
            send(pop3, "QUIT");
            assertThat(pop3.readLine()).startsWith("+OK");
        }
    }

    @Test
    void scramWithoutAnInitialResponseAndAWrongPasswordShouldFailLikeAnyWrongPassword() throws Exception {
        RunningHato.User bob = HATO.newUser("bob");
        try (SocketTransport pop3 = open()) {
            RfcScramClient client = new RfcScramClient("n,,", bob.authId(), "not-the-password", "abcdefghijkl");
            send(pop3, "AUTH SCRAM-SHA-256");
            assertThat(pop3.readLine()).isEqualTo("+ ");
            send(pop3, b64(client.first()));
            String serverFirst = challenge(pop3.readLine());
            send(pop3, b64(client.finalMessage(serverFirst)));
            assertThat(pop3.readLine()).isEqualTo("-ERR [AUTH] Authentication failed");
            send(pop3, "STAT");
            assertThat(pop3.readLine()).startsWith("-ERR");
            // The same connection can still log in.
            send(pop3, "USER " + bob.authId());
            assertThat(pop3.readLine()).startsWith("+OK");
            send(pop3, "PASS " + bob.password());
            assertThat(pop3.readLine()).startsWith("+OK Logged in");
        }
    }

    @Test
    void anUnknownUserAndAnAddressShouldGetAChallengeAndThenTheSameRefusal() throws Exception {
        RunningHato.User carol = HATO.newUser("carol");
        for (String login : new String[] {"nobody.here-x7q2", carol.address()}) {
            try (SocketTransport pop3 = open()) {
                RfcScramClient client = new RfcScramClient("n,,", login, carol.password(), "zyxwvutsrq");
                send(pop3, "AUTH SCRAM-SHA-256 " + b64(client.first()));
                String serverFirst = challenge(pop3.readLine());
                assertThat(serverFirst).matches("r=zyxwvutsrq.+,s=.+,i=4096");
                send(pop3, b64(client.finalMessage(serverFirst)));
                String refusal = pop3.readLine();
                assertThat(refusal).startsWith("-ERR [AUTH] Authentication failed");
                assertThat(refusal.contains("auth ID")).isEqualTo(login.contains("@"));
            }
        }
    }

    @Test
    void aCancelledMalformedOrUnconfirmedExchangeShouldBeAnsweredAndTheConnectionKept() throws Exception {
        RunningHato.User dan = HATO.newUser("dan");
        try (SocketTransport pop3 = open()) {
            send(pop3, "AUTH SCRAM-SHA-256 !!notbase64");
            assertThat(pop3.readLine()).isEqualTo("-ERR Invalid SCRAM-SHA-256 response");
            send(pop3, "AUTH SCRAM-SHA-256");
            assertThat(pop3.readLine()).isEqualTo("+ ");
            send(pop3, "*");
            assertThat(pop3.readLine()).isEqualTo("-ERR Authentication cancelled");

            // The client does not accept the server's signature: no login, whatever the proof was.
            RfcScramClient client = new RfcScramClient("n,,", dan.authId(), dan.password(), "qwertyuiop");
            send(pop3, "AUTH SCRAM-SHA-256 " + b64(client.first()));
            send(pop3, b64(client.finalMessage(challenge(pop3.readLine()))));
            challenge(pop3.readLine());
            send(pop3, b64("e=other-error".getBytes(StandardCharsets.US_ASCII)));
            assertThat(pop3.readLine()).isEqualTo("-ERR [AUTH] Authentication exchange not completed");
            send(pop3, "STAT");
            assertThat(pop3.readLine()).startsWith("-ERR");
            send(pop3, "NOOP");
            assertThat(pop3.readLine()).startsWith("-ERR Not logged in");
        }
    }
}
