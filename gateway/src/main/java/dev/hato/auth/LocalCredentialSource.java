package dev.hato.auth;

import dev.hato.store.Account;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * Passwords checked against the Argon2id hash stored with the account. The hash is deliberately slow, so it runs on
 * the given {@code hashing} scheduler (bounded, never an event loop). An account without a local hash (its password
 * lives elsewhere) never logs in through this source.
 */
public final class LocalCredentialSource implements CredentialSource {

    public static final String NAME = "local";

    private final PasswordHasher hasher;
    private final Scheduler hashing;

    public LocalCredentialSource(PasswordHasher hasher, Scheduler hashing) {
        this.hasher = hasher;
        this.hashing = hashing;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Mono<Boolean> verify(Account account, String password) {
        String hash = account.passwordHash();
        if (hash == null) {
            return Mono.just(false);
        }
        return Mono.fromCallable(() -> hasher.verify(password, hash)).subscribeOn(hashing);
    }
}
