package dev.hato.outbound.client;

import java.nio.ByteBuffer;

/**
 * Turns message bytes into DATA content (RFC 5321 §4.5.2): a period at the start of a line is doubled, and the
 * end is {@code CRLF . CRLF} (with a CRLF added first when the message does not end in one). A push encoder: one
 * per message, fed chunk by chunk, never holding more than the chunk it is given.
 *
 * <p>Only CRLF ever leaves (RFC 5321 §2.3.8: a bare CR or LF MUST NOT be sent): a bare CR gets the LF it lacks and a
 * bare LF the CR before it, and the line that starts after either is stuffed like any other. Whatever the stored
 * message holds — mail from before the door repaired bare CRs, a report quoting an original — the next server
 * sees the same lines Hato does, and none can end the data early at {@code <CR>.<CR>} or {@code <LF>.<LF>} (SMTP
 * smuggling).
 */
public final class DotStuffer {

    /** Whether the next byte starts a line (true at the very beginning: the first line may start with a dot). */
    private boolean lineStart = true;
    /** Whether the last byte was a CR, sent already; the next byte decides whether it was bare. */
    private boolean afterCr;

    /** The stuffed form of {@code chunk} (the same buffer when nothing needed doubling or repair). */
    public ByteBuffer encode(ByteBuffer chunk) {
        ByteBuffer in = chunk.duplicate();
        int added = 0;
        boolean start = lineStart;
        boolean cr = afterCr;
        for (int i = in.position(); i < in.limit(); i++) {
            byte b = in.get(i);
            if (cr && b != '\n') {
                added++;
                start = true;
            } else if (b == '\n' && !cr) {
                added++;
            }
            if (b == '.' && start) {
                added++;
            }
            start = b == '\n';
            cr = b == '\r';
        }
        if (added == 0) {
            lineStart = start;
            afterCr = cr;
            return in;
        }
        ByteBuffer out = ByteBuffer.allocate(in.remaining() + added);
        for (int i = in.position(); i < in.limit(); i++) {
            byte b = in.get(i);
            if (afterCr && b != '\n') {
                out.put((byte) '\n'); // the CR before was bare: end its line
                lineStart = true;
            } else if (b == '\n' && !afterCr) {
                out.put((byte) '\r'); // a bare LF: give it its CR
            }
            if (b == '.' && lineStart) {
                out.put((byte) '.');
            }
            out.put(b);
            lineStart = b == '\n';
            afterCr = b == '\r';
        }
        return out.flip();
    }

    /** The terminator: {@code .CRLF} after a complete line, else {@code CRLF.CRLF} (just LF after a final CR). */
    public ByteBuffer end() {
        byte[] end = afterCr ? new byte[] {'\n', '.', '\r', '\n'}
                : lineStart ? new byte[] {'.', '\r', '\n'} : new byte[] {'\r', '\n', '.', '\r', '\n'};
        return ByteBuffer.wrap(end);
    }
}
