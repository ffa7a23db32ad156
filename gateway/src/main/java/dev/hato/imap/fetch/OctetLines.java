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

    private @Nullable Line scan(int cap) throws IOException {
        long start = position;
        byte[] kept = new byte[Math.min(cap, 256)];
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
                        kept = grown(kept, keptLength, cap);
                        keptLength = keep(kept, keptLength, cap, length, (byte) '\r');
                        length++;
                    }
                    return new Line(start, length, 0, Arrays.copyOf(kept, Math.min(keptLength, cap)),
                            length > cap);
                }
            }
            byte b = buffer[bufferPos++];
            position++;
            if (b == '\n') {
                return new Line(start, length, pendingCr ? 2 : 1, Arrays.copyOf(kept, Math.min(keptLength, cap)),
                        length > cap);
            }
            if (pendingCr) {
                kept = grown(kept, keptLength, cap);
                keptLength = keep(kept, keptLength, cap, length, (byte) '\r');
                length++;
                pendingCr = false;
            }
            if (b == '\r') {
                pendingCr = true;
            } else {
                kept = grown(kept, keptLength, cap);
                keptLength = keep(kept, keptLength, cap, length, b);
                length++;
            }
        }
    }

    private static byte[] grown(byte[] kept, int keptLength, int cap) {
        if (keptLength == kept.length && kept.length < cap) {
            return Arrays.copyOf(kept, (int) Math.min(cap, kept.length * 2L));
        }
        return kept;
    }

    private static int keep(byte[] kept, int keptLength, int cap, long length, byte b) {
        if (length < cap && keptLength < kept.length) {
            kept[keptLength] = b;
            return keptLength + 1;
        }
        return keptLength;
    }
}
