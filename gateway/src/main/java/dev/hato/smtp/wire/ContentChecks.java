package dev.hato.smtp.wire;

import java.nio.ByteBuffer;

/**
 * Streaming checks and repairs of received message content, chunk by chunk, in bounded memory:
 * bare LF line endings turned into CRLF (RFC 5321 §2.3.8; what Postfix calls "normalize"), and header lines longer
 * than RFC 5322 §2.1.1's 998 octets detected.
 */
public final class ContentChecks {

    /** RFC 5322 §2.1.1: a line MUST be no more than 998 characters, excluding the CRLF. */
    public static final int MAX_HEADER_LINE = 998;

    private final boolean normalizeBareLineFeeds;
    private boolean lastWasCarriageReturn;
    private boolean inHeader = true;
    private int headerLineLength;
    private boolean headerLineTooLong;
    private boolean sawNul;
    private boolean sawBareLineFeed;

    public ContentChecks(boolean normalizeBareLineFeeds) {
        this.normalizeBareLineFeeds = normalizeBareLineFeeds;
    }

    /** Scans {@code chunk} and returns it, or a repaired copy when a bare LF had to become CRLF. */
    public ByteBuffer apply(ByteBuffer chunk) {
        int bareLineFeeds = 0;
        boolean carriageReturn = lastWasCarriageReturn;
        for (int i = chunk.position(); i < chunk.limit(); i++) {
            byte b = chunk.get(i);
            if (b == '\n' && !carriageReturn) {
                bareLineFeeds++;
                sawBareLineFeed = true;
            } else if (b == 0) {
                sawNul = true;
            }
            scanHeader(b);
            carriageReturn = b == '\r';
        }
        if (!normalizeBareLineFeeds || bareLineFeeds == 0) {
            lastWasCarriageReturn = carriageReturn;
            return chunk;
        }
        ByteBuffer repaired = ByteBuffer.allocate(chunk.remaining() + bareLineFeeds);
        for (int i = chunk.position(); i < chunk.limit(); i++) {
            byte b = chunk.get(i);
            if (b == '\n' && !lastWasCarriageReturn) {
                repaired.put((byte) '\r');
            }
            repaired.put(b);
            lastWasCarriageReturn = b == '\r';
        }
        return repaired.flip();
    }

    public boolean headerLineTooLong() {
        return headerLineTooLong;
    }

    public boolean sawNul() {
        return sawNul;
    }

    public boolean sawBareLineFeed() {
        return sawBareLineFeed;
    }

    private void scanHeader(byte b) {
        if (!inHeader) {
            return;
        }
        if (b == '\n') {
            if (headerLineLength == 0) {
                inHeader = false; // the empty line ends the header section
            }
            headerLineLength = 0;
        } else if (b != '\r') {
            headerLineLength++;
            if (headerLineLength > MAX_HEADER_LINE) {
                headerLineTooLong = true;
            }
        }
    }
}
