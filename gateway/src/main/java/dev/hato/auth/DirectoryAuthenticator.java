package dev.hato.auth;

import dev.hato.store.directory.Account;
import dev.hato.store.directory.Directory;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * Logins by auth ID: finds the account in the {@link Directory}, then asks the credential source of the account's
 * domain ({@link CredentialSources}) whether the password is right.
 *
 * <ul>
 *   <li>A login that looks like an address is rejected at once with {@code addressGiven}, without any lookup, so
 *       the reply can point to the auth ID without saying whether that address exists.</li>
 *   <li>An unknown (or malformed) auth ID costs the same Argon2id work as a local password check, on the hashing
 *       scheduler, and gets the same {@code Rejected(false)} as a wrong password.</li>
 *   <li>A source that cannot answer gives {@code Unavailable("<source> unavailable")}, a directory that cannot
 *       answer {@code Unavailable("directory unavailable")}: a temporary failure, never "wrong password".</li>
 * </ul>
 * Delivery never comes here: it only reads the directory, so an auth outage cannot slow it down.
 */
public final class DirectoryAuthenticator implements Authenticator {

    private static final Logger LOG = LoggerFactory.getLogger(DirectoryAuthenticator.class);

    private final Directory directory;
    private final CredentialSources sources;
    private final PasswordHasher hasher;
    private final Scheduler hashing;
    private final AuthenticatorSettings settings;
    private final String decoyHash;

    /** {@code hashing} runs the decoy hash for unknown auth IDs; never an event loop. */
    public DirectoryAuthenticator(Directory directory, CredentialSources sources, PasswordHasher hasher,
                                  Scheduler hashing, AuthenticatorSettings settings) {
        this.directory = directory;
        this.sources = sources;
        this.hasher = hasher;
        this.hashing = hashing;
        this.settings = settings;
        this.decoyHash = hasher.hash("decoy password that no one has");
    }

    @Override
    public Mono<AuthOutcome> authenticate(Credentials credentials) {
        if (credentials.looksLikeAddress()) {
            return Mono.just(new AuthOutcome.Rejected(true));
        }
        String authId = AuthIds.normalize(credentials.login());
        if (!AuthIds.isValid(authId) || credentials.password().isEmpty()) {
            return decoy(credentials.password());
        }
        return directory.findByAuthId(authId)
                .map(Optional::of)
                .defaultIfEmpty(Optional.empty())
                .timeout(settings.directoryTimeout())
                .flatMap(found -> found.isPresent() ? check(found.get(), credentials) : decoy(credentials.password()))
                .onErrorResume(error -> {
                    LOG.warn("account lookup failed for a {} login from {}: {}", credentials.protocol(),
                            credentials.remoteIp(), error.toString());
                    return Mono.just(new AuthOutcome.Unavailable("directory unavailable"));
                });
    }

    /** Errors of the source are handled here, so that they are not mistaken for directory errors. */
    private Mono<AuthOutcome> check(Account account, Credentials credentials) {
        CredentialSource source = sources.forAccount(account);
        return Mono.defer(() -> source.verify(account, credentials.password()))
                .timeout(settings.verifyTimeout())
                .map(ok -> ok ? (AuthOutcome) new AuthOutcome.Success(account) : new AuthOutcome.Rejected(false))
                .switchIfEmpty(Mono.error(() -> new CredentialSourceException(source.name() + " gave no answer")))
                .onErrorResume(error -> {
                    LOG.warn("{} could not check a {} login from {}: {}", source.name(), credentials.protocol(),
                            credentials.remoteIp(), error.toString());
                    return Mono.just(new AuthOutcome.Unavailable(source.name() + " unavailable"));
                });
    }

    /** The work a local check of a known auth ID would cost, with the answer an unknown one gets. */
    private Mono<AuthOutcome> decoy(String password) {
        return Mono.fromCallable(() -> hasher.verify(password, decoyHash))
                .subscribeOn(hashing)
                .thenReturn(new AuthOutcome.Rejected(false));
    }
}
