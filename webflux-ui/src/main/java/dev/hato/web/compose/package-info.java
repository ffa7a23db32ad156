/**
 * Writing mail in webmail: the compose form (new, reply, reply to all, forward inline or as an attachment), the
 * message it makes (RFC 5322, MIME, RFC 2047 and RFC 2231 for Japanese names), and {@link
 * dev.hato.web.compose.MailSubmission}, declared here and implemented by the gateway, which sends it as SMTP
 * submission does.
 */
@NullMarked
package dev.hato.web.compose;

import org.jspecify.annotations.NullMarked;
