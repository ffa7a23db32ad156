package dev.hato.dkim;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import reactor.core.publisher.Mono;

/**
 * The DKIM parsers meet a coverage-guided fuzzer (Jazzer; issue 20 item 7; beside {@code dev.hato.fuzz}, as the tag
 * list and key record parsers are package-private). {@code signature}: a whole message (header section with
 * DKIM-Signature and ARC fields, and body) through {@link DkimVerifier}, fed whole and cut where the fuzzer chooses;
 * the verdicts must be the same both ways and bounded in number, and nothing may throw. The key lookup answers with
 * the RFC 8463 example keys, so the seeds (RFC 8463's signed example, a message signed by Exim) reach the signature
 * check. {@code keyRecord}: a DNS key record through {@link KeyRecord#parse} (a {@link DkimException} is its refusal)
 * and the public key it holds, as the verifier reads it. Seeds and findings are replayed in every build from
 * {@code src/test/resources/dev/hato/dkim/DkimFuzzTestInputs/<target>/}; docs/security.md, "Fuzzing", has the runs.
 */
class DkimFuzzTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2024-01-01T00:00:00Z"), ZoneOffset.UTC);
    private static final int MAX_SIGNATURES = 5;
    private static final Map<String, String> KEYS = Map.of(
            "brisbane._domainkey.football.example.com",
            "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=",
            "test._domainkey.football.example.com",
            "v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWRiGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQiY/"
                    + "J16JYi0Qvx/byYzCNb3W91y3FutACDfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hstT5QjvHO9PzoxZyVYLzBf"
                    + "O2EeC3Ip3G+2kryOTIKT+l/K4w3QIDAQAB",
            "sed._domainkey.test.ex", "v=DKIM1; k=ed25519; p=sPs07Vu29FpHT/80UXUcYHFOHifD4o2ZlP2+XUh9g6E=");
    private static final DkimVerifier VERIFIER = new DkimVerifier(
            name -> Mono.just(KEYS.containsKey(name) ? List.of(KEYS.get(name)) : List.of()), CLOCK, MAX_SIGNATURES,
            16 * 1024);

    @FuzzTest(maxDuration = "60m", maxExecutions = 10_000_000)
    void signature(FuzzedDataProvider data) {
        int count = data.consumeInt(0, 4);
        int[] sizes = new int[count];
        for (int i = 0; i < count; i++) {
            sizes[i] = data.consumeInt(0, 200);
        }
        byte[] message = data.consumeRemainingAsBytes();
        List<byte[]> pieces = new ArrayList<>();
        int at = 0;
        for (int size : sizes) {
            int end = Math.min(message.length, at + size);
            pieces.add(Arrays.copyOfRange(message, at, end));
            at = end;
        }
        pieces.add(Arrays.copyOfRange(message, at, message.length));

        Result whole = verify(List.of(message));
        Result split = verify(pieces);
        assertThat(split).isEqualTo(whole);
        assertThat(whole.dkim()).hasSizeLessThanOrEqualTo(MAX_SIGNATURES);
    }

    private record Result(List<DkimVerdict> dkim, ArcVerdict arc) { }

    private static Result verify(List<byte[]> pieces) {
        DkimVerifier.Verification verification = VERIFIER.start();
        for (byte[] piece : pieces) {
            ByteBuffer chunk = ByteBuffer.wrap(piece);
            verification.update(chunk);
            assertThat(chunk.position()).isZero();
        }
        List<DkimVerdict> dkim = verification.finish().block(Duration.ofSeconds(10));
        ArcVerdict arc = verification.finishArc().block(Duration.ofSeconds(10));
        assertThat(dkim).isNotNull();
        assertThat(arc).isNotNull();
        return new Result(dkim, arc);
    }

    @FuzzTest(maxDuration = "4m", maxExecutions = 10_000_000)
    void keyRecord(FuzzedDataProvider data) {
        KeyRecord key;
        try {
            key = KeyRecord.parse(data.consumeRemainingAsString());
        } catch (DkimException refused) {
            return;
        }
        assertThat(key.keyType()).isNotNull();
        assertThat(key.publicKey()).doesNotContain(" ", "\t", "\r", "\n");
        try {
            DkimFields.publicKey(key.publicKey(), key.keyType().equals("ed25519"));
        } catch (GeneralSecurityException | IllegalArgumentException unusable) {
            // what DkimVerifier answers with permerror "unusable public key"
        }
    }
}
