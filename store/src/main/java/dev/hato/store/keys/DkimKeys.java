package dev.hato.store.keys;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The DKIM signing keys of every domain, kept in the store so that all gateway nodes sign with the same keys.
 * Domain and selector arguments are matched lower-case.
 */
public interface DkimKeys {

    /**
     * Stores a new key. An active key replaces the active key of the same domain and algorithm (which stays,
     * inactive, until removed) in the same transaction.
     *
     * @return the key as stored
     * @throws DkimKeyException (as the error) {@code DUPLICATE_SELECTOR} when the domain has a key of that selector
     */
    Mono<DkimKey> add(DkimKey key);

    /** The keys the signer uses for {@code domain}: at most one per algorithm; empty when the domain signs nothing. */
    Flux<DkimKey> activeKeys(String domain);

    /** Every key of {@code domain} (of all domains when null), by domain, then newest first. */
    Flux<DkimKey> keys(@Nullable String domain);

    /**
     * Makes the key the active one of its domain and algorithm, in one transaction with deactivating the previous
     * one: the last step of a rotation, once the new selector's record is in DNS.
     *
     * @throws DkimKeyException (as the error) {@code UNKNOWN_KEY} when there is no such key
     */
    Mono<DkimKey> activate(String domain, String selector);

    /** @throws DkimKeyException (as the error) {@code UNKNOWN_KEY} when there is no such key */
    Mono<Void> remove(String domain, String selector);
}
