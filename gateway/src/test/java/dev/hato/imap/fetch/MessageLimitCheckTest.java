package dev.hato.imap.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hato.message.MessageLimitCheck;
import dev.hato.message.MessageLimits;
import dev.hato.protocol.wire.Fragments;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class MessageLimitCheckTest {

    /** Small limits so that every case stays small: 5 entities, 3 levels, 4 fields, 2000 octets, 998 per line. */
    private static final MessageLimits SMALL = new MessageLimits(5, 3, 4, 2000, 998);

    private static MessageLimitCheck.@Nullable Kind check(MessageLimits limits, Fragments.Split split) {
        MessageLimitCheck check = new MessageLimitCheck(limits);
        for (ByteBuffer piece : split.buffers()) {
            int position = piece.position();
            check.feed(piece);
            assertThat(piece.position()).as("the chunk is left as it was").isEqualTo(position);
        }
        MessageLimitCheck.Breach breach = check.finish();
        return breach == null ? null : breach.kind();
    }

    private static String multipart(String boundary, String... parts) {
        StringBuilder out = new StringBuilder("Content-Type: multipart/mixed; boundary=\"" + boundary + "\"\r\n\r\n"
                + "preamble\r\n");
        for (String part : parts) {
            out.append("--").append(boundary).append("\r\n").append(part).append("\r\n");
        }
        return out.append("--").append(boundary).append("--\r\nepilogue\r\n").toString();
    }

    private static final String LEAF = "Content-Type: text/plain\r\n\r\nhello\r\n";

    static Stream<Arguments> messages() {
        String longLine = "X-Long: " + "h".repeat(991); // 999 octets
        return Stream.of(
                Arguments.of("plain message", "Subject: hi\r\n\r\nbody\r\n", null),
                Arguments.of("four parts (five entities)", multipart("b", LEAF, LEAF, LEAF, LEAF), null),
                Arguments.of("five parts (six entities)", multipart("b", LEAF, LEAF, LEAF, LEAF, LEAF),
                        MessageLimitCheck.Kind.PARTS),
                Arguments.of("boundary lines after the close are epilogue",
                        multipart("b", LEAF) + "--b\r\n\r\nx\r\n--b\r\n\r\nx\r\n--b\r\n\r\nx\r\n--b\r\n\r\nx\r\n", null),
                Arguments.of("lines of an unknown boundary are body",
                        multipart("b", "Content-Type: text/plain\r\n\r\n--c\r\n--c\r\n--c\r\n--c\r\n--c\r\n"), null),
                Arguments.of("three levels", multipart("a", multipart("b", multipart("c", LEAF))), null),
                Arguments.of("four levels", multipart("a", multipart("b", multipart("c", multipart("d", LEAF)))),
                        MessageLimitCheck.Kind.DEPTH),
                Arguments.of("message/rfc822 parts nest",
                        "Content-Type: message/rfc822\r\n\r\nContent-Type: message/rfc822\r\n\r\n"
                                + "Content-Type: message/rfc822\r\n\r\nContent-Type: message/rfc822\r\n\r\nx\r\n",
                        MessageLimitCheck.Kind.DEPTH),
                Arguments.of("digest parts are messages", "Content-Type: multipart/digest; boundary=d\r\n\r\n"
                        + "--d\r\n\r\nContent-Type: message/rfc822\r\n\r\nContent-Type: message/rfc822\r\n\r\nx\r\n"
                        + "--d--\r\n", MessageLimitCheck.Kind.DEPTH),
                Arguments.of("boundary on a folded Content-Type line",
                        "Content-Type: multipart/mixed;\r\n\tboundary=zz\r\n\r\n--zz\r\n\r\n1\r\n--zz\r\n\r\n2\r\n"
                                + "--zz\r\n\r\n3\r\n--zz\r\n\r\n4\r\n--zz\r\n\r\n5\r\n--zz--\r\n",
                        MessageLimitCheck.Kind.PARTS),
                Arguments.of("999-octet line in a part header", multipart("b", longLine + "\r\n\r\nx"),
                        MessageLimitCheck.Kind.HEADER_LINE),
                Arguments.of("999-octet line in the top header", longLine + "\r\n\r\nx\r\n",
                        MessageLimitCheck.Kind.HEADER_LINE),
                Arguments.of("998-octet line in a part header", multipart("b", longLine.substring(1) + "\r\n\r\nx"),
                        null),
                Arguments.of("long body line in a part", multipart("b", "A: 1\r\n\r\n" + "b".repeat(5000)), null),
                Arguments.of("a part without header starts with its body",
                        multipart("b", "body text " + "b".repeat(5000)), null),
                Arguments.of("five fields in a part", multipart("b", "A: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\nE: 5\r\n\r\nx"),
                        MessageLimitCheck.Kind.HEADER_FIELDS),
                Arguments.of("four fields in a part", multipart("b", "A: 1\r\nB: 2\r\nC: 3\r\n\r\nx"), null),
                Arguments.of("a field folded over many lines", multipart("b", "Subject: s\r\n"
                        + " folded\r\n".repeat(300) + "\r\nx"), MessageLimitCheck.Kind.HEADER_SIZE),
                Arguments.of("body lines almost like boundaries are body", multipart("b",
                        "A: 1\r\n\r\n-b\r\n---b\r\n--bx\r\n\r\r\n" + "y".repeat(300) + "\r\n--b \t",
                        LEAF, LEAF, "\r\n" + "-".repeat(300) + "\r\n--b--x", LEAF), MessageLimitCheck.Kind.PARTS),
                Arguments.of("a boundary right after a long body line", multipart("b", LEAF + "z".repeat(3000), LEAF,
                        LEAF, LEAF), null),
                Arguments.of("bare LF line ends", "Content-Type: multipart/mixed; boundary=b\n\n--b\n\n1\n--b\n\n2\n"
                        + "--b\n\n3\n--b\n\n4\n--b\n\n5\n--b--\n", MessageLimitCheck.Kind.PARTS));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("messages")
    void limitsShouldBeFoundWhateverTheChunking(String name, String message, MessageLimitCheck.@Nullable Kind kind) {
        byte[] octets = message.getBytes(StandardCharsets.ISO_8859_1);
        for (Fragments.Split split : Fragments.sampled(octets, 7)) {
            assertThat(check(SMALL, split)).as(split.name()).isEqualTo(kind);
        }
    }

    @Test
    void aMessageWithinTheDefaultPartLimitShouldBeOneTheScannerDescribes() throws IOException {
        // The check counts entities the way StructureScanner does: what passes the door, FETCH can describe.
        int parts = MessageLimits.DEFAULTS.maxParts() - 1; // and the message itself
        String message = "Content-Type: multipart/mixed; boundary=b\r\n\r\n" + "--b\r\n\r\nx\r\n".repeat(parts)
                + "--b--\r\n";
        byte[] octets = message.getBytes(StandardCharsets.ISO_8859_1);
        assertThat(check(MessageLimits.DEFAULTS, new Fragments.Split("whole", List.of(octets)))).isNull();
        MessageStructure structure = new StructureScanner(20, 64 * 1024, MessageLimits.DEFAULTS.maxParts())
                .scan(new ByteArrayInputStream(octets));
        assertThat(structure.root().children()).hasSize(parts);
        byte[] more = message.replace("--b--", "--b\r\n\r\nx\r\n--b--").getBytes(StandardCharsets.ISO_8859_1);
        assertThat(check(MessageLimits.DEFAULTS, new Fragments.Split("whole", List.of(more))))
                .isEqualTo(MessageLimitCheck.Kind.PARTS);
    }

    @Test
    void aHugeHeaderLineAndAFieldFoldedOverAMillionLinesShouldBothBeFound() {
        byte[] line = ("Subject: " + "s".repeat(4 << 20) + "\r\n\r\nx\r\n").getBytes(StandardCharsets.ISO_8859_1);
        byte[] folded = ("Subject: s\r\n" + " f\r\n".repeat(1 << 20) + "\r\nx\r\n")
                .getBytes(StandardCharsets.ISO_8859_1);
        assertThat(check(MessageLimits.DEFAULTS, new Fragments.Split("line", List.of(line))))
                .isEqualTo(MessageLimitCheck.Kind.HEADER_LINE);
        assertThat(check(MessageLimits.DEFAULTS, new Fragments.Split("folded", List.of(folded))))
                .isEqualTo(MessageLimitCheck.Kind.HEADER_SIZE);
    }
}
