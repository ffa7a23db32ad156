package dev.hato.dkim;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.hato.store.keys.DkimKey;
import dev.hato.store.keys.DkimKeys;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Signs outgoing mail with the active keys of the signing domain (one DKIM-Signature per key: RSA and Ed25519
 * side by side when both are active, RFC 8463 §5), relaxed/relaxed.
 *
 * <p>Threads: the message is hashed on whatever thread delivers its chunks, as they arrive (a few cycles an
 * octet, no copy of the body is kept); the signature is computed on the thread that delivers the end of the
 * stream — about a millisecond for RSA-2048, a tenth of that for Ed25519, so it is done in place rather than
 * handed to another scheduler. Nothing here blocks: RSA blinding draws from a generator seeded at construction.
 *
 * <p>Keys are read from the store and cached per domain for {@code keyCacheTtl}, so a message does not cost a
 * query and a new or rotated key is used everywhere within that time. A domain without an active key signs
 * nothing, and its message is then not read at all. Errors: {@link DkimException} for a message that cannot be
 * signed (permanent); a store that cannot be reached or a stored key that cannot be parsed fails the Mono with that
 * error (transient: the outbound side retries later).
 */
public final class DkimSigner implements MessageSigner {

    /**
     * The largest header section signed: far beyond any real message (a hundred Received fields are some 20 KiB),
     * small enough to hold in memory per message in flight. A larger one fails with DkimException rather than going
     * out unsigned: a domain that signs declares it through DMARC, and an unsigned message from it would be
     * rejected downstream anyway — better the sender hears it from us.
     */
    public static final int MAX_HEADER_OCTETS = 1024 * 1024;

    private static final long MAX_CACHED_DOMAINS = 10_000;

    private final DkimKeys keys;
    private final Clock clock;
    private final int maxHeaderOctets;
    private final SecureRandom random;
    private final AsyncCache<String, List<SigningKey>> cache;

    public DkimSigner(DkimKeys keys, Clock clock, Duration keyCacheTtl) {
        this(keys, clock, keyCacheTtl, MAX_HEADER_OCTETS);
    }

    DkimSigner(DkimKeys keys, Clock clock, Duration keyCacheTtl, int maxHeaderOctets) {
        this.keys = Objects.requireNonNull(keys, "keys");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (keyCacheTtl.isNegative()) {
            throw new IllegalArgumentException("the key cache TTL must not be negative");
        }
        if (maxHeaderOctets < 1) {
            throw new IllegalArgumentException("maxHeaderOctets must be positive");
        }
        this.maxHeaderOctets = maxHeaderOctets;
        this.random = seededRandom();
        this.cache = Caffeine.newBuilder().expireAfterWrite(keyCacheTtl).maximumSize(MAX_CACHED_DOMAINS).buildAsync();
    }

    @Override
    public Mono<byte[]> sign(String signingDomain, Flux<ByteBuffer> message) {
        Objects.requireNonNull(message, "message");
        return Mono.defer(() -> {
            String domain = DkimKey.dnsName(signingDomain, "signing domain");
            CompletableFuture<List<SigningKey>> lookup = cache.get(domain, (name, executor) -> keys.activeKeys(name)
                    .map(SigningKey::of)
                    .collectList()
                    .toFuture());
            // suppressCancel: the cached lookup is shared; one caller's cancellation must not cancel it for all.
            Mono<List<SigningKey>> active = Mono.fromFuture(lookup, true);
            if (!lookup.isDone()) {
                // A cache miss completes on the database driver's event loop: read and hash the message elsewhere.
                active = active.publishOn(Schedulers.parallel());
            }
            return active.flatMap(found -> found.isEmpty() ? Mono.just(new byte[0]) : signWith(found, message));
        });
    }

    private Mono<byte[]> signWith(List<SigningKey> active, Flux<ByteBuffer> message) {
        return Mono.defer(() -> {
            CanonicalMessage canonical = new CanonicalMessage(maxHeaderOctets);
            return message.doOnNext(canonical::update)
                    .then(Mono.fromCallable(() -> {
                        canonical.finish();
                        long now = clock.instant().getEpochSecond();
                        ByteArrayOutputStream fields = new ByteArrayOutputStream(600 * active.size());
                        for (SigningKey key : active) {
                            fields.writeBytes(SignatureField.sign(canonical, key, now, random));
                        }
                        return fields.toByteArray();
                    }));
        });
    }

    /** Forgets the cached keys, e.g. after a change made in this process. */
    public void invalidateKeys() {
        cache.synchronous().invalidateAll();
    }

    private static SecureRandom seededRandom() {
        try {
            // DRBG (NIST SP 800-90A) seeds itself once from the OS, here at start-up; later draws are computed.
            SecureRandom drbg = SecureRandom.getInstance("DRBG");
            drbg.nextBytes(new byte[32]);
            return drbg;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no DRBG in this Java runtime", e);
        }
    }
}
