/**
 * IMAP FETCH (RFC 3501 §7.4.2): the {@code ENVELOPE}, {@code BODYSTRUCTURE} and {@code BODY} of a message rendered
 * once from the {@link dev.hato.message.MessageParser}'s MIME tree and kept with the byte offsets of every part, so
 * a later {@code BODY[1.2.MIME]} or {@code BODY[2.1]<0.100>} streams a range of the stored blob without parsing
 * again; and the FETCH response itself. Parsing, charsets and text for search live in {@code dev.hato.message}; this
 * package keeps only what is IMAP's. The result, {@link dev.hato.imap.fetch.MessageStructure}, is immutable and
 * encodes to a compact byte array for a database column.
 */
@NullMarked
package dev.hato.imap.fetch;

import org.jspecify.annotations.NullMarked;
