package dev.hato.delivery;

import dev.hato.store.directory.Account;
import dev.hato.store.directory.AddressRoute;
import dev.hato.store.directory.Addresses;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The expand step of the delivery pipeline: a local address (found by {@link ResolveStep}) becomes the accounts
 * and remote addresses that receive it.
 * <ul>
 *   <li>an account receives its mail, unless it forwards without keeping a copy; its forwarding targets are
 *       expanded in turn;</li>
 *   <li>an alias expands to its targets, each expanded in turn (aliases of aliases, accounts, remote addresses);</li>
 *   <li>plus-addressing: {@code user+tag@domain} goes to {@code user@domain} when no address or alias is literally
 *       {@code user+tag};</li>
 *   <li>an unknown address of a domain with a catch-all goes to the catch-all target;</li>
 *   <li>an account whose person is still served by a legacy system (issue 17, route {@code legacy:NAME}) is
 *       relayed there ({@link Recipient.Legacy}), without Hato's forwarding for it; {@code syncing} and
 *       {@code local} people get their mail here;</li>
 *   <li>an SRS address this server wrote on a forwarded message ({@link Srs}) goes back to the sender it
 *       stands for: that is where the bounces of forwarded mail find their way.</li>
 * </ul>
 * Expansion stops at addresses already seen (a loop among local aliases delivers each account once) and at
 * {@link RecipientResolver#MAX_DEPTH} levels or {@link RecipientResolver#MAX_EXPANSION} addresses; an expansion
 * that reaches nobody, or is cut short, is {@link Recipient.Unroutable}. Local addresses whose alias or forwarding
 * sent the message elsewhere are named in {@link Recipient.Resolved#forwardedBy()} (the loop step's
 * {@code Delivered-To} marks).
 */
public final class ExpandStep {

    private final Addresses addresses;
    private final String separator;
    private final @Nullable Srs srs;

    /** {@code subaddressSeparator} is {@code "+"} usually; empty switches plus-addressing off. */
    public ExpandStep(Addresses addresses, String subaddressSeparator) {
        this(addresses, subaddressSeparator, null);
    }

    /** As above, with the SRS addresses {@code srs} writes going back to their senders. */
    public ExpandStep(Addresses addresses, String subaddressSeparator, @Nullable Srs srs) {
        this.addresses = addresses;
        this.separator = subaddressSeparator;
        this.srs = srs;
    }

    /** What the local address {@code local} reaches. */
    public Mono<Recipient> expand(ResolveStep.Local local) {
        String address = local.address();
        Srs rewriting = srs;
        if (rewriting != null && local.route().account() == null && local.route().aliasTargets().isEmpty()) {
            int at = address.lastIndexOf('@');
            java.util.Optional<String> original = rewriting.reverse(at < 0 ? address : address.substring(0, at));
            if (original.isPresent()) {
                return Mono.just(new Recipient.Resolved(List.of(), List.of(original.get()), List.of()));
            }
        }
        String start = local.normalized();
        Expansion expansion = new Expansion();
        expansion.seen.add(start);
        return expand(start, local.route(), 0, expansion, true).then(Mono.fromSupplier(() -> {
            if (expansion.problem != null) {
                // Never a 250 for an expansion cut short: part of it would be dropped unseen.
                return new Recipient.Unroutable(address, expansion.problem);
            }
            if (expansion.found) {
                return expansion.accounts.isEmpty() && expansion.remote.isEmpty() && expansion.legacy.isEmpty()
                        ? new Recipient.Unroutable(address,
                                "The address expands to no existing recipient (an alias loop, or unknown targets)")
                        : new Recipient.Resolved(List.copyOf(expansion.accounts.values()),
                                List.copyOf(expansion.remote), List.copyOf(expansion.forwardedBy),
                                List.copyOf(expansion.legacy.values()));
            }
            return new Recipient.UnknownLocal(address);
        }));
    }

    private Mono<Void> expand(String address, AddressRoute route, int depth, Expansion expansion, boolean top) {
        Account account = route.account();
        String legacy = route.legacyBackend();
        if (account != null && legacy != null) {
            // Issue 17: the person is still served by a legacy system, whose MTA gets their mail. Their forwarding
            // and filters are the old system's business (it applies its own); Hato's apply once they move here.
            expansion.found = true;
            expansion.legacy.putIfAbsent(account.address(), new Recipient.Legacy(account.address(),
                    legacy, route.legacySmtp()));
            return Mono.empty();
        }
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
                        baseRoute.keepCopy(), baseRoute.aliasTargets(), null, baseRoute.legacyBackend(),
                        baseRoute.legacySmtp());
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
            int before = expansion.remote.size() + expansion.legacy.size();
            return expanding.then(Mono.fromRunnable(() -> {
                if (expansion.remote.size() + expansion.legacy.size() > before
                        && !expansion.forwardedBy.contains(address)) {
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
        if (depth >= RecipientResolver.MAX_DEPTH) {
            expansion.problem = "Aliases nested deeper than " + RecipientResolver.MAX_DEPTH + " levels";
            return Mono.empty();
        }
        return Flux.fromIterable(targets)
                .filter(target -> expansion.seen.add(RecipientResolver.normalize(target)))
                .concatMap(written -> {
                    String target = RecipientResolver.normalize(written);
                    if (expansion.seen.size() > RecipientResolver.MAX_EXPANSION) {
                        expansion.problem = "The address expands to more than " + RecipientResolver.MAX_EXPANSION + " addresses";
                        return Mono.empty();
                    }
                    return addresses.route(target)
                            .map(Optional::of)
                            .defaultIfEmpty(Optional.empty())
                            .flatMap(route -> {
                                if (route.isEmpty()) {
                                    // RFC 5321 §2.4: another server's local parts keep their case.
                                    expansion.remote.add(RecipientResolver.withNormalizedDomain(written));
                                    return Mono.<Void>empty();
                                }
                                // A target that is unknown locally is dropped (logged by nobody): the alias's
                                // other targets still get the message. The catch-all does not apply to targets.
                                return expand(target, route.get(), depth + 1, expansion, false);
                            });
                })
                .then();
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
        /** People served by legacy systems, by their address. */
        final Map<String, Recipient.Legacy> legacy = new LinkedHashMap<>();
        final List<String> forwardedBy = new ArrayList<>();
        final Set<String> seen = new HashSet<>();
        boolean found;
        @Nullable String problem;
    }
}
