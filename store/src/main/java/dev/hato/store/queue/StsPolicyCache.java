package dev.hato.store.queue;

import reactor.core.publisher.Mono;

/** The MTA-STS policies fetched for destination domains, shared by every node and kept over restarts. */
public interface StsPolicyCache {

    /** The policy last stored for {@code domain} (lower-case), expired or not; empty when there is none. */
    Mono<StoredStsPolicy> get(String domain);

    /** Stores {@code policy} in place of the domain's previous one. */
    Mono<Void> put(StoredStsPolicy policy);
}
