package dev.hato.delivery;

import dev.hato.store.Directory;
import java.util.Locale;
import reactor.core.publisher.Mono;

/**
 * Resolves envelope recipients against the directory. Local parts are matched case-insensitively (the directory
 * stores addresses lower-case); the domain decides local versus remote.
 */
public final class RecipientResolver {

    private final Directory directory;

    public RecipientResolver(Directory directory) {
        this.directory = directory;
    }

    /** {@code address} is a bare {@code local@domain} (no angle brackets). */
    public Mono<Recipient> resolve(String address) {
        String normalized = address.toLowerCase(Locale.ROOT);
        int at = normalized.lastIndexOf('@');
        if (at <= 0 || at == normalized.length() - 1) {
            return Mono.just(new Recipient.Remote(address));
        }
        String domain = normalized.substring(at + 1);
        return directory.isLocalDomain(domain).flatMap(local -> local
                ? directory.findByAddress(normalized)
                        .<Recipient>map(Recipient.Local::new)
                        .defaultIfEmpty(new Recipient.UnknownLocal(address))
                : Mono.just(new Recipient.Remote(address)));
    }
}
