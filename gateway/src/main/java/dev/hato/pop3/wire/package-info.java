/**
 * POP3 framing of multi-line responses: the streaming encoder that byte-stuffs message content for RETR and TOP and
 * terminates it (RFC 1939 §3), and the downgrade of UTF-8 header fields for clients that did not send UTF8
 * (RFC 6856). Plain Java on {@link java.nio.ByteBuffer}.
 */
@NullMarked
package dev.hato.pop3.wire;

import org.jspecify.annotations.NullMarked;
