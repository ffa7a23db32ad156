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

    /** Logs in over IMAPS, switches to DEFLATE and returns the socket; the caller closes it. */
    private static SSLSocket compressed(RunningHato.User user) throws Exception {
        int port = HATO.port("imaps");
        Socket plain = new Socket("127.0.0.1", port);
        plain.setSoTimeout(30_000);
        SSLSocket tls = (SSLSocket) SocketTransport.trustAll().getSocketFactory()
                .createSocket(plain, "127.0.0.1", port, true);
        tls.startHandshake();
        InputStream in = tls.getInputStream();
        OutputStream out = tls.getOutputStream();
        assertThat(line(in)).startsWith("* OK ");
        out.write(("a LOGIN " + user.authId() + " " + user.password() + "\r\nb COMPRESS DEFLATE\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        assertThat(line(in)).startsWith("a OK ");
        assertThat(line(in)).isEqualTo("b OK DEFLATE active");
        return tls;
    }

    @Test
    void aCompressedAppendOfSeveralHundredKilobytesShouldBeStored() throws Exception {
        // 420 KB of text inflating from about 60 KB: one read of it inflates to far more than 64 KB, which closed the
        // connection when the inflater had a maximum allocation instead of handing out pieces.
        RunningHato.User jun = HATO.newUser("jun");
        StringBuilder text = new StringBuilder("Date: Sun, 6 Dec 2026 00:00:00 +0000\r\nFrom: a@example.test\r\n"
                + "Subject: big\r\n\r\n");
        java.util.Random random = new java.util.Random(1);
        String[] words = {"mail", "server", "hato", "the", "of", "and", "message", "imap", "compress", "deflate"};
        while (text.length() < 420_000) {
            for (int i = 0; i < 12; i++) {
                text.append(words[random.nextInt(words.length)]).append(i < 11 ? " " : "\r\n");
            }
        }
        byte[] message = text.toString().getBytes(StandardCharsets.US_ASCII);
        try (SSLSocket tls = compressed(jun)) {
            Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
            Inflated inflated = new Inflated(tls.getInputStream());
            OutputStream out = tls.getOutputStream();
            sendBytes(out, deflater, ("c APPEND INBOX {" + message.length + "+}\r\n").getBytes(
                    StandardCharsets.US_ASCII));
            sendBytes(out, deflater, message);
            send(out, deflater, "\r\nd NOOP\r\n");
            assertThat(inflated.line()).startsWith("c OK [APPENDUID ");
            assertThat(inflated.line()).isEqualTo("d OK NOOP completed");
        }
        assertThat(HATO.inbox(jun)).singleElement().satisfies(stored -> assertThat(stored.size()).isEqualTo(message.length));
    }

    @Test
    void aDeflateBombShouldGetOneBadAndTheSessionShouldGoOn() throws Exception {
        // About 250 KB of DEFLATE that inflates to 256 MiB of one command line: refused as too long, and inflated a
        // piece at a time (nothing holds it whole), so the next command is answered on the same connection.
        RunningHato.User kai = HATO.newUser("kai");
        try (SSLSocket tls = compressed(kai)) {
            Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION, true);
            Inflated inflated = new Inflated(tls.getInputStream());
            OutputStream out = tls.getOutputStream();
            byte[] chunk = new byte[1 << 20];
            java.util.Arrays.fill(chunk, (byte) 'a');
            sendBytes(out, deflater, "c NOOP ".getBytes(StandardCharsets.US_ASCII));
            for (int i = 0; i < 256; i++) {
                sendBytes(out, deflater, chunk);
            }
            send(out, deflater, "\r\nd NOOP\r\n");
            assertThat(inflated.line()).matches("[c*] BAD .*too long.*");
            assertThat(inflated.line()).isEqualTo("d OK NOOP completed");
        }
    }

    private static void sendBytes(OutputStream out, Deflater deflater, byte[] data) throws Exception {
        deflater.setInput(data);
        byte[] buffer = new byte[64 * 1024];
        while (!deflater.needsInput()) {
            int length = deflater.deflate(buffer, 0, buffer.length, Deflater.NO_FLUSH);
            out.write(buffer, 0, length);
        }
        out.flush();
    }

    private static void send(OutputStream out, Deflater deflater, String command) throws Exception {
        deflater.setInput(command.getBytes(StandardCharsets.US_ASCII));
        byte[] buffer = new byte[64 * 1024];
        int length;
        do {
            length = deflater.deflate(buffer, 0, buffer.length, Deflater.SYNC_FLUSH);
            out.write(buffer, 0, length);
        } while (length == buffer.length);
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
