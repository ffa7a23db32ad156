package dev.hato.delivery;

import dev.hato.store.directory.Addresses;
import java.net.IDN;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * Resolves an envelope recipient to the accounts and remote addresses that receive it: the pipeline's
 * {@link ResolveStep} followed by its {@link ExpandStep}, for the callers that need both at once, and the address
 * normalisation every step shares.
 */
public final class RecipientResolver {

    /** How many alias/forwarding hops one recipient may take; Postfix's default is 1000 addresses, 10 levels deep. */
    public static final int MAX_DEPTH = 10;
    /** How many addresses one recipient may expand to in all. */
    public static final int MAX_EXPANSION = 1000;

    private final ResolveStep resolve;
    private final ExpandStep expand;

    /**
     * RFC 5321 §4.5.1: mail to "postmaster" (the session adds the server's host name) must be accepted; it goes
     * to {@code postmaster}, an address of a local domain, when the host name itself is not a local domain.
     * {@code subaddressSeparator} is {@code "+"} usually; empty switches plus-addressing off.
     */
    public RecipientResolver(Addresses addresses, String hostName, @Nullable String postmaster,
                             String subaddressSeparator) {
        this(new ResolveStep(addresses, hostName, postmaster), new ExpandStep(addresses, subaddressSeparator));
    }

    public RecipientResolver(ResolveStep resolve, ExpandStep expand) {
        this.resolve = resolve;
        this.expand = expand;
    }

    /** {@code address} is a bare {@code local@domain} (no angle brackets). */
    public Mono<Recipient> resolve(String address) {
        return resolve.resolve(address).flatMap(resolution -> resolution instanceof ResolveStep.Local local
                ? expand.expand(local)
                : Mono.just(new Recipient.Remote(address)));
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

    /** The address with its local part as written and its domain lower-case, in ASCII (A-label) form. */
    public static String withNormalizedDomain(String address) {
        int at = address.lastIndexOf('@');
        if (at < 0) {
            return address;
        }
        return address.substring(0, at + 1) + normalizeDomain(address.substring(at + 1));
    }
}
