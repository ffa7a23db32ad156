package dev.hato.pop3.wire;

import static dev.hato.protocol.wire.Fragments.bytes;
import static dev.hato.protocol.wire.Fragments.show;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hato.protocol.wire.Fragments;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class Pop3ContentEncoderTest {

    private static final String MESSAGE = "From: a@b.example\r\nSubject: s\r\n\r\nbody1\r\n.body2\r\nbody3\r\n";
    private static final String HEADER = "From: a@b.example\r\nSubject: s\r\n\r\n";

    /** An encoding case: the stored content and the response body that must go on the wire, terminator included. */
    record Case(String name, Supplier<Pop3ContentEncoder> encoder, String input, String output, boolean complete) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static Case retr(String name, String input, String output) {
        return new Case(name, Pop3ContentEncoder::retr, input, output, false);
    }

    private static Case top(String name, int lines, String input, String output, boolean complete) {
        return new Case(name, () -> Pop3ContentEncoder.top(lines), input, output, complete);
    }

    static Stream<Case> cases() {
        return Stream.of(
                retr("RETR of a plain message", "a\r\nb\r\n", "a\r\nb\r\n.\r\n"),
                retr("RETR stuffs every line starting with a dot", ".a\r\n..b\r\n.\r\nc\r\n",
                        "..a\r\n...b\r\n..\r\nc\r\n.\r\n"),
                retr("RETR leaves dots inside lines alone", "a.b\r\n x.\r\n", "a.b\r\n x.\r\n.\r\n"),
                retr("RETR stuffs a dot after a bare LF", "a\n.b\r\n", "a\n..b\r\n.\r\n"),
                retr("RETR does not stuff a dot after a bare CR", "a\r.b\r\n", "a\r.b\r\n.\r\n"),
                retr("RETR adds CRLF to content without a final line ending", "a\r\nb", "a\r\nb\r\n.\r\n"),
                retr("RETR adds CRLF after a final bare LF", "a\nb\n", "a\nb\n\r\n.\r\n"),
                retr("RETR adds CRLF after a final bare CR", "a\r", "a\r\r\n.\r\n"),
                retr("RETR of empty content is just the terminator", "", ".\r\n"),
                retr("RETR of a lone dot", ".", "..\r\n.\r\n"),
                retr("RETR of a lone LF", "\n", "\n\r\n.\r\n"),
                retr("RETR of a lone CRLF", "\r\n", "\r\n.\r\n"),
                retr("RETR of a terminator look-alike", "a\r\n.\r\nb\r\n", "a\r\n..\r\nb\r\n.\r\n"),
                top("TOP 0 sends the header and the empty line", 0, MESSAGE, HEADER + ".\r\n", true),
                top("TOP 1 sends one body line", 1, MESSAGE, HEADER + "body1\r\n.\r\n", true),
                top("TOP 2 stuffs a body line", 2, MESSAGE, HEADER + "body1\r\n..body2\r\n.\r\n", true),
                top("TOP n equal to the body sends it all", 3, MESSAGE, HEADER + "body1\r\n..body2\r\nbody3\r\n.\r\n",
                        true),
                top("TOP n larger than the body sends it all", 10, MESSAGE,
                        HEADER + "body1\r\n..body2\r\nbody3\r\n.\r\n", false),
                top("TOP of a header-only message sends it whole", 0, "From: a\r\nSubject: s\r\n",
                        "From: a\r\nSubject: s\r\n.\r\n", false),
                top("TOP of a header-only message without final CRLF", 5, "From: a", "From: a\r\n.\r\n", false),
                top("TOP 0 with a bare LF empty line", 0, "H: 1\n\nbody\n", "H: 1\n\n\r\n.\r\n", true),
                top("TOP 0 of a message starting with the empty line", 0, "\r\nbody\r\n", "\r\n.\r\n", true),
                top("TOP 1 of a body whose line has no ending", 1, "H: 1\r\n\r\nbody", "H: 1\r\n\r\nbody\r\n.\r\n",
                        false),
                top("TOP stuffs header lines too", 0, ".H: odd\r\n\r\nb\r\n", "..H: odd\r\n\r\n.\r\n", true),
                top("TOP does not take a blank-looking line for the empty line", 0,
                        "H: 1\r\n \r\n\rx\r\nH: 2\r\n\r\nbody\r\n", "H: 1\r\n \r\n\rx\r\nH: 2\r\n\r\n.\r\n", true),
                top("TOP counts empty body lines", 2, "H: 1\r\n\r\n\r\n\r\nthird\r\n", "H: 1\r\n\r\n\r\n\r\n.\r\n",
                        true),
                top("TOP of empty content", 0, "", ".\r\n", false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void encoderShouldEncodeTheSameHoweverTheContentIsChunked(Case c) {
        for (Fragments.Split split : Fragments.of(bytes(c.input()))) {
            Pop3ContentEncoder encoder = c.encoder().get();

            byte[] output = encode(encoder, split.buffers());

            assertThat(show(output)).as(split.name()).isEqualTo(show(bytes(c.output())));
            assertThat(encoder.complete()).as(split.name()).isEqualTo(c.complete());
        }
    }

    @Test
    void topShouldBeCompleteRightAfterTheLastRequestedLine() {
        byte[] message = bytes(MESSAGE);
        int lastNeeded = (HEADER + "body1\r\n").length();
        Pop3ContentEncoder encoder = Pop3ContentEncoder.top(1);

        for (int k = 0; k < message.length; k++) {
            assertThat(encoder.complete()).as("after %d octets", k).isEqualTo(k >= lastNeeded);
            encoder.encode(ByteBuffer.wrap(message, k, 1));
        }
    }

    @Test
    void contentAfterCompletionShouldBeConsumedAndDropped() {
        Pop3ContentEncoder encoder = Pop3ContentEncoder.top(0);
        ByteBuffer chunk = ByteBuffer.wrap(bytes("H: 1\r\n\r\nbody\r\n"));

        ByteBuffer out = encoder.encode(chunk);

        assertThat(show(remainingBytes(out))).isEqualTo(show(bytes("H: 1\r\n\r\n")));
        assertThat(chunk.hasRemaining()).isFalse();
        assertThat(encoder.encode(ByteBuffer.wrap(bytes("more\r\n"))).remaining()).isZero();
    }

    @Test
    void encodedChunksShouldBeReadyToWrite() {
        ByteBuffer out = Pop3ContentEncoder.retr().encode(ByteBuffer.wrap(bytes(".\n.\n.")));

        assertThat(out.position()).isZero();
        assertThat(show(remainingBytes(out))).isEqualTo(show(bytes("..\n..\n..")));
    }

    @Test
    void encodeAfterFinishShouldBeRefused() {
        Pop3ContentEncoder encoder = Pop3ContentEncoder.retr();
        encoder.finish();

        assertThatThrownBy(() -> encoder.encode(ByteBuffer.wrap(bytes("x")))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aNegativeLineCountShouldBeRejected() {
        assertThatThrownBy(() -> Pop3ContentEncoder.top(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void retrShouldNeverBeComplete() {
        Pop3ContentEncoder encoder = Pop3ContentEncoder.retr();

        encoder.encode(ByteBuffer.wrap(bytes(MESSAGE)));

        assertThat(encoder.complete()).isFalse();
    }

    /** Encodes the chunks in order, then appends {@code finish()}. */
    static byte[] encode(Pop3ContentEncoder encoder, List<ByteBuffer> chunks) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (ByteBuffer chunk : chunks) {
            out.writeBytes(remainingBytes(encoder.encode(chunk)));
            assertThat(chunk.hasRemaining()).as("encode consumes the whole chunk").isFalse();
        }
        out.writeBytes(remainingBytes(encoder.finish()));
        return out.toByteArray();
    }

    private static byte[] remainingBytes(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }
}
