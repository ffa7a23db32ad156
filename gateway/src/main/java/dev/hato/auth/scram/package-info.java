/**
 * SASL SCRAM-SHA-256 on the server side (RFC 5802, RFC 7677): {@link dev.hato.auth.scram.ScramServer} is the pure
 * state machine of one exchange (decoded SASL messages in, server messages out, no I/O);
 * {@link dev.hato.auth.scram.ScramKeySource} finds an auth ID's stored keys through the directory, or stable decoy
 * keys when there are none, so the exchange does not reveal who exists; {@link dev.hato.auth.scram.ScramMechanism}
 * runs an exchange for the SASL engine ({@code dev.hato.auth.sasl}) through the login throttle and audit log
 * ({@link dev.hato.auth.guard.GuardedAuthenticator#begin}). SCRAM-SHA-256-PLUS (channel binding) is not offered.
 */
@NullMarked
package dev.hato.auth.scram;

import org.jspecify.annotations.NullMarked;
