package dev.hato.pop3.wire;

import dev.hato.message.HeaderSectionEnd;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;

/**
 * Streams a stored message to a POP3 client that has not sent UTF8 (RFC 6856): the header section is held back until
 * its empty line, and if it holds any octet above 0x7F (RFC 6532 UTF-8 header fields), the fields that do are
 * rewritten into ASCII by {@link HeaderFieldDowngrade}; everything after the header passes through untouched (a body
 * is the business of its MIME labels, not of this extension). One instance per response; plain state, no locks.
 *
 * <p>At most {@link #MAX_HEADER} octets are held back: a header section longer than that is passed on as it is
 * (RFC 5322 header sections are a few kilobytes; a longer one is not what this downgrade is for).
 */
public final class Pop3HeaderDowngrade {

    /** The longest header section that is held back and downgraded. */
    public static final int MAX_HEADER = 256 * 1024;

    private final HeaderSectionEnd end = new HeaderSectionEnd();
    private ByteArrayOutputStream header = new ByteArrayOutputStream();
    private boolean passing;

    /** Takes {@code chunk} whole; returns what may be sent now (possibly nothing while the header is held back). */
    public ByteBuffer accept(ByteBuffer chunk) {
        if (passing) {
            return chunk;
        }
        int after = end.scan(chunk);
        if (after == HeaderSectionEnd.NOT_FOUND) {
            take(chunk, chunk.remaining());
            if (header.size() > MAX_HEADER) {
                return flush(false);
            }
            return ByteBuffer.allocate(0);
        }
        int headerPart = after - chunk.position();
        take(chunk, headerPart);
        ByteBuffer head = flush(header.size() <= MAX_HEADER);
        ByteBuffer out = ByteBuffer.allocate(head.remaining() + chunk.remaining());
        out.put(head).put(chunk).flip();
        return out;
    }

    /** The end of the content: whatever is still held back (a message that is all header). */
    public ByteBuffer finish() {
        return passing ? ByteBuffer.allocate(0) : flush(true);
    }

    /** Moves {@code length} octets of {@code chunk} into the held-back header (direct buffers too). */
    private void take(ByteBuffer chunk, int length) {
        byte[] octets = new byte[length];
        chunk.get(octets);
        header.write(octets, 0, length);
    }

    private ByteBuffer flush(boolean downgrade) {
        passing = true;
        byte[] held = header.toByteArray();
        header = new ByteArrayOutputStream(0);
        return ByteBuffer.wrap(downgrade ? HeaderFieldDowngrade.downgrade(held) : held);
    }
}
