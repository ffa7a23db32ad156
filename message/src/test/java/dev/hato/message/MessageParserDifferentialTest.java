package dev.hato.message;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.net.URISyntaxException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.james.mime4j.dom.Entity;
import org.apache.james.mime4j.dom.Message;
import org.apache.james.mime4j.dom.Multipart;
import org.apache.james.mime4j.dom.SingleBody;
import org.apache.james.mime4j.dom.TextBody;
import org.apache.james.mime4j.dom.field.ContentTypeField;
import org.apache.james.mime4j.field.LenientFieldParser;
import org.apache.james.mime4j.message.DefaultMessageBuilder;
import org.apache.james.mime4j.stream.MimeConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs {@link MessageParser} and Apache mime4j (0.8.14, lenient) over a corpus of realistic messages written for this
 * test ({@code src/test/resources/corpus}, made by its {@code make-corpus.py}; no real person's mail) and compares
 * what each makes of every entity: content type and parameters, the raw octets of each leaf body (ours cut by the
 * part's offsets), the number of parts, the decoded subject, and the decoded text of each text/plain leaf. Every
 * difference that is known is listed in {@link #KNOWN} with the reason; any other difference, or a listed one that
 * is gone, fails the test.
 */
class MessageParserDifferentialTest {

    private static final Path CORPUS = corpus();

    private static final String JAPANESE = "こんにちは、世界。テスト用のメッセージです。";
    private static final String RFC_2231 = "RFC 2231 parameters: we join continuations and decode extended values "
            + "(what a client shows as a file name or title); mime4j 0.8.14's ContentTypeField.getParameters() hands "
            + "them over as written (it decodes only Content-Disposition's filename, where the two agree)";

    private static final String EMPTY_MULTIPART = "a multipart with no part (only its close delimiter): we give it one "
            + "empty text/plain part, because IMAP's body-type-mpart needs at least one (RFC 3501 §9; Dovecot does "
            + "the same); mime4j gives a multipart of no parts";

    /** File → the difference lines expected for it → why they differ. */
    private static final Map<String, Map<String, String>> KNOWN = Map.of(
            "07-rfc2231-charset.eml", Map.of(
                    "1.2 parameter name: ours 見積書.txt, mime4j null", RFC_2231,
                    "1.2 parameter name*: ours null, mime4j UTF-8''%E8%A6%8B%E7%A9%8D%E6%9B%B8.txt", RFC_2231,
                    "1.3 parameter name: ours résumé.txt, mime4j null", RFC_2231,
                    "1.3 parameter name*0*: ours null, mime4j ISO-8859-1'fr'r%E9sum", RFC_2231,
                    "1.3 parameter name*1*: ours null, mime4j %E9.txt", RFC_2231),
            "08-rfc2231-continuations.eml", Map.of(
                    "1 parameter title: ours This is even more ***fun*** isn't it!, mime4j null", RFC_2231,
                    "1 parameter title*0: ours null, mime4j This is even more ", RFC_2231,
                    "1 parameter title*1: ours null, mime4j ***fun*** ", RFC_2231,
                    "1 parameter title*2: ours null, mime4j isn't it!", RFC_2231),
            "10-shift-jis.eml", Map.of(
                    "1 text: ours " + JAPANESE + "\n①　丸数字も入ります。, mime4j " + JAPANESE
                            + "\n\uFFFD@　丸数字も入ります。",
                    "Shift_JIS is read as Windows-31J, as mail readers do: Japanese Windows mail uses its NEC "
                            + "extensions (① is 0x8740); mime4j uses Java's strict Shift_JIS, which lacks them"),
            "17-undeclared-8bit-utf8.eml", Map.of(
                    "1 text: ours Ünïcödé text without a charset: 日本語, mime4j " + "\uFFFD".repeat(2) + "n"
                            + "\uFFFD".repeat(2) + "c" + "\uFFFD".repeat(2) + "d" + "\uFFFD".repeat(2)
                            + " text without a charset: " + "\uFFFD".repeat(9),
                    "8-bit text without a charset: we read valid UTF-8 as UTF-8 (as Thunderbird and Apple Mail "
                            + "do); mime4j applies RFC 2045's default, US-ASCII, and replaces every 8-bit octet"),
            "18-undeclared-iso-2022-jp.eml", Map.of(
                    "1 text: ours " + JAPANESE + ", mime4j "
                            + new String(JAPANESE.getBytes(Charset.forName("ISO-2022-JP")), StandardCharsets.US_ASCII),
                    "Japanese without a charset: we recognise ISO-2022-JP by its escape sequences (RFC 1468), as "
                            + "Japanese mail readers do; mime4j reads the 7-bit octets as US-ASCII"),
            "20-empty-multipart.eml", Map.of(
                    "1 parts: ours 1, mime4j 0", EMPTY_MULTIPART,
                    "1.1 type: ours text/plain, mime4j null", EMPTY_MULTIPART,
                    "1.1 body: ours 0 octets, sha-256 e3b0c44298fc, mime4j null", EMPTY_MULTIPART,
                    "1.1 text: ours , mime4j null", EMPTY_MULTIPART));

    static Stream<String> messages() throws IOException {
        try (Stream<Path> files = Files.list(CORPUS)) {
            return files.map(path -> path.getFileName().toString()).filter(name -> name.endsWith(".eml")).sorted()
                    .toList().stream();
        }
    }

    @Test
    void theCorpusShouldHoldAtLeastTwentyMessages() throws IOException {
        assertThat(messages().count()).isGreaterThanOrEqualTo(20);
    }

    @ParameterizedTest
    @MethodSource("messages")
    void ourParserShouldAgreeWithMime4jOrTheDifferenceBeExplained(String name) throws IOException {
        byte[] octets = Files.readAllBytes(CORPUS.resolve(name));

        Map<String, String> ours = ours(octets);
        Map<String, String> theirs = mime4j(octets);

        Set<String> differences = new LinkedHashSet<>();
        Set<String> keys = new LinkedHashSet<>(ours.keySet());
        keys.addAll(theirs.keySet());
        for (String key : keys) {
            String mine = ours.get(key);
            String other = theirs.get(key);
            if (mine == null ? other != null : !mine.equals(other)) {
                differences.add(key + ": ours " + mine + ", mime4j " + other);
            }
        }
        assertThat(differences).as("differences from mime4j in " + name)
                .containsExactlyInAnyOrderElementsOf(KNOWN.getOrDefault(name, Map.of()).keySet());
    }

    private static Map<String, String> ours(byte[] octets) {
        MessageParser parser = MessageParser.withText(MessageLimits.DEFAULTS, 256 * 1024, 1 << 20);
        parser.feed(octets, 0, octets.length);
        MessageParser.Parsed parsed = parser.finish();
        Map<String, String> facts = new LinkedHashMap<>();
        String subject = parsed.root().field("subject");
        facts.put("subject", subject == null ? "(none)" : decodedHeader(subject));
        describeOurs(octets, parsed.root(), "1", facts, parsed.bodyText());
        return facts;
    }

    private static String decodedHeader(String raw) {
        byte[] bytes = raw.getBytes(StandardCharsets.ISO_8859_1);
        return EncodedWords.decode(MimeCharsets.utf8OrLatin(bytes, 0, bytes.length)).strip();
    }

    private static void describeOurs(byte[] octets, MimeEntity entity, String path, Map<String, String> facts,
                                     String bodyText) {
        facts.put(path + " type", (entity.type() + "/" + entity.subtype()).toLowerCase(Locale.ROOT));
        String type = entity.field("content-type");
        MimeHeaderValue parsed = type == null ? null : MimeHeaderValue.contentType(type);
        if (parsed != null) {
            for (MimeHeaderValue.Parameter parameter : parsed.decodedParameters()) {
                facts.putIfAbsent(path + " parameter " + parameter.attribute().toLowerCase(Locale.ROOT),
                        parameter.value());
            }
        }
        String disposition = entity.field("content-disposition");
        MimeHeaderValue dispositionValue = disposition == null ? null : MimeHeaderValue.disposition(disposition);
        String filename = dispositionValue == null ? null : dispositionValue.decodedParameter("filename");
        if (filename != null) {
            facts.put(path + " filename", filename);
        }
        switch (entity.kind()) {
            case MULTIPART -> {
                facts.put(path + " parts", Integer.toString(entity.children().size()));
                for (int i = 0; i < entity.children().size(); i++) {
                    describeOurs(octets, entity.children().get(i), path + "." + (i + 1), facts, bodyText);
                }
            }
            case MESSAGE -> describeOurs(octets, entity.children().get(0), path + "/message", facts, bodyText);
            case LEAF -> {
                byte[] body = java.util.Arrays.copyOfRange(octets, (int) entity.bodyStart(), (int) entity.end());
                facts.put(path + " body", digest(body));
                if (entity.type().equals("TEXT") && entity.subtype().equals("PLAIN")) {
                    String text = ourText(entity, body);
                    facts.put(path + " text", text);
                    // the text to index holds every text/plain leaf, decoded the same way
                    assertThat(normalized(bodyText)).as("indexed text").contains(text);
                }
            }
        }
    }

    /** Our decoding stack on one leaf: transfer decoding, then the declared or sniffed charset. */
    private static String ourText(MimeEntity entity, byte[] body) {
        String encoding = entity.field("content-transfer-encoding");
        TransferDecoder decoder = TransferDecoder.forMechanism(
                encoding == null ? null : MimeHeaderValue.firstToken(encoding));
        if (decoder == null) {
            return "(unknown transfer encoding)";
        }
        ByteArrayOutputStream decoded = new ByteArrayOutputStream();
        decoder.decode(body, 0, body.length, decoded);
        decoder.finish(decoded);
        byte[] bytes = decoded.toByteArray();
        Charset charset = MimeCharsets.declared(entity.parameter("charset"));
        if (charset == null) {
            charset = MimeCharsets.sniff(bytes, 0, bytes.length, true);
        }
        return normalized(new String(bytes, charset));
    }

    private static Map<String, String> mime4j(byte[] octets) throws IOException {
        Map<String, String> facts = new LinkedHashMap<>();
        Message raw = builder(false).parseMessage(new ByteArrayInputStream(octets));
        Message decoded = builder(true).parseMessage(new ByteArrayInputStream(octets));
        String subject = decoded.getSubject();
        facts.put("subject", subject == null ? "(none)" : subject.strip());
        describeMime4j(raw, decoded, "1", facts);
        return facts;
    }

    private static DefaultMessageBuilder builder(boolean decoding) {
        DefaultMessageBuilder builder = new DefaultMessageBuilder();
        builder.setMimeEntityConfig(MimeConfig.PERMISSIVE);
        builder.setFieldParser(LenientFieldParser.getParser());
        builder.setContentDecoding(decoding);
        return builder;
    }

    private static void describeMime4j(Entity raw, Entity decoded, String path, Map<String, String> facts)
            throws IOException {
        facts.put(path + " type", raw.getMimeType().toLowerCase(Locale.ROOT));
        if (raw.getHeader().getField("Content-Type") instanceof ContentTypeField type) {
            type.getParameters().forEach((attribute, value) -> facts.putIfAbsent(
                    path + " parameter " + attribute.toLowerCase(Locale.ROOT), value));
        }
        if (raw.getFilename() != null) {
            facts.put(path + " filename", raw.getFilename());
        }
        if (raw.getBody() instanceof Multipart multipart) {
            Multipart other = (Multipart) decoded.getBody();
            facts.put(path + " parts", Integer.toString(multipart.getCount()));
            for (int i = 0; i < multipart.getCount(); i++) {
                describeMime4j(multipart.getBodyParts().get(i), other.getBodyParts().get(i), path + "." + (i + 1),
                        facts);
            }
        } else if (raw.getBody() instanceof Message message) {
            describeMime4j(message, (Message) decoded.getBody(), path + "/message", facts);
        } else if (raw.getBody() instanceof SingleBody body) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (InputStream in = body.getInputStream()) {
                in.transferTo(bytes);
            }
            facts.put(path + " body", digest(bytes.toByteArray()));
            if (raw.getMimeType().equalsIgnoreCase("text/plain") && decoded.getBody() instanceof TextBody text) {
                StringBuilder out = new StringBuilder();
                try (Reader reader = text.getReader()) {
                    char[] buffer = new char[4096];
                    for (int n = reader.read(buffer); n >= 0; n = reader.read(buffer)) {
                        out.append(buffer, 0, n);
                    }
                }
                facts.put(path + " text", normalized(out.toString()));
            }
        }
    }

    private static String normalized(String text) {
        return text.replace("\r", "").strip();
    }

    private static String digest(byte[] body) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(body);
            return body.length + " octets, sha-256 " + HexFormat.of().formatHex(hash, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Path corpus() {
        try {
            return Paths.get(MessageParserDifferentialTest.class.getResource("/corpus").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

}
