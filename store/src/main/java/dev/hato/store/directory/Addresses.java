package dev.hato.store.directory;

import java.util.List;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Aliases, catch-alls and forwarding: the addresses mail is routed by, beside the accounts of the {@link Directory}.
 * Addresses passed in are normalised (lower-case, domain in ASCII) by the caller. Rule violations are
 * {@link DirectoryException}s.
 */
public interface Addresses {

    /** What stands behind {@code address}; empty when its domain is not a local domain. One query. */
    Mono<AddressRoute> route(String address);

    /**
     * Adds {@code targets} to the alias {@code address}, creating it when it does not exist; targets it already has
     * are kept once. {@code UNKNOWN_DOMAIN} when the address's domain is not local, {@code DUPLICATE_ADDRESS} when an
     * account has this address.
     */
    Mono<Alias> addAlias(String address, List<String> targets);

    /** All aliases, or those of one domain, ordered by address. */
    Flux<Alias> aliases(@Nullable String domain);

    /**
     * Removes one target of the alias, or the whole alias when {@code target} is null (or was its last target).
     * {@code UNKNOWN_ALIAS} when there is no such alias or target.
     */
    Mono<Void> removeAlias(String address, @Nullable String target);

    /** Sets the domain's catch-all target, or switches it off with null. {@code UNKNOWN_DOMAIN} if not local. */
    Mono<Void> setCatchAll(String domain, @Nullable String target);

    /** The domains that have a catch-all, ordered by name. */
    Flux<CatchAll> catchAlls();

    /**
     * Forwards the account's mail to {@code targets} (none: forwarding off), keeping a copy when {@code keepCopy}.
     * {@code UNKNOWN_ACCOUNT} when no account has this auth ID or address.
     */
    Mono<Forwarding> setForwarding(String authIdOrAddress, List<String> targets, boolean keepCopy);

    /** Accounts that forward, or those of one domain, ordered by address. */
    Flux<Forwarding> forwardings(@Nullable String domain);
}
