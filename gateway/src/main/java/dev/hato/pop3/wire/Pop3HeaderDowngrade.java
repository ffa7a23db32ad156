package dev.hato.pop3.wire;

import dev.hato.message.HeaderSectionEnd;
import dev.hato.message.MessagePart;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Streams a stored message to a POP3 client that has not sent UTF8 (RFC 6856): each header section — the message's
 * own, and, when the parts' offsets are known from the facts stored with the message, the header of every MIME part
 * and of every attached message — is held back until it ends, and if it holds any octet above 0x7F (RFC 6532 UTF-8
 * header fields), the fields that do are rewritten into ASCII by {@link HeaderFieldDowngrade}; everything else passes
 * through untouched (a body is the business of its MIME labels, not of this extension). One instance per response;
 * plain state, no locks.
 *
 * <p>Without known offsets ({@link #Pop3HeaderDowngrade()}), only the message's own header is downgraded, its end
 * found by {@link HeaderSectionEnd}. At most {@link #MAX_HEADER} octets of a section are held back: a longer one is
 * passed on as it is (RFC 5322 header sections are a few kilobytes; a longer one is not what this downgrade is for).
 */
public final class Pop3HeaderDowngrade {

    /** The longest header section that is held back and downgraded. */
    public static final int MAX_HEADER = 256 * 1024;

    /** One header section: octets {@code start} (inclusive) to {@code end} (exclusive) of the stored message. */
    public record Section(long start, long end) {
    }

    private final List<Section> sections;
    /** Finds the end of the only section when the offsets are not known; null when they are. */
    private final @Nullable HeaderSectionEnd scan;
    private int next;
    private long position;
    private ByteArrayOutputStream held = new ByteArrayOutputStream(0);
    /** The current section grew past {@link #MAX_HEADER}: the rest of it passes as it is. */
    private boolean passing;

    /** The message's own header only, its end found by scanning. */
    public Pop3HeaderDowngrade() {
        this.sections = List.of(new Section(0, Long.MAX_VALUE));
        this.scan = new HeaderSectionEnd();
    }

    /** These header sections, in order and not overlapping. */
    public Pop3HeaderDowngrade(List<Section> sections) {
        this.sections = List.copyOf(sections);
        this.scan = null;
    }

    /** Every non-empty header section of the message whose parts are {@code root}, in the order they appear. */
    public static Pop3HeaderDowngrade of(MessagePart root) {
        List<Section> sections = new ArrayList<>();
        collect(root, sections);
        return new Pop3HeaderDowngrade(sections);
    }

    private static void collect(MessagePart part, List<Section> sections) {
        if (part.bodyStart() > part.headerStart()) {
            sections.add(new Section(part.headerStart(), part.bodyStart()));
        }
        for (MessagePart child : part.children()) {
            collect(child, sections);
        }
    }

    /** Takes {@code chunk} whole; returns what may be sent now (possibly nothing while a header is held back). */
    public ByteBuffer accept(ByteBuffer chunk) {
        long chunkEnd = position + chunk.remaining();
        if (next >= sections.size() || held.size() == 0 && !passing && chunkEnd <= sections.get(next).start()) {
            position = chunkEnd;
            return chunk; // nothing of a header section in it: as it is, not copied
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(chunk.remaining() + 64);
        while (chunk.hasRemaining()) {
            if (next >= sections.size()) {
                move(chunk, chunk.remaining(), out);
                break;
            }
            Section section = sections.get(next);
            if (position < section.start()) {
                move(chunk, (int) Math.min(chunk.remaining(), section.start() - position), out);
                continue;
            }
            int length;
            boolean ends;
            if (scan != null) {
                int after = scan.scan(chunk);
                ends = after != HeaderSectionEnd.NOT_FOUND;
                length = ends ? after - chunk.position() : chunk.remaining();
            } else {
                length = (int) Math.min(chunk.remaining(), section.end() - position);
                ends = position + length == section.end();
            }
            move(chunk, length, passing ? out : held);
            if (!passing && held.size() > MAX_HEADER) {
                out.writeBytes(held.toByteArray());
                held = new ByteArrayOutputStream(0);
                passing = true;
            }
            if (ends) {
                endSection(out);
            }
        }
        return ByteBuffer.wrap(out.toByteArray());
    }

    /** The end of the content: whatever is still held back (a message that is all header, or cut short). */
    public ByteBuffer finish() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (next < sections.size()) {
            endSection(out);
        }
        return ByteBuffer.wrap(out.toByteArray());
    }

    private void endSection(ByteArrayOutputStream out) {
        if (!passing) {
            out.writeBytes(HeaderFieldDowngrade.downgrade(held.toByteArray()));
        }
        held = new ByteArrayOutputStream(0);
        passing = false;
        // without known offsets there is one section; after it, or after one too long to hold, everything passes
        next = scan != null ? sections.size() : next + 1;
    }

    /** Moves {@code length} octets of {@code chunk} (direct buffers too) to {@code to}. */
    private void move(ByteBuffer chunk, int length, ByteArrayOutputStream to) {
        byte[] octets = new byte[length];
        chunk.get(octets);
        to.write(octets, 0, length);
        position += length;
    }
}
