package dev.hato.edge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hato.protocol.Action;
import dev.hato.protocol.ProtocolSession;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

/**
 * The edge's two additions for IMAP, over a real socket: unsolicited output (IDLE) written while the client is
 * silent, and RFC 4978 raw DEFLATE switched on after the session's reply.
 */
class ProtocolServerEdgeTest {

    /** Answers each input line with "echo <line>"; "COMPRESS" asks for compression; pushes come from a sink. */
    private static final class EchoSession implements ProtocolSession {
        final Sinks.Many<Action> pushes = Sinks.many().unicast().onBackpressureBuffer();

        @Override
        public Flux<Action> open() {
            return Flux.just(Action.line("hello"));
        }

        @Override
        public Flux<Action> receive(ByteBuffer input) {
            String text = StandardCharsets.UTF_8.decode(input).toString().strip();
            if (text.equals("COMPRESS")) {
                return Flux.just(new Action.Compress(ByteBuffer.wrap("ok compressing\r\n".getBytes(
                        StandardCharsets.US_ASCII))));
            }
            return Flux.just(Action.line("echo " + text));
        }

        @Override
        public Duration idleTimeout() {
            return Duration.ofMinutes(1);
        }

        @Override
        public Flux<Action> idle() {
            return Flux.just(Action.close());
        }

        @Override
        public Flux<Action> shutdown() {
            return Flux.just(Action.close());
        }

        @Override
        public Flux<Action> unsolicited() {
            return pushes.asFlux();
        }

        @Override
        public void closed() {
        }
    }

    @Test
    void unsolicitedOutputShouldReachASilentClient() throws Exception {
        EchoSession session = new EchoSession();
        try (ProtocolServer.BoundServer server = ProtocolServer.create("edge-test", info -> session).bind()
                .block(Duration.ofSeconds(10));
                Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            InputStream in = socket.getInputStream();
            assertThat(readLine(in)).isEqualTo("hello");
            socket.getOutputStream().write("one\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(readLine(in)).isEqualTo("echo one");
            session.pushes.tryEmitNext(Action.line("* 3 EXISTS"));
            assertThat(readLine(in)).isEqualTo("* 3 EXISTS");
            socket.getOutputStream().write("two\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(readLine(in)).isEqualTo("echo two");
        }
    }

    @Test
    void compressShouldSendTheReplyPlainAndThenDeflateBothWays() throws Exception {
        EchoSession session = new EchoSession();
        try (ProtocolServer.BoundServer server = ProtocolServer.create("edge-test", info -> session).bind()
                .block(Duration.ofSeconds(10));
                Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            assertThat(readLine(in)).isEqualTo("hello");
            out.write("COMPRESS\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(readLine(in)).isEqualTo("ok compressing");

            Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
            Inflater inflater = new Inflater(true);
            deflater.setInput("three\r\n".getBytes(StandardCharsets.US_ASCII));
            byte[] buffer = new byte[256];
            int length = deflater.deflate(buffer, 0, buffer.length, Deflater.SYNC_FLUSH);
            out.write(buffer, 0, length);
            out.flush();
            assertThat(inflateLine(in, inflater)).isEqualTo("echo three");
            session.pushes.tryEmitNext(Action.line("* 4 EXISTS"));
            assertThat(inflateLine(in, inflater)).isEqualTo("* 4 EXISTS");
        }
    }

    private static String readLine(InputStream in) throws Exception {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1 && b != '\n') {
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.US_ASCII);
    }

    private static String inflateLine(InputStream in, Inflater inflater) throws Exception {
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        byte[] compressed = new byte[256];
        byte[] plain = new byte[256];
        while (!text.toString(StandardCharsets.US_ASCII).contains("\r\n")) {
            int produced = inflater.inflate(plain);
            if (produced > 0) {
                text.write(plain, 0, produced);
                continue;
            }
            int read = in.read(compressed);
            if (read < 0) {
                throw new IllegalStateException("closed before a line: " + text);
            }
            inflater.setInput(compressed, 0, read);
        }
        String all = text.toString(StandardCharsets.US_ASCII);
        assertThat(all).endsWith("\r\n");
        return all.substring(0, all.length() - 2);
    }
}
