package dev.hato.auth;

import dev.hato.store.Account;
import dev.hato.store.Directory;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * Verifies auth ID and password against the Argon2id hash in the directory. An unknown auth ID costs the same hash
 * work as a known one, and an address typed as login is rejected the same way whether or not it exists.
 */
public final class LocalAuthenticator implements Authenticator {

    private static final Logger LOG = LoggerFactory.getLogger(LocalAuthenticator.class);

    private final Directory directory;
    private final PasswordHasher hasher;
    private final Scheduler hashing;
    private final Duration timeout;
    private final String decoyHash;

    /** {@code hashing} runs the deliberately slow hash; never an event loop. */
    public LocalAuthenticator(Directory directory, PasswordHasher hasher, Scheduler hashing, Duration timeout) {
        this.directory = directory;
        this.hasher = hasher;
        this.hashing = hashing;
        this.timeout = timeout;
        this.decoyHash = hasher.hash("decoy password that no one has");
    }

    @Override
    public Mono<AuthOutcome> authenticate(Credentials credentials) {
        boolean address = credentials.looksLikeAddress();
        String authId = AuthIds.normalize(credentials.login());
        Mono<Account> account = address || !AuthIds.isValid(authId)
                ? Mono.empty()
                : directory.findByAuthId(authId);
        return account
                .map(Optional::of)
                .defaultIfEmpty(Optional.empty())
                .timeout(timeout)
                .flatMap(found -> {
                    String stored = found.map(Account::passwordHash).orElse(null);
                    String hash = stored == null ? decoyHash : stored;
                    return Mono.fromCallable(() -> hasher.verify(credentials.password(), hash))
                            .subscribeOn(hashing)
                            .map(ok -> ok && stored != null
                                    ? (AuthOutcome) new AuthOutcome.Success(found.get())
                                    : new AuthOutcome.Rejected(address));
                })
                .onErrorResume(error -> {
                    LOG.warn("credential lookup failed for a {} login from {}: {}", credentials.protocol(),
                            credentials.remoteIp(), error.toString());
                    return Mono.just(new AuthOutcome.Unavailable("directory unavailable"));
                });
    }
}
