package dev.hato.message;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** RFC 8970 §3.3 previews: the first text part, decoded, as plain text of at most 200 characters on one line. */
class PreviewTextTest {

    private static String crlf(String... lines) {
        return String.join("\r\n", lines);
    }

    /** The preview the parser makes of {@code message}, fed an octet at a time (characters are always split). */
    private static String preview(byte[] message) {
        MessageParser parser = MessageParser.withText(MessageLimits.DEFAULTS, 256 * 1024, 1 << 20);
        for (int i = 0; i < message.length; i++) {
            parser.feed(message, i, 1);
        }
        return parser.finish().preview();
    }

    private static String preview(String message) {
        return preview(message.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void whiteSpaceRunsAndLineBreaksBecomeOneSpaceAndTheEndsAreTrimmed() {
        assertThat(PreviewText.of("  Hello,\r\n\r\n\tworld  of\u3000mail \u00a0 \n")).isEqualTo("Hello, world of mail");
    }

    @Test
    void quotedLinesAndTheSignatureAreLeftOut() {
        assertThat(PreviewText.of("Sounds good.\n> On Monday Bob wrote:\n  > quoted\nSee you.\n-- \nBob\nphone"))
                .isEqualTo("Sounds good. See you.");
        assertThat(PreviewText.of("before\r\n-- \r\nsignature")).isEqualTo("before");
        assertThat(PreviewText.of("a -- b\n--\nc")).as("only \"-- \" alone on its line").isEqualTo("a -- b -- c");
    }

    @Test
    void controlCharactersAreDropped() {
        assertThat(PreviewText.of("bell\u0007 and\u0000 nul\u001b[0m")).isEqualTo("bell and nul[0m");
    }

    @Test
    void aLongTextIsCutAt200CharactersNeverInsideASurrogatePair() {
        assertThat(PreviewText.of("words ".repeat(100))).hasSize(PreviewText.MAX_CHARACTERS)
                .isEqualTo(("words ".repeat(40)).substring(0, 200));
        String emoji = "\uD83D\uDE00"; // one character, two chars in Java
        String cut = PreviewText.of(emoji.repeat(300));
        assertThat(cut.codePointCount(0, cut.length())).isEqualTo(PreviewText.MAX_CHARACTERS);
        assertThat(cut).isEqualTo(emoji.repeat(200));
        assertThat(PreviewText.of("x".repeat(199) + " " + "y")).as("a space left at the cut is dropped")
                .isEqualTo("x".repeat(199));
    }

    @Test
    void nothingToShowIsTheEmptyString() {
        assertThat(PreviewText.of("")).isEmpty();
        assertThat(PreviewText.of(" \r\n\t\n")).isEmpty();
        assertThat(PreviewText.of("> all quoted\n>> too")).isEmpty();
    }

    @Test
    void aPlainMessageShowsItsBody() {
        assertThat(preview(crlf("Subject: hi", "", "Hello", "there", ""))).isEqualTo("Hello there");
    }

    @Test
    void quotedPrintableIsDecodedSoftBreaksIncluded() {
        assertThat(preview(crlf("Content-Type: text/plain; charset=iso-8859-1",
                "Content-Transfer-Encoding: quoted-printable", "", "Caf=E9 cr=E8me, a very long line that was bro=",
                "ken by the encoder", "")))
                .isEqualTo("Café crème, a very long line that was broken by the encoder");
    }

    @Test
    void htmlIsReducedToItsText() {
        assertThat(preview(crlf("Content-Type: text/html; charset=utf-8", "",
                "<html><head><style>p {color: red}</style><title>T</title></head>",
                "<body><p>Hello&nbsp;<b>bold</b> &amp; more</p><script>alert(1)</script><div>Next</div></body>",
                "<p>&Eacute;t&eacute; &AMP; na&iuml;ve &notanentity; &#x65E5;&#26412;</p></html>", "")))
                .isEqualTo("T Hello bold & more Next Été & naïve &notanentity; 日本");
    }

    @Test
    void theFirstTextPartOfAMultipartIsTheOneShown() {
        assertThat(preview(crlf("Content-Type: multipart/alternative; boundary=b", "", "preamble", "--b",
                "Content-Type: text/plain", "", "Plain version", "--b", "Content-Type: text/html", "",
                "<p>HTML version</p>", "--b--", ""))).isEqualTo("Plain version");
    }

    @Test
    void anAttachmentBeforeTheTextAndAnEmptyTextPartArePassedOver() {
        assertThat(preview(crlf("Content-Type: multipart/mixed; boundary=b", "", "--b",
                "Content-Type: image/png", "Content-Transfer-Encoding: base64", "", "iVBORw0KGgo=", "--b",
                "Content-Type: text/plain", "", "  ", "--b", "Content-Type: text/plain",
                "Content-Transfer-Encoding: base64", "", "VGhlIHJlYWwgdGV4dA==", "--b--", "")))
                .isEqualTo("The real text");
    }

    @Test
    void iso2022JpIsDecoded() {
        Charset jis = Charset.forName("ISO-2022-JP");
        byte[] header = crlf("Content-Type: text/plain; charset=ISO-2022-JP", "Content-Transfer-Encoding: 7bit", "", "")
                .getBytes(StandardCharsets.US_ASCII);
        byte[] body = "こんにちは、世界\r\n元気ですか\r\n".getBytes(jis);
        byte[] message = new byte[header.length + body.length];
        System.arraycopy(header, 0, message, 0, header.length);
        System.arraycopy(body, 0, message, header.length, body.length);
        assertThat(preview(message)).isEqualTo("こんにちは、世界 元気ですか");
    }

    @Test
    void aMessageWithoutTextHasAnEmptyPreview() {
        assertThat(preview(crlf("Content-Type: application/octet-stream", "Content-Transfer-Encoding: base64", "",
                "AAECAw==", ""))).isEmpty();
    }
}
