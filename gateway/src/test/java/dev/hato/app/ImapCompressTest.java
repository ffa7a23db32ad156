package dev.hato.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;

/** RFC 4978 COMPRESS=DEFLATE over a real TLS socket: after the tagged OK, raw DEFLATE both ways. */
class ImapCompressTest {

    private static final RunningHato HATO = RunningHato.shared();

    @Test
    void compressShouldSwitchBothDirectionsToRawDeflateAfterTheOk() throws Exception {
        RunningHato.User ida = HATO.newUser("ida");
        int port = HATO.port("imaps");
        try (Socket plain = new Socket("127.0.0.1", port)) {
            plain.setSoTimeout(15_000);
            SSLSocket tls = (SSLSocket) SocketTransport.trustAll().getSocketFactory()
                    .createSocket(plain, "127.0.0.1", port, true);
            tls.startHandshake();
            InputStream in = tls.getInputStream();
            OutputStream out = tls.getOutputStream();
            assertThat(line(in)).startsWith("* OK [CAPABILITY ");
            out.write(("a LOGIN " + ida.authId() + " " + ida.password() + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertThat(line(in)).startsWith("a OK [CAPABILITY ").contains("COMPRESS=DEFLATE");
            out.write("b COMPRESS DEFLATE\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertThat(line(in)).isEqualTo("b OK DEFLATE active");

            // RFC 4978 §4: raw DEFLATE (no zlib header) both ways; the client flushes after each command.
            Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
            Inflated inflated = new Inflated(in);
            send(out, deflater, "c CAPABILITY\r\n");
            assertThat(inflated.line()).startsWith("* CAPABILITY IMAP4rev1").doesNotContain("COMPRESS=DEFLATE");
            assertThat(inflated.line()).isEqualTo("c OK CAPABILITY completed");
            send(out, deflater, "d COMPRESS DEFLATE\r\n");
            assertThat(inflated.line()).startsWith("d NO [COMPRESSIONACTIVE]");
            send(out, deflater, "e LOGOUT\r\n");
            assertThat(inflated.line()).startsWith("* BYE");
            assertThat(inflated.line()).isEqualTo("e OK LOGOUT completed");
        }
    }

    private static void send(OutputStream out, Deflater deflater, String command) throws Exception {
        deflater.setInput(command.getBytes(StandardCharsets.US_ASCII));
        byte[] buffer = new byte[1024];
        int length = deflater.deflate(buffer, 0, buffer.length, Deflater.SYNC_FLUSH);
        out.write(buffer, 0, length);
        out.flush();
    }

    /** Lines out of a raw DEFLATE stream, reading only as much as each line needs. */
    private static final class Inflated {
        private final InputStream in;
        private final Inflater inflater = new Inflater(true);
        private final StringBuilder pending = new StringBuilder();

        Inflated(InputStream in) {
            this.in = in;
        }

        String line() throws Exception {
            byte[] compressed = new byte[1024];
            byte[] plain = new byte[1024];
            while (pending.indexOf("\r\n") < 0) {
                int produced = inflater.inflate(plain);
                if (produced > 0) {
                    pending.append(new String(plain, 0, produced, StandardCharsets.US_ASCII));
                    continue;
                }
                int read = in.read(compressed);
                if (read < 0) {
                    throw new IllegalStateException("closed before a line: " + pending);
                }
                inflater.setInput(compressed, 0, read);
            }
            int end = pending.indexOf("\r\n");
            String line = pending.substring(0, end);
            pending.delete(0, end + 2);
            return line;
        }
    }

    private static String line(InputStream in) throws Exception {
        StringBuilder line = new StringBuilder();
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
            line.append((char) b);
        }
        return line.toString().stripTrailing();
    }
}
