package dev.hato.delivery;

import dev.hato.store.Directory;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * Resolves envelope recipients against the directory. Local parts are matched case-insensitively (the directory
 * stores addresses lower-case); the domain decides local versus remote.
 */
public final class RecipientResolver {

    private final Directory directory;
    private final String serverPostmaster;
    private final @Nullable String postmaster;

    /** Without a postmaster address, only postmaster accounts of local domains receive postmaster mail. */
    public RecipientResolver(Directory directory) {
        this(directory, "", null);
    }

    /**
     * RFC 5321 §4.5.1: mail to "postmaster" (the session adds the server's host name) must be accepted; it goes
     * to {@code postmaster}, an address of a local domain, when the host name itself is not a local domain.
     */
    public RecipientResolver(Directory directory, String hostName, @Nullable String postmaster) {
        this.directory = directory;
        this.serverPostmaster = "postmaster@" + hostName.toLowerCase(Locale.ROOT);
        this.postmaster = postmaster == null || postmaster.isBlank() ? null : postmaster.toLowerCase(Locale.ROOT);
    }

    /** {@code address} is a bare {@code local@domain} (no angle brackets). */
    public Mono<Recipient> resolve(String address) {
        String normalized = address.toLowerCase(Locale.ROOT);
        if (postmaster != null && normalized.equals(serverPostmaster)) {
            normalized = postmaster;
        }
        int at = normalized.lastIndexOf('@');
        if (at <= 0 || at == normalized.length() - 1) {
            return Mono.just(new Recipient.Remote(address));
        }
        String domain = normalized.substring(at + 1);
        String lookup = normalized;
        return directory.isLocalDomain(domain).flatMap(local -> local
                ? directory.findByAddress(lookup)
                        .<Recipient>map(Recipient.Local::new)
                        .defaultIfEmpty(new Recipient.UnknownLocal(address))
                : Mono.just(new Recipient.Remote(address)));
    }
}
