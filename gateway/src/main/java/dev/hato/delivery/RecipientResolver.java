package dev.hato.delivery;

import dev.hato.store.directory.Account;
import dev.hato.store.directory.AddressRoute;
import dev.hato.store.directory.Addresses;
import java.net.IDN;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Resolves an envelope recipient to the accounts and remote addresses that receive it:
 * <ul>
 *   <li>local parts match case-insensitively (addresses are stored lower-case); a UTF-8 domain (RFC 6531) matches
 *       its A-label form;</li>
 *   <li>an account receives its mail, unless it forwards without keeping a copy; its forwarding targets are
 *       resolved in turn;</li>
 *   <li>an alias expands to its targets, each resolved in turn (aliases of aliases, accounts, remote addresses);</li>
 *   <li>plus-addressing: {@code user+tag@domain} goes to {@code user@domain} when no address or alias is literally
 *       {@code user+tag}; the tag stays in the message's trace field ({@code Received: ... for <user+tag@...>});</li>
 *   <li>an unknown address of a domain with a catch-all goes to the catch-all target.</li>
 * </ul>
 * Expansion stops at addresses already seen (a loop among local aliases delivers each account once) and at
 * {@link #MAX_DEPTH}; an expansion that reaches nobody is {@link Recipient.Unroutable}.
 */
public final class RecipientResolver {

    /** How many alias/forwarding hops one recipient may take; Postfix's default is 1000 addresses, 10 levels deep. */
    public static final int MAX_DEPTH = 10;
    /** How many addresses one recipient may expand to in all. */
    public static final int MAX_EXPANSION = 1000;

    private final Addresses addresses;
    private final String serverPostmaster;
    private final @Nullable String postmaster;
    private final String separator;

    /**
     * RFC 5321 §4.5.1: mail to "postmaster" (the session adds the server's host name) must be accepted; it goes
     * to {@code postmaster}, an address of a local domain, when the host name itself is not a local domain.
     * {@code subaddressSeparator} is {@code "+"} usually; empty switches plus-addressing off.
     */
    public RecipientResolver(Addresses addresses, String hostName, @Nullable String postmaster,
                             String subaddressSeparator) {
        this.addresses = addresses;
        this.serverPostmaster = "postmaster@" + hostName.toLowerCase(Locale.ROOT);
        this.postmaster = postmaster == null || postmaster.isBlank() ? null : normalize(postmaster);
        this.separator = subaddressSeparator;
    }

    /** {@code address} is a bare {@code local@domain} (no angle brackets). */
    public Mono<Recipient> resolve(String address) {
        String normalized = normalize(address);
        if (postmaster != null && normalized.equals(serverPostmaster)) {
            normalized = postmaster;
        }
        int at = normalized.lastIndexOf('@');
        if (at <= 0 || at == normalized.length() - 1) {
            return Mono.just(new Recipient.Remote(address));
        }
        String start = normalized;
        return addresses.route(start)
                .map(Optional::of)
                .defaultIfEmpty(Optional.empty())
                .flatMap(route -> {
                    if (route.isEmpty()) {
                        return Mono.just(new Recipient.Remote(address));
                    }
                    Expansion expansion = new Expansion();
                    expansion.seen.add(start);
                    return expand(start, route.get(), 0, expansion, true).then(Mono.fromSupplier(() -> {
                        if (expansion.problem != null) {
                            // Never a 250 for an expansion cut short: part of it would be dropped unseen.
                            return new Recipient.Unroutable(address, expansion.problem);
                        }
                        if (expansion.found) {
                            return expansion.accounts.isEmpty() && expansion.remote.isEmpty()
                                    ? new Recipient.Unroutable(address, expansion.problem == null
                                            ? "The address expands to no existing recipient (an alias loop, or unknown targets)" : expansion.problem)
                                    : new Recipient.Resolved(List.copyOf(expansion.accounts.values()),
                                            List.copyOf(expansion.remote), List.copyOf(expansion.forwardedBy));
                        }
                        return new Recipient.UnknownLocal(address);
                    }));
                });
    }

    /** Lower-case, and a UTF-8 domain in its ASCII (A-label) form, as domains are stored. */
    public static String normalize(String address) {
        String lower = address.toLowerCase(Locale.ROOT);
        int at = lower.lastIndexOf('@');
        if (at < 0 || at == lower.length() - 1) {
            return lower;
        }
        return lower.substring(0, at + 1) + normalizeDomain(lower.substring(at + 1));
    }

    /** A domain lower-case, in its ASCII (A-label) form when it is a UTF-8 (IDN) name. */
    public static String normalizeDomain(String domain) {
        String lower = domain.toLowerCase(Locale.ROOT);
        if (lower.chars().allMatch(c -> c < 0x80) || lower.startsWith("[")) {
            return lower;
        }
        try {
            return IDN.toASCII(lower, IDN.ALLOW_UNASSIGNED).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException notAnIdn) {
            return lower; // matches no local domain; it is someone else's to refuse
        }
    }

    private Mono<Void> expand(String address, AddressRoute route, int depth, Expansion expansion, boolean top) {
        Account account = route.account();
        if (account != null) {
            expansion.found = true;
            if (route.forwardTo().isEmpty() || route.keepCopy()) {
                expansion.accounts.putIfAbsent(account.id(), account);
            }
            return sentOn(account.address(), targets(route.forwardTo(), depth, expansion), expansion);
        }
        if (!route.aliasTargets().isEmpty()) {
            expansion.found = true;
            return sentOn(address, targets(route.aliasTargets(), depth, expansion), expansion);
        }
        String base = withoutTag(address);
        if (base != null) {
            return addresses.route(base).flatMap(baseRoute -> {
                AddressRoute plain = new AddressRoute(baseRoute.domain(), baseRoute.account(), baseRoute.forwardTo(),
                        baseRoute.keepCopy(), baseRoute.aliasTargets(), null);
                return expand(base, plain, depth, expansion, false)
                        .then(Mono.defer(() -> expansion.found || route.catchAll() == null || !top
                                ? Mono.<Void>empty()
                                : catchAll(route.catchAll(), depth, expansion)));
            });
        }
        if (route.catchAll() != null && top) {
            return catchAll(route.catchAll(), depth, expansion);
        }
        return Mono.empty();
    }

    /**
     * Runs {@code expanding} and names {@code address} among the forwarders when it sent the message elsewhere
     * (directly or through further aliases): only those become {@code Delivered-To} fields, so a local-only alias
     * never shows in a message.
     */
    private static Mono<Void> sentOn(String address, Mono<Void> expanding, Expansion expansion) {
        return Mono.defer(() -> {
            int before = expansion.remote.size();
            return expanding.then(Mono.fromRunnable(() -> {
                if (expansion.remote.size() > before && !expansion.forwardedBy.contains(address)) {
                    expansion.forwardedBy.add(address);
                }
            }));
        });
    }

    private Mono<Void> catchAll(String target, int depth, Expansion expansion) {
        expansion.found = true;
        return targets(List.of(target), depth, expansion);
    }

    private Mono<Void> targets(List<String> targets, int depth, Expansion expansion) {
        if (targets.isEmpty()) {
            return Mono.empty();
        }
        if (depth >= MAX_DEPTH) {
            expansion.problem = "Aliases nested deeper than " + MAX_DEPTH + " levels";
            return Mono.empty();
        }
        return Flux.fromIterable(targets)
                .filter(target -> expansion.seen.add(normalize(target)))
                .concatMap(written -> {
                    String target = normalize(written);
                    if (expansion.seen.size() > MAX_EXPANSION) {
                        expansion.problem = "The address expands to more than " + MAX_EXPANSION + " addresses";
                        return Mono.empty();
                    }
                    return addresses.route(target)
                            .map(Optional::of)
                            .defaultIfEmpty(Optional.empty())
                            .flatMap(route -> {
                                if (route.isEmpty()) {
                                    // RFC 5321 §2.4: another server's local parts keep their case.
                                    expansion.remote.add(withNormalizedDomain(written));
                                    return Mono.<Void>empty();
                                }
                                // A target that is unknown locally is dropped (logged by nobody): the alias's
                                // other targets still get the message. The catch-all does not apply to targets.
                                return expand(target, route.get(), depth + 1, expansion, false);
                            });
                })
                .then();
    }

    /** The address with its local part as written and its domain lower-case, in ASCII (A-label) form. */
    public static String withNormalizedDomain(String address) {
        int at = address.lastIndexOf('@');
        if (at < 0) {
            return address;
        }
        return address.substring(0, at + 1) + normalizeDomain(address.substring(at + 1));
    }

    /** {@code user@domain} for {@code user+tag@domain}, or null when there is no tag. */
    private @Nullable String withoutTag(String address) {
        if (separator.isEmpty()) {
            return null;
        }
        int at = address.lastIndexOf('@');
        int plus = address.indexOf(separator);
        if (plus <= 0 || plus >= at) {
            return null;
        }
        return address.substring(0, plus) + address.substring(at);
    }

    /** What one recipient has expanded to so far; confined to its resolution chain. */
    private static final class Expansion {
        final Map<Long, Account> accounts = new LinkedHashMap<>();
        final Set<String> remote = new LinkedHashSet<>();
        final List<String> forwardedBy = new ArrayList<>();
        final Set<String> seen = new HashSet<>();
        boolean found;
        @Nullable String problem;
    }
}
