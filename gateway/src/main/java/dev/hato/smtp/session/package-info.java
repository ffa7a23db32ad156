/**
 * The SMTP server conversation (RFC 5321) for the MTA and submission roles: a state machine over decoded frames
 * that answers with replies, with the directory, the authenticator and the delivery writer injected. No sockets.
 */
@NullMarked
package dev.hato.smtp.session;

import org.jspecify.annotations.NullMarked;
