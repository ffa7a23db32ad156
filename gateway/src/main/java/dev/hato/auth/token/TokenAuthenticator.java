package dev.hato.auth.token;

import dev.hato.auth.AuthIds;
import dev.hato.auth.AuthOutcome;
import dev.hato.auth.Authenticator;
import dev.hato.auth.Credentials;
import dev.hato.store.directory.Directory;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * Logs in with a bearer token: {@link Credentials#password()} carries the token and {@link Credentials#login()}
 * the user the client named in SASL (may be empty). The token's auth ID claim must name an existing account, and a
 * named user must be that account's auth ID or address. Passing through {@link Authenticator} lets throttling and
 * the audit log treat token logins like password logins.
 */
public final class TokenAuthenticator implements Authenticator {

    private static final Logger LOG = LoggerFactory.getLogger(TokenAuthenticator.class);

    private final JwtVerifier verifier;
    private final Directory directory;
    private final Clock clock;
    private final Duration timeout;

    public TokenAuthenticator(JwtVerifier verifier, Directory directory, Clock clock, Duration timeout) {
        this.verifier = verifier;
        this.directory = directory;
        this.clock = clock;
        this.timeout = timeout;
    }

    @Override
    public Mono<AuthOutcome> authenticate(Credentials credentials) {
        return verifier.verify(credentials.password(), clock.instant()).flatMap(result -> {
            if (result instanceof JwtVerifier.Result.Valid valid) {
                return account(valid.authId(), credentials);
            }
            if (result instanceof JwtVerifier.Result.Unavailable unavailable) {
                LOG.warn("token login from {} not checked: {}", credentials.remoteIp(), unavailable.reason());
                return Mono.just(new AuthOutcome.Unavailable("token keys unavailable"));
            }
            LOG.debug("token refused for a {} login from {}: {}", credentials.protocol(), credentials.remoteIp(),
                    ((JwtVerifier.Result.Invalid) result).reason());
            return Mono.just(new AuthOutcome.Rejected(false));
        });
    }

    private Mono<AuthOutcome> account(String claimed, Credentials credentials) {
        String authId = AuthIds.normalize(claimed);
        String named = credentials.login().trim();
        return directory.findByAuthId(authId)
                .timeout(timeout)
                .<AuthOutcome>map(account -> named.isEmpty() || named.equalsIgnoreCase(account.authId())
                        || named.equalsIgnoreCase(account.address())
                        ? new AuthOutcome.Success(account)
                        : new AuthOutcome.Rejected(false))
                .defaultIfEmpty(new AuthOutcome.Rejected(false))
                .onErrorResume(error -> Mono.just(new AuthOutcome.Unavailable("directory unavailable")));
    }
}
