package dev.hato.imap.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hato.message.BaseSubject;
import dev.hato.message.MessagePart;
import dev.hato.message.SentDate;
import dev.hato.store.mail.MessageFacts;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

class MessageIndexerTest {

    private static final MessageIndexer INDEXER = new MessageIndexer(new StructureScanner(16, 64 * 1024, 10_000),
            Schedulers.boundedElastic(), MessageIndexer.DEFAULT_MAX_BODY_CHARS, 16);

    private static final String JAPANESE = "日本語のメールを検索する";

    static byte[] octets(Object... pieces) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object piece : pieces) {
            if (piece instanceof byte[] bytes) {
                out.writeBytes(bytes);
            } else {
                out.writeBytes(piece.toString().getBytes(StandardCharsets.ISO_8859_1));
            }
        }
        return out.toByteArray();
    }

    /** The message in chunks of {@code size} octets, so that every parser sees lines split across chunks. */
    static Flux<ByteBuffer> chunked(byte[] message, int size) {
        List<ByteBuffer> chunks = new ArrayList<>();
        for (int i = 0; i < message.length; i += size) {
            chunks.add(ByteBuffer.wrap(message, i, Math.min(size, message.length - i)).slice());
        }
        return Flux.fromIterable(chunks);
    }

    static MessageFacts index(byte[] message) {
        MessageFacts whole = INDEXER.index(chunked(message, Math.max(1, message.length))).block();
        for (int size : new int[] {1, 3, 7, 64}) {
            MessageFacts split = INDEXER.index(chunked(message, size)).block();
            assertThat(split.headerText()).isEqualTo(whole.headerText());
            assertThat(split.bodyText()).isEqualTo(whole.bodyText());
            assertThat(split.structure()).isEqualTo(whole.structure());
        }
        return whole;
    }

    static Stream<Arguments> japaneseCharsets() {
        return Stream.of(Arguments.of("ISO-2022-JP"), Arguments.of("Shift_JIS"), Arguments.of("EUC-JP"),
                Arguments.of("UTF-8"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("japaneseCharsets")
    void japaneseBodiesAreFoundByTheirWordsInEveryCharsetAndTransferEncoding(String charsetName) {
        Charset charset = Charset.forName(charsetName);
        byte[] text = (JAPANESE + "\r\n二行目です。\r\n").getBytes(charset);
        for (String encoding : List.of("7bit", "8bit", "base64", "quoted-printable")) {
            byte[] body = switch (encoding) {
                case "base64" -> Base64.getMimeEncoder().encode(text);
                case "quoted-printable" -> quotedPrintable(text);
                default -> text;
            };
            byte[] message = octets("From: a@example.org\r\nSubject: =?", charsetName, "?B?",
                    Base64.getEncoder().encodeToString("件名テスト".getBytes(charset)), "?=\r\n",
                    "Content-Type: text/plain; charset=\"", charsetName.toLowerCase(), "\"\r\n",
                    "Content-Transfer-Encoding: ", encoding, "\r\n\r\n", body, "\r\n");

            MessageFacts facts = index(message);

            assertThat(facts.bodyText()).as(encoding).contains("日本語のメール", "二行目");
            assertThat(facts.headerText()).as(encoding).contains("subject: 件名テスト");
        }
    }

    static byte[] quotedPrintable(byte[] octets) {
        StringBuilder out = new StringBuilder();
        int column = 0;
        for (byte b : octets) {
            int v = b & 0xFF;
            String piece = v == '\r' || v == '\n' ? String.valueOf((char) v)
                    : v >= 33 && v <= 126 && v != '=' ? String.valueOf((char) v) : String.format("=%02X", v);
            if (column + piece.length() > 72 && v != '\r' && v != '\n') {
                out.append("=\r\n");
                column = 0;
            }
            out.append(piece);
            column = v == '\n' ? 0 : column + piece.length();
        }
        return out.toString().getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void encodedWordsOfSeveralCharsetsAreDecodedAndJoinedAcrossFolding() {
        byte[] message = octets("Subject: =?ISO-2022-JP?B?GyRCRnxLXDhsGyhC?=\r\n =?ISO-2022-JP?B?GyRCJE4lRiU5JUgbKEI=?=\r\n",
                "From: =?UTF-8?Q?J=C3=BCrgen_M=C3=BCller?= <jm@example.de>\r\n",
                "To: =?EUC-JP?B?", Base64.getEncoder().encodeToString("山田".getBytes(Charset.forName("EUC-JP"))),
                "?= <yamada@example.jp>\r\n",
                "X-Raw: ", "生のUTF-8".getBytes(StandardCharsets.UTF_8), "\r\n\r\nbody\r\n");

        MessageFacts facts = index(message);

        assertThat(facts.headerText()).contains("subject: 日本語のテスト\n", "from: jürgen müller <jm@example.de>\n",
                "to: 山田 <yamada@example.jp>\n", "x-raw: 生のutf-8\n");
        assertThat(facts.sort().displayFrom()).isEqualTo("Jürgen Müller");
        assertThat(facts.sort().displayTo()).isEqualTo("山田");
        assertThat(facts.sort().from()).isEqualTo("jm");
        assertThat(facts.sort().to()).isEqualTo("yamada");
    }

    @Test
    void htmlPartsGiveTheirTextWithoutTagsAndWithEntitiesDecoded() {
        byte[] message = octets("Content-Type: multipart/alternative; boundary=b\r\n\r\npreamble\r\n--b\r\n",
                "Content-Type: text/html; charset=utf-8\r\n\r\n",
                "<html><head><style>p {color: red}</style><script>var x = 1;</script></head>",
                "<body><p>Fish &amp; chips &lt;3 &#x65E5;&#26412;</p><!-- hidden --><div>caf&eacute; o<b>k</b></div>",
                "</body></html>\r\n--b\r\nContent-Type: application/octet-stream\r\n\r\nnot text\r\n--b--\r\n",
                "epilogue\r\n");

        MessageFacts facts = index(message);

        assertThat(facts.bodyText()).contains("fish & chips <3 日本", "ok").doesNotContain("color", "var x",
                "hidden", "<p>", "not text", "preamble", "epilogue");
        assertThat(facts.preview()).isEqualTo("Fish & chips <3 日本 café ok");
    }

    @Test
    void attachedMessagesContributeTheirTextAndNestedMultipartsAreWalked() {
        byte[] message = octets("Subject: outer\r\nContent-Type: multipart/mixed; boundary=\"outer\"\r\n\r\n",
                "--outer\r\nContent-Type: text/plain\r\n\r\nouter text\r\n",
                "--outer\r\nContent-Type: message/rfc822\r\n\r\n",
                "Subject: inner\r\nContent-Type: multipart/alternative; boundary=inner\r\n\r\n",
                "--inner\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n",
                "Gr=FC=DFe aus K=F6ln=\r\n, soft break\r\n--inner--\r\n",
                "--outer--\r\n");

        MessageFacts facts = index(message);

        assertThat(facts.bodyText()).contains("outer text", "grüße aus köln, soft break");
        assertThat(facts.preview()).as("the first text part, as written, not in search form").isEqualTo("outer text");
        assertThat(facts.headerText()).contains("subject: outer").doesNotContain("inner");
        assertThat(facts.sort().baseSubject()).isEqualTo("outer");
    }

    @Test
    void aMessageThatIsAllHeaderStillHasItsFields() {
        MessageFacts facts = index(octets("Subject: only a header\r\nFrom: a@example.org"));

        assertThat(facts.headerText()).isEqualTo("subject: only a header\nfrom: a@example.org\n");
        assertThat(facts.bodyText()).isEmpty();
        assertThat(facts.sort().baseSubject()).isEqualTo("only a header");
    }

    @Test
    void searchFormFoldsWidthAndCase() {
        assertThat(MessageIndexer.searchForm("ＡＢＣ ｶﾀｶﾅ Straße")).isEqualTo("abc カタカナ straße");
    }

    @Test
    void bodyTextIsCutAtTheConfiguredSize() {
        MessageIndexer small = new MessageIndexer(new StructureScanner(16, 64 * 1024, 10_000),
                Schedulers.boundedElastic(), 100, 16);
        byte[] message = octets("Subject: big\r\n\r\n", "word ".repeat(10_000), "\r\n");

        MessageFacts facts = small.index(chunked(message, 1000)).block();

        assertThat(facts.bodyText()).hasSize(100);
    }

    static Stream<Arguments> baseSubjects() {
        return Stream.of(
                Arguments.of("Hello", "hello"),
                Arguments.of("Re: Hello", "hello"),
                Arguments.of("RE: re: Fwd: hello", "hello"),
                Arguments.of("Fw: hello (fwd)", "hello"),
                Arguments.of("hello (fwd) (FWD)  ", "hello"),
                Arguments.of("[list] Re: hello", "hello"),
                Arguments.of("Re: [list] hello", "hello"),
                Arguments.of("Re[2]: hello", "hello"),
                Arguments.of("Re [list]: hello", "hello"),
                Arguments.of("[Fwd: Re: hello]", "hello"),
                Arguments.of("[fwd: [fwd: hello] ]", "hello"),
                Arguments.of("[only a blob]", "[only a blob]"),
                Arguments.of("Re: [only a blob]", "[only a blob]"),
                Arguments.of("Rebuild:\tthe   house", "rebuild: the house"),
                Arguments.of("Re:", ""),
                Arguments.of("", ""),
                Arguments.of("[日本] Re: 会議", "[日本] re: 会議"),
                Arguments.of("Fwd:Re:  [a][b] Re: x", "x"));
    }

    @ParameterizedTest(name = "\"{0}\" → \"{1}\"")
    @MethodSource("baseSubjects")
    void baseSubjectsFollowRfc5256(String subject, String base) {
        assertThat(BaseSubject.of(subject)).isEqualTo(base);
    }

    static Stream<Arguments> dates() {
        return Stream.of(
                Arguments.of("Wed, 17 Jul 1996 02:23:25 -0700 (PDT)", "1996-07-17T09:23:25Z"),
                Arguments.of("17 Jul 1996 02:23 -0700", "1996-07-17T09:23:00Z"),
                Arguments.of("Thu, 1 Jan 98 00:00:00 EST", "1998-01-01T05:00:00Z"),
                Arguments.of("Thu, 1 Jan 04 00:00:00 GMT", "2004-01-01T00:00:00Z"),
                Arguments.of("Fri, 1 Jan 104 00:00:00 +0000", "2004-01-01T00:00:00Z"),
                Arguments.of("Mon,(comment) 2 Feb 2015\r\n 10:00:00 A", "2015-02-02T10:00:00Z"),
                Arguments.of("Sat, 31 Dec 2016 23:59:60 +0000", "2016-12-31T23:59:59Z"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dates")
    void sentDatesAreReadInCurrentAndObsoleteForms(String value, String instant) {
        assertThat(SentDate.parse(value)).isEqualTo(Instant.parse(instant));
    }

    @Test
    void unparsableDatesGiveNoSentDate() {
        assertThat(SentDate.parse("yesterday")).isNull();
        assertThat(SentDate.parse("31 Feb 2020 10:00:00 +0000")).isNull();
        assertThat(SentDate.parse("1 Jan 2020 25:00:00 +0000")).isNull();
    }

    @Test
    void threadingFieldsComeFromReferencesElseTheFirstInReplyTo() {
        byte[] withReferences = octets("Message-ID: <m3@example.org>\r\n",
                "References: <m1@example.org> (first)\r\n <m2@example.org>\r\nIn-Reply-To: <other@example.org>\r\n",
                "From: \"Doe, Jane\" <Jane.Doe@Example.org>\r\nCc: group: <X@example.org>;\r\n",
                "Date: Mon, 2 Feb 2015 10:00:00 +0900\r\n\r\n");
        byte[] withInReplyTo = octets("In-Reply-To: <p1@example.org> <p2@example.org>\r\n",
                "To: undisclosed-recipients:;\r\n\r\n");

        MessageFacts.SortFields first = index(withReferences).sort();
        MessageFacts.SortFields second = index(withInReplyTo).sort();

        assertThat(first.messageId()).isEqualTo("<m3@example.org>");
        assertThat(first.references()).containsExactly("<m1@example.org>", "<m2@example.org>");
        assertThat(first.from()).isEqualTo("jane.doe");
        assertThat(first.displayFrom()).isEqualTo("Doe, Jane");
        assertThat(first.cc()).isEqualTo("x");
        assertThat(first.sentDate()).isEqualTo(Instant.parse("2015-02-02T01:00:00Z"));
        assertThat(second.references()).containsExactly("<p1@example.org>");
        assertThat(second.messageId()).isNull();
        assertThat(second.to()).isEmpty();
        assertThat(second.displayTo()).isNull();
        assertThat(second.sentDate()).isNull();
    }

    @Test
    void theStructureIsTheScannersEncodedStructure() throws Exception {
        byte[] message = octets("Subject: s\r\nContent-Type: text/plain\r\n\r\nbody\r\n");

        MessageFacts facts = index(message);

        assertThat(MessageStructure.decode(facts.structure())).isEqualTo(
                new StructureScanner(16, 64 * 1024, 10_000).scan(new java.io.ByteArrayInputStream(message)));
    }

    static Stream<Arguments> headerEnds() {
        return Stream.of(
                Arguments.of("CRLF", octets("Subject: x\r\n", PoisonIndexer.POISON, "\r\n\r\nbody\r\n"), 29),
                Arguments.of("bare LF", octets("Subject: x\n", PoisonIndexer.POISON, "\n\nbody\n"), 26),
                Arguments.of("a CR alone is no empty line",
                        octets(PoisonIndexer.POISON, "\r\n\r\r\n\r\nbody"), 20),
                Arguments.of("an empty header", octets("\r\n", PoisonIndexer.POISON, "\r\n"), 2),
                Arguments.of("no empty line: all body", octets("Subject: x\r\n", PoisonIndexer.POISON, "\r\n"),
                        0));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("headerEnds")
    void aMessageTheParserFailsOnGetsOneOpaqueBodyAfterItsFirstEmptyLine(String name, byte[] message,
                                                                         int bodyStart) {
        PoisonIndexer poison = new PoisonIndexer();
        for (int size : new int[] {1, 2, 3, message.length}) {
            MessageFacts facts = poison.indexer.index(chunked(message, size), "a test message").block();

            MessageStructure structure = MessageStructure.decode(facts.structure());
            assertThat(structure.root()).isEqualTo(new MessagePart(0, bodyStart, message.length,
                    MessagePart.Kind.LEAF, List.of()));
            assertThat(structure.bodyStructure()).isEqualTo("(\"APPLICATION\" \"OCTET-STREAM\" NIL NIL NIL \"7BIT\" "
                    + (message.length - bodyStart) + " NIL NIL NIL NIL)");
            assertThat(structure.envelope()).isEqualTo("(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)");
            assertThat(facts.headerText()).isEmpty();
            assertThat(facts.bodyText()).isEmpty();
            assertThat(facts.preview()).as("RFC 8970 §3.2: nothing to show is the empty string").isEmpty();
        }
    }

    @Test
    void aParserRunningOutOfStackAlsoGetsTheOpaqueBodyInsteadOfHangingTheIndexer() {
        PoisonIndexer poison = new PoisonIndexer(new StackOverflowError());
        byte[] message = octets(PoisonIndexer.POISON, "\r\n\r\nbody");

        MessageFacts facts = poison.indexer.index(chunked(message, 4), "a test message")
                .block(java.time.Duration.ofSeconds(10));

        assertThat(MessageStructure.decode(facts.structure()).root().bodyStart()).isEqualTo(17);
    }

    @Test
    void aFailureToReadTheMessageIsPassedOnNotDescribed() {
        PoisonIndexer poison = new PoisonIndexer();
        Flux<ByteBuffer> unreadable = chunked(octets(PoisonIndexer.POISON, "\r\n"), 4)
                .concatWith(Flux.error(new java.io.UncheckedIOException(new java.io.IOException("disk gone"))));

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> poison.indexer.index(unreadable, "m").block())
                .hasMessageContaining("disk gone");
    }
}
