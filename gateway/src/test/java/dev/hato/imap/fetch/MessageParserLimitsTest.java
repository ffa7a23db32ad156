package dev.hato.imap.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hato.message.LimitBreach;
import dev.hato.message.MessageLimits;
import dev.hato.message.MessageParser;
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

/**
 * The {@link MessageLimits} as the {@link MessageParser} checks them at the door (SMTP DATA and BDAT, IMAP APPEND), in
 * the parse that also describes the message: every message fed whatever its chunking.
 */
class MessageParserLimitsTest {

    /** Small limits so that every case stays small: 5 entities, 3 levels, 4 fields, 2000 octets, 998 per line. */
    private static final MessageLimits SMALL = new MessageLimits(5, 3, 4, 2000, 998);

    private static LimitBreach.@Nullable Kind check(MessageLimits limits, Fragments.Split split) {
        MessageParser parser = MessageParser.structure(limits);
        for (ByteBuffer piece : split.buffers()) {
            int position = piece.position();
            parser.feed(piece);
            assertThat(piece.position()).as("the chunk is left as it was").isEqualTo(position);
        }
        LimitBreach breach = parser.end();
        assertThat(parser.finish().root()).as("the message is still described").isNotNull();
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
                        LimitBreach.Kind.PARTS),
                Arguments.of("boundary lines after the close are epilogue",
                        multipart("b", LEAF) + "--b\r\n\r\nx\r\n--b\r\n\r\nx\r\n--b\r\n\r\nx\r\n--b\r\n\r\nx\r\n", null),
                Arguments.of("lines of an unknown boundary are body",
                        multipart("b", "Content-Type: text/plain\r\n\r\n--c\r\n--c\r\n--c\r\n--c\r\n--c\r\n"), null),
                Arguments.of("three levels", multipart("a", multipart("b", multipart("c", LEAF))), null),
                Arguments.of("four levels", multipart("a", multipart("b", multipart("c", multipart("d", LEAF)))),
                        LimitBreach.Kind.DEPTH),
                Arguments.of("message/rfc822 parts nest",
                        "Content-Type: message/rfc822\r\n\r\nContent-Type: message/rfc822\r\n\r\n"
                                + "Content-Type: message/rfc822\r\n\r\nContent-Type: message/rfc822\r\n\r\nx\r\n",
                        LimitBreach.Kind.DEPTH),
                Arguments.of("digest parts are messages", "Content-Type: multipart/digest; boundary=d\r\n\r\n"
                        + "--d\r\n\r\nContent-Type: message/rfc822\r\n\r\nContent-Type: message/rfc822\r\n\r\nx\r\n"
                        + "--d--\r\n", LimitBreach.Kind.DEPTH),
                Arguments.of("boundary on a folded Content-Type line",
                        "Content-Type: multipart/mixed;\r\n\tboundary=zz\r\n\r\n--zz\r\n\r\n1\r\n--zz\r\n\r\n2\r\n"
                                + "--zz\r\n\r\n3\r\n--zz\r\n\r\n4\r\n--zz\r\n\r\n5\r\n--zz--\r\n",
                        LimitBreach.Kind.PARTS),
                Arguments.of("999-octet line in a part header", multipart("b", longLine + "\r\n\r\nx"),
                        LimitBreach.Kind.HEADER_LINE),
                Arguments.of("999-octet line in the top header", longLine + "\r\n\r\nx\r\n",
                        LimitBreach.Kind.HEADER_LINE),
                Arguments.of("998-octet line in a part header", multipart("b", longLine.substring(1) + "\r\n\r\nx"),
                        null),
                Arguments.of("long body line in a part", multipart("b", "A: 1\r\n\r\n" + "b".repeat(5000)), null),
                Arguments.of("a part without header starts with its body",
                        multipart("b", "body text " + "b".repeat(5000)), null),
                Arguments.of("five fields in a part", multipart("b", "A: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\nE: 5\r\n\r\nx"),
                        LimitBreach.Kind.HEADER_FIELDS),
                Arguments.of("four fields in a part", multipart("b", "A: 1\r\nB: 2\r\nC: 3\r\n\r\nx"), null),
                Arguments.of("a field folded over many lines", multipart("b", "Subject: s\r\n"
                        + " folded\r\n".repeat(300) + "\r\nx"), LimitBreach.Kind.HEADER_SIZE),
                Arguments.of("body lines almost like boundaries are body", multipart("b",
                        "A: 1\r\n\r\n-b\r\n---b\r\n--bx\r\n\r\r\n" + "y".repeat(300) + "\r\n--b \t",
                        LEAF, LEAF, "\r\n" + "-".repeat(300) + "\r\n--b--x", LEAF), LimitBreach.Kind.PARTS),
                Arguments.of("a boundary right after a long body line", multipart("b", LEAF + "z".repeat(3000), LEAF,
                        LEAF, LEAF), null),
                Arguments.of("boundaries that are prefixes of each other", multipart("ab", multipart("a", LEAF, LEAF)),
                        null),
                Arguments.of("parts of both, one a prefix of the other", multipart("a", multipart("ab", LEAF, LEAF),
                        LEAF, LEAF), LimitBreach.Kind.PARTS),
                Arguments.of("bare LF line ends", "Content-Type: multipart/mixed; boundary=b\n\n--b\n\n1\n--b\n\n2\n"
                        + "--b\n\n3\n--b\n\n4\n--b\n\n5\n--b--\n", LimitBreach.Kind.PARTS));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("messages")
    void limitsShouldBeFoundWhateverTheChunking(String name, String message, LimitBreach.@Nullable Kind kind) {
        byte[] octets = message.getBytes(StandardCharsets.ISO_8859_1);
        for (Fragments.Split split : Fragments.sampled(octets, 7)) {
            assertThat(check(SMALL, split)).as(split.name()).isEqualTo(kind);
        }
    }

    @Test
    void aMessageWithinTheDefaultPartLimitShouldBeOneTheScannerDescribes() throws IOException {
        // The door counts entities in the parse FETCH describes: what passes the door, FETCH can describe.
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
                .isEqualTo(LimitBreach.Kind.PARTS);
    }

    @Test
    void aHugeHeaderLineAndAFieldFoldedOverAMillionLinesShouldBothBeFound() {
        byte[] line = ("Subject: " + "s".repeat(4 << 20) + "\r\n\r\nx\r\n").getBytes(StandardCharsets.ISO_8859_1);
        byte[] folded = ("Subject: s\r\n" + " f\r\n".repeat(1 << 20) + "\r\nx\r\n")
                .getBytes(StandardCharsets.ISO_8859_1);
        assertThat(check(MessageLimits.DEFAULTS, new Fragments.Split("line", List.of(line))))
                .isEqualTo(LimitBreach.Kind.HEADER_LINE);
        assertThat(check(MessageLimits.DEFAULTS, new Fragments.Split("folded", List.of(folded))))
                .isEqualTo(LimitBreach.Kind.HEADER_SIZE);
    }
    @Test
    void theReceivingServersOwnTraceFieldsShouldNotCountAgainstTheClientsLimits() {
        MessageLimits limits = new MessageLimits(5, 3, 4, 2000, 998);
        String trace = "Return-Path: <a@b>\r\nReceived: from x by y; Mon, 1 Jan 2024 00:00:00 +0000\r\n";
        String client = "A: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\nbody\r\n";
        byte[] octets = (trace + client).getBytes(StandardCharsets.ISO_8859_1);

        MessageParser exempt = MessageParser.structure(limits);
        exempt.exempt(trace.length());
        exempt.feed(octets, 0, octets.length);
        MessageParser counted = MessageParser.structure(limits);
        counted.feed(octets, 0, octets.length);

        assertThat(exempt.end()).as("four fields of the client's").isNull();
        assertThat(counted.end()).extracting(LimitBreach::kind).isEqualTo(LimitBreach.Kind.HEADER_FIELDS);
        assertThat(exempt.finish().root().bodyStart()).isEqualTo(octets.length - "body\r\n".length());
    }

    @Test
    void aBreachShouldBeKnownAsSoonAsItsLineEndsAndTheFirstShouldStay() {
        MessageParser parser = MessageParser.structure(MessageLimits.DEFAULTS);
        byte[] fields = ("Subject: fields\r\n" + "X-Field: 1\r\n".repeat(1_000)).getBytes(StandardCharsets.US_ASCII);
        parser.feed(fields, 0, fields.length);

        assertThat(parser.breach()).isEqualTo(new LimitBreach(LimitBreach.Kind.HEADER_FIELDS,
                "a header section has more than 1000 fields"));
        byte[] line = ("X-Long: " + "h".repeat(2_000) + "\r\n").getBytes(StandardCharsets.US_ASCII);
        parser.feed(line, 0, line.length);
        assertThat(parser.end()).as("the first breach stays").extracting(LimitBreach::kind)
                .isEqualTo(LimitBreach.Kind.HEADER_FIELDS);
        assertThat(parser.end()).as("end may be asked again").isNotNull();
    }

    @Test
    void theBreachShouldSayWhichLimitInTheWordsOfTheReplies() {
        assertThat(breach(MessageLimits.DEFAULTS, "Content-Type: message/rfc822\r\n\r\n".repeat(101) + "x"))
                .isEqualTo("MIME parts are nested deeper than 100 levels");
        assertThat(breach(SMALL, multipart("b", LEAF, LEAF, LEAF, LEAF, LEAF)))
                .isEqualTo("the message has more than 5 MIME parts");
        assertThat(breach(MessageLimits.DEFAULTS, "X: " + "h".repeat(1_000) + "\r\n\r\n"))
                .isEqualTo("a header line is longer than 998 octets (RFC 5322 §2.1.1)");
        assertThat(breach(SMALL, "S: s\r\n" + " f\r\n".repeat(600) + "\r\n"))
                .isEqualTo("a header section is larger than 2000 octets");
    }

    private static @Nullable String breach(MessageLimits limits, String message) {
        MessageParser parser = MessageParser.structure(limits);
        byte[] octets = message.getBytes(StandardCharsets.ISO_8859_1);
        parser.feed(octets, 0, octets.length);
        LimitBreach breach = parser.end();
        return breach == null ? null : breach.text();
    }

    @Test
    void aMessageParsedToTheDoorsDepthShouldBeDescribedAsAShallowParseDescribesIt() throws IOException {
        // 25 levels of message/rfc822 and multipart around a leaf: FETCH describes 20 of them, the door parses 100
        StringBuilder message = new StringBuilder();
        for (int level = 0; level < 25; level++) {
            message.append(level % 2 == 0 ? "Content-Type: message/rfc822\r\n\r\n"
                    : "Content-Type: multipart/mixed; boundary=l" + level + "\r\n\r\n--l" + level + "\r\n");
        }
        message.append("Content-Type: text/plain\r\n\r\nleaf\r\n");
        for (int level = 23; level > 0; level -= 2) {
            message.append("--l").append(level).append("--\r\n");
        }
        byte[] octets = message.toString().getBytes(StandardCharsets.ISO_8859_1);
        MessageParser shallow = new MessageParser(20, 64 * 1024, 10_000);
        shallow.feed(octets, 0, octets.length);
        MessageParser deep = MessageParser.structure(MessageLimits.DEFAULTS, 64 * 1024);
        deep.feed(octets, 0, octets.length);

        assertThat(deep.end()).isNull();
        MessageStructure described = StructureScanner.described(deep.finish().root().within(20));
        assertThat(described).isEqualTo(StructureScanner.described(shallow.finish().root()));
        assertThat(described.bodyStructure()).contains("\"APPLICATION\" \"OCTET-STREAM\"");
        assertThat(new StructureScanner(20, 64 * 1024, 10_000).scan(new ByteArrayInputStream(octets)))
                .isEqualTo(described);
    }
}
