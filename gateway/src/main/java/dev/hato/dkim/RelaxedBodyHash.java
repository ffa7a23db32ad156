package dev.hato.dkim;

import java.nio.ByteBuffer;

/**
 * The body hash (bh=) with the "relaxed" body canonicalization of RFC 6376 §3.4.4, computed as the body streams
 * by, in constant memory, whatever the chunk boundaries:
 *
 * <ul>
 *   <li>whitespace (SP, HTAB) at the end of a line is ignored, and every other run of it becomes one SP — so a run
 *       is held back until the next octet shows whether the line goes on;</li>
 *   <li>empty lines at the end of the body are ignored (§3.4.4 c; a line of whitespace only is empty after the
 *       first rule) — so empty lines are only counted, and written once something follows them;</li>
 *   <li>a non-empty body that does not end in CRLF gets one; an empty body stays empty (the errata-1384 reading
 *       that every verifier implements).</li>
 * </ul>
 *
 * Lines end at LF, with or without a CR before it; a CR not followed by LF is an ordinary octet.
 */
final class RelaxedBodyHash implements BodyHasher {

    private static final byte CR = '\r';
    private static final byte LF = '\n';
    private static final byte SP = ' ';
    private static final byte HTAB = '\t';

    private final CanonicalBody body;

    private boolean pendingCr;
    private boolean pendingSpace;
    private boolean lineHasContent;
    private long pendingEmptyLines;
    private boolean finished;

    /** The whole body is hashed (signing, or a signature without l=). */
    RelaxedBodyHash() {
        this(Long.MAX_VALUE);
    }

    /** Only the first {@code limit} octets of the canonical body are hashed (a verified signature's l=). */
    RelaxedBodyHash(long limit) {
        this.body = new CanonicalBody(limit);
    }

    /** How many octets the canonical body has, after {@link #finish()} (l= or not). */
    @Override
    public long canonicalLength() {
        return body.length();
    }

    /** Hashes the octets between position and limit; the buffer's position is left as it was. */
    @Override
    public void update(ByteBuffer chunk) {
        if (finished) {
            throw new IllegalStateException("the body hash is finished");
        }
        for (int i = chunk.position(), end = chunk.limit(); i < end; i++) {
            update(chunk.get(i));
        }
    }

    private void update(byte b) {
        if (pendingCr) {
            pendingCr = false;
            if (b == LF) {
                endOfLine();
                return;
            }
            content(CR);
        }
        switch (b) {
            case CR -> pendingCr = true;
            case LF -> endOfLine();
            case SP, HTAB -> pendingSpace = true;
            default -> content(b);
        }
    }

    private void content(byte b) {
        while (pendingEmptyLines > 0) {
            write(CR);
            write(LF);
            pendingEmptyLines--;
        }
        if (pendingSpace) {
            write(SP);
            pendingSpace = false;
        }
        write(b);
        lineHasContent = true;
    }

    private void endOfLine() {
        pendingSpace = false; // trailing whitespace
        if (lineHasContent) {
            write(CR);
            write(LF);
            lineHasContent = false;
        } else {
            pendingEmptyLines++;
        }
    }

    private void write(byte b) {
        body.write(b);
    }

    /** The SHA-256 of the canonical body; ends the stream. */
    @Override
    public byte[] finish() {
        if (finished) {
            throw new IllegalStateException("the body hash is finished");
        }
        if (pendingCr) {
            pendingCr = false;
            content(CR);
        }
        if (lineHasContent) {
            write(CR);
            write(LF);
        }
        finished = true;
        return body.digest();
    }
}
