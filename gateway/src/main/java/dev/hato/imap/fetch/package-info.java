/**
 * IMAP FETCH groundwork (RFC 3501 §7.4.2): the {@code ENVELOPE}, {@code BODYSTRUCTURE} and {@code BODY} of a
 * message computed once, in one pass over its octets, together with the byte offsets of every MIME part so a later
 * {@code BODY[1.2.MIME]} or {@code BODY[2.1]<0.100>} streams a range of the stored blob without parsing again.
 *
 * <p>{@link dev.hato.imap.fetch.StructureScanner} reads a blocking {@link java.io.InputStream} and must therefore run
 * off the event loop (for example on {@code Schedulers.boundedElastic()}); it is a hand-written line scanner rather
 * than Apache mime4j because mime4j's token stream does not report the octet offsets of part headers and bodies,
 * which is the point of this package. The result, {@link dev.hato.imap.fetch.MessageStructure}, is immutable and
 * encodes to a compact byte array for a database column.
 */
@NullMarked
package dev.hato.imap.fetch;

import org.jspecify.annotations.NullMarked;
