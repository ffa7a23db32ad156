package dev.hato.store.admin;

import java.util.List;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Site administrators and the administrators of domains. */
public interface Administrators {

    /** One grant: the person's address, and the domain they administer ({@code null}: every domain, the site). */
    record Grant(String address, @Nullable String domain) { }

    /** Makes the person an administrator of the domain ({@code null}: of the site); false when they were already. */
    Mono<Boolean> grant(long accountId, @Nullable Long domainId);

    /** Takes the grant back; false when there was none. */
    Mono<Boolean> revoke(long accountId, @Nullable Long domainId);

    /** Every grant, site administrators first, then by domain and address. */
    Flux<Grant> grants();

    /** The domains the person administers, by name: all of them for a site administrator; none for anyone else. */
    Mono<List<String>> domains(long accountId);
}
