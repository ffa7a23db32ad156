package dev.hato.auth;

import dev.hato.store.directory.Account;
import reactor.core.publisher.Mono;

/**
 * Where an account's password is checked: local Argon2id hashes, an LDAP directory, an HTTP identity portal. The
 * account was already found by its auth ID; a source only says whether the password is right.
 */
public interface CredentialSource {

    /** For logs, metrics and the health endpoint, e.g. "local", "ldap:campus", "http:portal". */
    String name();

    /**
     * True for the right password, false for a wrong one. An error (timeout, connection refused, open circuit)
     * means the source could not answer; callers turn it into a temporary failure, never into "wrong password".
     */
    Mono<Boolean> verify(Account account, String password);
}
