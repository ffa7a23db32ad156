package dev.hato.message;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class MessageParserTest {

    private static final MessageLimits LIMITS = new MessageLimits(100, 8, 1_000, 64 * 1024, 998);

    /** A text line longer than any boundary line (it streams to the text collector), in a part. */
    private static final String LONG_LINE = "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\n"
            + "w".repeat(300) + " needle\r\nshort\r\n--b--\r\n";

    /** A message/rfc822 in base64 (RFC 2046 §5.2.1 forbids it): described, but its text is not indexed. */
    private static final String ENCODED_RFC822 = "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
            + "Content-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            + "U3ViamVjdDogeA0KDQpoaWRkZW4NCg==\r\n--b\r\nContent-Type: message/rfc822\r\n\r\n"
            + "Subject: y\r\n\r\nshown\r\n--b--\r\n";

    static Stream<String> messages() {
        return Stream.of(
                "Subject: plain\r\n\r\nbody\r\n",
                "Subject: bare LF\n\nbody\nmore\n",
                "Subject: no body\r\n",
                "Subject: no empty line\r\nnot a field line\r\nbody",
                "\r\nbody only",
                "Content-Type: multipart/mixed; boundary=b\r\n\r\npreamble\r\n--b\r\nContent-Type: text/plain;"
                        + " charset=utf-8\r\n\r\nh\u00c3\u00a9\r\n--b\r\n\r\nsecond\r\n--b--\r\nepilogue\r\n",
                "Content-Type: multipart/alternative; boundary=\"x y\"\n\n--x y\nContent-Type: text/html\n\n"
                        + "<p>hi</p>\n--x y--\n",
                "Content-Type: multipart/mixed; boundary=outer\r\n\r\n--outer\r\nContent-Type: multipart/related;"
                        + " boundary=inner\r\n\r\n--inner\r\n\r\na\r\n--outer--\r\n",
                "Content-Type: message/rfc822\r\n\r\nSubject: inner\r\nFrom: a@b\r\n\r\ninner body\r\n",
                "Content-Type: multipart/digest; boundary=d\r\n\r\n--d\r\n\r\nSubject: x\r\n\r\ny\r\n--d--\r\n",
                "Content-Type: multipart/mixed; boundary=e\r\n\r\n--e--\r\n",
                "Content-Type: multipart/mixed; boundary=m\r\n\r\n--m\r\nContent-Type: text/plain\r\n--m\r\n\r\n"
                        + "x\r\n--m\r",
                "Subject: =?ISO-2022-JP?B?GyRCJEYkOSRIGyhC?=\r\nContent-Type: text/plain; charset=iso-2022-jp\r\n"
                        + "\r\n\u001b$B$3$s$K$A$O\u001b(B\r\n",
                "Content-Type: text/plain;\r\n charset*0*=utf-8''%E6%97;\r\n charset*1=x\r\n\r\nbody\r\r\n",
                LONG_LINE,
                ENCODED_RFC822);
    }

    private static Parsed parse(byte[] message, int... splits) {
        MessageParser parser = MessageParser.withText(LIMITS, 256 * 1024, 1 << 20);
        int from = 0;
        MessageParser.TopHeader top = null;
        for (int s = 0; s <= splits.length; s++) {
            int to = s < splits.length ? splits[s] : message.length;
            MessageParser.Progress progress = s % 2 == 0
                    ? parser.feed(message, from, to - from)
                    : parser.feed(ByteBuffer.wrap(message, from, to - from).slice());
            if (progress instanceof MessageParser.TopHeader header) {
                assertThat(top).isNull();
                top = header;
            }
            from = to;
        }
        MessageParser.Parsed parsed = parser.finish();
        if (top != null) {
            assertThat(top.fields()).isEqualTo(parsed.root().fields());
            assertThat(top.bodyStart()).isEqualTo(parsed.root().bodyStart());
        }
        return new Parsed(parsed, top != null);
    }

    private record Parsed(MessageParser.Parsed result, boolean toldHeader) { }

    @ParameterizedTest
    @MethodSource("messages")
    void shouldParseTheSameInEveryChunking(String text) {
        byte[] message = text.getBytes(StandardCharsets.ISO_8859_1);
        Parsed whole = parse(message);
        for (int split = 0; split <= message.length; split++) {
            assertSame(parse(message, split), whole);
        }
        int[] everyOctet = new int[message.length];
        for (int i = 0; i < message.length; i++) {
            everyOctet[i] = i;
        }
        assertSame(parse(message, everyOctet), whole);
        assertThat(whole.result().size()).isEqualTo(message.length);
    }

    private static void assertSame(Parsed actual, Parsed expected) {
        assertThat(actual.result().root()).isEqualTo(expected.result().root());
        assertThat(actual.result().topFields()).isEqualTo(expected.result().topFields());
        assertThat(actual.result().bodyText()).isEqualTo(expected.result().bodyText());
        assertThat(actual.toldHeader()).isEqualTo(expected.toldHeader());
    }

    private static String text(String message, int textDepth) {
        MessageParser parser = MessageParser.withText(LIMITS, 64 * 1024, 256 * 1024, 1 << 20, textDepth);
        byte[] octets = message.getBytes(StandardCharsets.ISO_8859_1);
        parser.feed(octets, 0, octets.length);
        return parser.finish().bodyText();
    }

    @Test
    void aTextLineLongerThanABoundaryLineShouldBeIndexedWhole() {
        assertThat(text(LONG_LINE, 8)).isEqualTo("w".repeat(300) + " needle\nshort\n");
    }

    @Test
    void theTextOfAnEncodedMessagePartShouldNotBeIndexed() {
        assertThat(text(ENCODED_RFC822, 8)).isEqualTo("shown\n");
    }

    @Test
    void textShouldBeIndexedDownToTheTextDepthOnly() {
        String nested = "Content-Type: multipart/mixed; boundary=o\r\n\r\n--o\r\n\r\nlevel one\r\n--o\r\n"
                + "Content-Type: multipart/mixed; boundary=i\r\n\r\n--i\r\n\r\nlevel two\r\n--i--\r\n--o--\r\n";
        assertThat(text(nested, 2)).isEqualTo("level one\nlevel two\n");
        assertThat(text(nested, 1)).isEqualTo("level one\n");
    }

    @Test
    void aLineThatEndsTheHeaderWithoutAnEmptyLineShouldBeIndexedAsBody() {
        assertThat(text("Subject: no empty line\r\nnot a field line\r\nbody", 8))
                .isEqualTo("not a field line\nbody");
    }

    @Test
    void partsShouldBeFoundWithTheirOffsetsAndLines() {
        String message = "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n"
                + "one\r\ntwo\r\n--b\r\n\r\nthree\r\n--b--\r\n";
        MimeEntity root = parse(message.getBytes(StandardCharsets.ISO_8859_1)).result().root();

        assertThat(root.kind()).isEqualTo(MessagePart.Kind.MULTIPART);
        assertThat(root.subtype()).isEqualTo("MIXED");
        assertThat(root.children()).hasSize(2);
        MimeEntity first = root.children().get(0);
        assertThat(message.substring((int) first.bodyStart(), (int) first.end())).isEqualTo("one\r\ntwo");
        assertThat(first.lines()).isEqualTo(2);
        MimeEntity second = root.children().get(1);
        assertThat(message.substring((int) second.headerStart(), (int) second.end())).isEqualTo("\r\nthree");
        assertThat(second.parameter("charset")).isEqualTo("US-ASCII");
    }

    @Test
    void aMessageWithTooManyPartsShouldBeOneOpaqueBodyAfterItsHeader() {
        StringBuilder message = new StringBuilder("Subject: many\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n");
        for (int i = 0; i < 5; i++) {
            message.append("--b\r\n\r\npart\r\n");
        }
        byte[] octets = message.toString().getBytes(StandardCharsets.ISO_8859_1);
        MessageParser parser = new MessageParser(8, 998, 3);
        parser.feed(octets, 0, octets.length);
        MessageParser.Parsed parsed = parser.finish();

        assertThat(parsed.opaque()).isTrue();
        assertThat(parsed.root().type()).isEqualTo("APPLICATION");
        assertThat(parsed.root().end()).isEqualTo(octets.length);
        assertThat(parsed.root().field("subject")).isEqualTo(" many");
        assertThat(parsed.root().field("content-type")).isNull();
    }

    @Test
    void partsNestedDeeperThanTheLimitShouldBeOpaqueLeaves() {
        String message = "Content-Type: message/rfc822\r\n\r\nContent-Type: message/rfc822\r\n\r\nSubject: deep\r\n\r\nx";
        MessageParser parser = new MessageParser(1, 998, 100);
        byte[] octets = message.getBytes(StandardCharsets.ISO_8859_1);
        parser.feed(octets, 0, octets.length);
        MimeEntity root = parser.finish().root();

        assertThat(root.kind()).isEqualTo(MessagePart.Kind.MESSAGE);
        MimeEntity inner = root.children().get(0);
        assertThat(inner.kind()).isEqualTo(MessagePart.Kind.LEAF);
        assertThat(List.of(inner.type(), inner.subtype())).containsExactly("APPLICATION", "OCTET-STREAM");
    }

    /** Offsets as "headerStart/bodyStart/end", parts in brackets. */
    private static String offsets(MimeEntity entity) {
        StringBuilder out = new StringBuilder(entity.headerStart() + "/" + entity.bodyStart() + "/" + entity.end());
        if (!entity.children().isEmpty()) {
            out.append(" [");
            for (int i = 0; i < entity.children().size(); i++) {
                out.append(i > 0 ? ", " : "").append(offsets(entity.children().get(i)));
            }
            out.append(']');
        }
        return out.toString();
    }

    private static String offsets(String message) {
        return offsets(parse(message.getBytes(StandardCharsets.ISO_8859_1)).result().root());
    }

    // RFC 2046 §5.1.1: the line break before a boundary line belongs to it, so an entity that a boundary line ends
    // ends before that line break; and every part lies within its parent (a fuzzing finding, docs/security.md).

    @Test
    void aHeaderCutShortByABoundaryLineShouldEndBeforeTheLineBreakThatBelongsToIt() {
        // the part's header "Content-Type: text/plain" (50..74), then "\r\n--b--" at 74: empty body at 74
        String message = "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n"
                + "--b--\r\n";
        assertThat(offsets(message)).isEqualTo("0/45/83 [50/74/74]");
    }

    @Test
    void anEncapsulatedHeaderCutShortByABoundaryLineShouldLieWithinItsMessagePart() {
        // message/rfc822 part 50..92, its body (82..92) "Subject: x" a message whose header a boundary line cut
        // short: it started its (empty) body at 94, two octets past its parent's end
        String message = "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: message/rfc822\r\n\r\n"
                + "Subject: x\r\n--b--\r\n";
        assertThat(offsets(message)).isEqualTo("0/45/101 [50/82/92 [82/92/92]]");
    }

    @Test
    void aPartHeaderCutShortByAnEnclosingBoundaryLineShouldLieWithinItsMultipart() {
        // the inner multipart (50..130) ends at the outer closing boundary line (132); its part's header, cut short
        // by it, started its body at 132
        String message = "Content-Type: multipart/mixed; boundary=o\r\n\r\n--o\r\n"
                + "Content-Type: multipart/alternative; boundary=i\r\n\r\n--i\r\nContent-Type: text/plain\r\n"
                + "--o--\r\n";
        assertThat(offsets(message)).isEqualTo("0/45/139 [50/101/130 [106/130/130]]");
    }

    @Test
    void anEncapsulatedHeaderEndedRightBeforeABoundaryLineShouldLieWithinItsMessagePart() {
        // the empty line (94..96) that ends the encapsulated header is the line break of the boundary line at 96:
        // the message/rfc822 part ends at 94, and so does the encapsulated message's header
        String message = "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: message/rfc822\r\n\r\n"
                + "Subject: x\r\n\r\n--b--\r\n";
        assertThat(offsets(message)).isEqualTo("0/45/103 [50/82/94 [82/94/94]]");
    }

    @Test
    void aPartRightBeforeAnEnclosingBoundaryLineShouldLieWithinItsMultipart() {
        // "--i" (95..98) then the outer closing boundary line at 100: the inner multipart ends at 98, and its part,
        // which would start after "--i\r\n", at 100, is the empty part at 98
        String message = "Content-Type: multipart/mixed; boundary=o\r\n\r\n--o\r\n"
                + "Content-Type: multipart/mixed; boundary=i\r\n\r\n--i\r\n--o--\r\n";
        assertThat(offsets(message)).isEqualTo("0/45/107 [50/95/98 [98/98/98]]");
    }

    @Test
    void theEmptyPartOfAMultipartWithoutAnyShouldNotCountAgainstThePartLimit() {
        // one entity in the message; the empty text/plain part RFC 3501 needs is the parser's, not the message's
        byte[] message = "Content-Type: multipart/mixed; boundary=b\r\n\r\nno boundary line\r\n"
                .getBytes(StandardCharsets.ISO_8859_1);
        MessageParser parser = MessageParser.structure(new MessageLimits(1, 8, 1_000, 64 * 1024, 998));
        parser.feed(message, 0, message.length);

        assertThat(parser.end()).isNull();
        MessageParser.Parsed parsed = parser.finish();
        assertThat(parsed.opaque()).isFalse();
        assertThat(offsets(parsed.root())).isEqualTo("0/45/63 [63/63/63]");
    }

    @Test
    void aFieldLongerThanTheLimitShouldBeLeftOut() {
        String message = "Subject: " + "x".repeat(1_200) + "\r\nFrom: a@b\r\n\r\nbody";
        MessageParser parser = new MessageParser(8, 998, 100);
        byte[] octets = message.getBytes(StandardCharsets.ISO_8859_1);
        parser.feed(octets, 0, octets.length);
        MimeEntity root = parser.finish().root();

        assertThat(root.field("subject")).isNull();
        assertThat(root.field("from")).isEqualTo(" a@b");
    }
}
