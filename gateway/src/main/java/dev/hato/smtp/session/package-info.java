/**
 * The SMTP server conversation (RFC 5321) for the MTA and submission roles: a state machine over decoded frames
 * ({@code SmtpState}, a sealed type) that answers with replies, one handler per command behind a dispatch table
 * ({@code SmtpDispatch}), with the authenticator and the delivery pipeline injected. No sockets.
 */
@NullMarked
package dev.hato.smtp.session;

import org.jspecify.annotations.NullMarked;
