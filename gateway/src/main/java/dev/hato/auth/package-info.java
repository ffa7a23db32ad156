/**
 * Authentication by auth ID, shared by SMTP, IMAP, POP3 and webmail: credentials and the outcome of
 * a login; the {@link dev.hato.auth.DirectoryAuthenticator} that finds the account by auth ID and asks the
 * credential source of its domain ({@link dev.hato.auth.CredentialSources}); the local source (Argon2id hashes
 * from BouncyCastle, {@link dev.hato.auth.PasswordHasher}); the decorators that make remote sources survive an
 * outage — timeout and circuit breaker ({@link dev.hato.auth.ResilientCredentialSource}), the optional in-memory
 * verifier cache ({@link dev.hato.auth.CachingCredentialSource}) — and their health; auth ID generation and SASL
 * PLAIN decoding. Remote sources live in {@code dev.hato.auth.ldap} and {@code dev.hato.auth.http}; throttling in
 * {@code dev.hato.auth.guard}, bearer tokens in {@code dev.hato.auth.token}, SCRAM in {@code dev.hato.auth.scram},
 * and the one SASL engine every protocol logs in through in {@code dev.hato.auth.sasl}. Delivery never uses this
 * package.
 */
@NullMarked
package dev.hato.auth;

import org.jspecify.annotations.NullMarked;
