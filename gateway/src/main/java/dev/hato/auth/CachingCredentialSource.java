package dev.hato.auth;

import dev.hato.store.directory.Account;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * Lets recently verified people in while their credential source cannot answer. The delegate is always asked
 * first; the {@link VerifierCache} is consulted only when it errors (backend down, timeout, open circuit), and then
 * answers yes for the password that was verified within the TTL — anything else gets the original error back, never
 * "wrong password". A wrong password is never cached; a "no" for the cached password (it was changed at the
 * source) drops the entry. Wrap it around a {@link ResilientCredentialSource} so open-circuit errors reach it.
 */
public final class CachingCredentialSource implements CredentialSource {

    private static final Logger LOG = LoggerFactory.getLogger(CachingCredentialSource.class);

    private final CredentialSource delegate;
    private final VerifierCache cache;

    public CachingCredentialSource(CredentialSource delegate, VerifierCache cache) {
        this.delegate = delegate;
        this.cache = cache;
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public Mono<Boolean> verify(Account account, String password) {
        if (!cache.enabled()) {
            return delegate.verify(account, password);
        }
        return Mono.defer(() -> delegate.verify(account, password))
                .doOnNext(ok -> {
                    if (ok) {
                        cache.remember(account.id(), password);
                    } else if (cache.matches(account.id(), password)) {
                        cache.forget(account.id());
                    }
                })
                .onErrorResume(error -> {
                    if (cache.matches(account.id(), password)) {
                        LOG.debug("{} could not answer ({}); accepted from the verifier cache", name(),
                                error.toString());
                        return Mono.just(true);
                    }
                    return Mono.error(error);
                });
    }
}
