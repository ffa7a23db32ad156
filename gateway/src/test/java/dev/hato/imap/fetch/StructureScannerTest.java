package dev.hato.imap.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hato.message.MessagePart;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class StructureScannerTest {

    private static final StructureScanner SCANNER = new StructureScanner(16, 64 * 1024, 10_000);

    static String crlf(String... lines) {
        return String.join("\r\n", lines);
    }

    static MessageStructure scan(String message) throws IOException {
        return SCANNER.scan(new ByteArrayInputStream(message.getBytes(StandardCharsets.ISO_8859_1)));
    }

    static String slice(String message, long from, long to) {
        return message.substring((int) from, (int) to);
    }

    static String lines(int count, int width, int lastWidth, boolean lastTerminated) {
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < count - 1; i++) {
            body.append("x".repeat(width)).append("\r\n");
        }
        body.append("y".repeat(lastWidth));
        if (lastTerminated) {
            body.append("\r\n");
        }
        return body.toString();
    }

    @Test
    void theRfc3501EnvelopeExampleIsReproducedExactly() throws IOException {
        String message = crlf(
                "Date: Wed, 17 Jul 1996 02:23:25 -0700 (PDT)",
                "From: Terry Gray <gray@cac.washington.edu>",
                "Subject: IMAP4rev1 WG mtg summary and minutes",
                "To: imap@cac.washington.edu",
                "cc: minutes@CNRI.Reston.VA.US, John Klensin <KLENSIN@MIT.EDU>",
                "Message-Id: <B27397-0100000@cac.washington.edu>",
                "MIME-Version: 1.0",
                "Content-Type: TEXT/PLAIN; CHARSET=US-ASCII",
                "",
                "body");

        MessageStructure structure = scan(message);

        assertThat(structure.envelope()).isEqualTo("(\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" "
                + "\"IMAP4rev1 WG mtg summary and minutes\" "
                + "((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) "
                + "((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) "
                + "((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) "
                + "((NIL NIL \"imap\" \"cac.washington.edu\")) "
                + "((NIL NIL \"minutes\" \"CNRI.Reston.VA.US\")(\"John Klensin\" NIL \"KLENSIN\" \"MIT.EDU\")) "
                + "NIL NIL \"<B27397-0100000@cac.washington.edu>\")");
    }

    @Test
    void theRfc3501SinglePartBodyExampleCountsOctetsAndLinesOfTheBody() throws IOException {
        String message = crlf("Content-Type: TEXT/PLAIN; CHARSET=US-ASCII", "", "") + lines(92, 31, 23, true);
        assertThat(message.length() - message.indexOf("\r\n\r\n") - 4).isEqualTo(3028);

        MessageStructure structure = scan(message);

        assertThat(structure.body()).isEqualTo("(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 3028 92)");
        assertThat(structure.bodyStructure())
                .isEqualTo("(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 3028 92 NIL NIL NIL NIL)");
    }

    @Test
    void theRfc3501MultipartBodyExampleIsReproducedExactly() throws IOException {
        String message = crlf(
                "MIME-Version: 1.0",
                "Content-Type: MULTIPART/MIXED; BOUNDARY=\"8323328-2120168431-824395603=:1\"",
                "",
                "This is a preamble.",
                "--8323328-2120168431-824395603=:1",
                "Content-Type: TEXT/PLAIN; CHARSET=US-ASCII",
                "",
                lines(23, 48, 52, false),
                "--8323328-2120168431-824395603=:1",
                "Content-Type: TEXT/PLAIN; CHARSET=US-ASCII; NAME=cc.diff",
                "Content-ID: <960723163407.20117h@cac.washington.edu>",
                "Content-Description: Compiler diff",
                "Content-Transfer-Encoding: BASE64",
                "",
                lines(73, 60, 90, false),
                "--8323328-2120168431-824395603=:1--",
                "");

        MessageStructure structure = scan(message);

        assertThat(structure.body()).isEqualTo(
                "((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 1152 23)"
                        + "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\" \"NAME\" \"cc.diff\") "
                        + "\"<960723163407.20117h@cac.washington.edu>\" \"Compiler diff\" \"BASE64\" 4554 73) "
                        + "\"MIXED\")");
    }

    @Test
    void aNestedMixedWithAlternativeAndAttachmentGivesEveryPartAndItsOffsets() throws IOException {
        String alternativeHeader = "Content-Type: multipart/alternative; boundary=inner\r\n\r\n";
        String plainHeader = "Content-Type: text/plain; charset=utf-8\r\n\r\n";
        String plainBody = "Hello\r\nworld";
        String htmlHeader = "Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n";
        String htmlBody = "<p>Hello</p>";
        String attachmentHeader = "Content-Type: application/pdf; name=\"a b.pdf\"\r\n"
                + "Content-Disposition: attachment;\r\n filename=\"a b.pdf\"\r\n"
                + "Content-Transfer-Encoding: base64\r\nContent-Language: en, de\r\n"
                + "Content-Location: http://example.com/a.pdf\r\n\r\n";
        String attachmentBody = "JVBERi0xLjQK\r\nJSVFT0YK";
        String alternativeBody = "--inner\r\n" + plainHeader + plainBody + "\r\n--inner\r\n" + htmlHeader + htmlBody
                + "\r\n--inner--\r\n";
        String message = "From: a@example.com\r\nSubject: nested\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: multipart/mixed; boundary=\"outer\"\r\n\r\n"
                + "preamble\r\n--outer\r\n" + alternativeHeader + alternativeBody + "\r\n--outer\r\n"
                + attachmentHeader + attachmentBody + "\r\n--outer--\r\nepilogue\r\n";

        MessageStructure structure = scan(message);

        assertThat(structure.bodyStructure()).isEqualTo("("
                + "((\"TEXT\" \"PLAIN\" (\"charset\" \"utf-8\") NIL NIL \"7BIT\" 12 2 NIL NIL NIL NIL)"
                + "(\"TEXT\" \"HTML\" (\"charset\" \"utf-8\") NIL NIL \"QUOTED-PRINTABLE\" 12 1 NIL NIL NIL NIL)"
                + " \"ALTERNATIVE\" (\"boundary\" \"inner\") NIL NIL NIL)"
                + "(\"APPLICATION\" \"PDF\" (\"name\" \"a b.pdf\") NIL NIL \"BASE64\" 22 NIL"
                + " (\"ATTACHMENT\" (\"filename\" \"a b.pdf\")) (\"en\" \"de\") \"http://example.com/a.pdf\")"
                + " \"MIXED\" (\"boundary\" \"outer\") NIL NIL NIL)");
        assertThat(structure.body()).isEqualTo("("
                + "((\"TEXT\" \"PLAIN\" (\"charset\" \"utf-8\") NIL NIL \"7BIT\" 12 2)"
                + "(\"TEXT\" \"HTML\" (\"charset\" \"utf-8\") NIL NIL \"QUOTED-PRINTABLE\" 12 1) \"ALTERNATIVE\")"
                + "(\"APPLICATION\" \"PDF\" (\"name\" \"a b.pdf\") NIL NIL \"BASE64\" 22) \"MIXED\")");

        assertPart(message, structure.root().section(1).orElseThrow(), alternativeHeader, alternativeBody);
        assertPart(message, structure.root().section(1, 1).orElseThrow(), plainHeader, plainBody);
        assertPart(message, structure.root().section(1, 2).orElseThrow(), htmlHeader, htmlBody);
        assertPart(message, structure.root().section(2).orElseThrow(), attachmentHeader, attachmentBody);
        MessagePart root = structure.root().section().orElseThrow();
        assertThat(root.headerStart()).isZero();
        assertThat(root.end()).isEqualTo(message.length());
        assertThat(slice(message, root.bodyStart(), root.end())).startsWith("preamble\r\n--outer\r\n");
        assertThat(structure.root().section(3)).isEmpty();
        assertThat(structure.root().section(1, 1, 1)).isEmpty();
    }

    /** The MIME header of a part is exactly its header lines and blank line; its body ends before the boundary CRLF. */
    static void assertPart(String message, MessagePart part, String header, String body) {
        assertThat(slice(message, part.headerStart(), part.bodyStart())).isEqualTo(header);
        assertThat(slice(message, part.bodyStart(), part.end())).isEqualTo(body);
    }

    @Test
    void anEncapsulatedMessageGetsItsEnvelopeStructureLinesAndSectionNumbers() throws IOException {
        String innerHeader = "From: Inner <inner@example.org>\r\nSubject: forwarded\r\n"
                + "Content-Type: multipart/mixed; boundary=in\r\n\r\n";
        String innerFirst = "Content-Type: text/plain\r\n\r\n";
        String innerBody = "--in\r\n" + innerFirst + "one\r\n--in\r\n\r\ntwo\r\n--in--\r\n";
        String partHeader = "Content-Type: message/rfc822\r\n\r\n";
        String message = "From: outer@example.com\r\nContent-Type: multipart/mixed; boundary=out\r\n\r\n"
                + "--out\r\n\r\nsee attached\r\n--out\r\n" + partHeader + innerHeader + innerBody
                + "\r\n--out--\r\n";

        MessageStructure structure = scan(message);

        String innerEnvelope = "(NIL \"forwarded\" ((\"Inner\" NIL \"inner\" \"example.org\")) "
                + "((\"Inner\" NIL \"inner\" \"example.org\")) ((\"Inner\" NIL \"inner\" \"example.org\")) "
                + "NIL NIL NIL NIL NIL)";
        int rfc822Size = innerHeader.length() + innerBody.length();
        assertThat(structure.body()).isEqualTo("("
                + "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 12 1)"
                + "(\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" " + rfc822Size + " " + innerEnvelope + " "
                + "((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 3 1)"
                + "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 3 1) \"MIXED\") 12)"
                + " \"MIXED\")");

        MessagePart attached = structure.root().section(2).orElseThrow();
        assertThat(attached.kind()).isEqualTo(MessagePart.Kind.MESSAGE);
        assertPart(message, attached, partHeader, innerHeader + innerBody);
        MessagePart encapsulated = attached.children().get(0);
        assertThat(slice(message, encapsulated.headerStart(), encapsulated.bodyStart())).isEqualTo(innerHeader);
        assertPart(message, structure.root().section(2, 1).orElseThrow(), innerFirst, "one");
        assertPart(message, structure.root().section(2, 2).orElseThrow(), "\r\n", "two");
    }

    @Test
    void rfc2231ParametersAreReturnedAsTheyAppearWithoutJoiningOrDecoding() throws IOException {
        String message = crlf(
                "Content-Type: application/x-stuff;",
                " title*0*=us-ascii'en'This%20is%20even%20more%20;",
                " title*1*=%2A%2A%2Afun%2A%2A%2A%20;",
                " title*2=\"isn't it!\"",
                "Content-Disposition: attachment; filename*0*=utf-8''%E2%82%AC;",
                " filename*1=\"rates.txt\"",
                "",
                "data");

        MessageStructure structure = scan(message);

        assertThat(structure.bodyStructure()).isEqualTo("(\"APPLICATION\" \"X-STUFF\" ("
                + "\"title*0*\" \"us-ascii'en'This%20is%20even%20more%20\" "
                + "\"title*1*\" \"%2A%2A%2Afun%2A%2A%2A%20\" \"title*2\" \"isn't it!\") NIL NIL \"7BIT\" 4 NIL "
                + "(\"ATTACHMENT\" (\"filename*0*\" \"utf-8''%E2%82%AC\" \"filename*1\" \"rates.txt\")) NIL NIL)");
    }

    @Test
    void anIso2022JpEncodedWordSubjectIsReturnedAsInTheMessageAnd8BitOctetsGoInALiteral() throws IOException {
        String message = crlf(
                "Subject: =?ISO-2022-JP?B?GyRCJUYlOSVIGyhC?=",
                "From: =?ISO-2022-JP?B?GyRCOzNFRBsoQg==?= <yamada@example.jp>",
                "To: J\u00f6rg <joerg@example.de>",
                "",
                "body");

        MessageStructure structure = scan(message);

        assertThat(structure.envelope()).isEqualTo("(NIL \"=?ISO-2022-JP?B?GyRCJUYlOSVIGyhC?=\" "
                + "((\"=?ISO-2022-JP?B?GyRCOzNFRBsoQg==?=\" NIL \"yamada\" \"example.jp\")) "
                + "((\"=?ISO-2022-JP?B?GyRCOzNFRBsoQg==?=\" NIL \"yamada\" \"example.jp\")) "
                + "((\"=?ISO-2022-JP?B?GyRCOzNFRBsoQg==?=\" NIL \"yamada\" \"example.jp\")) "
                + "(({4}\r\nJ\u00f6rg NIL \"joerg\" \"example.de\")) NIL NIL NIL NIL)");
    }

    @Test
    void aMessageWithoutMimeVersionIsUsAsciiTextPlainIn7Bit() throws IOException {
        String message = crlf("From: someone@example.com", "Subject: old", "", "line one", "line two", "");

        MessageStructure structure = scan(message);

        assertThat(structure.bodyStructure())
                .isEqualTo("(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 20 2 NIL NIL NIL NIL)");
        assertThat(structure.root().kind()).isEqualTo(MessagePart.Kind.LEAF);
        assertPart(message, structure.root().section(1).orElseThrow(),
                "From: someone@example.com\r\nSubject: old\r\n\r\n", "line one\r\nline two\r\n");
    }

    @Test
    void groupsBecomeStartAndEndMarkersAndAnEmptyToIsNil() throws IOException {
        String message = crlf(
                "From: Team: alice@example.com, \"Bob B.\" <bob@example.com>;, carol@example.com (Carol C)",
                "To:",
                "Cc: undisclosed-recipients:;",
                "Reply-To: <@relay.example,@gw.example:dave@example.net>",
                "",
                "");

        MessageStructure structure = scan(message);

        String from = "((NIL NIL \"Team\" NIL)(NIL NIL \"alice\" \"example.com\")(\"Bob B.\" NIL \"bob\" \"example.com\")"
                + "(NIL NIL NIL NIL)(\"Carol C\" NIL \"carol\" \"example.com\"))";
        assertThat(structure.envelope()).isEqualTo("(NIL NIL " + from + " " + from
                + " ((NIL \"@relay.example,@gw.example\" \"dave\" \"example.net\")) NIL "
                + "((NIL NIL \"undisclosed-recipients\" NIL)(NIL NIL NIL NIL)) NIL NIL NIL)");
    }

    @Test
    void strayAddressSyntaxIsSkippedAndNeverStopsTheParse() throws IOException {
        String message = crlf("To: g: >, :, <>, @, x@y >; \"unterminated", "Cc: (only a comment)", "", "");

        MessageStructure structure = scan(message);

        assertThat(structure.envelope()).isEqualTo("(NIL NIL NIL NIL NIL ((NIL NIL \"g\" NIL)"
                + "(NIL NIL \"MISSING_MAILBOX\" \"MISSING_DOMAIN\")(NIL NIL \"MISSING_MAILBOX\" \"MISSING_DOMAIN\")"
                + "(NIL NIL \"x\" \"y\")(NIL NIL NIL NIL)(NIL NIL \"\\\"unterminated\\\"\" \"MISSING_DOMAIN\")) "
                + "NIL NIL NIL NIL)");
    }

    @Test
    void aMissingFinalBoundaryEndsTheMultipartAtTheEndOfTheMessage() throws IOException {
        String message = "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\nfirst\r\n--b\r\n"
                + "Content-Type: text/plain; charset=us-ascii\r\n\r\nsecond\r\nstill second\r\n";

        MessageStructure structure = scan(message);

        assertThat(structure.body()).isEqualTo("((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 5 1)"
                + "(\"TEXT\" \"PLAIN\" (\"charset\" \"us-ascii\") NIL NIL \"7BIT\" 22 2) \"MIXED\")");
        MessagePart second = structure.root().section(2).orElseThrow();
        assertThat(second.end()).isEqualTo(message.length());
        assertThat(slice(message, second.bodyStart(), second.end())).isEqualTo("second\r\nstill second\r\n");
    }

    @Test
    void aMultipartWithoutAnyBoundaryLineGetsOneEmptyTextPart() throws IOException {
        String message = "Content-Type: multipart/mixed; boundary=never\r\n\r\nno parts here\r\n";

        MessageStructure structure = scan(message);

        assertThat(structure.body())
                .isEqualTo("((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 0 0) \"MIXED\")");
    }

    @Test
    void aSimpleMessageGetsTheBodystructureDovecotReturnsForIt() throws IOException {
        // What Dovecot 2.3 returns for this message, written from RFC 3501 §7.4.2 (no network): parameters and
        // encoding as given, size in octets of the body, lines = LFs of the body, extension data in full.
        // ("TEXT" "PLAIN" ("CHARSET" "UTF-8" "FORMAT" "flowed") NIL NIL "8BIT" 10 2 NIL NIL NIL NIL)
        String message = crlf("Content-Type: TEXT/PLAIN; CHARSET=UTF-8; FORMAT=flowed",
                "Content-Transfer-Encoding: 8bit", "", "Gr\u00fc\u00dfe", "x", "");

        assertThat(scan(message).bodyStructure()).isEqualTo(
                "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"UTF-8\" \"FORMAT\" \"flowed\") NIL NIL \"8BIT\" 10 2 NIL NIL NIL NIL)");
    }

    @Test
    void anInlineImageInRelatedGetsTheBodystructureDovecotReturnsForIt() throws IOException {
        // What Dovecot 2.3 returns for this message, written from RFC 3501 §7.4.2 (no network): the HTML part's
        // body is "<img src=cid:i1>" CRLF (the CRLF before the boundary belongs to the boundary), the image has
        // id, disposition with its parameters and no line count; the multipart has its parameters and NIL
        // disposition, language and location.
        String message = "Content-Type: MULTIPART/RELATED; BOUNDARY=\"r\"; TYPE=\"text/html\"\r\n\r\n"
                + "--r\r\nContent-Type: TEXT/HTML; CHARSET=UTF-8\r\n\r\n<img src=cid:i1>\r\n\r\n"
                + "--r\r\nContent-Type: IMAGE/PNG\r\nContent-ID: <i1>\r\nContent-Transfer-Encoding: BASE64\r\n"
                + "Content-Disposition: INLINE; FILENAME=\"i.png\"\r\n\r\niVBORw0KGgo=\r\n--r--\r\n";

        assertThat(scan(message).bodyStructure()).isEqualTo("("
                + "(\"TEXT\" \"HTML\" (\"CHARSET\" \"UTF-8\") NIL NIL \"7BIT\" 18 1 NIL NIL NIL NIL)"
                + "(\"IMAGE\" \"PNG\" NIL \"<i1>\" NIL \"BASE64\" 12 NIL (\"INLINE\" (\"FILENAME\" \"i.png\")) NIL NIL)"
                + " \"RELATED\" (\"BOUNDARY\" \"r\" \"TYPE\" \"text/html\") NIL NIL NIL)");
    }

    @Test
    void theResultDoesNotDependOnHowTheStreamIsChunked() throws IOException {
        String message = "Subject: chunks\r\nContent-Type: multipart/mixed; boundary=c\r\n\r\n--c\r\n"
                + "Content-Type: message/rfc822\r\n\r\nSubject: in\r\n\r\nhi\r\n--c\r\n\r\nb\r\n--c--\r\n";
        InputStream oneOctetAtATime = new FilterInputStream(
                new ByteArrayInputStream(message.getBytes(StandardCharsets.ISO_8859_1))) {
            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                return super.read(buffer, offset, Math.min(length, 1));
            }
        };

        assertThat(SCANNER.scan(oneOctetAtATime)).isEqualTo(scan(message));
    }

    @Test
    void bareLineFeedsEndLinesAndCountAsOneOctetEach() throws IOException {
        String message = "Content-Type: multipart/mixed; boundary=n\n\n--n\nContent-Type: text/plain\n\none\ntwo\n--n--\n";

        MessageStructure structure = scan(message);

        assertThat(structure.body())
                .isEqualTo("((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 7 2) \"MIXED\")");
        assertPart(message, structure.root().section(1).orElseThrow(), "Content-Type: text/plain\n\n", "one\ntwo");
    }

    @Test
    void partsBeyondTheDepthLimitAreOpaqueLeaves() throws IOException {
        StructureScanner shallow = new StructureScanner(1, 998, 100);
        String message = "Content-Type: multipart/mixed; boundary=a\r\n\r\n--a\r\n"
                + "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\nx\r\n--b--\r\n--a--\r\n";

        MessageStructure structure = shallow.scan(new ByteArrayInputStream(message.getBytes(StandardCharsets.ISO_8859_1)));

        assertThat(structure.body())
                .isEqualTo("((\"APPLICATION\" \"OCTET-STREAM\" NIL NIL NIL \"7BIT\" 15) \"MIXED\")");
    }

    @Test
    void aMessageOfTooManyPartsIsDescribedAsOneOpaqueBodyAfterItsHeader() throws IOException {
        StructureScanner small = new StructureScanner(4, 998, 2);
        String header = "Subject: parts\r\nFrom: a@example.org\r\nContent-Type: multipart/mixed; boundary=a\r\n\r\n";
        String body = "--a\r\n\r\n1\r\n--a\r\n\r\n2\r\n--a--\r\n";

        MessageStructure structure = small.scan(new ByteArrayInputStream((header + body)
                .getBytes(StandardCharsets.ISO_8859_1)));

        assertThat(structure.bodyStructure()).isEqualTo("(\"APPLICATION\" \"OCTET-STREAM\" NIL NIL NIL \"7BIT\" "
                + body.length() + " NIL NIL NIL NIL)");
        assertThat(structure.envelope()).startsWith("(NIL \"parts\" ((NIL NIL \"a\" \"example.org\"))");
        assertThat(structure.root().bodyStart()).isEqualTo(header.length());
        assertThat(structure.root().end()).isEqualTo(header.length() + body.length());
        assertThat(structure.root().section(1)).get().extracting(MessagePart::bodyStart)
                .isEqualTo((long) header.length());
    }

    @Test
    void anOverlongReportedFieldIsLeftOutAndTheRestDescribed() throws IOException {
        StructureScanner small = new StructureScanner(4, 998, 10);
        String message = "Subject: " + "s".repeat(1200) + "\r\nFrom: a@example.org\r\nContent-Type: multipart/mixed;"
                + " boundary=a\r\n\r\n--a\r\nContent-Type: text/html;\r\n" + " x=y;\r\n".repeat(200)
                + "\r\n<p>1</p>\r\n--a--\r\n";

        MessageStructure structure = small.scan(new ByteArrayInputStream(message.getBytes(StandardCharsets.ISO_8859_1)));

        assertThat(structure.envelope()).startsWith("(NIL NIL ((NIL NIL \"a\" \"example.org\"))");
        // the part's Content-Type folded past the limit is left out: text/plain, as RFC 2045 §5.2 says without one
        assertThat(structure.body()).isEqualTo("((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 8 1)"
                + " \"MIXED\")");
    }

    @Test
    void aVeryLongBodyLineCostsNoMoreThanItsCountedOctets() throws IOException {
        String body = "z".repeat(200_000);
        String message = "Content-Type: multipart/mixed; boundary=q\r\n\r\n--q\r\n\r\n" + body + "\r\n--q--\r\n";

        MessageStructure structure = scan(message);

        assertPart(message, structure.root().section(1).orElseThrow(), "\r\n", body);
        assertThat(structure.body()).contains("\"7BIT\" 200000 1)");
    }
}
