package dev.hato.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hato.auth.scram.RfcScramClient;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/**
 * IMAP AUTHENTICATE SCRAM-SHA-256 (RFC 3501 §6.2.2, SASL-IR from RFC 4959, RFC 5802/7677) over real TLS, driven by a
 * client written from the RFC's formulas: the server-final-message travels as one more {@code +} challenge, checked
 * by the client, before the tagged OK.
 */
class ImapScramTest {

    private static final RunningHato HATO = RunningHato.shared();

    @Test
    void scramWithSaslIrShouldLogInAndProveTheServerKnowsTheKeys() throws Exception {
        RunningHato.User ann = HATO.newUser("ann");
        try (SocketTransport imap = open()) {
            RfcScramClient client = new RfcScramClient("n,,", ann.authId(), ann.password(), "rOprNGfwEbeRWgbNEkqO");
            send(imap, "a1 AUTHENTICATE SCRAM-SHA-256 " + b64(client.first()));
            String serverFirst = challenge(imap.readLine());
            send(imap, b64(client.finalMessage(serverFirst)));
            String serverFinal = challenge(imap.readLine());
            assertThat(client.acceptsServerFinal(serverFinal)).as(serverFinal).isTrue();
            send(imap, "");
            assertThat(imap.readLine()).matches("a1 OK \\[CAPABILITY .*] Logged in");
            send(imap, "a2 SELECT INBOX");
            String line;
            do {
                line = imap.readLine();
            } while (line.startsWith("* "));
            assertThat(line).startsWith("a2 OK");
        }
    }

    @Test
    void aWrongPasswordAnAddressAndARefusedSignatureShouldEachBeAFailedLogin() throws Exception {
        RunningHato.User bob = HATO.newUser("bob");
        try (SocketTransport imap = open()) {
            RfcScramClient wrong = new RfcScramClient("n,,", bob.authId(), "not-the-password", "abcdefghijkl");
            send(imap, "b1 AUTHENTICATE SCRAM-SHA-256");
            assertThat(imap.readLine()).isEqualTo("+ ");
            send(imap, b64(wrong.first()));
            send(imap, b64(wrong.finalMessage(challenge(imap.readLine()))));
            assertThat(imap.readLine()).isEqualTo("b1 NO [AUTHENTICATIONFAILED] Authentication failed");

            RfcScramClient address = new RfcScramClient("n,,", bob.address(), bob.password(), "mnopqrstuv");
            send(imap, "b2 AUTHENTICATE SCRAM-SHA-256 " + b64(address.first()));
            send(imap, b64(address.finalMessage(challenge(imap.readLine()))));
            assertThat(imap.readLine()).isEqualTo("b2 NO [AUTHENTICATIONFAILED] Authentication failed: log in with"
                    + " your auth ID, not your e-mail address");

            send(imap, "b3 AUTHENTICATE SCRAM-SHA-256");
            assertThat(imap.readLine()).isEqualTo("+ ");
            send(imap, "!!");
            assertThat(imap.readLine()).isEqualTo("b3 BAD Cannot decode SCRAM-SHA-256 response");
            send(imap, "b4 AUTHENTICATE LOGIN");
            assertThat(imap.readLine()).isEqualTo("b4 NO Unsupported authentication mechanism");

            RfcScramClient unconvinced = new RfcScramClient("n,,", bob.authId(), bob.password(), "wxyzabcdef");
            send(imap, "b5 AUTHENTICATE SCRAM-SHA-256 " + b64(unconvinced.first()));
            send(imap, b64(unconvinced.finalMessage(challenge(imap.readLine()))));
            challenge(imap.readLine());
            send(imap, b64("e=other-error".getBytes(StandardCharsets.US_ASCII)));
            assertThat(imap.readLine()).isEqualTo("b5 NO [AUTHENTICATIONFAILED] Authentication exchange not completed");
            assertThat(imap.readLine()).isEqualTo("* BYE Too many failed logins");
        }
    }

    private static SocketTransport open() throws Exception {
        SocketTransport imap = new SocketTransport(HATO.port("imaps"), true);
        assertThat(imap.readLine()).matches("\\* OK \\[CAPABILITY .*AUTH=SCRAM-SHA-256 AUTH=PLAIN.*] .*");
        return imap;
    }

    private static void send(SocketTransport imap, String line) throws Exception {
        imap.send((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
    }

    private static String challenge(String line) {
        assertThat(line).startsWith("+ ");
        return new String(Base64.getDecoder().decode(line.substring(2)), StandardCharsets.UTF_8);
    }

    private static String b64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }
}
