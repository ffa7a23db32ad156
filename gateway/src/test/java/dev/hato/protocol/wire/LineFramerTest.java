package dev.hato.protocol.wire;

import static dev.hato.protocol.wire.Fragments.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class LineFramerTest {

    private static final String TOO_LONG = "!LINE_TOO_LONG";

    /** A framing case: the input fed with a line limit, and the lines (or {@link #TOO_LONG}) it yields. */
    record Case(String name, int limit, String input, List<String> lines) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("one CRLF line", 512, "NOOP\r\n", List.of("NOOP")),
                new Case("pipelined commands in one buffer", 512,
                        "EHLO a.example\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nDATA\r\n",
                        List.of("EHLO a.example", "MAIL FROM:<a@b.example>", "RCPT TO:<c@d.example>", "DATA")),
                new Case("bare LF ends a command line", 512, "NOOP\nQUIT\n", List.of("NOOP", "QUIT")),
                new Case("CRLF and bare LF mixed", 512, "NOOP\r\nRSET\nQUIT\r\n", List.of("NOOP", "RSET", "QUIT")),
                new Case("a CR inside a line is kept", 512, "NO\rOP\r\n", List.of("NO\rOP")),
                new Case("only the CR right before LF is stripped", 512, "NOOP\r\r\n", List.of("NOOP\r")),
                new Case("a bare CR does not end a line", 512, "NOOP\rQUIT\r\n", List.of("NOOP\rQUIT")),
                new Case("empty lines", 512, "\r\n\n\r\n", List.of("", "", "")),
                new Case("a partial line at the end waits", 512, "NOOP\r\nQUI", List.of("NOOP")),
                new Case("a partial CR at the end waits", 512, "NOOP\r", List.of()),
                new Case("UTF-8 survives", 512, "EHLO b\u00fccher.example\r\n", List.of("EHLO b\u00fccher.example")),
                new Case("a line of exactly the limit", 8, "12345678\r\n", List.of("12345678")),
                new Case("a line of exactly the limit with bare LF", 8, "12345678\n", List.of("12345678")),
                new Case("a line of the limit ending in an interior CR", 8, "1234567\r\r\n", List.of("1234567\r")),
                new Case("one octet over the limit", 8, "123456789\r\nNOOP\r\n", List.of(TOO_LONG, "NOOP")),
                new Case("one octet over the limit with bare LF", 8, "123456789\nNOOP\n", List.of(TOO_LONG, "NOOP")),
                new Case("the limit plus a stray CR", 8, "12345678\r\r\n", List.of(TOO_LONG)),
                new Case("far over the limit, then the next command", 8, "1234567890123456789\r\nQUIT\r\n",
                        List.of(TOO_LONG, "QUIT")),
                new Case("two long lines in a row", 4, "123456\r\n1234567\r\nOK\r\n", List.of(TOO_LONG, TOO_LONG, "OK")),
                new Case("long, short, long", 4, "12345\r\nabc\r\n123456789\n", List.of(TOO_LONG, "abc", TOO_LONG)),
                new Case("an overlong partial line at the end waits", 4, "abc\r\n123456789", List.of("abc")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void framerShouldYieldTheSameLinesHoweverTheInputIsSplit(Case c) {
        for (Fragments.Split split : Fragments.of(c.input().getBytes(StandardCharsets.UTF_8))) {
            assertThat(frame(new LineFramer(c.limit()), split.buffers())).as(split.name()).isEqualTo(c.lines());
        }
    }

    @Test
    void aOneMegabyteLineShouldFailOnceAndTheNextCommandShouldFrame() {
        byte[] line = new byte[1024 * 1024];
        Arrays.fill(line, (byte) 'A');
        byte[] input = concat(line, bytes("\r\nMAIL FROM:<a@b.example>\r\n"));

        for (Fragments.Split split : Fragments.sampled(input, 4099)) {
            assertThat(frame(new LineFramer(1000), split.buffers())).as(split.name())
                    .containsExactly(TOO_LONG, "MAIL FROM:<a@b.example>");
        }
    }

    @Test
    void failureShouldNameTheLimit() {
        Decoded decoded = new LineFramer(10).next(ByteBuffer.wrap(bytes("12345678901\r\n")));

        assertThat(decoded).isEqualTo(new Decoded.Failure(Decoded.Failure.Kind.LINE_TOO_LONG,
                "Line longer than 10 octets"));
    }

    @Test
    void bytesAfterALineShouldStayInTheBuffer() {
        ByteBuffer in = ByteBuffer.wrap(bytes("STARTTLS\r\nEHLO evil\r\n"));

        Decoded decoded = new LineFramer(512).next(in);

        assertThat(decoded).isEqualTo(new Decoded.Line(bytes("STARTTLS")));
        assertThat(in.position()).isEqualTo("STARTTLS\r\n".length());
    }

    @Test
    void needMoreShouldConsumeThePartialLine() {
        ByteBuffer in = ByteBuffer.wrap(bytes("NOO"));

        assertThat(new LineFramer(512).next(in)).isSameAs(Decoded.NEED_MORE);
        assertThat(in.hasRemaining()).isFalse();
    }

    @Test
    void resetShouldDropAPartiallyReceivedLine() {
        LineFramer framer = new LineFramer(512);
        ByteBuffer in = ByteBuffer.wrap(bytes("STLS\r\nUSER evil"));
        assertThat(framer.next(in)).isEqualTo(new Decoded.Line(bytes("STLS")));
        assertThat(framer.next(in)).isSameAs(Decoded.NEED_MORE);

        framer.reset();

        assertThat(frame(framer, List.of(ByteBuffer.wrap(bytes("USER good\r\n"))))).containsExactly("USER good");
    }

    @Test
    void resetShouldDropAnOverlongLineBeingDiscarded() {
        LineFramer framer = new LineFramer(4);
        assertThat(framer.next(ByteBuffer.wrap(bytes("123456789")))).isSameAs(Decoded.NEED_MORE);

        framer.reset();

        assertThat(frame(framer, List.of(ByteBuffer.wrap(bytes("NOOP\r\n"))))).containsExactly("NOOP");
    }

    @Test
    void lineTextShouldBeUtf8() {
        Decoded.Line line = new Decoded.Line("RCPT TO:<j\u00f6rg@b\u00fccher.example>".getBytes(StandardCharsets.UTF_8));

        assertThat(line.text()).isEqualTo("RCPT TO:<j\u00f6rg@b\u00fccher.example>");
    }

    @Test
    void linesShouldCompareByContent() {
        assertThat(new Decoded.Line(bytes("NOOP"))).isEqualTo(new Decoded.Line(bytes("NOOP")))
                .hasSameHashCodeAs(new Decoded.Line(bytes("NOOP")))
                .isNotEqualTo(new Decoded.Line(bytes("QUIT")));
    }

    @Test
    void aNonPositiveLimitShouldBeRejected() {
        assertThatThrownBy(() -> new LineFramer(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aDirectBufferShouldFrameLikeAHeapBuffer() {
        byte[] input = bytes("NOOP\r\n12345678901\r\nQUIT\n");
        ByteBuffer direct = ByteBuffer.allocateDirect(input.length).put(input).flip();

        assertThat(frame(new LineFramer(8), List.of(direct))).containsExactly("NOOP", TOO_LONG, "QUIT");
    }

    /** Feeds the buffers in order, collecting lines (and failures) until each buffer needs more. */
    static List<String> frame(LineFramer framer, List<ByteBuffer> buffers) {
        List<String> lines = new ArrayList<>();
        for (ByteBuffer buffer : buffers) {
            while (true) {
                Decoded decoded = framer.next(buffer);
                if (decoded instanceof Decoded.NeedMore) {
                    assertThat(buffer.hasRemaining()).as("NeedMore leaves nothing unconsumed").isFalse();
                    break;
                }
                if (decoded instanceof Decoded.Line line) {
                    lines.add(line.text());
                } else if (decoded instanceof Decoded.Failure failure) {
                    lines.add("!" + failure.kind());
                } else {
                    throw new AssertionError("unexpected " + decoded);
                }
            }
        }
        return lines;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] joined = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, joined, a.length, b.length);
        return joined;
    }
}
