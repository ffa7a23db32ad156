package dev.hato.dkim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/**
 * DKIM verification against signatures made elsewhere: the RFC 8463 Appendix A example (ed25519-sha256 and
 * rsa-sha256 over the same message, simple/simple), and a message signed by Exim's ed25519 implementation (from
 * dkimpy's test data). Each message is also fed split at every octet offset.
 */
class DkimVerifierTest {

    /** RFC 8463 §A.2: the keys of the example, as published. */
    private static final Map<String, String> KEYS = Map.of(
            "brisbane._domainkey.football.example.com",
            "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=",
            "test._domainkey.football.example.com",
            "v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWRiGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQiY/"
                    + "J16JYi0Qvx/byYzCNb3W91y3FutACDfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hstT5QjvHO9PzoxZyVYLzBf"
                    + "O2EeC3Ip3G+2kryOTIKT+l/K4w3QIDAQAB",
            "sed._domainkey.test.ex", "v=DKIM1; k=ed25519; p=sPs07Vu29FpHT/80UXUcYHFOHifD4o2ZlP2+XUh9g6E=");

    /** RFC 8463 §A.3 (with the signatures' t= as the published errata and dkimpy's test data have them). */
    static final String RFC8463 = String.join("\r\n",
            "DKIM-Signature: v=1; a=ed25519-sha256; c=simple/simple; ",
            " d=football.example.com; i=@football.example.com; ",
            " q=dns/txt; s=brisbane; t=1518460054; h=from : to : ",
            " subject : date : message-id : from : subject : date; ",
            " bh=4bLNXImK9drULnmePzZNEBleUanJCX5PIsDIFoH4KTQ=; ",
            " b=9/dsDChY0YMTtD5Eyw3wx7x22BlSJP7M5ECbJ7GWrR45nXlTCGb8l0YB",
            " o0wBLR++X5LqmsxXaOYLLJe46l10AQ==",
            "DKIM-Signature: v=1; a=rsa-sha256; c=simple/simple; ",
            " d=football.example.com; i=@football.example.com; ",
            " q=dns/txt; s=test; t=1527915362; h=from : to : subject : ",
            " date : message-id : from : subject : date; ",
            " bh=4bLNXImK9drULnmePzZNEBleUanJCX5PIsDIFoH4KTQ=; ",
            " b=icKcLSEZYXJ95flvWE8FT6hl5iqd8MC/LEKYH0QjsqYy6MO/4pgVNCZH",
            " l/RAXAuADxE/40Fg7uTlxwwD1hjN2Ple6J//cJfslBdDOq6zTVbne1dqtl",
            " NOat7iamJ1AfRqyG+ja7a2AZsrpUuJ7VA6O+0zRYPqpwMEkEFIzI9i/Xk=",
            "From: Joe SixPack <joe@football.example.com>",
            "To: Suzie Q <suzie@shopping.example.net>",
            "Subject: Is dinner ready?",
            "Date: Fri, 11 Jul 2003 21:00:37 -0700 (PDT)",
            "Message-ID: <20030712040037.46341.5F8J@football.example.com>",
            "",
            "Hi.",
            "",
            "We lost the game.  Are you hungry yet?",
            "",
            "Joe.",
            "");

    /** Signed by Exim (relaxed/relaxed, ed25519-sha256), from dkimpy's test data (ed25519test2.msg). */
    private static final String EXIM = String.join("\r\n",
            "DKIM-Signature: v=1; a=ed25519-sha256; q=dns/txt; c=relaxed/relaxed; d=test.ex",
            "\t; s=sed; h=From:To:Subject; bh=/Ab0giHZitYQbDhFszoqQRUkgqueaX9zatJttIU/plc=;",
            "\t b=5fhyD3EILDrnL4DnkD4hDaeis7+GSzL9GMHrhIDZJjuJ00WD5iI8SQ1q9rDfzFL/Kdw0VIyB4R",
            "\tDq0a4H6HI+Bw==;",
            "Received: from jgh by myhost.test.ex with local (Exim x.yz)",
            "\tenvelope-from <jgh@myhost.test.ex>)",
            "\t 1dtXln-0000YP-Hb",
            "\t a@test.ex; Sun, 17 Sep 2017 12:29:51 +0100",
            "From: nobody@example.com",
            "Message-Id: <E1dtXln-0000YP-Hb@myhost.test.ex>",
            "Sender: CALLER_NAME <jgh@myhost.test.ex>",
            "Date: Sun, 17 Sep 2017 12:29:51 +0100",
            "",
            "content",
            "");

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2024-01-01T00:00:00Z"), ZoneOffset.UTC);

    private final DkimVerifier verifier = new DkimVerifier(
            name -> Mono.just(KEYS.containsKey(name) ? List.of(KEYS.get(name)) : List.of()), CLOCK, 5, 1 << 20);

    @Test
    void theRfc8463ExampleShouldVerifyWithBothAlgorithmsWhereverTheChunksEnd() {
        byte[] message = RFC8463.getBytes(StandardCharsets.US_ASCII);
        for (int split = 0; split <= message.length; split++) {
            List<DkimVerdict> verdicts = verify(verifier, message, split);
            assertThat(verdicts).as("split at %d", split).extracting(DkimVerdict::result)
                    .containsExactly(DkimVerdict.Result.PASS, DkimVerdict.Result.PASS);
        }
        List<DkimVerdict> verdicts = verify(verifier, message, 0);
        assertThat(verdicts.get(0).algorithm()).isEqualTo("ed25519-sha256");
        assertThat(verdicts.get(0).domain()).isEqualTo("football.example.com");
        assertThat(verdicts.get(0).selector()).isEqualTo("brisbane");
        assertThat(verdicts.get(0).signaturePrefix()).isEqualTo("9/dsDChY");
        assertThat(verdicts.get(1).algorithm()).isEqualTo("rsa-sha256");
    }

    @Test
    void exim_sEd25519SignatureShouldVerify() {
        assertThat(verify(verifier, EXIM.getBytes(StandardCharsets.US_ASCII), 7)).extracting(DkimVerdict::result)
                .containsExactly(DkimVerdict.Result.PASS);
    }

    @Test
    void aChangedBodyOrHeaderShouldFail() {
        assertThat(verify(verifier, RFC8463.replace("hungry", "Hungry").getBytes(StandardCharsets.US_ASCII), 0))
                .extracting(DkimVerdict::result, DkimVerdict::reason)
                .containsOnly(org.assertj.core.groups.Tuple.tuple(DkimVerdict.Result.FAIL, "body hash did not verify"));
        assertThat(verify(verifier, RFC8463.replace("dinner", "lunch").getBytes(StandardCharsets.US_ASCII), 0))
                .extracting(DkimVerdict::result, DkimVerdict::reason)
                .containsOnly(org.assertj.core.groups.Tuple.tuple(DkimVerdict.Result.FAIL, "signature did not verify"));
        // An added From above the signed one: over-signing (from listed twice) makes it count.
        assertThat(verify(verifier, RFC8463.replace("From: Joe", "From: Evil <evil@example.org>\r\nFrom: Joe")
                .getBytes(StandardCharsets.US_ASCII), 0)).extracting(DkimVerdict::result)
                .containsOnly(DkimVerdict.Result.FAIL);
    }

    @Test
    void missingKeysAndDnsFailuresShouldBePermerrorAndTemperror() {
        DkimVerifier noKeys = new DkimVerifier(name -> Mono.just(List.of()), CLOCK, 5, 1 << 20);
        assertThat(verify(noKeys, RFC8463.getBytes(StandardCharsets.US_ASCII), 0)).extracting(DkimVerdict::result)
                .containsOnly(DkimVerdict.Result.PERMERROR);
        DkimVerifier failing = new DkimVerifier(name -> Mono.error(new IllegalStateException("SERVFAIL")), CLOCK, 5,
                1 << 20);
        assertThat(verify(failing, RFC8463.getBytes(StandardCharsets.US_ASCII), 0)).extracting(DkimVerdict::result)
                .containsOnly(DkimVerdict.Result.TEMPERROR);
        DkimVerifier revoked = new DkimVerifier(name -> Mono.just(List.of("v=DKIM1; k=ed25519; p=")), CLOCK, 5,
                1 << 20);
        assertThat(verify(revoked, RFC8463.getBytes(StandardCharsets.US_ASCII), 0)).extracting(DkimVerdict::reason)
                .contains("key revoked");
    }

    @Test
    void aKeyRecordWhosePublicKeyIsNotAKeyShouldBePermerrorNotTemperror() {
        // Found by DkimFuzzTest#keyRecord: Bouncy Castle's PKCS#1 fallback threw IllegalStateException (an INTEGER
        // where a SEQUENCE belongs) or NullPointerException (no octets), which the lookup's error handling turned into
        // a temperror ("key lookup failed"), so a sender could have its mail deferred rather than judged.
        for (String p : List.of("AgEA", "BQA=")) {
            DkimVerifier garbage = new DkimVerifier(name -> Mono.just(List.of("v=DKIM1; k=rsa; p=" + p)), CLOCK, 5,
                    1 << 20);
            DkimVerdict rsa = verify(garbage, RFC8463.getBytes(StandardCharsets.US_ASCII), 0).get(1);
            assertThat(rsa.result()).as(p).isEqualTo(DkimVerdict.Result.PERMERROR);
            assertThat(rsa.reason()).as(p).isEqualTo("unusable public key");
        }
        assertThatThrownBy(() -> DkimFields.publicKey("", false)).isInstanceOf(GeneralSecurityException.class);
        assertThatThrownBy(() -> DkimFields.publicKey("AgEA", false)).isInstanceOf(GeneralSecurityException.class);
    }

    @Test
    void expiredOrMalformedSignaturesShouldNotPass() {
        String expired = RFC8463.replace("t=1518460054;", "t=1518460054; x=1518460055;");
        assertThat(verify(verifier, expired.getBytes(StandardCharsets.US_ASCII), 0).get(0).reason())
                .isEqualTo("signature expired");
        String sha1 = RFC8463.replace("a=rsa-sha256", "a=rsa-sha1");
        assertThat(verify(verifier, sha1.getBytes(StandardCharsets.US_ASCII), 0).get(1).reason())
                .contains("RFC 8301");
        String noFrom = RFC8463.replace("h=from : to : \r\n subject", "h=to : \r\n subject")
                .replace(" date : message-id : from : subject : date;", " date : message-id : subject : date;");
        assertThat(verify(verifier, noFrom.getBytes(StandardCharsets.US_ASCII), 0)).extracting(DkimVerdict::reason)
                .contains("From is not signed");
        String duplicate = RFC8463.replace("q=dns/txt; s=test;", "q=dns/txt; s=test; s=test;");
        assertThat(verify(verifier, duplicate.getBytes(StandardCharsets.US_ASCII), 0).get(1).result())
                .isEqualTo(DkimVerdict.Result.PERMERROR);
    }

    @Test
    void onlyTheConfiguredNumberOfSignaturesShouldBeLookedAt() {
        StringBuilder many = new StringBuilder();
        for (int i = 0; i < 50; i++) {
            many.append("DKIM-Signature: v=1; a=rsa-sha256; d=example.org; s=s").append(i)
                    .append("; h=from; bh=AAAA; b=AAAA\r\n");
        }
        int[] lookups = {0};
        DkimVerifier counting = new DkimVerifier(name -> {
            lookups[0]++;
            return Mono.just(List.of());
        }, CLOCK, 5, 1 << 20);
        assertThat(verify(counting, (many + RFC8463).getBytes(StandardCharsets.US_ASCII), 0)).hasSize(5);
        assertThat(lookups[0]).isZero(); // every one of them fails its body hash before any key is asked for
    }

    @Test
    void theBValueShouldBeRemovedWithItsWhitespaceAndNothingElse() {
        byte[] field = "DKIM-Signature: a=x; bh=abc; b = QUJD\r\n DEF ; d=x".getBytes(StandardCharsets.US_ASCII);
        assertThat(new String(DkimFields.withoutSignatureValue(field), StandardCharsets.US_ASCII))
                .isEqualTo("DKIM-Signature: a=x; bh=abc; b =; d=x");
    }

    @Test
    void hostileTagListsShouldBeRefusedInBoundedWork() {
        assertThatThrownBy(() -> TagList.parse("a=1; a=2")).isInstanceOf(DkimException.class);
        assertThatThrownBy(() -> TagList.parse("=1")).isInstanceOf(DkimException.class);
        assertThatThrownBy(() -> TagList.parse("1a=1")).isInstanceOf(DkimException.class);
        assertThatThrownBy(() -> TagList.parse("x".repeat(70_000))).isInstanceOf(DkimException.class);
        StringBuilder tags = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            tags.append("t").append(i).append("=v;");
        }
        assertThatThrownBy(() -> TagList.parse(tags.toString())).isInstanceOf(DkimException.class);
        assertThat(TagList.parse(" v = 1 ;; a=b ;")).containsExactly(Map.entry("v", "1"), Map.entry("a", "b"));
        long start = System.nanoTime();
        for (int i = 0; i < 100; i++) {
            try {
                TagList.parse(";".repeat(60_000) + "a");
            } catch (DkimException expected) {
                // a tag without '='
            }
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void simpleBodyHashShouldKeepTheBodyAndOneFinalCrlf() {
        assertThat(simple("")).isEqualTo(simple("\r\n")).isEqualTo(simple("\r\n\r\n\r\n"));
        assertThat(simple("a\r\n")).isEqualTo(simple("a")).isEqualTo(simple("a\r\n\r\n"));
        assertThat(simple("a \r\n")).isNotEqualTo(simple("a\r\n"));
        byte[] all = simple("abc\r\n");
        SimpleBodyHash limited = new SimpleBodyHash(5);
        limited.update(ByteBuffer.wrap("abc\r\nmore\r\n".getBytes(StandardCharsets.US_ASCII)));
        assertThat(limited.finish()).isEqualTo(all);
        assertThat(limited.canonicalLength()).isEqualTo(11);
    }

    private static byte[] simple(String body) {
        SimpleBodyHash hash = new SimpleBodyHash(Long.MAX_VALUE);
        hash.update(ByteBuffer.wrap(body.getBytes(StandardCharsets.US_ASCII)));
        return hash.finish();
    }

    private static List<DkimVerdict> verify(DkimVerifier verifier, byte[] message, int split) {
        DkimVerifier.Verification verification = verifier.start();
        int at = Math.min(split, message.length);
        verification.update(ByteBuffer.wrap(message, 0, at).slice());
        verification.update(ByteBuffer.wrap(message, at, message.length - at).slice());
        return verification.finish().block(Duration.ofSeconds(10));
    }
}
