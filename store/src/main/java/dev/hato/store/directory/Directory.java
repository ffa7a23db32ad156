package dev.hato.store.directory;

import java.util.Collection;
import java.util.List;
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
    /** Switches the domain's address list (its people listed to one another) on or off. */
    Mono<Void> setAddressList(String domain, boolean on);

    /** Whether the domain lists its people to one another. */
    Mono<Boolean> hasAddressList(String domain);

    /**
     * The people of {@code domain} whose display name or address contains {@code text} (all when empty), by display
     * name, at most {@code limit}; none when the domain's list is off.
     */
    Flux<ListedPerson> addressList(String domain, String text, int limit);

    Mono<Account> addAccount(NewAccount account);

    Mono<Account> findByAuthId(String authId);

    Mono<Account> findByAddress(String address);

    /** All accounts, or those of one domain when {@code domain} is not null, ordered by address. */
    Flux<Account> accounts(@org.jspecify.annotations.Nullable String domain);

    /** {@code UNKNOWN_ACCOUNT} when no account has this auth ID. */
    Mono<Void> setPasswordHash(String authId, String passwordHash);

    /** Removes the account with all its mailboxes and messages; {@code UNKNOWN_ACCOUNT} when there is none. */
    Mono<Void> removeAccount(String authIdOrAddress);

    /** The person's own settings (such as the webmail's {@code language}), by name; empty when none is set. */
    Mono<java.util.Map<String, String>> settings(long accountId);

    /**
     * Sets one of the person's settings ({@code name}: lower case, digits, dots and hyphens, at most 64; {@code
     * value}: at most 1000 characters), or removes it when {@code value} is null.
     */
    Mono<Void> setSetting(long accountId, String name, @org.jspecify.annotations.Nullable String value);

    /**
     * Accounts whose address is one of {@code addresses} or whose auth ID is one of {@code authIds}, in no
     * particular order: one query however many are asked for (bulk imports check a whole file with it).
     */
    Flux<Account> findAccounts(Collection<String> addresses, Collection<String> authIds);

    /**
     * Creates or updates the accounts of {@code rows} in one transaction: an address without an account is created
     * with its INBOX, an existing one gets the row's display name and password change. All rows are written or, on
     * any error, none. Errors: {@code UNKNOWN_DOMAIN} when a new address's domain does not exist,
     * {@code DUPLICATE_AUTH_ID} when a new account's auth ID is taken, {@code DUPLICATE_ADDRESS} when an existing
     * account has another auth ID than its row (auth IDs are never changed). Addresses must be distinct within
     * {@code rows}, and so must auth IDs ({@link IllegalArgumentException} otherwise).
     */
    Mono<ImportResult> importAccounts(List<ImportRow> rows);
}
