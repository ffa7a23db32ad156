package dev.hato.imap.fetch;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * Reads a message line by line, counting octets, and keeps at most {@code cap} octets of each line so that a
 * line of any length costs bounded memory. A line ends at LF (CRLF or a bare LF) or at the end of the input.
 */
final class OctetLines {

    /** One line: where it starts, its content length without the terminator, the terminator's length (0 to 2). */
    record Line(long start, long length, int terminator, byte[] kept, boolean truncated) {

        boolean isEmpty() {
            return length == 0;
        }

        boolean startsWithWhitespace() {
            return kept.length > 0 && (kept[0] == ' ' || kept[0] == '\t');
        }
    }

    private static final byte[] EMPTY = new byte[0];
    private static final byte[] CR = {'\r'};

    private final InputStream in;
    private final byte[] buffer = new byte[8192];
    private int bufferPos;
    private int bufferEnd;
    private long position;
    private long lineCount;
    private @Nullable Line pushedBack;
    private @Nullable Line last;
    private @Nullable Line beforeLast;

    OctetLines(InputStream in) {
        this.in = in;
    }

    /** The offset of the next octet a {@link #read} returns. */
    long position() {
        return pushedBack != null ? pushedBack.start() : position;
    }

    /** How many lines {@link #read} has returned (less the one pushed back). */
    long lineCount() {
        return lineCount;
    }

    /** The line returned before the most recent one, if any. */
    @Nullable Line previous() {
        return beforeLast;
    }

    void unread(Line line) {
        pushedBack = line;
        lineCount--;
        last = beforeLast;
        beforeLast = null;
    }

    /** Reads the rest of the input without keeping any of it; returns its end offset. */
    long skipToEnd() throws IOException {
        pushedBack = null;
        position += bufferEnd - bufferPos;
        bufferPos = bufferEnd;
        while (true) {
            long skipped = in.skip(Long.MAX_VALUE);
            if (skipped > 0) {
                position += skipped;
                continue;
            }
            int n = in.read(buffer);
            if (n < 0) {
                bufferPos = 0;
                bufferEnd = 0;
                return position;
            }
            position += n;
        }
    }

    @Nullable Line read(int cap) throws IOException {
        Line line = pushedBack;
        if (line != null) {
            pushedBack = null;
        } else {
            line = scan(cap);
            if (line == null) {
                return null;
            }
        }
        lineCount++;
        beforeLast = last;
        last = line;
        return line;
    }

    /**
     * Scans to the next LF a buffer at a time: the line's octets are counted, and the first {@code cap} of them
     * copied, in bulk. A CR is part of the terminator only right before the LF (possibly across a refill).
     */
    private @Nullable Line scan(int cap) throws IOException {
        long start = position;
        byte[] kept = EMPTY;
        int keptLength = 0;
        long length = 0;
        boolean pendingCr = false;
        while (true) {
            if (bufferPos == bufferEnd) {
                bufferEnd = in.read(buffer);
                bufferPos = 0;
                if (bufferEnd <= 0) {
                    bufferEnd = 0;
                    if (position == start) {
                        return null;
                    }
                    if (pendingCr) {
                        kept = keep(kept, keptLength, cap, CR, 0, 1);
                        keptLength = (int) Math.min(cap, length + 1);
                        length++;
                    }
                    return new Line(start, length, 0, Arrays.copyOf(kept, keptLength), length > cap);
                }
            }
            int lf = -1;
            for (int i = bufferPos; i < bufferEnd; i++) {
                if (buffer[i] == '\n') {
                    lf = i;
                    break;
                }
            }
            int segmentEnd = lf < 0 ? bufferEnd : lf;
            if (pendingCr) {
                pendingCr = false;
                if (lf == bufferPos) {
                    bufferPos = lf + 1;
                    position++;
                    return new Line(start, length, 2, Arrays.copyOf(kept, keptLength), length > cap);
                }
                kept = keep(kept, keptLength, cap, CR, 0, 1);
                keptLength = (int) Math.min(cap, length + 1);
                length++;
            }
            int contentEnd = segmentEnd;
            if (contentEnd > bufferPos && buffer[contentEnd - 1] == '\r') {
                contentEnd--;
                pendingCr = lf < 0;
            }
            int n = contentEnd - bufferPos;
            if (n > 0) {
                kept = keep(kept, keptLength, cap, buffer, bufferPos, n);
                keptLength = (int) Math.min(cap, length + n);
                length += n;
            }
            position += (lf < 0 ? bufferEnd : lf + 1) - bufferPos;
            if (lf >= 0) {
                bufferPos = lf + 1;
                int terminator = contentEnd < segmentEnd ? 2 : 1;
                return new Line(start, length, terminator, Arrays.copyOf(kept, keptLength), length > cap);
            }
            bufferPos = bufferEnd;
        }
    }

    /** Copies what still fits under {@code cap} of {@code n} octets into {@code kept} (grown as needed). */
    private static byte[] keep(byte[] kept, int keptLength, int cap, byte[] from, int offset, int n) {
        int room = cap - keptLength;
        if (room <= 0) {
            return kept;
        }
        int copy = Math.min(room, n);
        byte[] target = kept;
        if (keptLength + copy > kept.length) {
            target = Arrays.copyOf(kept, (int) Math.min(cap, Math.max(keptLength + copy, kept.length * 2L)));
        }
        System.arraycopy(from, offset, target, keptLength, copy);
        return target;
    }
}
