package dev.hato.store;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Domains and accounts. Names, addresses and auth IDs passed in are already normalised (lower-case) by the caller.
 * Rule violations are signalled as {@link DirectoryException}; nothing is half-written.
 */
public interface Directory {
    Mono<Domain> addDomain(String name);

    Flux<Domain> domains();

    /** Removes an empty domain; {@code UNKNOWN_DOMAIN} or {@code DOMAIN_NOT_EMPTY} otherwise. */
    Mono<Void> removeDomain(String name);

    Mono<Boolean> isLocalDomain(String name);

    /** Creates the account and its INBOX in one transaction; the address's domain must exist. */
    Mono<Account> addAccount(NewAccount account);

    Mono<Account> findByAuthId(String authId);

    Mono<Account> findByAddress(String address);

    /** All accounts, or those of one domain when {@code domain} is not null, ordered by address. */
    Flux<Account> accounts(@org.jspecify.annotations.Nullable String domain);

    /** {@code UNKNOWN_ACCOUNT} when no account has this auth ID. */
    Mono<Void> setPasswordHash(String authId, String passwordHash);

    /** Removes the account with all its mailboxes and messages; {@code UNKNOWN_ACCOUNT} when there is none. */
    Mono<Void> removeAccount(String authIdOrAddress);
}
