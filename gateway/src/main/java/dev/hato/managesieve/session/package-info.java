/**
 * A ManageSieve connection (RFC 5804) as a state machine over {@link dev.hato.protocol.ProtocolSession}: the
 * non-authenticated state (CAPABILITY, STARTTLS, AUTHENTICATE through the shared SASL engine, NOOP, LOGOUT) and the
 * authenticated one, whose commands manage the person's scripts in the store, each compiled by the {@code sieve}
 * module before it is stored. No sockets: the edge runs it like the other protocols.
 */
@NullMarked
package dev.hato.managesieve.session;

import org.jspecify.annotations.NullMarked;
