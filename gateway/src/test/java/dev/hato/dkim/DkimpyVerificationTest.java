package dev.hato.dkim;

import static dev.hato.dkim.TestMessages.chunks;
import static dev.hato.dkim.TestMessages.concat;
import static dev.hato.dkim.TestMessages.crlf;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hato.store.keys.DkimKey;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Messages signed by Hato (rsa-sha256 and ed25519-sha256 side by side) and verified by an independent
 * implementation, Debian's dkimpy. Skipped only when dkimpy is not installed ({@code .ci/run} installs
 * python3-dkim).
 */
class DkimpyVerificationTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    private static Dkimpy dkimpy;
    private static List<DkimKey> keys;
    private static DkimSigner signer;

    @BeforeAll
    static void setUp() {
        dkimpy = Dkimpy.find().orElse(null);
        Assumptions.assumeTrue(dkimpy != null,
                "dkimverify (Debian package python3-dkim) is not installed; .ci/run installs it");
        DkimKeyGenerator generator = new DkimKeyGenerator(new SecureRandom());
        Instant now = Instant.now();
        keys = List.of(generator.generate("hato.example", "rsa2026", DkimAlgorithm.RSA_SHA256, 2048, now, true),
                generator.generate("hato.example", "ed2026", DkimAlgorithm.ED25519_SHA256, 0, now, true));
        InMemoryDkimKeys store = new InMemoryDkimKeys();
        keys.forEach(key -> store.add(key).block());
        signer = new DkimSigner(store, Clock.systemUTC(), Duration.ofMinutes(1));
    }

    static Stream<Arguments> messages() {
        return Stream.of(
                Arguments.of("plain", crlf("From: Ann <ann@hato.example>", "To: bob@example.net", "Subject: hi",
                        "Date: Sun, 29 Nov 2026 11:00:00 +0000", "Message-ID: <a1@hato.example>", "", "Hello.", "")),
                Arguments.of("folded headers and trailing whitespace", crlf(
                        "From: \"Ann Example\"\t<ann@hato.example>  ",
                        "To: bob@example.net,",
                        "\tcarol@example.net,   ",
                        "    dave@example.net",
                        "Subject: a subject that goes on",
                        " \t and on  ",
                        "MIME-Version: 1.0",
                        "Content-Type: text/plain;",
                        "\tcharset=us-ascii",
                        "",
                        "line with trailing spaces   ",
                        "line\twith \t  inner  whitespace\t",
                        "   indented",
                        "")),
                Arguments.of("empty body", crlf("From: ann@hato.example", "Subject: nothing", "", "")),
                Arguments.of("only blank lines as body", crlf("From: ann@hato.example", "", "", "", "  ", "")),
                Arguments.of("trailing blank lines", crlf("From: ann@hato.example", "Subject: t", "", "text", "",
                        "", " \t", "", "")),
                Arguments.of("body without final CRLF", crlf("From: ann@hato.example", "", "last line")),
                Arguments.of("8-bit UTF-8", crlf("From: Jürgen <jürgen@hato.example>", "Subject: Grüße aus Köln",
                        "MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8",
                        "Content-Transfer-Encoding: 8bit", "", "Grüße, 東京 — ça va ?  ", "Ωμέγα", "")),
                Arguments.of("several Received and Reply-To", crlf("Received: by a", "Received: by b",
                        "From: ann@hato.example", "Reply-To: ann+replies@hato.example", "Cc: x@example.net",
                        "In-Reply-To: <x@example.net>", "References: <w@example.net>", " <x@example.net>", "",
                        "reply", "")));
    }

    private byte[] signed(byte[] message, int... chunkSizes) {
        byte[] fields = signer.sign("hato.example", chunks(message, chunkSizes)).block(WAIT);
        return concat(fields, message);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("messages")
    void dkimpyShouldVerifyBothSignaturesOfAMessage(String name, byte[] message) {
        Dkimpy.Verdict verdict = dkimpy.verify(signed(message, 5, 1, 64), keys);

        assertThat(verdict.passed()).as(verdict.output()).isTrue();
        assertThat(verdict.output()).isEqualTo("pass pass");
    }

    @Test
    void dkimpyShouldVerifyAMultiMebibyteBodyStreamedInOddChunks() {
        StringBuilder text = new StringBuilder("From: ann@hato.example\r\nSubject: big\r\n\r\n");
        for (int i = 0; text.length() < 3 * 1024 * 1024; i++) {
            text.append("Line ").append(i).append(i % 3 == 0 ? " \t trailing \t " : "  inner   space")
                    .append(i % 11 == 0 ? "\r\n\r\n" : "\r\n");
        }
        text.append("\r\n\r\n\r\n");
        byte[] message = text.toString().getBytes(StandardCharsets.US_ASCII);

        Dkimpy.Verdict verdict = dkimpy.verify(signed(message, 7, 4093, 65_537, 1, 300_001), keys);

        assertThat(verdict.output()).isEqualTo("pass pass");
    }

    @Test
    void dkimpyShouldFailAMessageChangedAfterSigning() {
        byte[] signed = signed(crlf("From: ann@hato.example", "Subject: s", "", "pay 10 euros", ""), 1000);
        String text = new String(signed, StandardCharsets.UTF_8);

        assertThat(dkimpy.verify(text.replace("pay 10", "pay 99").getBytes(StandardCharsets.UTF_8), keys).passed())
                .isFalse();
        // Over-signing: a second From (or Subject) added above the signed one breaks the signatures.
        byte[] extraFrom = text.replace("From: ann@hato.example", "From: mallory@evil.example\r\nFrom: ann@hato.example")
                .getBytes(StandardCharsets.UTF_8);
        assertThat(dkimpy.verify(extraFrom, keys).output()).isEqualTo("fail fail");
        assertThat(dkimpy.verify(signed, keys).output()).isEqualTo("pass pass");
    }

    @Test
    void dkimpyShouldVerifyTheRfc8463ExampleWithTheRfcsKeys() {
        // The harness itself against a signature Hato did not make.
        Dkimpy.Verdict verdict = dkimpy.verify(Rfc8463.MESSAGE, Map.of("HATO_DKIM_RECORDS",
                Rfc8463.ED25519_RECORD_NAME + "\t" + Rfc8463.ED25519_RECORD + "\n"
                        + Rfc8463.RSA_RECORD_NAME + "\t" + Rfc8463.RSA_RECORD + "\n"));

        assertThat(verdict.output()).isEqualTo("pass pass");
    }
}
