/**
 * Framing shared by the line-oriented protocols (SMTP, POP3): the {@link dev.hato.protocol.wire.Decoded} values a
 * push decoder returns and the {@link dev.hato.protocol.wire.LineFramer} that cuts command lines out of a byte
 * stream. Plain Java on {@link java.nio.ByteBuffer}; no network or reactive types.
 */
@NullMarked
package dev.hato.protocol.wire;

import org.jspecify.annotations.NullMarked;
