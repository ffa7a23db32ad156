/**
 * The POP3 conversation (RFC 1939, CAPA from RFC 2449, STLS from RFC 2595, SASL from RFC 5034) over an account's
 * INBOX: authorization by auth ID, a snapshot of the maildrop, deletions applied only in the UPDATE state.
 */
@NullMarked
package dev.hato.pop3.session;

import org.jspecify.annotations.NullMarked;
