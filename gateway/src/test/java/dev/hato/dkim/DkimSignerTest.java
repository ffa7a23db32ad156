package dev.hato.dkim;

import static dev.hato.dkim.TestMessages.chunks;
import static dev.hato.dkim.TestMessages.crlf;
import static dev.hato.dkim.TestMessages.whole;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hato.store.keys.DkimKey;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/** The signer's own rules: which keys, which fields, what it refuses, caching, streaming, threads. */
class DkimSignerTest {

    private static final Instant NOW = Instant.parse("2026-11-29T11:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final DkimKeyGenerator GENERATOR = new DkimKeyGenerator(new SecureRandom());

    private static DkimKey rsa;
    private static DkimKey ed25519;

    private static final byte[] MESSAGE = crlf(
            "Received: from somewhere",
            "From: Ann <ann@sign.example>",
            "To: bob@elsewhere.example",
            "Subject: hello",
            "Date: Sun, 29 Nov 2026 11:00:00 +0000",
            "Message-ID: <1@sign.example>",
            "",
            "Hello Bob.",
            "");

    @BeforeAll
    static void keys() {
        rsa = GENERATOR.generate("sign.example", "r1", DkimAlgorithm.RSA_SHA256, 2048, NOW, true);
        ed25519 = GENERATOR.generate("sign.example", "e1", DkimAlgorithm.ED25519_SHA256, 0, NOW, true);
    }

    private static InMemoryDkimKeys store(DkimKey... keys) {
        InMemoryDkimKeys store = new InMemoryDkimKeys();
        for (DkimKey key : keys) {
            store.add(key).block();
        }
        return store;
    }

    private static String sign(DkimSigner signer, String domain, Flux<java.nio.ByteBuffer> message) {
        return new String(signer.sign(domain, message).block(WAIT), StandardCharsets.US_ASCII);
    }

    @Test
    void aDomainWithBothKeysShouldGetAnEd25519AndAnRsaSignatureOfFoldedLines() {
        String fields = sign(new DkimSigner(store(rsa, ed25519), CLOCK, Duration.ofMinutes(1)), "Sign.Example",
                whole(MESSAGE));

        assertThat(fields).startsWith("DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed; d=sign.example;")
                .endsWith("\r\n");
        assertThat(fields.split("\r\n(?![ \t])")).hasSize(2)
                .satisfies(f -> assertThat(f[1]).startsWith("DKIM-Signature: v=1; a=rsa-sha256;"));
        String unfolded = fields.replace("\r\n\t", " ");
        assertThat(unfolded).contains(" s=e1; t=" + NOW.getEpochSecond() + "; ", " s=r1; ");
        assertThat(fields.replaceAll("\\s", ""))
                .contains("h=from:from:reply-to:subject:subject:date:date:to:to:cc:message-id:message-id;");
        for (String line : fields.split("\r\n")) {
            assertThat(line.length()).as(line).isLessThanOrEqualTo(78);
        }
    }

    @Test
    void aDomainWithoutKeysShouldGetNothingAndItsMessageShouldNotBeRead() {
        AtomicBoolean read = new AtomicBoolean();
        DkimSigner signer = new DkimSigner(store(rsa), CLOCK, Duration.ofMinutes(1));

        StepVerifier.create(signer.sign("other.example", whole(MESSAGE).doOnSubscribe(s -> read.set(true))))
                .assertNext(fields -> assertThat(fields).isEmpty())
                .verifyComplete();
        assertThat(read).isFalse();
    }

    @Test
    void theSignatureShouldNotDependOnHowTheMessageIsChunked() {
        DkimSigner signer = new DkimSigner(store(rsa, ed25519), CLOCK, Duration.ofMinutes(1));
        String expected = sign(signer, "sign.example", whole(MESSAGE));

        for (int size = 1; size <= MESSAGE.length; size++) {
            assertThat(sign(signer, "sign.example", chunks(MESSAGE, size, 1, size + 2))).as("chunks of %d", size)
                    .isEqualTo(expected);
        }
    }

    @Test
    void keysShouldBeLookedUpOncePerDomainWhileCached() {
        InMemoryDkimKeys keys = store(ed25519);
        DkimSigner cached = new DkimSigner(keys, CLOCK, Duration.ofMinutes(1));
        sign(cached, "sign.example", whole(MESSAGE));
        sign(cached, "sign.example", whole(MESSAGE));
        assertThat(keys.lookups).hasValue(1);

        cached.invalidateKeys();
        sign(cached, "sign.example", whole(MESSAGE));
        assertThat(keys.lookups).hasValue(2);

        InMemoryDkimKeys uncachedKeys = store(ed25519);
        DkimSigner uncached = new DkimSigner(uncachedKeys, CLOCK, Duration.ZERO);
        sign(uncached, "sign.example", whole(MESSAGE));
        sign(uncached, "sign.example", whole(MESSAGE));
        assertThat(uncachedKeys.lookups).hasValue(2);
    }

    @Test
    void aCacheMissShouldNotReadTheMessageOnTheThreadThatAnsweredTheLookup() {
        InMemoryDkimKeys keys = store(ed25519);
        Scheduler database = Schedulers.newSingle("fake-db-loop");
        try {
            keys.answerOn = database;
            DkimSigner signer = new DkimSigner(keys, CLOCK, Duration.ofMinutes(1));
            AtomicReference<String> readOn = new AtomicReference<>();

            sign(signer, "sign.example", whole(MESSAGE).doOnSubscribe(s -> readOn.set(Thread.currentThread().getName())));

            assertThat(readOn.get()).isNotNull().doesNotStartWith("fake-db-loop");
        } finally {
            database.dispose();
        }
    }

    @Test
    void aMessageWithoutFromShouldBeRefusedAsUnsignable() {
        DkimSigner signer = new DkimSigner(store(ed25519), CLOCK, Duration.ofMinutes(1));

        StepVerifier.create(signer.sign("sign.example", whole(crlf("Subject: no sender", "", "body", ""))))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(DkimException.class)
                        .hasMessageContaining("no From field"))
                .verify(WAIT);
    }

    @Test
    void aHeaderSectionOverTheLimitShouldBeRefusedWithoutReadingTheRest() {
        DkimSigner signer = new DkimSigner(store(ed25519), CLOCK, Duration.ofMinutes(1), 1000);
        AtomicBoolean cancelled = new AtomicBoolean();
        byte[] big = crlf("From: a@sign.example", "X-Filler: " + "x".repeat(900), "X-More: " + "y".repeat(900), "",
                "body", "");

        StepVerifier.create(signer.sign("sign.example", chunks(big, 100).doOnCancel(() -> cancelled.set(true))))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(DkimException.class)
                        .hasMessageContaining("longer than 1000 octets"))
                .verify(WAIT);
        assertThat(cancelled).isTrue();
    }

    @Test
    void aMalformedSigningDomainShouldBeAnError() {
        DkimSigner signer = new DkimSigner(store(ed25519), CLOCK, Duration.ofMinutes(1));

        StepVerifier.create(signer.sign("not a domain", whole(MESSAGE)))
                .expectError(IllegalArgumentException.class)
                .verify(WAIT);
    }

    @Test
    void signingOnANonBlockingThreadShouldNotBlockIt() {
        // BlockHound watches Reactor's parallel threads in every gateway test: reading the OS entropy source or a
        // file while hashing or signing there would fail this.
        DkimSigner signer = new DkimSigner(store(rsa, ed25519), CLOCK, Duration.ofMinutes(1));

        StepVerifier.create(signer.sign("sign.example", chunks(MESSAGE, 17).publishOn(Schedulers.parallel()))
                        .subscribeOn(Schedulers.parallel()))
                .assertNext(fields -> assertThat(new String(fields, StandardCharsets.US_ASCII))
                        .contains("a=ed25519-sha256", "a=rsa-sha256"))
                .verifyComplete();
    }
}
