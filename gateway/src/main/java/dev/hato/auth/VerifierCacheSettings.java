package dev.hato.auth;

import java.time.Duration;

/**
 * The optional verifier cache ({@link VerifierCache}).
 *
 * @param enabled    off by default: while a backend is down, only people it verified within {@code ttl} get in
 * @param ttl        how long after a successful verification the password is still accepted during an outage
 * @param maxEntries bound on the number of accounts remembered (least recently used go first)
 */
public record VerifierCacheSettings(boolean enabled, Duration ttl, long maxEntries) {

    public VerifierCacheSettings {
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl must be positive");
        }
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries must be at least 1");
        }
    }

    /** Disabled; when enabled: one hour, 100,000 accounts. */
    public static VerifierCacheSettings defaults() {
        return new VerifierCacheSettings(false, Duration.ofHours(1), 100_000);
    }

    public VerifierCacheSettings withEnabled(boolean value) {
        return new VerifierCacheSettings(value, ttl, maxEntries);
    }

    public VerifierCacheSettings withTtl(Duration value) {
        return new VerifierCacheSettings(enabled, value, maxEntries);
    }

    public VerifierCacheSettings withMaxEntries(long value) {
        return new VerifierCacheSettings(enabled, ttl, value);
    }
}
