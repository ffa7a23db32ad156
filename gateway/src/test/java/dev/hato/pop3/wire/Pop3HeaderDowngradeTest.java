package dev.hato.pop3.wire;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hato.message.MessageLimits;
import dev.hato.message.MessagePart;
import dev.hato.message.MessageParser;
import dev.hato.message.MimeHeaderValue;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class Pop3HeaderDowngradeTest {

    private static final Pattern WORD = Pattern.compile("=\\?UTF-8\\?B\\?([A-Za-z0-9+/=]*)\\?=");

    @Test
    void anAsciiMessageShouldPassByteForByteWhateverTheChunks() {
        String message = "Subject: plain\r\nFrom: a@b.test\r\n\r\nbody \u00e9\r\n";
        assertThat(everySplit(message)).isEqualTo(message);
    }

    @Test
    void utf8UnstructuredAndAddressFieldsShouldBecomeAsciiAndTheBodyStayAsItWas() {
        String message = "Subject: Gr\u00fc\u00dfe aus K\u00f6ln\r\n"
                + "From: J\u00f6rg M\u00fcller <joerg@remote.test>\r\n"
                + "To: \"Ann\" <ann@example.test>, \u7528\u6237@\u4f8b\u3048.jp\r\n"
                + "Message-ID: <\u00fc@remote.test>\r\n"
                + "X-Note: ok\r\n"
                + "\r\n"
                + "K\u00f6rper\r\n";
        String out = everySplit(message);
        int bodyAt = out.indexOf("\r\n\r\n") + 4;
        String header = out.substring(0, bodyAt);
        assertThat(header.chars().allMatch(c -> c < 0x80)).as(header).isTrue();
        assertThat(out.substring(bodyAt)).isEqualTo("K\u00f6rper\r\n");
        assertThat(decoded(line(header, "Subject: "))).isEqualTo("Gr\u00fc\u00dfe aus K\u00f6ln");
        assertThat(line(header, "From: ")).endsWith(" <joerg@remote.test>\r\n");
        assertThat(decoded(line(header, "From: "))).startsWith("J\u00f6rg M\u00fcller");
        // The ASCII mailbox keeps its address; the non-ASCII one becomes an empty group named by the original.
        String to = header.substring(header.indexOf("To: "), header.indexOf("Downgraded-Message-ID"));
        assertThat(to).startsWith("To: \"Ann\" <ann@example.test>,\r\n ").endsWith(" :;\r\n");
        assertThat(decoded(to)).isEqualTo("\u7528\u6237@\u4f8b\u3048.jp");
        assertThat(header).doesNotContain("\r\nMessage-ID").contains("\r\nX-Note: ok\r\n");
        assertThat(decoded(line(header, "Downgraded-Message-ID: "))).isEqualTo("<\u00fc@remote.test>");
    }

    /** RFC 6857 §3: MIME parameters go as RFC 2231 extended values; the field keeps its name and its structure. */
    @Test
    void utf8MimeParametersShouldBecomeRfc2231ValuesAndTheContentTypeStay() {
        String name = "Gr\u00fc\u00dfe aus K\u00f6ln, ein recht langer Dateiname \u65e5\u672c.txt";
        String message = "Subject: x\r\n"
                + "Content-Type: multipart/mixed; boundary=\"b 1\"; name=\"" + name + "\"\r\n"
                + "Content-Disposition: attachment; filename=Gr\u00fc\u00dfe.txt\r\n"
                + "Content-Description: Gr\u00fc\u00dfe\r\n"
                + "\r\n--b 1--\r\n";
        String out = everySplit(message);
        String header = out.substring(0, out.indexOf("\r\n\r\n") + 4);
        assertThat(header.chars().allMatch(c -> c < 0x80)).as(header).isTrue();
        assertThat(header).doesNotContain("Downgraded-");
        assertThat(header.lines()).allMatch(l -> l.length() <= 78, "lines of at most 78 characters");
        MimeHeaderValue type = MimeHeaderValue.contentType(unfolded(line(header, "Content-Type: ")));
        assertThat(type).isNotNull();
        assertThat(type.primary() + "/" + type.subtype()).isEqualTo("MULTIPART/MIXED");
        assertThat(type.parameter("boundary")).isEqualTo("b 1");
        assertThat(type.decodedParameter("name")).isEqualTo(name);
        MimeHeaderValue disposition = MimeHeaderValue.disposition(unfolded(line(header, "Content-Disposition: ")));
        assertThat(disposition).isNotNull();
        assertThat(disposition.primary()).isEqualTo("ATTACHMENT");
        assertThat(disposition.decodedParameter("filename")).isEqualTo("Gr\u00fc\u00dfe.txt");
        assertThat(decoded(line(header, "Content-Description: "))).isEqualTo("Gr\u00fc\u00dfe");
    }

    private static String unfolded(String field) {
        return field.substring(field.indexOf(':') + 1).replace("\r\n", "");
    }

    @Test
    void encodedWordsShouldBeAtMost75CharactersAndEachAWholeNumberOfCharacters() throws Exception {
        String subject = "\u65e5\u672c\u8a9e\u306e\u4ef6\u540d".repeat(12);
        String out = everySplit("Subject: " + subject + "\r\n\r\n");
        Matcher words = WORD.matcher(out);
        StringBuilder joined = new StringBuilder();
        int count = 0;
        while (words.find()) {
            assertThat(words.group().length()).isLessThanOrEqualTo(75);
            // Decoding each word alone must succeed: no UTF-8 sequence is split between two words.
            joined.append(StandardCharsets.UTF_8.newDecoder()
                    .decode(ByteBuffer.wrap(Base64.getDecoder().decode(words.group(1)))));
            count++;
        }
        assertThat(count).isGreaterThan(1);
        assertThat(joined.toString()).isEqualTo(subject);
        for (String line : out.split("\r\n")) {
            assertThat(line.length()).isLessThanOrEqualTo(76);
        }
    }

    @Test
    void aFoldedFieldAndAMessageThatIsAllHeaderShouldBeDowngradedToo() {
        String out = everySplit("Subject: caf\u00e9\r\n au lait\r\nX-A: b");
        assertThat(decoded(line(out, "Subject: "))).isEqualTo("caf\u00e9 au lait");
        assertThat(out).endsWith("\r\nX-A: b");
    }

    @Test
    void aHeaderLongerThanTheLimitShouldPassAsItWas() {
        String message = "X-Long: " + "\u00e9".repeat(Pop3HeaderDowngrade.MAX_HEADER) + "\r\n\r\nbody";
        Pop3HeaderDowngrade downgrade = new Pop3HeaderDowngrade();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        write(out, downgrade.accept(ByteBuffer.wrap(message.getBytes(StandardCharsets.UTF_8))));
        write(out, downgrade.finish());
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(message);
    }

    /** A multipart message with UTF-8 in a part's header and in the header of an attached message (RFC 6532). */
    private static final String PARTS = "Subject: Gr\u00fc\u00dfe\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
            + "--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nK\u00f6rper\r\n"
            + "--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=Gr\u00fc\u00dfe.pdf\r\n"
            + "\r\nJVBERi0=\r\n"
            + "--b\r\nContent-Type: message/rfc822\r\n\r\nSubject: \u65e5\u672c\r\nFrom: a@b.test\r\n\r\n"
            + "\u672c\u6587\r\n--b--\r\n";

    @Test
    void withThePartsKnownEveryHeaderSectionShouldBeDowngradedAndEveryBodyStayAsItWas() {
        byte[] octets = PARTS.getBytes(StandardCharsets.UTF_8);
        MessageParser parser = MessageParser.structure(MessageLimits.DEFAULTS);
        parser.feed(octets, 0, octets.length);
        MessagePart root = parser.finish().root().part();
        String out = everySplit(PARTS, () -> Pop3HeaderDowngrade.of(root));
        // the bodies, 8-bit included, are untouched; no header line has an octet above 0x7F
        assertThat(out).contains("\r\n\r\nK\u00f6rper\r\n--b\r\n").contains("\r\n\r\n\u672c\u6587\r\n--b--\r\n");
        assertThat(out.lines().filter(line -> line.contains(":")))
                .allMatch(line -> line.chars().allMatch(c -> c < 0x80) || line.contains("\u672c\u6587"));
        assertThat(decoded(line(out, "Subject: "))).isEqualTo("Gr\u00fc\u00dfe");
        MimeHeaderValue disposition = MimeHeaderValue.disposition(unfolded(line(out, "Content-Disposition: ")));
        assertThat(disposition).isNotNull();
        assertThat(disposition.decodedParameter("filename")).isEqualTo("Gr\u00fc\u00dfe.pdf");
        String attached = out.substring(out.indexOf("message/rfc822"));
        assertThat(decoded(line(attached, "Subject: "))).isEqualTo("\u65e5\u672c");
        // without the parts, only the message's own header is rewritten
        assertThat(everySplit(PARTS)).contains("filename=Gr\u00fc\u00dfe.pdf").contains("Subject: \u65e5\u672c");
    }

    /** The output for the message fed whole, one octet at a time, and split at every offset: all must agree. */
    private static String everySplit(String message) {
        return everySplit(message, Pop3HeaderDowngrade::new);
    }

    private static String everySplit(String message, Supplier<Pop3HeaderDowngrade> downgrades) {
        byte[] octets = message.getBytes(StandardCharsets.UTF_8);
        String whole = run(octets, octets.length, downgrades.get());
        assertThat(run(octets, 1, downgrades.get())).isEqualTo(whole);
        for (int split = 1; split < octets.length; split++) {
            Pop3HeaderDowngrade downgrade = downgrades.get();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            write(out, downgrade.accept(ByteBuffer.wrap(octets, 0, split).slice()));
            write(out, downgrade.accept(ByteBuffer.wrap(octets, split, octets.length - split).slice()));
            write(out, downgrade.finish());
            assertThat(out.toString(StandardCharsets.UTF_8)).as("split at " + split).isEqualTo(whole);
        }
        return whole;
    }

    private static String run(byte[] octets, int chunk, Pop3HeaderDowngrade downgrade) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < octets.length; i += chunk) {
            write(out, downgrade.accept(ByteBuffer.wrap(octets, i, Math.min(chunk, octets.length - i)).slice()));
        }
        write(out, downgrade.finish());
        return out.toString(StandardCharsets.UTF_8);
    }

    private static void write(ByteArrayOutputStream out, ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        out.writeBytes(bytes);
    }

    /** The field starting with {@code prefix}, folded lines included, up to the next field. */
    private static String line(String header, String prefix) {
        int start = header.startsWith(prefix) ? 0 : header.indexOf("\r\n" + prefix) + 2;
        assertThat(start).as(prefix).isGreaterThanOrEqualTo(0);
        int end = start;
        do {
            end = header.indexOf("\r\n", end) + 2;
        } while (end > 1 && end < header.length() && (header.charAt(end) == ' ' || header.charAt(end) == '\t'));
        return header.substring(start, end > 1 ? end : header.length());
    }

    /** The concatenated text of the encoded words in {@code text}. */
    private static String decoded(String text) {
        Matcher words = WORD.matcher(text);
        ByteArrayOutputStream octets = new ByteArrayOutputStream();
        while (words.find()) {
            octets.writeBytes(Base64.getDecoder().decode(words.group(1)));
        }
        return octets.toString(StandardCharsets.UTF_8);
    }
}
