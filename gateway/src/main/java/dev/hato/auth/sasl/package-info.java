/**
 * One SASL engine (RFC 4422) for every protocol: {@link dev.hato.auth.sasl.SaslEngine} offers PLAIN (RFC 4616),
 * LOGIN, SCRAM-SHA-256 (RFC 5802, RFC 7677; not the {@code -PLUS} variant), OAUTHBEARER (RFC 7628) and XOAUTH2,
 * and runs each exchange ({@link dev.hato.auth.sasl.SaslExchange}) as a state machine whose every step is a value
 * ({@link dev.hato.auth.sasl.SaslStep}: a challenge, a success, a failure with its reason). Base64, the empty
 * response {@code =}, the cancel {@code *}, length limits, the login throttle and the audit log are applied here,
 * once; SMTP, IMAP and POP3 keep only their framing ({@code 334}, {@code +}) and the mapping of steps to replies.
 */
@NullMarked
package dev.hato.auth.sasl;

import org.jspecify.annotations.NullMarked;
