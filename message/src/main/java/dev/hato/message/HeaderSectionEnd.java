package dev.hato.message;

import java.nio.ByteBuffer;

/**
 * Finds the end of a message's header section (RFC 5322 §2.1: the first empty line) in octets that arrive in chunks
 * of any size, in constant memory. A line ends at LF; a line is empty when nothing, or a single CR, comes before its
 * LF, so CRLF CRLF and a bare LF LF both end the header (bare LF tolerated as mail software does), and a message
 * that starts with an empty line has an empty header section. A CR elsewhere is an ordinary octet of its line.
 *
 * <p>This is the one place that decides where a header section ends, for DKIM, delivery reports, content checks at
 * the SMTP door and the MIME parser; it only counts, the callers keep what they need of the octets.
 */
public final class HeaderSectionEnd {

    /** What {@link #scan} returns when the chunk holds no end of the header section. */
    public static final int NOT_FOUND = -1;

    /** Octets of the current line before its LF, up to 2 (only "none" and "a single CR" matter). */
    private int lineOctets;
    private boolean lastWasCr;
    private boolean ended;
    private long position;
    private long bodyStart = -1;
    private int separator;

    /**
     * Takes one octet; true when it is the LF that ends the empty line, and so the header section. After the end,
     * octets are only counted.
     */
    public boolean octet(byte b) {
        position++;
        if (ended) {
            return false;
        }
        if (b == '\n') {
            if (isEmptyLine(lineOctets, lastWasCr)) {
                ended = true;
                bodyStart = position;
                separator = lineOctets + 1;
                return true;
            }
            lineOctets = 0;
        } else if (lineOctets < 2) {
            lineOctets++;
        }
        lastWasCr = b == '\r';
        return false;
    }

    /**
     * Takes the octets of {@code chunk} from its position to its limit (the position is left where it was) up to
     * the end of the header section; returns the index in {@code chunk} just after that end, or {@link #NOT_FOUND}.
     */
    public int scan(ByteBuffer chunk) {
        int limit = chunk.limit();
        for (int i = chunk.position(); i < limit; i++) {
            if (ended) {
                position += limit - i;
                return NOT_FOUND;
            }
            if (octet(chunk.get(i))) {
                position += limit - i - 1;
                return i + 1;
            }
        }
        return NOT_FOUND;
    }

    /** As {@link #scan(ByteBuffer)} over {@code length} octets of {@code octets} from {@code offset}. */
    public int scan(byte[] octets, int offset, int length) {
        int end = offset + length;
        for (int i = offset; i < end; i++) {
            if (ended) {
                position += end - i;
                return NOT_FOUND;
            }
            if (octet(octets[i])) {
                position += end - i - 1;
                return i + 1;
            }
        }
        return NOT_FOUND;
    }

    /**
     * RFC 5322 §2.1: whether a line of {@code octetsBeforeLf} octets before its LF, the last of them a CR when
     * {@code lastIsCr}, is the empty line that ends a header section (CRLF, or a bare LF).
     */
    public static boolean isEmptyLine(long octetsBeforeLf, boolean lastIsCr) {
        return octetsBeforeLf == 0 || octetsBeforeLf == 1 && lastIsCr;
    }

    /** Whether the empty line has been seen. */
    public boolean ended() {
        return ended;
    }

    /** The offset of the body (just after the empty line), or -1 while the header section has not ended. */
    public long bodyStart() {
        return bodyStart;
    }

    /** The length of the empty line that ended the header, LF included: 1 (a bare LF) or 2 (CRLF); 0 before. */
    public int separatorLength() {
        return separator;
    }

    /** How many octets were taken in all, header and after. */
    public long position() {
        return position;
    }
}
