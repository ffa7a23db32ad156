package dev.hato.outbound;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.hato.store.queue.StoredStsPolicy;
import dev.hato.store.queue.StsPolicyCache;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * Finds the MTA-STS policy of a destination domain (RFC 8461 §3 and §5.1): the {@code _mta-sts} TXT record says
 * whether the domain has one and its id; a policy is fetched over HTTPS when its id is new, the cached one has
 * expired, or it is a day old (refreshed before it expires, §3.3), and kept in the store until it expires. A fetch
 * that failed is not tried again for the same id for {@link #RETRY_FETCH}. A cached policy that has not expired is
 * used when the TXT record is gone or cannot be looked up, and when a new one cannot be fetched: that is what
 * defeats an attacker who can only suppress DNS answers or the policy host. With no usable policy the domain is
 * treated as having none.
 */
public final class MtaSts {

    private static final Logger log = LoggerFactory.getLogger(MtaSts.class);

    /** RFC 8461 §3.3: cached policies are refreshed before they expire, "once per day" suggested. */
    static final Duration REFRESH = Duration.ofDays(1);
    /** A fetch that failed is not tried again for the same domain and id for this long (§3.3 allows the limit). */
    static final Duration RETRY_FETCH = Duration.ofMinutes(5);

    private final MxResolver resolver;
    private final OutboundHttp http;
    private final StsPolicyCache cache;
    private final Clock clock;
    private final Cache<String, FailedFetch> failures = Caffeine.newBuilder()
            .expireAfterWrite(RETRY_FETCH).maximumSize(10_000).build();

    public MtaSts(MxResolver resolver, OutboundHttp http, StsPolicyCache cache, Clock clock) {
        this.resolver = resolver;
        this.http = http;
        this.cache = cache;
        this.clock = clock;
    }

    /**
     * The policy that applies to {@code domain} (lower-case) now, or none, with the RFC 8460 result type of a
     * policy that was announced but could not be used. Never errors: a store failure is logged and counts as no
     * cached policy.
     */
    public Mono<Lookup> lookup(String domain) {
        Mono<Optional<StoredStsPolicy>> cached = cache.get(domain).map(Optional::of)
                .defaultIfEmpty(Optional.empty())
                .onErrorResume(error -> {
                    log.warn("the cached MTA-STS policy of {} could not be read: {}", domain, error.toString());
                    return Mono.just(Optional.empty());
                });
        Mono<Optional<String>> record = resolver.txt("_mta-sts." + domain)
                .map(txt -> Optional.ofNullable(MtaStsPolicy.recordId(txt)))
                .onErrorResume(error -> Mono.just(Optional.empty()));
        return Mono.zip(record, cached).flatMap(both -> {
            Instant now = clock.instant();
            StoredStsPolicy stored = both.getT2().orElse(null);
            MtaStsPolicy current = stored == null || !now.isBefore(stored.expires()) ? null : parsed(stored);
            String id = both.getT1().orElse(null);
            if (id == null || current != null && current.id().equals(id)
                    && now.isBefore(stored.fetched().plus(REFRESH))) {
                return Mono.just(new Lookup(active(current), null));
            }
            // A new id, no usable cached policy, or one due for its daily refresh: fetch, unless that just failed.
            FailedFetch failed = failures.getIfPresent(domain);
            if (failed != null && failed.id().equals(id)) {
                return Mono.just(new Lookup(active(current), current == null ? failed.resultType() : null));
            }
            return fetch(domain, id, now)
                    .map(fetched -> new Lookup(active(fetched), null))
                    .onErrorResume(error -> {
                        String type = error instanceof OutboundHttp.FetchFailure failure ? failure.resultType()
                                : error instanceof IllegalArgumentException ? "sts-policy-invalid"
                                : "sts-policy-fetch-error";
                        log.info("the MTA-STS policy of {} (id {}) could not be used: {}{}", domain, id,
                                error.getMessage(), current == null ? "" : "; the cached one still applies");
                        failures.put(domain, new FailedFetch(id, type));
                        return Mono.just(new Lookup(active(current), current == null ? type : null));
                    });
        });
    }

    private Mono<MtaStsPolicy> fetch(String domain, String id, Instant now) {
        return http.fetchPolicy(domain).flatMap(text -> {
            MtaStsPolicy policy = MtaStsPolicy.parse(id, text);
            return cache.put(new StoredStsPolicy(domain, id, text, now, now.plus(policy.maxAge())))
                    .onErrorResume(error -> {
                        log.warn("the MTA-STS policy of {} could not be cached: {}", domain, error.toString());
                        return Mono.empty();
                    })
                    .thenReturn(policy);
        });
    }

    private static @Nullable MtaStsPolicy parsed(StoredStsPolicy stored) {
        try {
            return MtaStsPolicy.parse(stored.id(), stored.body());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** Mode {@code none} is cached like any policy (it ends an earlier one) but asks nothing of a sender. */
    private static @Nullable MtaStsPolicy active(@Nullable MtaStsPolicy policy) {
        return policy == null || policy.mode() == MtaStsPolicy.Mode.NONE ? null : policy;
    }

    private record FailedFetch(String id, String resultType) { }

    /**
     * What applies to a domain: its policy (null: none, or mode {@code none}), and when there is none although the
     * domain announced one, why ({@code sts-policy-fetch-error}, {@code sts-policy-invalid},
     * {@code sts-webpki-invalid}; RFC 8460 §4.3.2.2), for the TLS report.
     */
    public record Lookup(@Nullable MtaStsPolicy policy, @Nullable String failure) {
        static final Lookup NONE = new Lookup(null, null);
    }
}
