package dev.hato.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** What the POP3 socket tests share: a POP3S connection past its greeting, a command line, SASL's base64. */
final class Pop3Lines {

    private Pop3Lines() {
    }

    /** A POP3S connection to the shared test server whose greeting was read. */
    static SocketTransport open() throws Exception {
        SocketTransport pop3 = new SocketTransport(RunningHato.shared().port("pop3s"), true);
        assertThat(pop3.readLine()).startsWith("+OK ");
        return pop3;
    }

    /** Sends {@code line} and CRLF. */
    static void send(SocketTransport pop3, String line) throws Exception {
        pop3.send((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
    }

    /** The decoded challenge of a {@code "+ "} continuation line (RFC 5034 §4). */
    static String challenge(String line) {
        assertThat(line).startsWith("+ ");
        return new String(Base64.getDecoder().decode(line.substring(2)), StandardCharsets.UTF_8);
    }

    static String b64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }
}
