package dev.hato.smtp.wire;

import static dev.hato.protocol.wire.Fragments.bytes;
import static dev.hato.protocol.wire.Fragments.show;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hato.protocol.wire.Decoded;
import dev.hato.protocol.wire.Fragments;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class SmtpDataDecoderTest {

    private static final long NO_LIMIT = Long.MAX_VALUE;

    /**
     * A DATA case: the bytes after "354" and what must come out of them.
     *
     * @param content   the whole unstuffed content (the emitted chunks, unless the limit is exceeded)
     * @param remaining what stays after the terminator for the command framer
     */
    record Case(String name, long max, String input, String content, boolean ended, String remaining, boolean bare,
                boolean nul) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static Case ends(String name, String input, String content, String remaining) {
        return new Case(name, NO_LIMIT, input, content, true, remaining, false, false);
    }

    /** Content with a bare CR or LF that must not end the data; the real terminator follows. */
    private static Case smuggled(String name, String input, String content) {
        return new Case(name, NO_LIMIT, input + "\r\n.\r\nQUIT\r\n", content + "\r\n", true, "QUIT\r\n", true, false);
    }

    static Stream<Case> cases() {
        return Stream.of(
                ends("a simple message", "Subject: hi\r\n\r\nHello\r\n.\r\n", "Subject: hi\r\n\r\nHello\r\n", ""),
                ends("an empty message", ".\r\n", "", ""),
                ends("a message of one empty line", "\r\n.\r\n", "\r\n", ""),
                ends("a leading dot on the first line is unstuffed", "..hidden\r\n.\r\n", ".hidden\r\n", ""),
                ends("stuffed lines in the middle", "a\r\n..\r\n...b\r\nc.d\r\n.\r\n", "a\r\n.\r\n..b\r\nc.d\r\n", ""),
                ends("a dot followed by text loses the dot", "a\r\n.b\r\n.\r\n", "a\r\nb\r\n", ""),
                ends("a stuffed terminator look-alike is content", "a\r\n..\r\nb\r\n.\r\n", "a\r\n.\r\nb\r\n", ""),
                ends("a dot not at a line start stays", "a.b\r\n x.\r\n.\r\n", "a.b\r\n x.\r\n", ""),
                ends("pipelined QUIT remains after the terminator", "a\r\n.\r\nQUIT\r\n", "a\r\n", "QUIT\r\n"),
                ends("an empty message with pipelined commands", ".\r\nMAIL FROM:<x@y.example>\r\nRCPT TO:<z@y.example>\r\n",
                        "", "MAIL FROM:<x@y.example>\r\nRCPT TO:<z@y.example>\r\n"),
                ends("a second message pipelined after the terminator stays", "a\r\n.\r\n.\r\n", "a\r\n", ".\r\n"),
                new Case("content without terminator does not end", NO_LIMIT, "a\r\nb\r\n.", "a\r\nb\r\n", false, "",
                        false, false),
                new Case("a dot and CR at the end wait for the LF", NO_LIMIT, "a\r\n.\r", "a\r\n", false, "", false,
                        false),
                smuggled("LF dot CRLF does not end", "a\n.\r\nMAIL FROM:<evil@x.example>",
                        "a\n.\r\nMAIL FROM:<evil@x.example>"),
                smuggled("CR dot CR does not end", "a\r.\rMAIL FROM:<evil@x.example>",
                        "a\r.\rMAIL FROM:<evil@x.example>"),
                smuggled("LF dot LF does not end", "a\n.\nb", "a\n.\nb"),
                smuggled("CRLF dot LF does not end and loses the stuffed dot", "a\r\n.\nb", "a\r\n\nb"),
                smuggled("CRLF dot CR does not end and keeps the CR", "a\r\n.\rb", "a\r\n\rb"),
                smuggled("CR dot CRLF does not end", "a\r.\r\nb", "a\r.\r\nb"),
                smuggled("LF dot CR does not end", "a\n.\rb", "a\n.\rb"),
                smuggled("CRLF dot CR CRLF does not end", "a\r\n.\r\r\nb", "a\r\n\r\r\nb"),
                smuggled("a bare LF at the start then dot CRLF does not end", "\n.\r\nb", "\n.\r\nb"),
                smuggled("a bare CR at the start then dot CRLF does not end", "\r.\r\nb", "\r.\r\nb"),
                smuggled("no unstuffing after a bare LF", "a\n..b", "a\n..b"),
                new Case("a bare CR before CRLF dot CRLF still ends", NO_LIMIT, "a\r\r\n.\r\nQUIT\r\n", "a\r\r\n", true,
                        "QUIT\r\n", true, false),
                new Case("a NUL is noticed", NO_LIMIT, "a\0b\r\n.\r\n", "a\0b\r\n", true, "", false, true),
                new Case("an oversized message is consumed to its end", 10, "0123456789ABCDEF\r\n.\r\nQUIT\r\n",
                        "0123456789ABCDEF\r\n", true, "QUIT\r\n", false, false),
                new Case("an oversized message still notices NUL and bare LF", 4, "01234\0\n\r\n.\r\n", "01234\0\n\r\n",
                        true, "", true, true),
                new Case("a message of exactly the limit is not exceeded", 7, "abcde\r\n.\r\n", "abcde\r\n", true, "",
                        false, false),
                new Case("the limit counts octets after unstuffing", 3, "..\r\n.\r\n", ".\r\n", true, "", false, false),
                new Case("an empty message fits a zero limit", 0, ".\r\nQUIT\r\n", "", true, "QUIT\r\n", false, false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void decoderShouldDecodeTheSameHoweverTheInputIsSplit(Case c) {
        byte[] content = bytes(c.content());
        boolean exceeded = content.length > c.max();
        for (Fragments.Split split : Fragments.of(bytes(c.input()))) {
            SmtpDataDecoder decoder = new SmtpDataDecoder(c.max());

            Outcome outcome = decode(decoder, split.buffers());

            String as = c.name() + ", " + split.name();
            assertThat(outcome.ended()).as(as).isEqualTo(c.ended());
            assertThat(show(outcome.remaining())).as(as).isEqualTo(show(bytes(c.remaining())));
            if (c.ended()) {
                assertThat(decoder.size()).as(as).isEqualTo(content.length);
            }
            assertThat(decoder.exceeded()).as(as).isEqualTo(exceeded);
            assertThat(decoder.sawBareLineFeedOrCarriageReturn()).as(as).isEqualTo(c.bare());
            assertThat(decoder.sawNul()).as(as).isEqualTo(c.nul());
            if (exceeded) {
                // Chunks stop when the limit is passed: what was handed over is a prefix within the limit.
                assertThat(outcome.content().length).as(as).isLessThanOrEqualTo((int) c.max());
                assertThat(show(content)).as(as).startsWith(show(outcome.content()));
            } else {
                assertThat(show(outcome.content())).as(as).isEqualTo(show(content));
            }
        }
    }

    @Test
    void dataShouldNotEndOnBareLineFeedDot() {
        SmtpDataDecoder decoder = new SmtpDataDecoder(NO_LIMIT);

        Outcome outcome = decode(decoder, List.of(ByteBuffer.wrap(bytes("x\n.\nMAIL FROM:<evil@x.example>\n"))));

        assertThat(outcome.ended()).isFalse();
        assertThat(decoder.sawBareLineFeedOrCarriageReturn()).isTrue();
    }

    @Test
    void aLargeMessageShouldStreamInChunksOfAtMost64KiB() {
        byte[] line = bytes("0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz\r\n");
        ByteArrayOutputStream message = new ByteArrayOutputStream();
        while (message.size() < 200 * 1024) {
            message.writeBytes(line);
        }
        byte[] content = message.toByteArray();
        byte[] input = concat(content, bytes(".\r\nQUIT\r\n"));

        for (Fragments.Split split : Fragments.sampled(input, 9973)) {
            SmtpDataDecoder decoder = new SmtpDataDecoder(NO_LIMIT);
            Outcome outcome = decode(decoder, split.buffers());

            assertThat(outcome.ended()).as(split.name()).isTrue();
            assertThat(outcome.content()).as(split.name()).isEqualTo(content);
            assertThat(outcome.remaining()).as(split.name()).isEqualTo(bytes("QUIT\r\n"));
            assertThat(outcome.largestChunk()).as(split.name()).isLessThanOrEqualTo(SmtpDataDecoder.MAX_CHUNK);
        }
    }

    @Test
    void aWholeLargeMessageShouldComeInSeveralChunks() {
        byte[] content = new byte[3 * SmtpDataDecoder.MAX_CHUNK];
        Arrays.fill(content, (byte) 'x');
        SmtpDataDecoder decoder = new SmtpDataDecoder(NO_LIMIT);
        ByteBuffer in = ByteBuffer.wrap(concat(content, bytes("\r\n.\r\n")));

        List<Decoded> decoded = new ArrayList<>();
        Decoded next;
        do {
            next = decoder.next(in);
            decoded.add(next);
        } while (!(next instanceof Decoded.End));

        assertThat(decoded).hasSize(5).last().isEqualTo(Decoded.END);
        assertThat(decoded.get(0)).isInstanceOfSatisfying(Decoded.Chunk.class,
                chunk -> assertThat(chunk.bytes().remaining()).isEqualTo(SmtpDataDecoder.MAX_CHUNK - 1));
    }

    @Test
    void theBufferShouldBePositionedRightAfterTheTerminatingCrLf() {
        ByteBuffer in = ByteBuffer.wrap(bytes("Hi\r\n.\r\nQUIT\r\n"));
        SmtpDataDecoder decoder = new SmtpDataDecoder(NO_LIMIT);

        assertThat(decoder.next(in)).isEqualTo(new Decoded.Chunk(ByteBuffer.wrap(bytes("Hi\r\n"))));
        assertThat(decoder.next(in)).isSameAs(Decoded.END);
        assertThat(in.position()).isEqualTo("Hi\r\n.\r\n".length());
    }

    @Test
    void aMessageEndingExactlyAtTheBufferEndShouldLeaveNothing() {
        ByteBuffer in = ByteBuffer.wrap(bytes("Hi\r\n.\r\n"));
        SmtpDataDecoder decoder = new SmtpDataDecoder(NO_LIMIT);

        decoder.next(in);

        assertThat(decoder.next(in)).isSameAs(Decoded.END);
        assertThat(in.hasRemaining()).isFalse();
        assertThat(decoder.ended()).isTrue();
    }

    @Test
    void callsAfterTheEndShouldReturnEndWithoutConsuming() {
        ByteBuffer in = ByteBuffer.wrap(bytes(".\r\nQUIT\r\n"));
        SmtpDataDecoder decoder = new SmtpDataDecoder(NO_LIMIT);
        assertThat(decoder.next(in)).isSameAs(Decoded.END);

        assertThat(decoder.next(in)).isSameAs(Decoded.END);
        assertThat(in.position()).isEqualTo(3);
    }

    @Test
    void chunksShouldBeCopiesSafeToKeep() {
        byte[] input = bytes("Hello\r\n.\r\n");
        SmtpDataDecoder decoder = new SmtpDataDecoder(NO_LIMIT);

        Decoded decoded = decoder.next(ByteBuffer.wrap(input));
        Arrays.fill(input, (byte) 'X');

        assertThat(decoded).isEqualTo(new Decoded.Chunk(ByteBuffer.wrap(bytes("Hello\r\n"))));
    }

    @Test
    void anOversizedMessageShouldReturnNoChunkOnceExceeded() {
        SmtpDataDecoder decoder = new SmtpDataDecoder(5);
        ByteBuffer first = ByteBuffer.wrap(bytes("abc"));
        assertThat(decoder.next(first)).isEqualTo(new Decoded.Chunk(ByteBuffer.wrap(bytes("abc"))));

        ByteBuffer rest = ByteBuffer.wrap(bytes("defghij\r\n.\r\n"));

        assertThat(decoder.next(rest)).isSameAs(Decoded.END);
        assertThat(decoder.exceeded()).isTrue();
        assertThat(decoder.size()).isEqualTo(12);
    }

    @Test
    void needMoreShouldBeReturnedForAnExhaustedBuffer() {
        SmtpDataDecoder decoder = new SmtpDataDecoder(NO_LIMIT);

        assertThat(decoder.next(ByteBuffer.allocate(0))).isSameAs(Decoded.NEED_MORE);
        assertThat(decoder.next(ByteBuffer.wrap(bytes(".")))).isSameAs(Decoded.NEED_MORE);
        assertThat(decoder.size()).isZero();
    }

    @Test
    void aNegativeLimitShouldBeRejected() {
        assertThatThrownBy(() -> new SmtpDataDecoder(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    record Outcome(byte[] content, boolean ended, byte[] remaining, int largestChunk) {
    }

    /** Feeds the buffers until the end; once ended, everything left over is what the command framer would get. */
    static Outcome decode(SmtpDataDecoder decoder, List<ByteBuffer> buffers) {
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        ByteArrayOutputStream remaining = new ByteArrayOutputStream();
        boolean ended = false;
        int largestChunk = 0;
        for (ByteBuffer buffer : buffers) {
            while (!ended) {
                Decoded decoded = decoder.next(buffer);
                if (decoded instanceof Decoded.NeedMore) {
                    assertThat(buffer.hasRemaining()).as("NeedMore leaves nothing unconsumed").isFalse();
                    break;
                }
                if (decoded instanceof Decoded.Chunk chunk) {
                    assertThat(decoder.exceeded()).as("no chunk once the limit is exceeded").isFalse();
                    ByteBuffer bytes = chunk.bytes();
                    assertThat(bytes.remaining()).as("chunks are never empty").isPositive();
                    largestChunk = Math.max(largestChunk, bytes.remaining());
                    byte[] copy = new byte[bytes.remaining()];
                    bytes.get(copy);
                    content.writeBytes(copy);
                } else if (decoded instanceof Decoded.End) {
                    ended = true;
                } else {
                    throw new AssertionError("unexpected " + decoded);
                }
            }
            if (ended) {
                byte[] rest = new byte[buffer.remaining()];
                buffer.get(rest);
                remaining.writeBytes(rest);
            }
        }
        return new Outcome(content.toByteArray(), ended, remaining.toByteArray(), largestChunk);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] joined = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, joined, a.length, b.length);
        return joined;
    }
}
