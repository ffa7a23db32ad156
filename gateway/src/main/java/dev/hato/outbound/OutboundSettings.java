package dev.hato.outbound;

import dev.hato.outbound.client.TlsPolicy;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * How outbound delivery behaves; bound from {@code hato.outbound.*} (docs/configuration.md).
 *
 * @param heloName           the name given in EHLO, and the reporting MTA of DSNs
 * @param smarthost          where all mail goes, or null to look up each domain's MX hosts
 * @param remotePort         the port of MX hosts (25; tests use a loopback server on another port)
 * @param connectionsPerDestination most simultaneous connections to one destination domain from this node
 * @param messagesPerConnection most transactions on one connection before it is closed and another opened
 * @param maxAge             how long a message is retried before it bounces (RFC 5321 §4.5.4.1: 4-5 days)
 * @param delayNotice        when a sender is told of a delay (once, if NOTIFY allows)
 * @param firstRetry         the wait after the first temporary failure; it doubles with each further one
 * @param maxRetry           the longest wait between attempts
 * @param pollInterval       how often the queue is looked at when no delivery on this node woke the runner
 * @param claimLease         how long claimed recipients are reserved for this node (longer than an attempt)
 * @param defaultTls         the TLS policy of destinations not in {@code tlsPolicies}
 * @param tlsPolicies        per destination domain (lower-case) policies
 */
public record OutboundSettings(String heloName, @Nullable Smarthost smarthost, int remotePort,
                               int connectionsPerDestination, int messagesPerConnection, Duration maxAge,
                               Duration delayNotice, Duration firstRetry, Duration maxRetry, Duration pollInterval,
                               Duration claimLease, int destinationsPerClaim, int recipientsPerClaim,
                               TlsPolicy defaultTls, Map<String, TlsPolicy> tlsPolicies) {

    public OutboundSettings {
        Objects.requireNonNull(heloName, "heloName");
        if (remotePort < 1 || remotePort > 65535) {
            throw new IllegalArgumentException("hato.outbound.remote-port out of range: " + remotePort);
        }
        if (connectionsPerDestination < 1 || connectionsPerDestination > 100) {
            throw new IllegalArgumentException("hato.outbound.connections-per-destination must be 1..100");
        }
        if (messagesPerConnection < 1) {
            throw new IllegalArgumentException("hato.outbound.messages-per-connection must be positive");
        }
        if (destinationsPerClaim < 1 || recipientsPerClaim < 1) {
            throw new IllegalArgumentException("a claim takes at least one destination and one recipient");
        }
        for (Duration duration : new Duration[] {maxAge, delayNotice, firstRetry, maxRetry, pollInterval,
                claimLease}) {
            if (duration.isNegative() || duration.isZero()) {
                throw new IllegalArgumentException("outbound durations must be positive, not " + duration);
            }
        }
        if (maxRetry.compareTo(firstRetry) < 0) {
            throw new IllegalArgumentException("hato.outbound.max-retry must not be shorter than first-retry");
        }
        tlsPolicies = tlsPolicies.entrySet().stream().collect(Collectors.toUnmodifiableMap(
                entry -> entry.getKey().toLowerCase(Locale.ROOT), Map.Entry::getValue));
    }

    /** The defaults of a production MTA: MX delivery on port 25, five days of retries, a delay notice after 4h. */
    public static OutboundSettings defaults(String heloName) {
        return new OutboundSettings(heloName, null, 25, 2, 100, Duration.ofDays(5), Duration.ofHours(4),
                Duration.ofMinutes(5), Duration.ofHours(1), Duration.ofSeconds(30), Duration.ofMinutes(15), 20, 500,
                TlsPolicy.MAY, Map.of());
    }

    public TlsPolicy tlsFor(String domain) {
        return tlsPolicies.getOrDefault(domain, defaultTls);
    }

    /**
     * The wait before the next attempt after {@code attempts} attempts failed temporarily: {@code firstRetry},
     * doubled after each further failure, at most {@code maxRetry}.
     */
    public Duration backoff(int attempts) {
        Duration wait = firstRetry;
        for (int i = 1; i < attempts && wait.compareTo(maxRetry) < 0; i++) {
            wait = wait.multipliedBy(2);
        }
        return wait.compareTo(maxRetry) > 0 ? maxRetry : wait;
    }
}
