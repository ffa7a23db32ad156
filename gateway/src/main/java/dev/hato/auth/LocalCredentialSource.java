package dev.hato.auth;

import dev.hato.store.directory.Account;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * Passwords checked against the Argon2id hash stored with the account. The hash is deliberately slow, so it runs on
 * the given {@code hashing} scheduler (bounded, never an event loop). An account without a local hash (its password
 * lives elsewhere) never logs in through this source.
 *
 * <p>Mail clients log in again and again with the same password (every poll, every extra connection), and each
 * Argon2id run costs about 0.1 s of CPU in Java. A {@link VerifierCache} remembers, in memory only and for its TTL,
 * that a password was right for the account's <em>current</em> hash: the entry is a keyed digest of hash and password
 * together, so a changed password (a new hash) is checked with Argon2id again, and a wrong password always is; it is
 * never cached. A disabled cache makes every login run the hash.
 */
public final class LocalCredentialSource implements CredentialSource {

    public static final String NAME = "local";

    private final PasswordHasher hasher;
    private final Scheduler hashing;
    private final VerifierCache verified;

    /** Without a cache of verified passwords: every login runs the hash. */
    public LocalCredentialSource(PasswordHasher hasher, Scheduler hashing) {
        this(hasher, hashing, new VerifierCache(VerifierCacheSettings.defaults()));
    }

    public LocalCredentialSource(PasswordHasher hasher, Scheduler hashing, VerifierCache verified) {
        this.hasher = hasher;
        this.hashing = hashing;
        this.verified = verified;
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
        // NUL cannot occur in a PHC string, so hash and password are told apart
        String secret = hash + '\u0000' + password;
        if (verified.matches(account.id(), secret)) {
            return Mono.just(true);
        }
        return Mono.fromCallable(() -> {
            boolean ok = hasher.verify(password, hash);
            if (ok) {
                verified.remember(account.id(), secret);
            }
            return ok;
        }).subscribeOn(hashing);
    }
}
