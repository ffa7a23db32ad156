package dev.hato.outbound;

import dev.hato.outbound.client.TlsPolicy;
import dev.hato.store.legacy.LegacyBackend;
import dev.hato.store.legacy.LegacyBackends;
import dev.hato.store.queue.QueuedRecipient;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Where a destination's mail goes: for a domain, the smarthost, or its MX hosts in order (RFC 5321 §5.1); for a
 * legacy system ({@code legacy:NAME}, issue 17), that system's SMTP server, whatever the smarthost and DNS say.
 */
final class Routes {

    /** Addresses tried per destination and attempt, as Postfix's smtp_mx_address_limit keeps the list short. */
    static final int MAX_HOPS = 10;

    private final OutboundSettings settings;
    private final MxResolver resolver;
    private final @Nullable MtaSts mtaSts;
    private final @Nullable LegacyBackends legacy;

    /** {@code mtaSts} null: MTA-STS policies are not looked up. */
    Routes(OutboundSettings settings, MxResolver resolver, @Nullable MtaSts mtaSts) {
        this(settings, resolver, mtaSts, null);
    }

    /** As above; {@code legacy} null: recipients of legacy systems are deferred (no system is known). */
    Routes(OutboundSettings settings, MxResolver resolver, @Nullable MtaSts mtaSts,
           @Nullable LegacyBackends legacy) {
        this.settings = settings;
        this.resolver = resolver;
        this.mtaSts = mtaSts;
        this.legacy = legacy;
    }

    /**
     * The servers to try, best first; errors with {@link RouteFailure} when there is none. An MX host that the
     * destination's MTA-STS policy in mode {@code enforce} does not name stays in the list, marked, so that the
     * attempt is refused and reported like the others (RFC 8461 §4.2, RFC 8460).
     */
    Mono<List<Hop>> hops(String domain) {
        if (domain.startsWith(QueuedRecipient.LEGACY_PREFIX)) {
            return legacyHops(domain.substring(QueuedRecipient.LEGACY_PREFIX.length()));
        }
        Smarthost smarthost = settings.smarthost();
        if (smarthost != null) {
            return resolver.addresses(smarthost.host())
                    .onErrorMap(error -> new RouteFailure(false, "4.4.3", "the smarthost " + smarthost.host()
                            + " could not be resolved: " + describe(error)))
                    .map(addresses -> addresses.stream().limit(MAX_HOPS)
                            .map(address -> new Hop(smarthost.host(), new InetSocketAddress(address, smarthost.port()),
                                    smarthost.implicitTls(), smarthost.tls(), smarthost.username(),
                                    smarthost.password(), null))
                            .toList());
        }
        boolean configured = settings.tlsPolicies().containsKey(domain);
        Mono<MtaSts.Lookup> sts = mtaSts == null || configured ? Mono.just(MtaSts.Lookup.NONE) : mtaSts.lookup(domain);
        Mono<List<MxRecord>> mx = resolver.mx(domain)
                .onErrorMap(error -> error instanceof MxResolver.UnknownDomainException
                        // RFC 3463 §3.2: 5.1.2 bad destination system address.
                        ? new RouteFailure(true, "5.1.2", error.getMessage())
                        : new RouteFailure(false, "4.4.3", "DNS lookup of " + domain + " failed: " + describe(error)));
        // The policy and the MX records are looked up at the same time: MTA-STS adds no round trip.
        return Mono.zip(sts, mx).flatMap(both -> mxHops(domain, both.getT2(), both.getT1()));
    }

    private Mono<List<Hop>> mxHops(String domain, List<MxRecord> records, MtaSts.Lookup lookup) {
        return Mono.defer(() -> {
            if (records.size() == 1 && records.get(0).exchange().isEmpty()) {
                // RFC 7505 §3: a null MX says the domain takes no mail.
                return Mono.error(new RouteFailure(true, "5.1.10", domain
                        + " accepts no mail (null MX, RFC 7505)"));
            }
            // RFC 5321 §5.1: without MX records the domain itself is the implicit MX.
            List<String> exchanges = records.isEmpty() ? List.of(domain) : ordered(records);
            return Flux.fromIterable(exchanges)
                    .concatMap(exchange -> resolver.addresses(exchange)
                            .onErrorResume(error -> Mono.just(List.of()))
                            .flatMapIterable(addresses -> addresses.stream().map(address ->
                                    hop(domain, exchange, address, lookup)).toList()))
                    .take(MAX_HOPS)
                    .collectList()
                    .flatMap(hops -> hops.isEmpty()
                            ? Mono.error(new RouteFailure(false, "4.4.3", "no address found for the mail"
                                    + " servers of " + domain + " " + exchanges))
                            : Mono.just(hops));
        });
    }

    /**
     * An MX hop. Under an MTA-STS policy in mode {@code enforce} TLS with a certificate valid for the MX host is
     * required (RFC 8461 §4.2); in mode {@code testing} the configured policy applies and the check is only reported.
     */
    private Hop hop(String domain, String exchange, InetAddress address, MtaSts.Lookup lookup) {
        MtaStsPolicy policy = lookup.policy();
        boolean enforce = policy != null && policy.mode() == MtaStsPolicy.Mode.ENFORCE;
        return new Hop(exchange, new InetSocketAddress(address, settings.remotePort()), false,
                enforce ? TlsPolicy.VERIFY : settings.tlsFor(domain), null, null,
                new Hop.Sts(domain, lookup, policy == null || policy.permits(exchange)));
    }

    /**
     * The SMTP server of the legacy system {@code name}, read from the store at each attempt (a server changed with
     * {@code hato legacy add --replace} applies to what is queued), as many of its addresses as {@link #MAX_HOPS}.
     * No MX lookup: the old MTA is named by the operator. STARTTLS when it offers it, with a certificate that the
     * system's own trusted certificates or the system CAs vouch for (no fallback to plain text once TLS fails: a
     * server that offers TLS and shows another certificate is misconfigured or not the old MTA). Everything that
     * keeps the mail from going there now is temporary (RFC 3463 4.3.5, system not configured): the recipient is
     * retried, and the sender told of the delay and, after the retry period, of the failure, as for any recipient.
     */
    private Mono<List<Hop>> legacyHops(String name) {
        LegacyBackends backends = legacy;
        if (backends == null) {
            return Mono.error(new RouteFailure(false, "4.3.5", "the legacy system " + name
                    + " is not known to this node"));
        }
        return backends.find(name)
                .onErrorMap(error -> new RouteFailure(false, "4.3.0", "the legacy system " + name
                        + " could not be read: " + describe(error)))
                .switchIfEmpty(Mono.error(() -> new RouteFailure(false, "4.3.5", "no legacy system is named " + name
                        + " (hato legacy list)")))
                .flatMap(backend -> {
                    LegacyBackend.Server smtp = backend.smtp();
                    if (smtp == null) {
                        return Mono.error(new RouteFailure(false, "4.3.5", "the legacy system " + name + " has no"
                                + " SMTP server (hato legacy add " + name + " ... --smtp HOST:PORT --replace)"));
                    }
                    boolean implicit = smtp.tls() == LegacyBackend.Tls.IMPLICIT;
                    TlsPolicy tls = switch (smtp.tls()) {
                        case NONE -> TlsPolicy.NONE;
                        case IMPLICIT -> TlsPolicy.VERIFY;
                        case STARTTLS -> TlsPolicy.OFFERED_VERIFY;
                    };
                    return resolver.addresses(smtp.host())
                            .onErrorMap(error -> new RouteFailure(false, "4.4.3", "the SMTP server " + smtp.host()
                                    + " of the legacy system " + name + " could not be resolved: " + describe(error)))
                            .flatMap(addresses -> addresses.isEmpty()
                                    ? Mono.error(new RouteFailure(false, "4.4.3", "no address found for the SMTP"
                                            + " server " + smtp.host() + " of the legacy system " + name))
                                    : Mono.just(addresses.stream().limit(MAX_HOPS)
                                            .map(address -> new Hop(smtp.host(),
                                                    new InetSocketAddress(address, smtp.port()), implicit, tls, null,
                                                    null, null, backend.trustPem()))
                                            .toList()));
                });
    }

    /** By preference; hosts of equal preference in random order, so load spreads (RFC 5321 §5.1). */
    static List<String> ordered(List<MxRecord> records) {
        Map<Integer, List<String>> byPreference = new LinkedHashMap<>();
        records.stream().sorted(Comparator.comparingInt(MxRecord::preference))
                .filter(record -> !record.exchange().isEmpty())
                .forEach(record -> byPreference.computeIfAbsent(record.preference(), p -> new ArrayList<>())
                        .add(record.exchange()));
        List<String> ordered = new ArrayList<>();
        for (List<String> equal : byPreference.values()) {
            Collections.shuffle(equal, ThreadLocalRandom.current());
            equal.stream().filter(host -> !ordered.contains(host)).forEach(ordered::add);
        }
        return ordered;
    }

    private static String describe(Throwable error) {
        return error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
    }
}
