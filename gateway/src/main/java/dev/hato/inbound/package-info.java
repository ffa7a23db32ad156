/**
 * Authentication of mail arriving on the MTA port: SPF (RFC 7208), DMARC (RFC 7489) with DKIM verification from
 * {@code dev.hato.dkim}, recorded in an Authentication-Results field (RFC 8601); forged fields claiming our
 * authserv-id renamed. Plain Java over Reactor; DNS through {@link dev.hato.inbound.AuthDns}, whose Netty
 * implementation is in {@code dev.hato.inbound.transport}. See docs/inbound-authentication.md.
 */
@NullMarked
package dev.hato.inbound;

import org.jspecify.annotations.NullMarked;
