/**
 * Abuse protection and audit around any {@link dev.hato.auth.Authenticator}: {@link dev.hato.auth.guard.LoginThrottle}
 * counts failed logins per auth ID from one client address and per client address (a growing delay, then a
 * temporary lockout of that address) and per auth ID over all addresses (checks take turns, never a lockout), and
 * {@link dev.hato.auth.guard.GuardedAuthenticator} applies it and records every attempt in the
 * {@link dev.hato.store.audit.AuditLog}. Plain Java over Reactor types, like the rest of {@code dev.hato.auth}.
 */
@NullMarked
package dev.hato.auth.guard;

import org.jspecify.annotations.NullMarked;
