/**
 * Hato's Sieve engine (RFC 5228 and the extensions of ADR 0011): a script is parsed ({@code grammar}), checked and
 * compiled once, and its compiled form is evaluated per recipient within a {@link dev.hato.sieve.Budget}; matching
 * is in {@code match}. Plain Java: it depends on the {@code message} module only, so delivery, ManageSieve and the
 * webmail can all use it.
 */
@NullMarked
package dev.hato.sieve;

import org.jspecify.annotations.NullMarked;
