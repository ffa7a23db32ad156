/**
 * SMTP framing beyond command lines: the DATA content decoder (end-of-data detection, dot-unstuffing, the message
 * size limit and the SMTP smuggling defence). Plain Java on {@link java.nio.ByteBuffer}.
 */
@NullMarked
package dev.hato.smtp.wire;

import org.jspecify.annotations.NullMarked;
