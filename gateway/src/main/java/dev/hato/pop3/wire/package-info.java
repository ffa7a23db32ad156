/**
 * POP3 framing of multi-line responses: the streaming encoder that byte-stuffs message content for RETR and TOP and
 * terminates it (RFC 1939 §3). Plain Java on {@link java.nio.ByteBuffer}.
 */
@NullMarked
package dev.hato.pop3.wire;

import org.jspecify.annotations.NullMarked;
