package dev.hato.delivery;

import dev.hato.store.directory.AddressRoute;
import dev.hato.store.directory.Addresses;
import java.util.Locale;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * The resolve step of the delivery pipeline: whether an envelope address belongs to one of Hato's domains, and if
 * so, what the directory holds for it (one query). Local parts match case-insensitively (addresses are stored
 * lower-case); a UTF-8 domain (RFC 6531) matches its A-label form. RFC 5321 §4.5.1: mail to "postmaster" (the
 * session adds the server's host name) must be accepted; it goes to the configured postmaster address, of a local
 * domain, when the host name itself is not a local domain.
 */
public final class ResolveStep {

    /** What an address is, before expansion. */
    public sealed interface Resolution permits NotLocal, Local { }

    /** Not one of our domains (or not an address with a domain at all). */
    public record NotLocal(String address) implements Resolution { }

    /**
     * An address of a local domain: {@code address} as given, {@code normalized} as the directory keys it, and the
     * directory's {@code route} for it (which may name no account and no alias: expansion decides).
     */
    public record Local(String address, String normalized, AddressRoute route) implements Resolution { }

    private final Addresses addresses;
    private final String serverPostmaster;
    private final @Nullable String postmaster;

    public ResolveStep(Addresses addresses, String hostName, @Nullable String postmaster) {
        this.addresses = addresses;
        this.serverPostmaster = "postmaster@" + hostName.toLowerCase(Locale.ROOT);
        this.postmaster = postmaster == null || postmaster.isBlank() ? null : RecipientResolver.normalize(postmaster);
    }

    /** {@code address} is a bare {@code local@domain} (no angle brackets). */
    public Mono<Resolution> resolve(String address) {
        String normalized = RecipientResolver.normalize(address);
        if (postmaster != null && normalized.equals(serverPostmaster)) {
            normalized = postmaster;
        }
        int at = normalized.lastIndexOf('@');
        if (at <= 0 || at == normalized.length() - 1) {
            return Mono.just(new NotLocal(address));
        }
        String start = normalized;
        return addresses.route(start)
                .map(Optional::of)
                .defaultIfEmpty(Optional.empty())
                .map(route -> route.<Resolution>map(found -> new Local(address, start, found))
                        .orElseGet(() -> new NotLocal(address)));
    }
}
