/**
 * The SMTP client side of outbound delivery as plain Java (RFC 5321 with the extensions the queue needs):
 * reply parsing, EHLO extensions, command formatting with DSN parameters (RFC 3461), dot-stuffing, and
 * {@link dev.hato.outbound.client.SmtpClient}, the conversation over an abstract {@link
 * dev.hato.outbound.client.SmtpTransport}. No sockets here: the Netty side is {@code dev.hato.outbound.transport}.
 */
@NullMarked
package dev.hato.outbound.client;

import org.jspecify.annotations.NullMarked;
