package dev.hato.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hato.auth.scram.RfcScramClient;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/**
 * AUTH SCRAM-SHA-256 (RFC 4954 + RFC 5802/7677) on the submission port over real TLS, driven by a client written
 * from the RFC's formulas: the server-final-message travels as one more 334 challenge, checked by the client.
 */
class SmtpScramTest {

    private static final RunningHato HATO = RunningHato.shared();

    @Test
    void scramShouldLogInWithTheAuthIdAndProveTheServerKnowsTheKeys() throws Exception {
        RunningHato.User ann = HATO.newUser("ann");
        try (SocketTransport smtp = open()) {
            RfcScramClient client = new RfcScramClient("n,,", ann.authId(), ann.password(), "fyko+d2lbbFgONRv9qkxdawL");
            smtp.send(("AUTH SCRAM-SHA-256 " + b64(client.first()) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            String serverFirst = challenge(smtp.readLine());
            smtp.send((b64(client.finalMessage(serverFirst)) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            String serverFinal = challenge(smtp.readLine());
            assertThat(client.acceptsServerFinal(serverFinal)).as(serverFinal).isTrue();
            smtp.send("\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(smtp.readLine()).startsWith("235 2.7.0");

            smtp.send(("MAIL FROM:<" + ann.address() + ">\r\n").getBytes(StandardCharsets.US_ASCII));
            assertThat(smtp.readLine()).startsWith("250 2.1.0");
        }
    }

    @Test
    void scramWithoutAnInitialResponseAndAWrongPasswordShouldFailLikeAnyWrongPassword() throws Exception {
        RunningHato.User bob = HATO.newUser("bob");
        try (SocketTransport smtp = open()) {
            RfcScramClient client = new RfcScramClient("n,,", bob.authId(), "not-the-password", "abcdefghijkl");
            smtp.send("AUTH SCRAM-SHA-256\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(smtp.readLine()).isEqualTo("334 ");
            smtp.send((b64(client.first()) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            String serverFirst = challenge(smtp.readLine());
            smtp.send((b64(client.finalMessage(serverFirst)) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            assertThat(smtp.readLine()).startsWith("535 5.7.8");
            smtp.send(("MAIL FROM:<" + bob.address() + ">\r\n").getBytes(StandardCharsets.US_ASCII));
            assertThat(smtp.readLine()).startsWith("530 5.7.0");
        }
    }

    @Test
    void anUnknownUserAndAnAddressShouldGetAChallengeAndThenTheSameRefusal() throws Exception {
        RunningHato.User carol = HATO.newUser("carol");
        for (String login : new String[] {"nobody.here-x7q2", carol.address()}) {
            try (SocketTransport smtp = open()) {
                RfcScramClient client = new RfcScramClient("n,,", login, carol.password(), "zyxwvutsrq");
                smtp.send(("AUTH SCRAM-SHA-256 " + b64(client.first()) + "\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                String serverFirst = challenge(smtp.readLine());
                assertThat(serverFirst).matches("r=zyxwvutsrq.+,s=.+,i=4096");
                smtp.send((b64(client.finalMessage(serverFirst)) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                String refusal = smtp.readLine();
                assertThat(refusal).startsWith("535 5.7.8");
                assertThat(refusal.contains("auth ID")).isEqualTo(login.contains("@"));
            }
        }
    }

    @Test
    void aCancelledOrMalformedExchangeShouldBeAnsweredAndTheConnectionKept() throws Exception {
        try (SocketTransport smtp = open()) {
            smtp.send("AUTH SCRAM-SHA-256 !!notbase64\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(smtp.readLine()).startsWith("501 5.5.2");
            smtp.send(("AUTH SCRAM-SHA-256 " + b64("p=tls-unique,,n=x,r=abc".getBytes(StandardCharsets.US_ASCII))
                    + "\r\n").getBytes(StandardCharsets.US_ASCII));
            assertThat(smtp.readLine()).startsWith("535 5.7.8");
            smtp.send("AUTH SCRAM-SHA-256\r\n*\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(smtp.readLine()).isEqualTo("334 ");
            assertThat(smtp.readLine()).startsWith("501 5.0.0");
            smtp.send("NOOP\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(smtp.readLine()).startsWith("250");
        }
    }

    private static SocketTransport open() throws Exception {
        SocketTransport smtp = new SocketTransport(HATO.port("submissions"), true);
        assertThat(smtp.readLine()).startsWith("220 ");
        smtp.send("EHLO client.example\r\n".getBytes(StandardCharsets.US_ASCII));
        String line;
        boolean offered = false;
        do {
            line = smtp.readLine();
            offered |= line.matches("250.AUTH SCRAM-SHA-256 PLAIN LOGIN.*");
        } while (line.charAt(3) == '-');
        assertThat(offered).as("SCRAM-SHA-256 is offered first").isTrue();
        return smtp;
    }

    private static String challenge(String line) {
        assertThat(line).startsWith("334 ");
        return new String(Base64.getDecoder().decode(line.substring(4)), StandardCharsets.UTF_8);
    }

    private static String b64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }
}
