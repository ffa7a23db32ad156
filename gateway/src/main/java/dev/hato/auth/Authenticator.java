package dev.hato.auth;

import reactor.core.publisher.Mono;

/** Verifies credentials. Never errors: failures of the credential source become {@link AuthOutcome.Unavailable}. */
public interface Authenticator {
    Mono<AuthOutcome> authenticate(Credentials credentials);
}
