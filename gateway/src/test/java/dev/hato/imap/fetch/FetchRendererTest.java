package dev.hato.imap.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hato.imap.wire.FetchAttribute;
import dev.hato.imap.wire.ImapCommand;
import dev.hato.imap.wire.ImapCommandParser;
import dev.hato.message.UnknownTransferEncodingException;
import dev.hato.store.mail.MessageFacts;
import dev.hato.store.mail.Blobs;
import dev.hato.store.mail.MessageMeta;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

class FetchRendererTest {

    private static final StructureScanner SCANNER = new StructureScanner(16, 64 * 1024, 10_000);
    private static final MessageIndexer INDEXER = new MessageIndexer(SCANNER, Schedulers.boundedElastic(),
            MessageIndexer.DEFAULT_MAX_BODY_CHARS, 16);
    private static final ImapCommandParser PARSER = new ImapCommandParser(16);

    static String crlf(String... lines) {
        return String.join("\r\n", lines);
    }

    static final String NESTED = crlf(
            "From: a@example.org",
            "Subject: =?ISO-2022-JP?B?GyRCRnxLXDhsGyhC?=",
            "Content-Type: multipart/mixed; boundary=\"outer\"",
            "",
            "preamble",
            "--outer",
            "Content-Type: text/plain; charset=us-ascii",
            "",
            "part one",
            "--outer",
            "Content-Type: multipart/alternative; boundary=\"inner\"",
            "",
            "--inner",
            "Content-Type: text/plain",
            "",
            "inner plain",
            "--inner",
            "Content-Type: text/html",
            "",
            "<p>inner html</p>",
            "--inner--",
            "--outer",
            "Content-Type: message/rfc822",
            "",
            "Subject: attached",
            "From: b@example.org",
            "Content-Type: multipart/mixed; boundary=att",
            "",
            "--att",
            "Content-Type: text/plain",
            "",
            "attached text",
            "--att",
            "Content-Type: application/octet-stream",
            "Content-Transfer-Encoding: base64",
            "",
            "AAECAw==",
            "--att--",
            "--outer",
            "Content-Type: application/pdf; name*0*=utf-8''%E6%97%A5; name*1=\"x.pdf\"",
            "Content-Transfer-Encoding: BASE64",
            "",
            "aGVsbG8g",
            "d29ybGQ=",
            "--outer",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: quoted-printable",
            "",
            "caf=C3=A9 =3D ok  =",
            " end",
            "--outer",
            "Content-Type: application/x-thing",
            "Content-Transfer-Encoding: x-uuencode",
            "",
            "begin 644 x",
            "--outer--",
            "");

    static final String SINGLE = crlf(
            "Date: Wed, 17 Jul 1996 02:23:25 -0700 (PDT)",
            "From: Terry Gray <gray@cac.washington.edu>",
            "Subject: hello",
            "",
            "line one",
            "line two",
            "");

    /** A store stand-in holding blobs in memory, handing them out in 5-octet chunks so that ranges cross chunks. */
    static final class MemorySource implements Blobs {
        final byte[] message;
        byte[] structure;
        final List<MessageFacts> stored = new ArrayList<>();
        final AtomicInteger reads = new AtomicInteger();
        final AtomicInteger structureReads = new AtomicInteger();
        /** How many leading octets {@link #heads} answers for, as the PostgreSQL store answers within a chunk. */
        int headLimit = Integer.MAX_VALUE;

        MemorySource(byte[] message, boolean withStructure) {
            this.message = message;
            try {
                this.structure = withStructure ? SCANNER.scan(new ByteArrayInputStream(message)).encode() : null;
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }

        @Override
        public Flux<ByteBuffer> content(long blobId) {
            return Flux.defer(() -> {
                reads.incrementAndGet();
                List<ByteBuffer> chunks = new ArrayList<>();
                for (int i = 0; i < message.length; i += 5) {
                    chunks.add(ByteBuffer.wrap(message, i, Math.min(5, message.length - i)).slice().asReadOnlyBuffer());
                }
                return Flux.fromIterable(chunks);
            });
        }

        @Override
        public Mono<byte[]> structure(long blobId) {
            return Mono.fromRunnable(structureReads::incrementAndGet).then(Mono.justOrEmpty(structure));
        }

        @Override
        public Mono<Map<Long, byte[]>> structures(Collection<Long> blobIds) {
            return Mono.fromSupplier(() -> structure == null ? Map.of() : Map.of(blobIds.iterator().next(), structure));
        }

        @Override
        public Mono<Map<Long, ByteBuffer>> heads(Map<Long, Integer> lengths) {
            return Mono.fromSupplier(() -> {
                Map<Long, ByteBuffer> heads = new HashMap<>();
                lengths.forEach((blobId, length) -> {
                    if (length <= Math.min(headLimit, message.length)) {
                        heads.put(blobId, ByteBuffer.wrap(Arrays.copyOf(message, length)));
                    }
                });
                return heads;
            });
        }

        @Override
        public Mono<Map<Long, String>> previews(Collection<Long> blobIds) {
            return Mono.just(Map.of());
        }

        @Override
        public Mono<Void> storePreview(long blobId, String preview) {
            return Mono.empty();
        }

        @Override
        public Mono<Void> storeFacts(long blobId, MessageFacts facts) {
            return Mono.fromRunnable(() -> {
                stored.add(facts);
                structure = facts.structure();
            });
        }
    }

    static MessageMeta meta(byte[] message) {
        return new MessageMeta(1, 2, 42, 7, 9, message.length, Instant.parse("1996-07-03T09:44:25Z"),
                Set.of("\\Seen", "\\Answered"));
    }

    static List<FetchAttribute> attributes(String items) {
        ImapCommand command = PARSER.parse(("a FETCH 1 " + items).getBytes(StandardCharsets.US_ASCII));
        assertThat(command).isInstanceOf(ImapCommand.Fetch.class);
        return ((ImapCommand.Fetch) command).attributes();
    }

    static String render(Blobs source, byte[] message, String items, FetchOptions options) {
        FetchRenderer renderer = new FetchRenderer(source, INDEXER, ZoneOffset.ofHours(-7));
        return text(renderer.render(3, meta(message), attributes(items), options));
    }

    /** As a FETCH of many messages renders: after {@link FetchRenderer#prefetch} for the window. */
    static String renderPrefetched(Blobs source, byte[] message, String items) {
        FetchRenderer renderer = new FetchRenderer(source, INDEXER, ZoneOffset.ofHours(-7));
        List<FetchAttribute> attributes = attributes(items);
        FetchRenderer.Prefetched window = renderer.prefetch(List.of(meta(message)), attributes).block();
        return text(renderer.render(3, meta(message), attributes, FetchOptions.NONE, window));
    }

    /** The rendered octets, one char each. */
    static String text(Flux<ByteBuffer> rendered) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        rendered.toIterable().forEach(chunk -> {
            byte[] octets = new byte[chunk.remaining()];
            chunk.duplicate().get(octets);
            out.writeBytes(octets);
        });
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    static String render(String message, String items) {
        byte[] octets = message.getBytes(StandardCharsets.ISO_8859_1);
        return render(new MemorySource(octets, true), octets, items, FetchOptions.NONE);
    }

    static String literal(String name, String content) {
        return name + " {" + content.length() + "}\r\n" + content;
    }

    static String between(String message, String from, String to) {
        int start = message.indexOf(from);
        return message.substring(start, message.indexOf(to, start));
    }

    static Stream<Arguments> sections() {
        String attached = between(NESTED, "Subject: attached", "\r\n--outer\r\nContent-Type: application/pdf");
        String header = NESTED.substring(0, NESTED.indexOf("\r\n\r\n") + 4);
        return Stream.of(
                Arguments.of(NESTED, "BODY[1]", literal("BODY[1]", "part one")),
                Arguments.of(NESTED, "BODY.PEEK[2.1]", literal("BODY[2.1]", "inner plain")),
                Arguments.of(NESTED, "BODY[2.2.MIME]", literal("BODY[2.2.MIME]", "Content-Type: text/html\r\n\r\n")),
                Arguments.of(NESTED, "BODY[3]", literal("BODY[3]", attached)),
                Arguments.of(NESTED, "BODY[3.HEADER]", literal("BODY[3.HEADER]", crlf("Subject: attached",
                        "From: b@example.org", "Content-Type: multipart/mixed; boundary=att", "", ""))),
                Arguments.of(NESTED, "BODY[3.TEXT]", literal("BODY[3.TEXT]",
                        attached.substring(attached.indexOf("--att\r\n")))),
                Arguments.of(NESTED, "BODY[3.1]", literal("BODY[3.1]", "attached text")),
                Arguments.of(NESTED, "BODY[3.2]", literal("BODY[3.2]", "AAECAw==")),
                Arguments.of(NESTED, "BODY[3.HEADER.FIELDS (FROM)]",
                        literal("BODY[3.HEADER.FIELDS (FROM)]", "From: b@example.org\r\n\r\n")),
                Arguments.of(NESTED, "BODY[7]", "BODY[7] NIL"),
                Arguments.of(NESTED, "BODY[1.HEADER]", "BODY[1.HEADER] NIL"),
                Arguments.of(NESTED, "BODY[HEADER]", literal("BODY[HEADER]", header)),
                Arguments.of(NESTED, "BODY[HEADER.FIELDS (Subject from)]",
                        literal("BODY[HEADER.FIELDS (Subject from)]", crlf("From: a@example.org",
                                "Subject: =?ISO-2022-JP?B?GyRCRnxLXDhsGyhC?=", "", ""))),
                Arguments.of(NESTED, "BODY[HEADER.FIELDS.NOT (Content-Type X-None)]",
                        literal("BODY[HEADER.FIELDS.NOT (Content-Type X-None)]", crlf("From: a@example.org",
                                "Subject: =?ISO-2022-JP?B?GyRCRnxLXDhsGyhC?=", "", ""))),
                Arguments.of(NESTED, "BODY[TEXT]", literal("BODY[TEXT]", NESTED.substring(header.length()))),
                Arguments.of(NESTED, "RFC822.HEADER", literal("RFC822.HEADER", header)),
                Arguments.of(NESTED, "RFC822.TEXT", literal("RFC822.TEXT", NESTED.substring(header.length()))),
                Arguments.of(NESTED, "RFC822", literal("RFC822", NESTED)),
                Arguments.of(NESTED, "BODY[]", literal("BODY[]", NESTED)),
                Arguments.of(NESTED, "BODY[]<0.100>", literal("BODY[]<0>", NESTED.substring(0, 100))),
                Arguments.of(NESTED, "BODY[]<" + (NESTED.length() - 3) + ".10>",
                        literal("BODY[]<" + (NESTED.length() - 3) + ">", NESTED.substring(NESTED.length() - 3))),
                Arguments.of(NESTED, "BODY[]<" + NESTED.length() + ".10>", "BODY[]<" + NESTED.length() + "> {0}\r\n"),
                Arguments.of(NESTED, "BODY[]<99999.1>", "BODY[]<99999> {0}\r\n"),
                // RFC 9051 §9 partial takes number64: numbers past any size neither overflow nor fail
                Arguments.of(NESTED, "BODY[]<9223372036854775807.9223372036854775807>",
                        "BODY[]<9223372036854775807> {0}\r\n"),
                Arguments.of(NESTED, "BODY[]<1.9223372036854775807>", literal("BODY[]<1>", NESTED.substring(1))),
                Arguments.of(NESTED, "BODY[1]<1.9223372036854775807>", literal("BODY[1]<1>", "art one")),
                Arguments.of(NESTED, "BODY[1]<0.1>", literal("BODY[1]<0>", "p")),
                Arguments.of(NESTED, "BODY[1]<7.1>", literal("BODY[1]<7>", "e")),
                Arguments.of(NESTED, "BODY[1]<7.5>", literal("BODY[1]<7>", "e")),
                Arguments.of(NESTED, "BODY[1]<8.1>", "BODY[1]<8> {0}\r\n"),
                Arguments.of(NESTED, "BODY[HEADER.FIELDS (FROM)]<6.5>",
                        literal("BODY[HEADER.FIELDS (FROM)]<6>", "a@exa")),
                Arguments.of(NESTED, "BINARY[3.2]", "BINARY[3.2] ~{4}\r\n\0\1\2\3"),
                Arguments.of(NESTED, "BINARY.PEEK[3.2]<1.2>", "BINARY[3.2]<1> ~{2}\r\n\1\2"),
                Arguments.of(NESTED, "BINARY.SIZE[3.2]", "BINARY.SIZE[3.2] 4"),
                Arguments.of(NESTED, "BINARY[4]", literal("BINARY[4]", "hello world")),
                Arguments.of(NESTED, "BINARY[4]<6.100>", literal("BINARY[4]<6>", "world")),
                Arguments.of(NESTED, "BINARY[4]<11.1>", "BINARY[4]<11> {0}\r\n"),
                Arguments.of(NESTED, "BINARY[4]<6.9223372036854775807>", literal("BINARY[4]<6>", "world")),
                Arguments.of(NESTED, "BINARY.SIZE[4]", "BINARY.SIZE[4] 11"),
                Arguments.of(NESTED, "BINARY[5]", literal("BINARY[5]", "caf\u00C3\u00A9 = ok   end")),
                Arguments.of(NESTED, "BINARY[1]", literal("BINARY[1]", "part one")),
                Arguments.of(NESTED, "BINARY[9]", "BINARY[9] NIL"),
                Arguments.of(NESTED, "BINARY[]", literal("BINARY[]", NESTED)),
                Arguments.of("Subject: no body\r\nFrom: a@example.org", "BODY[HEADER.FIELDS (FROM)]",
                        literal("BODY[HEADER.FIELDS (FROM)]", "From: a@example.org\r\n")),
                Arguments.of("Subject: no body\r\nFrom: a@example.org", "BODY[TEXT]", "BODY[TEXT] {0}\r\n"),
                Arguments.of("Subject: bare\nFrom: a@example.org\n\nbody\n", "BODY[HEADER.FIELDS (SUBJECT)]",
                        literal("BODY[HEADER.FIELDS (SUBJECT)]", "Subject: bare\n\r\n")),
                Arguments.of(SINGLE, "BODY[1]", literal("BODY[1]", "line one\r\nline two\r\n")),
                Arguments.of(SINGLE, "BODY[TEXT]", literal("BODY[TEXT]", "line one\r\nline two\r\n")),
                Arguments.of(SINGLE, "BODY[2]", "BODY[2] NIL"),
                Arguments.of(SINGLE, "BINARY.SIZE[1]", "BINARY.SIZE[1] 20"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("sections")
    void sectionsAreTheOctetsRfc3501AndRfc3516Name(String message, String item, String expected) {
        assertThat(render(message, "(" + item + ")")).isEqualTo("* 3 FETCH (" + expected + ")\r\n");
        byte[] octets = message.getBytes(StandardCharsets.ISO_8859_1);
        assertThat(renderPrefetched(new MemorySource(octets, true), octets, "(" + item + ")"))
                .as("rendered after a read-ahead").isEqualTo("* 3 FETCH (" + expected + ")\r\n");
    }

    @Test
    void aReadAheadWindowServesStructureAndHeaderFieldsWithoutReadingTheMessage() {
        byte[] octets = NESTED.getBytes(StandardCharsets.ISO_8859_1);
        MemorySource source = new MemorySource(octets, true);

        String response = renderPrefetched(source, octets, "(UID RFC822.SIZE BODY.PEEK[HEADER.FIELDS (FROM)])");

        assertThat(response).isEqualTo("* 3 FETCH (UID 42 RFC822.SIZE " + octets.length + " "
                + literal("BODY[HEADER.FIELDS (FROM)]", "From: a@example.org\r\n\r\n") + ")\r\n");
        assertThat(source.reads).as("message reads").hasValue(0);
        assertThat(source.structureReads).as("single structure reads").hasValue(0);
    }

    @Test
    void aHeaderTheStoreCannotReadAheadIsReadWithTheMessage() {
        byte[] octets = NESTED.getBytes(StandardCharsets.ISO_8859_1);
        MemorySource source = new MemorySource(octets, true);
        source.headLimit = 10;

        String response = renderPrefetched(source, octets, "(BODY.PEEK[HEADER.FIELDS (FROM)] RFC822.HEADER)");

        assertThat(response).startsWith("* 3 FETCH (" + literal("BODY[HEADER.FIELDS (FROM)]",
                "From: a@example.org\r\n\r\n") + " RFC822.HEADER {");
        assertThat(source.reads).as("message reads").hasValue(2);
        assertThat(source.structureReads).as("single structure reads").hasValue(0);
    }

    @Test
    void aReadAheadWithoutStoredStructureLeavesTheBackfillToRendering() {
        byte[] octets = SINGLE.getBytes(StandardCharsets.ISO_8859_1);
        MemorySource source = new MemorySource(octets, false);

        String response = renderPrefetched(source, octets, "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])");

        assertThat(response).startsWith("* 3 FETCH (BODY[HEADER.FIELDS (SUBJECT)] {");
        assertThat(source.stored).hasSize(1);
    }

    @Test
    void partialsAtEveryOriginAndLengthAreTheSubstringOfTheSection() {
        String part = "attached text";
        String decoded = "hello world";
        for (int origin = 0; origin <= part.length() + 1; origin++) {
            for (int length : new int[] {1, 2, part.length() - 1, part.length(), part.length() + 5}) {
                String expected = part.substring(Math.min(origin, part.length()),
                        Math.min(part.length(), origin + length));
                assertThat(render(NESTED, "(BODY.PEEK[3.1]<" + origin + "." + length + ">)")).isEqualTo(
                        "* 3 FETCH (BODY[3.1]<" + origin + "> {" + expected.length() + "}\r\n" + expected + ")\r\n");
                String binary = decoded.substring(Math.min(origin, decoded.length()),
                        Math.min(decoded.length(), origin + length));
                assertThat(render(NESTED, "(BINARY.PEEK[4]<" + origin + "." + length + ">)")).isEqualTo(
                        "* 3 FETCH (BINARY[4]<" + origin + "> {" + binary.length() + "}\r\n" + binary + ")\r\n");
            }
        }
    }

    @Test
    void eightBitHeaderOctetsAreReturnedAsInTheMessage() {
        byte[] subject = "件名".getBytes(java.nio.charset.Charset.forName("ISO-2022-JP"));
        byte[] utf8 = "差出人".getBytes(StandardCharsets.UTF_8);
        String message = "Subject: " + new String(subject, StandardCharsets.ISO_8859_1) + "\r\nFrom: "
                + new String(utf8, StandardCharsets.ISO_8859_1) + " <x@example.jp>\r\n\r\nbody\r\n";

        String response = render(message, "(ENVELOPE BODY[HEADER.FIELDS (SUBJECT)])");

        // the ISO-2022-JP subject is 7-bit (escape sequences), so it can be quoted; the 8-bit name is a literal
        assertThat(response).contains("\"" + new String(subject, StandardCharsets.ISO_8859_1) + "\"")
                .contains("{" + utf8.length + "}\r\n" + new String(utf8, StandardCharsets.ISO_8859_1))
                .endsWith(literal("BODY[HEADER.FIELDS (SUBJECT)]", "Subject: "
                        + new String(subject, StandardCharsets.ISO_8859_1) + "\r\n\r\n") + ")\r\n");
    }

    @Test
    void simpleItemsFollowRfc3501Syntax() {
        String response = render(SINGLE, "(FLAGS INTERNALDATE RFC822.SIZE UID MODSEQ)");

        assertThat(response).isEqualTo("* 3 FETCH (FLAGS (\\Answered \\Seen) INTERNALDATE \" 3-Jul-1996 02:44:25 -0700\""
                + " RFC822.SIZE " + SINGLE.length() + " UID 42 MODSEQ (7))\r\n");
    }

    @Test
    void saveDateShouldBeNilWhenTheStoreDoesNotKnowIt() {
        // RFC 8514 §4.2, §5: "SAVEDATE" SP (date-time / nil).
        assertThat(render(SINGLE, "(UID SAVEDATE)")).isEqualTo("* 3 FETCH (UID 42 SAVEDATE NIL)\r\n");
    }

    @Test
    void envelopeAndStructuresAreTheStoredOnesWithEncodedWordsAsInTheMessage() throws IOException {
        MessageStructure structure = SCANNER.scan(new ByteArrayInputStream(NESTED.getBytes(StandardCharsets.ISO_8859_1)));

        String response = render(NESTED, "(ENVELOPE BODY BODYSTRUCTURE)");

        assertThat(response).isEqualTo("* 3 FETCH (ENVELOPE " + structure.envelope() + " BODY " + structure.body()
                + " BODYSTRUCTURE " + structure.bodyStructure() + ")\r\n");
        assertThat(response).contains("\"=?ISO-2022-JP?B?GyRCRnxLXDhsGyhC?=\"")
                .contains("(\"name*0*\" \"utf-8''%E6%97%A5\" \"name*1\" \"x.pdf\")");
    }

    @Test
    void optionsAddUidFirstAndFlagsAndModseqLastButNeverTwice() {
        byte[] octets = SINGLE.getBytes(StandardCharsets.ISO_8859_1);
        MemorySource source = new MemorySource(octets, true);

        assertThat(render(source, octets, "(BODY[1]<0.4>)", new FetchOptions(true, true, true)))
                .isEqualTo("* 3 FETCH (UID 42 BODY[1]<0> {4}\r\nline FLAGS (\\Answered \\Seen) MODSEQ (7))\r\n");
        assertThat(render(source, octets, "(FLAGS UID)", new FetchOptions(true, false, true)))
                .isEqualTo("* 3 FETCH (FLAGS (\\Answered \\Seen) UID 42)\r\n");
    }

    @Test
    void anUnknownTransferEncodingFailsBeforeAnyOctetIsEmitted() {
        byte[] octets = NESTED.getBytes(StandardCharsets.ISO_8859_1);
        FetchRenderer renderer = new FetchRenderer(new MemorySource(octets, true), INDEXER, ZoneOffset.UTC);
        List<ByteBuffer> emitted = new ArrayList<>();

        assertThatThrownBy(() -> renderer.render(3, meta(octets), attributes("(UID BINARY[6])"), FetchOptions.NONE)
                .doOnNext(emitted::add).blockLast())
                .isInstanceOf(UnknownTransferEncodingException.class);
        assertThat(emitted).isEmpty();
        assertThat(render(NESTED, "(BODY[6])")).isEqualTo("* 3 FETCH (" + literal("BODY[6]", "begin 644 x") + ")\r\n");
    }

    @Test
    void aBlobWithoutStructureIsIndexedOnceAndItsFactsStored() {
        byte[] octets = NESTED.getBytes(StandardCharsets.ISO_8859_1);
        MemorySource source = new MemorySource(octets, false);

        String first = render(source, octets, "(BODY[3.1] BODYSTRUCTURE)", FetchOptions.NONE);
        String second = render(source, octets, "(BODY[3.1] BODYSTRUCTURE)", FetchOptions.NONE);

        assertThat(first).isEqualTo(render(NESTED, "(BODY[3.1] BODYSTRUCTURE)")).isEqualTo(second);
        assertThat(source.stored).hasSize(1);
        assertThat(source.stored.get(0).bodyText()).contains("attached text");
    }

    @Test
    void itemsWithoutStructureReadNothingButTheRangeTheyNeed() {
        byte[] octets = NESTED.getBytes(StandardCharsets.ISO_8859_1);
        MemorySource source = new MemorySource(octets, false);

        render(source, octets, "(FLAGS UID RFC822.SIZE INTERNALDATE)", FetchOptions.NONE);
        assertThat(source.reads).hasValue(0);
        assertThat(source.stored).isEmpty();
    }

    @Test
    void seenIsSetByNonPeekBodiesAndRfc822AndRfc822TextOnly() {
        assertThat(FetchRenderer.setsSeen(attributes("(BODY[1])"))).isTrue();
        assertThat(FetchRenderer.setsSeen(attributes("(BINARY[1])"))).isTrue();
        assertThat(FetchRenderer.setsSeen(attributes("RFC822"))).isTrue();
        assertThat(FetchRenderer.setsSeen(attributes("RFC822.TEXT"))).isTrue();
        assertThat(FetchRenderer.setsSeen(attributes("(BODY.PEEK[1] BINARY.PEEK[1] BINARY.SIZE[1])"))).isFalse();
        assertThat(FetchRenderer.setsSeen(attributes("(RFC822.HEADER RFC822.SIZE BODY BODYSTRUCTURE)"))).isFalse();
        assertThat(FetchRenderer.setsSeen(attributes("ALL"))).isFalse();
        assertThat(FetchRenderer.setsSeen(attributes("FULL"))).isFalse();
    }

    /** A store stand-in holding several blobs in memory, counting reads of each; none has facts until stored. */
    static final class MemoryBlobs implements Blobs {
        final Map<Long, byte[]> messages;
        final Map<Long, byte[]> structures = new HashMap<>();
        final Map<Long, Integer> stored = new HashMap<>();
        final Map<Long, String> previews = new HashMap<>();
        @Nullable RuntimeException storeFailure;

        MemoryBlobs(Map<Long, byte[]> messages) {
            this.messages = messages;
        }

        @Override
        public Flux<ByteBuffer> content(long blobId) {
            return Flux.defer(() -> storeFailure != null ? Flux.error(storeFailure)
                    : Flux.just(ByteBuffer.wrap(messages.get(blobId)).asReadOnlyBuffer()));
        }

        @Override
        public Mono<byte[]> structure(long blobId) {
            return Mono.fromSupplier(() -> structures.get(blobId));
        }

        @Override
        public Mono<Map<Long, byte[]>> structures(Collection<Long> blobIds) {
            return Mono.fromSupplier(() -> {
                Map<Long, byte[]> found = new HashMap<>();
                blobIds.forEach(blobId -> Optional.ofNullable(structures.get(blobId))
                        .ifPresent(structure -> found.put(blobId, structure)));
                return found;
            });
        }

        @Override
        public Mono<Map<Long, ByteBuffer>> heads(Map<Long, Integer> lengths) {
            return Mono.just(Map.of());
        }

        @Override
        public Mono<Map<Long, String>> previews(Collection<Long> blobIds) {
            return Mono.fromSupplier(() -> {
                Map<Long, String> found = new HashMap<>();
                blobIds.forEach(blobId -> Optional.ofNullable(previews.get(blobId))
                        .ifPresent(preview -> found.put(blobId, preview)));
                return found;
            });
        }

        @Override
        public Mono<Void> storePreview(long blobId, String preview) {
            return Mono.fromRunnable(() -> previews.putIfAbsent(blobId, preview));
        }

        @Override
        public Mono<Void> storeFacts(long blobId, MessageFacts facts) {
            return Mono.fromRunnable(() -> {
                stored.merge(blobId, 1, Integer::sum);
                structures.put(blobId, facts.structure());
            });
        }
    }

    /** FETCH 1:n of these blobs, as the session renders a range: one read-ahead window, then each message. */
    static List<String> fetchRange(FetchRenderer renderer, Map<Long, byte[]> blobs, String items) {
        List<FetchAttribute> attributes = attributes(items);
        List<MessageMeta> metas = new ArrayList<>();
        blobs.keySet().stream().sorted().forEach(blobId -> metas.add(new MessageMeta(1, 2, 40 + blobId, 7, blobId,
                blobs.get(blobId).length, Instant.parse("1996-07-03T09:44:25Z"), Set.of())));
        FetchRenderer.Prefetched window = renderer.prefetch(metas, attributes).block();
        List<String> responses = new ArrayList<>();
        for (int i = 0; i < metas.size(); i++) {
            responses.add(text(renderer.render(i + 1, metas.get(i), attributes, FetchOptions.NONE, window)));
        }
        return responses;
    }

    @Test
    void aMessageTheParserFailsOnIsServedAsOneOpaqueBodyAndNeverParsedAgain() {
        String poisoned = crlf("Subject: poisoned", PoisonIndexer.POISON, "Content-Type: text/plain", "", "body",
                "");
        Map<Long, byte[]> blobs = Map.of(1L, SINGLE.getBytes(StandardCharsets.ISO_8859_1),
                2L, poisoned.getBytes(StandardCharsets.ISO_8859_1), 3L, NESTED.getBytes(StandardCharsets.ISO_8859_1));
        MemoryBlobs source = new MemoryBlobs(blobs);
        PoisonIndexer poison = new PoisonIndexer();
        FetchRenderer renderer = new FetchRenderer(source, poison.indexer, ZoneOffset.UTC);
        String items = "(ENVELOPE BODYSTRUCTURE BODY.PEEK[HEADER] BODY.PEEK[TEXT] BINARY.SIZE[1])";

        List<String> first = fetchRange(renderer, blobs, items);
        List<String> second = fetchRange(renderer, blobs, items);

        String header = poisoned.substring(0, poisoned.indexOf("\r\n\r\n") + 4);
        assertThat(first.get(1)).isEqualTo("* 2 FETCH (ENVELOPE (NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)"
                + " BODYSTRUCTURE (\"APPLICATION\" \"OCTET-STREAM\" NIL NIL NIL \"7BIT\" 6 NIL NIL NIL NIL) "
                + literal("BODY[HEADER]", header) + " " + literal("BODY[TEXT]", "body\r\n")
                + " BINARY.SIZE[1] 6)\r\n");
        assertThat(first.get(0)).isEqualTo(render(SINGLE, items).replace("* 3 FETCH", "* 1 FETCH"));
        assertThat(first.get(2)).isEqualTo(render(NESTED, items));
        assertThat(second).isEqualTo(first);
        assertThat(poison.failures).as("parses of the poisoned message").hasValue(1);
        assertThat(source.stored).isEqualTo(Map.of(1L, 1, 2L, 1, 3L, 1));
    }

    @Test
    void aStoreFailureWhileABlobIsIndexedStillFailsTheFetch() {
        Map<Long, byte[]> blobs = Map.of(1L, SINGLE.getBytes(StandardCharsets.ISO_8859_1));
        MemoryBlobs source = new MemoryBlobs(blobs);
        source.storeFailure = new IllegalStateException("database unavailable");
        FetchRenderer renderer = new FetchRenderer(source, new PoisonIndexer().indexer, ZoneOffset.UTC);

        assertThatThrownBy(() -> fetchRange(renderer, blobs, "(BODYSTRUCTURE)"))
                .hasMessageContaining("database unavailable");
        assertThat(source.stored).isEmpty();
    }

    @Test
    void aStoredPreviewIsServedFromTheReadAheadWithoutReadingTheMessage() {
        Map<Long, byte[]> blobs = Map.of(1L, SINGLE.getBytes(StandardCharsets.ISO_8859_1));
        MemoryBlobs source = new MemoryBlobs(blobs);
        source.previews.put(1L, "stored \"preview\"");
        source.storeFailure = new IllegalStateException("the message must not be read");
        FetchRenderer renderer = new FetchRenderer(source, INDEXER, ZoneOffset.UTC);

        assertThat(fetchRange(renderer, blobs, "(PREVIEW)"))
                .containsExactly("* 1 FETCH (PREVIEW \"stored \\\"preview\\\"\")\r\n");
        assertThat(fetchRange(renderer, blobs, "(PREVIEW (LAZY))"))
                .containsExactly("* 1 FETCH (PREVIEW \"stored \\\"preview\\\"\")\r\n");
    }

    @Test
    void aMessageStoredWithoutPreviewIsNilUnderLazyAndMadeOnceWithoutIt() {
        Map<Long, byte[]> blobs = Map.of(1L, SINGLE.getBytes(StandardCharsets.ISO_8859_1));
        MemoryBlobs source = new MemoryBlobs(blobs);
        FetchRenderer renderer = new FetchRenderer(source, INDEXER, ZoneOffset.UTC);

        assertThat(fetchRange(renderer, blobs, "(PREVIEW (LAZY))")).containsExactly("* 1 FETCH (PREVIEW NIL)\r\n");
        assertThat(source.previews).isEmpty();
        assertThat(fetchRange(renderer, blobs, "(PREVIEW)"))
                .containsExactly("* 1 FETCH (PREVIEW \"line one line two\")\r\n");
        assertThat(source.previews).containsEntry(1L, "line one line two");
        assertThat(fetchRange(renderer, blobs, "(PREVIEW (LAZY))"))
                .containsExactly("* 1 FETCH (PREVIEW \"line one line two\")\r\n");
    }

    @Test
    void aPreviewBeyondAsciiIsALiteralOfItsUtf8Octets() {
        Map<Long, byte[]> blobs = Map.of(1L, SINGLE.getBytes(StandardCharsets.ISO_8859_1));
        MemoryBlobs source = new MemoryBlobs(blobs);
        source.previews.put(1L, "caf\u00e9 \u65e5\u672c");
        FetchRenderer renderer = new FetchRenderer(source, INDEXER, ZoneOffset.UTC);

        String utf8 = new String("caf\u00e9 \u65e5\u672c".getBytes(StandardCharsets.UTF_8),
                StandardCharsets.ISO_8859_1);
        assertThat(fetchRange(renderer, blobs, "(PREVIEW)"))
                .containsExactly("* 1 FETCH (PREVIEW {12}\r\n" + utf8 + ")\r\n");
    }

    @Test
    void emailIdNamesTheOriginAndThreadIdIsNil() {
        MessageMeta copy = new MessageMeta(1, 9, 4, 7, 1, 10, Instant.parse("1996-07-03T09:44:25Z"), Set.of(), 42, 26);
        FetchRenderer renderer = new FetchRenderer(new MemoryBlobs(Map.of()), INDEXER, ZoneOffset.UTC);

        assertThat(text(renderer.render(2, copy, attributes("(EMAILID THREADID)"), FetchOptions.NONE)))
                .isEqualTo("* 2 FETCH (EMAILID (M2a_1a) THREADID NIL)\r\n");
    }
}
