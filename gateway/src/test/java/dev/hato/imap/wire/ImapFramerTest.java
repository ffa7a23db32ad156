package dev.hato.imap.wire;

import static dev.hato.protocol.wire.Fragments.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hato.protocol.wire.Fragments;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ImapFramerTest {

    private static final ImapFramer.Limits SMALL = new ImapFramer.Limits(32, 16, 16, 4);

    /**
     * A framing case: the input, the limits, and the events it yields, rendered as strings: {@code F:line},
     * {@code L5} / {@code L5+} (literal start), {@code C:octets} (all chunks of one literal joined), {@code E},
     * {@code !KIND tag}.
     */
    record Case(String name, ImapFramer.Limits limits, String input, List<String> events) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("one line", SMALL, "a NOOP\r\n", List.of("F:a NOOP")),
                new Case("pipelined lines", SMALL, "a NOOP\r\nb CAPABILITY\r\nc LOGOUT\r\n",
                        List.of("F:a NOOP", "F:b CAPABILITY", "F:c LOGOUT")),
                new Case("bare LF ends a line", SMALL, "a NOOP\nb NOOP\r\n", List.of("F:a NOOP", "F:b NOOP")),
                new Case("a partial line waits", SMALL, "a NOOP\r\nb NO", List.of("F:a NOOP")),
                new Case("RFC 3501 §6.2.3 LOGIN with two synchronizing literals", SMALL,
                        "A001 LOGIN {11}\r\nFRED FOOBAR {7}\r\nfat man\r\n",
                        List.of("L11", "C:FRED FOOBAR", "E", "L7", "C:fat man", "E", "F:A001 LOGIN {11} {7}")),
                new Case("a command pipelined right after a {n+} literal", SMALL,
                        "a APPEND INBOX {5+}\r\nhello\r\nb NOOP\r\n",
                        List.of("L5+", "C:hello", "E", "F:a APPEND INBOX {5+}", "F:b NOOP")),
                new Case("literal content is never read as commands", SMALL,
                        "a LOGIN {15+}\r\nx\r\nb NOOP {1}\r\n {3+}\r\nabc\r\n",
                        List.of("L15+", "C:x\r\nb NOOP {1}\r\n", "E", "L3+", "C:abc", "E", "F:a LOGIN {15+} {3+}")),
                new Case("a zero-length literal", SMALL, "a LOGIN {0}\r\n {0+}\r\n\r\n",
                        List.of("L0", "E", "L0+", "E", "F:a LOGIN {0} {0+}")),
                new Case("a literal of exactly the limit", SMALL, "a LOGIN {16}\r\n0123456789abcdef\r\n",
                        List.of("L16", "C:0123456789abcdef", "E", "F:a LOGIN {16}")),
                new Case("a synchronizing literal over the limit ends the command", SMALL,
                        "a LOGIN {17}\r\nb NOOP\r\n", List.of("!LITERAL_TOO_LARGE a", "F:b NOOP")),
                new Case("a refused {n+} literal's octets and the rest of its line are dropped", SMALL,
                        "a LOGIN {17+}\r\nx\r\nc NOOP\r\n12345 rest {6+}\r\nd NOOP\r\nb NOOP\r\n",
                        List.of("!LITERAL_TOO_LARGE a", "F:b NOOP")),
                new Case("a refused line ending in a synchronizing announcement ends there", SMALL,
                        "a LOGIN {17+}\r\n0123456789abcdef\r {5}\r\nb NOOP\r\n",
                        List.of("!LITERAL_TOO_LARGE a", "F:b NOOP")),
                new Case("LITERAL- refuses a {n+} literal over its own limit but takes {n}",
                        new ImapFramer.Limits(32, 16, 4, 4),
                        "a APPEND x {5+}\r\nhello\r\nb APPEND x {5}\r\nhello\r\nc NOOP\r\n",
                        List.of("!LITERAL_TOO_LARGE a", "L5", "C:hello", "E", "F:b APPEND x {5}", "F:c NOOP")),
                new Case("empty braces", SMALL, "a LOGIN {}\r\nb NOOP\r\n",
                        List.of("!MALFORMED_LITERAL a", "F:b NOOP")),
                new Case("a plus without digits", SMALL, "a LOGIN {+}\r\n", List.of("!MALFORMED_LITERAL a")),
                new Case("a plus inside the digits", SMALL, "a LOGIN {1+2}\r\n", List.of("!MALFORMED_LITERAL a")),
                new Case("too many digits", SMALL, "a {1234567890123456789}\r\n",
                        List.of("!MALFORMED_LITERAL a")),
                new Case("braces around letters are left to the grammar", SMALL, "a LOGIN {abc}\r\n",
                        List.of("F:a LOGIN {abc}")),
                new Case("a line of exactly the limit", SMALL, "a 345678901234567890123456789012\r\n",
                        List.of("F:a 345678901234567890123456789012")),
                new Case("one octet over the limit", SMALL, "a 3456789012345678901234567890123\r\nb NOOP\r\n",
                        List.of("!LINE_TOO_LONG a", "F:b NOOP")),
                new Case("far over the limit", SMALL,
                        "a 3456789012345678901234567890123456789012345678901234567890\r\nb NOOP\r\n",
                        List.of("!LINE_TOO_LONG a", "F:b NOOP")),
                new Case("an overlong line ending in {n+} drops the literal", SMALL,
                        "a APPEND 90123456789012345678901234567890 {9+}\r\nc NOOP\r\n\r\nb NOOP\r\n",
                        List.of("!LINE_TOO_LONG a", "F:b NOOP")),
                new Case("one octet over the limit ending in {n+} and a bare LF drops the literal", SMALL,
                        "a 34567890123456789012345678 {9+}\nc NOOP\r\n\r\nb NOOP\r\n",
                        List.of("!LINE_TOO_LONG a", "F:b NOOP")),
                new Case("the limit counts the text around literals", SMALL,
                        "a LOGIN 0123456789 {1}\r\nx 0123456789012345\r\nb NOOP\r\n",
                        List.of("L1", "C:x", "E", "!LINE_TOO_LONG a", "F:b NOOP")),
                new Case("a failure without a tag", SMALL, "{}\r\n(x) {}\r\n",
                        List.of("F:{}", "!MALFORMED_LITERAL null")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void framerShouldYieldTheSameEventsHoweverTheInputIsSplit(Case c) {
        for (Fragments.Split split : Fragments.of(bytes(c.input()))) {
            assertThat(frame(new ImapFramer(c.limits()), split.buffers())).as(split.name()).isEqualTo(c.events());
        }
    }

    @Test
    void aOneMegabyteLiteralShouldStreamInBoundedChunks() {
        byte[] content = new byte[1024 * 1024];
        Arrays.fill(content, (byte) 'm');
        byte[] input = concat(bytes("a APPEND INBOX {1048576+}\r\n"), content, bytes("\r\nb NOOP\r\n"));
        ImapFramer framer = new ImapFramer(ImapFramer.Limits.defaults().withMaxLiteralSize(1024 * 1024)
                .withMaxNonSynchronizingLiteralSize(1024 * 1024));
        ByteBuffer in = ByteBuffer.wrap(input);

        List<ImapDecoded> decoded = new ArrayList<>();
        for (ImapDecoded d = framer.next(in); !(d instanceof ImapDecoded.NeedMore); d = framer.next(in)) {
            decoded.add(d);
        }

        assertThat(decoded).hasSize(1 + 64 + 1 + 2);
        assertThat(decoded.get(0)).isEqualTo(new ImapDecoded.LiteralStart(1024 * 1024, false,
                "a APPEND INBOX {1048576+}"));
        assertThat(decoded.subList(1, 65)).allSatisfy(d -> assertThat(((ImapDecoded.LiteralChunk) d).bytes()
                .remaining()).isEqualTo(16 * 1024));
        assertThat(decoded.subList(65, 68)).containsExactly(ImapDecoded.LITERAL_END,
                new ImapDecoded.Frame(bytes("a APPEND INBOX {1048576+}")), new ImapDecoded.Frame(bytes("b NOOP")));
    }

    @Test
    void aLiteralAnnouncedAndNeverSentShouldHoldNoMemoryBeyondTheLineLimit() {
        ImapFramer framer = new ImapFramer(SMALL);
        ByteBuffer in = ByteBuffer.wrap(bytes("a APPEND INBOX {16}\r\n"));

        assertThat(framer.next(in)).isEqualTo(new ImapDecoded.LiteralStart(16, true, "a APPEND INBOX {16}"));
        assertThat(framer.next(in)).isSameAs(ImapDecoded.NEED_MORE);
        assertThat(framer.next(ByteBuffer.allocate(0))).isSameAs(ImapDecoded.NEED_MORE);
        assertThat(framer.retainedCapacity()).isLessThanOrEqualTo(32 + 1 + 24);
    }

    @Test
    void aHugeRefusedLiteralShouldBeDroppedWithoutBuffering() {
        ImapFramer framer = new ImapFramer(SMALL);
        assertThat(framer.next(ByteBuffer.wrap(bytes("a APPEND x {100000000+}\r\n")))).isEqualTo(
                new ImapDecoded.Failure(ImapDecoded.Failure.Kind.LITERAL_TOO_LARGE, "a", "Literal larger than 16 octets"));
        byte[] megabyte = new byte[1024 * 1024];

        for (int i = 0; i < 20; i++) {
            assertThat(framer.next(ByteBuffer.wrap(megabyte))).isSameAs(ImapDecoded.NEED_MORE);
        }

        assertThat(framer.retainedCapacity()).isLessThanOrEqualTo(32 + 1 + 24);
    }

    @Test
    void anEndlessLineShouldFailOnceAndHoldNoMoreThanTheLimit() {
        ImapFramer framer = new ImapFramer(SMALL);
        byte[] megabyte = new byte[1024 * 1024];
        Arrays.fill(megabyte, (byte) 'x');

        ImapDecoded first = framer.next(ByteBuffer.wrap(megabyte));
        List<ImapDecoded> later = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            later.add(framer.next(ByteBuffer.wrap(megabyte)));
        }

        assertThat(first).isEqualTo(new ImapDecoded.Failure(ImapDecoded.Failure.Kind.LINE_TOO_LONG, null,
                "Line longer than 32 octets"));
        assertThat(later).containsOnly(ImapDecoded.NEED_MORE);
        assertThat(framer.retainedCapacity()).isLessThanOrEqualTo(32 + 1 + 24);
    }

    @Test
    void theLiteralLimitShouldBeRaisedAfterLogin() {
        ImapFramer framer = new ImapFramer(SMALL);
        assertThat(frame(framer, List.of(ByteBuffer.wrap(bytes("a APPEND x {20}\r\n")))))
                .containsExactly("!LITERAL_TOO_LARGE a");

        framer.maxLiteralSize(1000);

        assertThat(frame(framer, List.of(ByteBuffer.wrap(bytes("b APPEND x {20}\r\n01234567890123456789\r\n")))))
                .containsExactly("L20", "C:01234567890123456789", "E", "F:b APPEND x {20}");
    }

    @Test
    void aLoweredLiteralLimitShouldApplyToTheNextAnnouncement() {
        ImapFramer framer = new ImapFramer(SMALL);

        framer.maxLiteralSize(2);

        assertThat(frame(framer, List.of(ByteBuffer.wrap(bytes("a LOGIN {3}\r\n")))))
                .containsExactly("!LITERAL_TOO_LARGE a");
    }

    @Test
    void aRefusedSynchronizingLiteralShouldEndTheCommand() {
        ImapFramer framer = new ImapFramer(SMALL);
        ByteBuffer in = ByteBuffer.wrap(bytes("a APPEND nosuch {5}\r\n"));
        assertThat(framer.next(in)).isEqualTo(new ImapDecoded.LiteralStart(5, true, "a APPEND nosuch {5}"));

        framer.refuseLiteral();

        assertThat(frame(framer, List.of(ByteBuffer.wrap(bytes("b NOOP\r\n"))))).containsExactly("F:b NOOP");
    }

    @Test
    void aRefusedNonSynchronizingLiteralShouldBeSkippedWithTheRestOfItsCommand() {
        byte[] input = bytes("a APPEND nosuch {9+}\r\nc NOOP\r\n {2+}\r\nxx\r\nb NOOP\r\n");
        for (Fragments.Split split : Fragments.of(input)) {
            assertThat(refusingEveryLiteral(new ImapFramer(SMALL), split)).as(split.name())
                    .containsExactly("L9", "Frame[b NOOP]");
        }
    }

    /** The events of {@code split}, each literal refused as soon as it is announced. */
    private static List<String> refusingEveryLiteral(ImapFramer framer, Fragments.Split split) {
        List<String> events = new ArrayList<>();
        for (ByteBuffer buffer : split.buffers()) {
            for (ImapDecoded d = framer.next(buffer); !(d instanceof ImapDecoded.NeedMore); d = framer.next(buffer)) {
                if (d instanceof ImapDecoded.LiteralStart start) {
                    framer.refuseLiteral();
                    events.add("L" + start.size());
                } else {
                    events.add(d.toString());
                }
            }
        }
        return events;
    }

    @Test
    void aSynchronizingLiteralOverTheLimitShouldBeSkippedWhenItsOctetsFollowAtOnce() {
        // ManageSieve (RFC 5804 §4): the client sends {n} octets without waiting, so they must never be commands.
        byte[] input = bytes("a PUTSCRIPT {17}\r\nc NOOP\r\n0123456789\r\nb NOOP\r\n");
        for (Fragments.Split split : Fragments.of(input)) {
            assertThat(frame(new ImapFramer(SMALL, true), split.buffers())).as(split.name())
                    .containsExactly("!LITERAL_TOO_LARGE a", "F:b NOOP");
        }
    }

    @Test
    void aRefusedSynchronizingLiteralShouldBeSkippedWhenItsOctetsFollowAtOnce() {
        byte[] input = bytes("a PUTSCRIPT x {9}\r\nc NOOP\r\n {2}\r\nxx\r\nb NOOP\r\n");
        for (Fragments.Split split : Fragments.of(input)) {
            assertThat(refusingEveryLiteral(new ImapFramer(SMALL, true), split)).as(split.name())
                    .containsExactly("L9", "Frame[b NOOP]");
        }
    }

    @Test
    void refusingAfterTheFirstChunkShouldDoNothing() {
        ImapFramer framer = new ImapFramer(SMALL);
        ByteBuffer in = ByteBuffer.wrap(bytes("a LOGIN {2+}\r\nxy\r\n"));
        assertThat(framer.next(in)).isInstanceOf(ImapDecoded.LiteralStart.class);
        assertThat(framer.next(in)).isInstanceOf(ImapDecoded.LiteralChunk.class);

        framer.refuseLiteral();

        assertThat(framer.next(in)).isSameAs(ImapDecoded.LITERAL_END);
        assertThat(framer.next(in)).isEqualTo(new ImapDecoded.Frame(bytes("a LOGIN {2+}")));
    }

    @Test
    void bytesAfterAFrameShouldStayInTheBuffer() {
        ByteBuffer in = ByteBuffer.wrap(bytes("a STARTTLS\r\nb LOGIN evil\r\n"));

        assertThat(new ImapFramer(SMALL).next(in)).isEqualTo(new ImapDecoded.Frame(bytes("a STARTTLS")));
        assertThat(in.position()).isEqualTo("a STARTTLS\r\n".length());
    }

    @Test
    void resetShouldDropAPartialCommandIncludingALiteral() {
        ImapFramer framer = new ImapFramer(SMALL);
        ByteBuffer in = ByteBuffer.wrap(bytes("a STARTTLS\r\nb LOGIN {5+}\r\nev"));
        assertThat(framer.next(in)).isEqualTo(new ImapDecoded.Frame(bytes("a STARTTLS")));
        assertThat(framer.next(in)).isInstanceOf(ImapDecoded.LiteralStart.class);

        framer.reset();

        assertThat(frame(framer, List.of(ByteBuffer.wrap(bytes("c NOOP\r\n"))))).containsExactly("F:c NOOP");
    }

    @Test
    void aDirectBufferShouldFrameLikeAHeapBuffer() {
        byte[] input = bytes("a LOGIN {3+}\r\nabc x\r\nb 3456789012345678901234567890123\r\nc NOOP\r\n");
        ByteBuffer direct = ByteBuffer.allocateDirect(input.length).put(input).flip();

        assertThat(frame(new ImapFramer(SMALL), List.of(direct)))
                .containsExactly("L3+", "C:abc", "E", "F:a LOGIN {3+} x", "!LINE_TOO_LONG b", "F:c NOOP");
    }

    @Test
    void framesShouldCompareByContent() {
        assertThat(new ImapDecoded.Frame(bytes("a NOOP"))).isEqualTo(new ImapDecoded.Frame(bytes("a NOOP")))
                .hasSameHashCodeAs(new ImapDecoded.Frame(bytes("a NOOP")))
                .isNotEqualTo(new ImapDecoded.Frame(bytes("b NOOP")));
    }

    @Test
    void limitsShouldRejectNonsense() {
        assertThatThrownBy(() -> new ImapFramer.Limits(0, 1, 1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ImapFramer.Limits(1, -1, 1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ImapFramer.Limits(1, 1, -1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ImapFramer.Limits(1, 1, 1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ImapFramer(SMALL).maxLiteralSize(-1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** Feeds the buffers in order and renders the events; chunks of one literal are joined, each is bounded. */
    static List<String> frame(ImapFramer framer, List<ByteBuffer> buffers) {
        List<String> events = new ArrayList<>();
        ByteArrayOutputStream literal = null;
        for (ByteBuffer buffer : buffers) {
            while (true) {
                ImapDecoded decoded = framer.next(buffer);
                if (decoded instanceof ImapDecoded.NeedMore) {
                    assertThat(buffer.hasRemaining()).as("NeedMore leaves nothing unconsumed").isFalse();
                    break;
                }
                if (decoded instanceof ImapDecoded.LiteralChunk chunk) {
                    assertThat(chunk.bytes().remaining()).isBetween(1, 4096);
                    if (literal == null) {
                        literal = new ByteArrayOutputStream();
                    }
                    byte[] octets = new byte[chunk.bytes().remaining()];
                    chunk.bytes().get(octets);
                    literal.writeBytes(octets);
                    continue;
                }
                if (literal != null) {
                    events.add("C:" + literal.toString(StandardCharsets.ISO_8859_1));
                    literal = null;
                }
                if (decoded instanceof ImapDecoded.Frame f) {
                    events.add("F:" + new String(f.line(), StandardCharsets.ISO_8859_1));
                } else if (decoded instanceof ImapDecoded.LiteralStart s) {
                    events.add("L" + s.size() + (s.synchronizing() ? "" : "+"));
                } else if (decoded instanceof ImapDecoded.LiteralEnd) {
                    events.add("E");
                } else if (decoded instanceof ImapDecoded.Failure f) {
                    events.add("!" + f.kind() + " " + f.tag());
                } else {
                    throw new AssertionError("unexpected " + decoded);
                }
            }
        }
        return events;
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
