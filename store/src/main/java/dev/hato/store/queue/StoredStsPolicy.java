package dev.hato.store.queue;

import java.time.Instant;
import java.util.Objects;

/**
 * An MTA-STS policy as fetched (RFC 8461 §3.2): the destination domain (lower-case), the id of the TXT record it
 * was fetched for, the policy text as served, when it was fetched and when it expires ({@code max_age} later).
 */
public record StoredStsPolicy(String domain, String id, String body, Instant fetched, Instant expires) {
    public StoredStsPolicy {
        Objects.requireNonNull(domain, "domain");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(fetched, "fetched");
        Objects.requireNonNull(expires, "expires");
    }
}
