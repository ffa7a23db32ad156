package dev.hato.dkim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * Relaxed canonicalization (RFC 6376 §3.4.2, §3.4.4), table-driven: each body is also fed split at every offset
 * and one octet at a time, and must hash the same.
 */
class RelaxedCanonicalizationTest {

    private static byte[] bytes(String escaped) {
        return escaped.replace("\\r", "\r").replace("\\n", "\n").replace("\\t", "\t").getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] sha256(byte[] data) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(data);
    }

    private static byte[] bodyHash(byte[] body, int... splits) {
        RelaxedBodyHash hash = new RelaxedBodyHash();
        int from = 0;
        for (int split : splits) {
            hash.update(ByteBuffer.wrap(body, from, split - from));
            from = split;
        }
        hash.update(ByteBuffer.wrap(body, from, body.length - from));
        return hash.finish();
    }

    @ParameterizedTest(name = "[{index}] \"{0}\" -> \"{1}\"")
    @CsvSource(delimiter = '|', quoteCharacter = '"', emptyValue = "", value = {
            // RFC 6376 §3.4.5's example body
            "\" C \\r\\nD \\t E\\r\\n\\r\\n\\r\\n\" | \" C\\r\\nD E\\r\\n\"",
            "\"\"                                 | \"\"",
            "\\r\\n                               | \"\"",
            "\\r\\n\\r\\n\\r\\n                   | \"\"",
            "\" \\t \\r\\n \\r\\n\"               | \"\"",
            "a                                    | a\\r\\n",
            "a\\r\\n                              | a\\r\\n",
            "\"a \\t  b \\t\\r\\n\"               | a b\\r\\n",
            "\"  lead\\r\\n\"                     | \" lead\\r\\n\"",
            "a\\r\\n\\r\\n\\r\\n                  | a\\r\\n",
            "\"a\\r\\n \\t\\r\\n\\r\\n\"           | a\\r\\n",
            "a\\r\\n\\r\\nb\\r\\n\\r\\n            | a\\r\\n\\r\\nb\\r\\n",
            "\"a\\r\\n \\r\\nb\"                  | a\\r\\n\\r\\nb\\r\\n",
            "x\\ry\\r\\n                          | x\\ry\\r\\n",
            "x\\r                                 | x\\r\\r\\n",
            "\"x \\r\\n\"                         | x\\r\\n",
            "a\\n\\nb\\n                          | a\\r\\n\\r\\nb\\r\\n",
            "\"Grüße, 東京 \\r\\n\"                | \"Grüße, 東京\\r\\n\"",
    })
    void aBodyShouldHashAsItsRelaxedCanonicalFormWhereverItIsSplit(String input, String canonical) throws Exception {
        byte[] body = bytes(input);
        byte[] expected = sha256(bytes(canonical));

        assertThat(bodyHash(body)).isEqualTo(expected);
        for (int split = 0; split <= body.length; split++) {
            assertThat(bodyHash(body, split)).as("split at %d", split).isEqualTo(expected);
        }
        int[] everyOctet = new int[Math.max(0, body.length - 1)];
        java.util.Arrays.setAll(everyOctet, i -> i + 1);
        assertThat(bodyHash(body, everyOctet)).as("one octet at a time").isEqualTo(expected);
    }

    @Test
    void aBodyLargerThanTheInternalBufferShouldHashAsOneWrittenOut() throws Exception {
        StringBuilder body = new StringBuilder();
        StringBuilder canonical = new StringBuilder();
        for (int i = 0; i < 5000; i++) {
            body.append("line ").append(i).append(" \t with  spaces\t\r\n").append(i % 7 == 0 ? "\r\n" : "");
            canonical.append("line ").append(i).append(" with spaces\r\n").append(i % 7 == 0 ? "\r\n" : "");
        }
        body.append("\r\n\r\n");
        // The last line (4999) is not a multiple of 7, so nothing trails it in the canonical form.
        assertThat(bodyHash(body.toString().getBytes(StandardCharsets.US_ASCII), 8191, 8193, 40_000))
                .isEqualTo(sha256(canonical.toString().getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void theRfcHeaderExampleShouldCanonicalizeAsTheRfcShows() {
        // RFC 6376 §3.4.5: "A: X" and "B : Y<HTAB><CRLF><HTAB>Z<SP><SP>" become "a:X" and "b:Y<SP>Z".
        assertThat(RelaxedHeader.canonical(bytes("A: X"), false)).isEqualTo(bytes("a:X\\r\\n"));
        assertThat(RelaxedHeader.canonical(bytes("B : Y\\t\\r\\n\\tZ  "), false)).isEqualTo(bytes("b:Y Z\\r\\n"));
        assertThat(RelaxedHeader.canonical(bytes("SubJect:\\r\\n  Grüße  \\t aus\\r\\n Köln"), true))
                .isEqualTo(bytes("subject:Grüße aus Köln"));
        assertThat(RelaxedHeader.canonical(bytes("Empty:   "), false)).isEqualTo(bytes("empty:\\r\\n"));
        assertThatThrownBy(() -> RelaxedHeader.canonical(bytes("no colon"), false))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static HeaderSection header(String message, int limit) {
        HeaderSection header = new HeaderSection(limit);
        byte[] bytes = bytes(message);
        int body = header.update(ByteBuffer.wrap(bytes));
        if (body < 0) {
            header.finish();
        }
        return header;
    }

    private static List<String> raw(List<HeaderSection.Field> fields) {
        return fields.stream().map(f -> new String(f.raw(), StandardCharsets.UTF_8)).toList();
    }

    @Test
    void headerFieldsShouldBeSplitWithTheirContinuationLinesJoinedByCrlf() {
        HeaderSection header = header("From: a@example.org\\r\\nSubject: one\\r\\n\\ttwo\\r\\n  three\\r\\n"
                + "Not a field\\r\\nTo: b@example.org\\n continued by a bare LF\\r\\n\\r\\nbody", 1000);

        assertThat(header.fields()).extracting(HeaderSection.Field::name).containsExactly("from", "subject", "to");
        assertThat(raw(header.fields())).containsExactly("From: a@example.org", "Subject: one\r\n\ttwo\r\n  three",
                "To: b@example.org\r\n continued by a bare LF");
    }

    @Test
    void theBodyShouldStartAfterTheEmptyLineAndAMessageWithoutOneShouldBeAllHeader() {
        byte[] message = bytes("A: 1\\r\\n\\r\\nbody");
        HeaderSection header = new HeaderSection(1000);
        assertThat(header.update(ByteBuffer.wrap(message))).isEqualTo(message.length - "body".length());
        assertThat(raw(header.fields())).containsExactly("A: 1");

        assertThat(raw(header("A: 1\\r\\nB: 2", 1000).fields())).containsExactly("A: 1", "B: 2");
        assertThat(header("\\r\\nno header at all", 1000).fields()).isEmpty();
    }

    @Test
    void aHeaderSectionOverTheLimitShouldBeRefused() {
        assertThatThrownBy(() -> header("Subject: " + "x".repeat(200) + "\\r\\n\\r\\n", 100))
                .isInstanceOf(DkimException.class).hasMessageContaining("longer than 100 octets");
    }

    @Test
    void selectingShouldTakeInstancesFromTheBottomAndAddNothingForNamesListedTooOften() {
        HeaderSection header = header("Received: 1\\r\\nFrom: f\\r\\nReceived: 2\\r\\nReceived: 3\\r\\n\\r\\n", 1000);

        assertThat(raw(header.select(List.of("received", "from", "Received", "from", "received", "received"))))
                .containsExactly("Received: 3", "From: f", "Received: 2", "Received: 1");
    }
}
