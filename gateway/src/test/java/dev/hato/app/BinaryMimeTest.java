package dev.hato.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hato.store.mail.MessageMeta;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** RFC 3030 BINARYMIME over a real socket: the body's octets, NUL and bare line ends included, are stored as sent. */
class BinaryMimeTest {

    private static final RunningHato HATO = RunningHato.shared();

    @Test
    void aBinaryMimeBodyShouldBeStoredOctetForOctetWhileItsHeaderIsStillChecked() throws Exception {
        RunningHato.User bob = HATO.newUser("bob");
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes("Subject: binary\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: binary\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII));
        for (int i = 0; i < 256; i++) {
            body.write(i);
        }
        body.writeBytes("\n.\r\n\r.\n".getBytes(StandardCharsets.US_ASCII));
        byte[] message = body.toByteArray();

        try (Socket socket = new Socket("127.0.0.1", HATO.port("smtp"))) {
            socket.setSoTimeout(30_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.US_ASCII));
            OutputStream out = socket.getOutputStream();
            assertThat(in.readLine()).startsWith("220");
            out.write(("EHLO client.example\r\nMAIL FROM:<a@remote.example> BODY=BINARYMIME\r\nRCPT TO:<"
                    + bob.address() + ">\r\n").getBytes(StandardCharsets.US_ASCII));
            String line;
            do {
                line = in.readLine();
            } while (line.startsWith("250-"));
            assertThat(in.readLine()).startsWith("250 2.1.0");
            assertThat(in.readLine()).startsWith("250 2.1.5");
            int half = message.length / 2;
            out.write(("BDAT " + half + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(message, 0, half);
            out.write(("BDAT " + (message.length - half) + " LAST\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(message, half, message.length - half);
            out.flush();
            assertThat(in.readLine()).startsWith("250 2.0.0 " + half + " octets");
            assertThat(in.readLine()).startsWith("250 2.0.0 OK");
            out.write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
        }

        List<MessageMeta> stored = HATO.inbox(bob);
        assertThat(stored).hasSize(1);
        byte[] bytes = HATO.content(stored.get(0));
        byte[] tail = java.util.Arrays.copyOfRange(bytes, bytes.length - message.length, bytes.length);
        assertThat(tail).isEqualTo(message);
    }
}
