package dev.hato.auth.token;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import dev.hato.auth.CredentialSourceException;
import dev.hato.auth.LimitedHttpBody;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * An issuer's signing keys read from its JWKS URL (RFC 7517 §5; the {@code jwks_uri} of OpenID Connect and RFC
 * 8414), fetched with the JDK's asynchronous HTTP client so no thread waits, and kept in memory:
 * <ul>
 *   <li>refetched when older than {@code refresh}, or at once when a token names a {@code kid} not in the set (the
 *   issuer rotated its keys), but never more than once per {@link #MIN_FETCH_INTERVAL}, so tokens with made-up key
 *   IDs cannot turn Hato into a load generator against the key server;</li>
 *   <li>one fetch at a time: logins arriving meanwhile wait for the same answer;</li>
 *   <li>when a fetch fails, the keys already known stay in use; with none known, token logins get a temporary
 *   failure, never a refusal;</li>
 *   <li>only RSA and EC public keys meant for signatures are kept (a symmetric key from a URL would let anyone who
 *   can read it mint tokens), at most {@link #MAX_KEYS}, from an answer of at most {@link #MAX_BODY} bytes.</li>
 * </ul>
 */
public final class RemoteJwks implements TokenKeySource {

    static final Duration MIN_FETCH_INTERVAL = Duration.ofSeconds(10);
    static final int MAX_BODY = 256 * 1024;
    static final int MAX_KEYS = 100;

    private static final Logger LOG = LoggerFactory.getLogger(RemoteJwks.class);
    private static final Set<JWSAlgorithm> ALGORITHMS = union(RSA, EC);

    private final URI url;
    private final Duration refresh;
    private final Duration timeout;
    private final Clock clock;
    private final HttpClient client;
    private final AtomicReference<@Nullable Mono<Fetched>> inFlight = new AtomicReference<>();
    private volatile @Nullable Fetched current;
    private volatile Instant lastAttempt = Instant.EPOCH;

    private record Fetched(JWKSet keys, Instant at) { }

    public RemoteJwks(URI url, Duration refresh, Duration timeout, Clock clock) {
        if (!"https".equals(url.getScheme()) && !"http".equals(url.getScheme())) {
            throw new IllegalArgumentException("the JWKS URL must be http or https: " + url);
        }
        this.url = url;
        this.refresh = refresh;
        this.timeout = timeout;
        this.clock = clock;
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    @Override
    public Set<JWSAlgorithm> algorithms() {
        return ALGORITHMS;
    }

    @Override
    public Mono<JWKSet> keys(@Nullable String keyId) {
        Mono<Fetched> running = inFlight.get();
        Fetched held = current;
        if (running != null) {
            return held == null ? running.map(Fetched::keys) : running.map(Fetched::keys).onErrorReturn(held.keys());
        }
        Instant now = clock.instant();
        boolean mayFetch = now.isAfter(lastAttempt.plus(MIN_FETCH_INTERVAL));
        if (held == null) {
            return mayFetch ? fetch().map(Fetched::keys)
                    : Mono.error(new CredentialSourceException("no token keys from " + url + " yet"));
        }
        boolean stale = now.isAfter(held.at().plus(refresh));
        boolean unknown = keyId != null && held.keys().getKeyByKeyId(keyId) == null;
        if (!mayFetch || !(stale || unknown)) {
            return Mono.just(held.keys());
        }
        return fetch().map(Fetched::keys).onErrorReturn(held.keys());
    }

    /** Fetches now, in the background (at start, so the first login does not wait); failures are logged. */
    public void prefetch() {
        fetch().subscribe(fetched -> { }, error -> { });
    }

    private Mono<Fetched> fetch() {
        Mono<Fetched> running = inFlight.get();
        if (running != null) {
            return running;
        }
        // The fetch stops being "in flight" before anyone sees its outcome: a caller that got the new keys and asks
        // again at once must not be handed this finished fetch (and its older keys) as still running. Only this
        // fetch is cleared, never a newer one.
        AtomicReference<Mono<Fetched>> self = new AtomicReference<>();
        Mono<Fetched> fresh = Mono.defer(this::download)
                .doOnNext(fetched -> {
                    current = fetched;
                    inFlight.compareAndSet(self.get(), null);
                })
                .doOnError(error -> {
                    LOG.warn("token keys: cannot read {}: {}", url, error.getMessage());
                    inFlight.compareAndSet(self.get(), null);
                })
                .cache();
        self.set(fresh);
        if (inFlight.compareAndSet(null, fresh)) {
            return fresh;
        }
        Mono<Fetched> other = inFlight.get();
        return other != null ? other : fresh;
    }

    private Mono<Fetched> download() {
        lastAttempt = clock.instant();
        HttpRequest request = HttpRequest.newBuilder(url).timeout(timeout)
                .header("Accept", "application/jwk-set+json, application/json").GET().build();
        return Mono.fromFuture(() -> client.sendAsync(request, info -> new LimitedHttpBody(MAX_BODY)))
                .timeout(timeout.plus(timeout))
                .map(response -> {
                    if (response.statusCode() != 200) {
                        throw new CredentialSourceException("HTTP " + response.statusCode() + " from " + url);
                    }
                    return new Fetched(signingKeys(response), clock.instant());
                });
    }

    private JWKSet signingKeys(HttpResponse<byte[]> response) {
        JWKSet parsed;
        try {
            parsed = JWKSet.parse(new String(response.body(), StandardCharsets.UTF_8));
        } catch (ParseException e) {
            throw new CredentialSourceException("not a JWK set at " + url + ": " + e.getMessage());
        }
        List<JWK> kept = parsed.toPublicJWKSet().getKeys().stream()
                .filter(key -> key instanceof RSAKey || key instanceof ECKey)
                .filter(key -> key.getKeyUse() == null || KeyUse.SIGNATURE.equals(key.getKeyUse()))
                .limit(MAX_KEYS)
                .toList();
        if (kept.isEmpty()) {
            throw new CredentialSourceException("no RSA or EC signing key at " + url);
        }
        LOG.info("token keys: {} signing key(s) from {} ({})", kept.size(), url,
                kept.stream().map(key -> key.getKeyID() == null ? "no kid" : key.getKeyID()).toList());
        return new JWKSet(kept);
    }

    private static Set<JWSAlgorithm> union(Set<JWSAlgorithm> a, Set<JWSAlgorithm> b) {
        Set<JWSAlgorithm> all = new HashSet<>(a);
        all.addAll(b);
        return Set.copyOf(all);
    }
}
